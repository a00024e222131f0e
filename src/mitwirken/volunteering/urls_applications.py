"""URLs of applying, the coordinators' inbox of applications, and messages between the two sides."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import coordinator_applications, views_applications

urlpatterns: list[URLPattern] = [
    path("ehrenamt/angebote/<int:pk>/bewerben/", views_applications.apply, name="apply"),
    path("ehrenamt/bewerbungen/", views_applications.my_applications, name="my_applications"),
    path("ehrenamt/bewerbungen/<int:pk>/", views_applications.my_application, name="my_application"),
    path("ehrenamt/bewerbungen/<int:pk>/zurueckziehen/", views_applications.withdraw, name="withdraw_application"),
    path("ehrenamt/verein/<slug:org_slug>/bewerbungen/", coordinator_applications.applications,
         name="coordinator_applications"),
    path("ehrenamt/verein/<slug:org_slug>/bewerbungen/<int:pk>/", coordinator_applications.application,
         name="coordinator_application"),
]  # fmt: skip
backoffice_urlpatterns: list[URLPattern] = []
