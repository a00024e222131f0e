"""URLs of the search, an opportunity's page, an organisation's page, the volunteer's profile, bookmarks and saved searches."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
backoffice_urlpatterns: list[URLPattern] = []
