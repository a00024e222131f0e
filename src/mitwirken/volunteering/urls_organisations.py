"""URLs of registering an engagement organisation, its coordinators, opportunities and shift planning; the Börse's verification."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
backoffice_urlpatterns: list[URLPattern] = []
