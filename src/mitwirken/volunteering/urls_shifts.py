"""URLs of signing up for shifts, the waiting list, swaps, and a shift's helper list."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
backoffice_urlpatterns: list[URLPattern] = []
