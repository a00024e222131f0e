"""URLs of hours, attendance, certificates and their verification, police-certificate records, the Ehrenamtskarte and the statistics."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
backoffice_urlpatterns: list[URLPattern] = []
