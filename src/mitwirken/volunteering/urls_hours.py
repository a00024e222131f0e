"""URLs of hours, attendance, certificates and their verification, police-certificate records, the Ehrenamtskarte and the statistics."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import backoffice_hours, coordinator_hours, views_hours

COORDINATOR = "ehrenamt/verein/<slug:org_slug>/"

urlpatterns: list[URLPattern] = [
    path("ehrenamt/stunden/", views_hours.my_hours, name="my_hours"),
    path("ehrenamt/stunden/antrag/<slug:key>/", views_hours.prepare_card, name="prepare_card"),
    path("ehrenamt/nachweise/", views_hours.my_certificates, name="my_certificates"),
    path("ehrenamt/nachweise/<int:pk>.pdf", views_hours.certificate_download, name="certificate_pdf"),
    path("ehrenamt/nachweis-pruefen/", views_hours.verify_certificate, name="verify_certificate"),
    path(f"{COORDINATOR}schichten/<int:pk>/anwesenheit/", coordinator_hours.attendance, name="attendance"),
    path(f"{COORDINATOR}stunden/", coordinator_hours.hours, name="coordinator_hours"),
    path(f"{COORDINATOR}stunden/export.xlsx", coordinator_hours.hours_export, name="coordinator_hours_export"),
    path(f"{COORDINATOR}nachweise/", coordinator_hours.certificates, name="coordinator_certificates"),
    path(f"{COORDINATOR}nachweise/neu/", coordinator_hours.certificate_new, name="certificate_new"),
    path(f"{COORDINATOR}ehrenamtskarte/", coordinator_hours.card_confirmations, name="coordinator_cards"),
    path(f"{COORDINATOR}bewerbungen/<int:pk>/fuehrungszeugnis/", coordinator_hours.police_record, name="police_record"),
]
backoffice_urlpatterns: list[URLPattern] = [
    path("<slug:org_slug>/ehrenamt/ehrenamtskarte/", backoffice_hours.card_applications, name="volunteering_cards"),
    path("<slug:org_slug>/ehrenamt/statistik/", backoffice_hours.statistics, name="volunteering_statistics"),
    path(
        "<slug:org_slug>/ehrenamt/statistik.xlsx",
        backoffice_hours.statistics_export,
        name="volunteering_statistics_export",
    ),
]
