"""URLs of applying, the coordinators' inbox of applications, and messages between the two sides."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
backoffice_urlpatterns: list[URLPattern] = []
