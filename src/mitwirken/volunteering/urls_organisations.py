"""URLs of registering an engagement organisation, its coordinators, opportunities and shift planning; the Börse's verification."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import backoffice, coordinator, views_organisations

C = "ehrenamt/verein/<slug:org_slug>/"
A = C + "angebote/<int:opportunity_pk>/"
P = A + "schichten-planen/"

urlpatterns: list[URLPattern] = [
    path("ehrenamt/mitmachen/", views_organisations.register_organisation, name="register_organisation"),
    path("ehrenamt/einladung/<str:token>/", views_organisations.accept_invitation, name="accept_invitation"),
    path(C, coordinator.overview, name="coordinator_overview"),
    path(C + "organisation/", coordinator.organisation_edit, name="coordinator_organisation"),
    path(C + "koordination/", coordinator.coordinators, name="coordinator_team"),
    path(C + "koordination/<int:pk>/entfernen/", coordinator.coordinator_remove, name="coordinator_remove"),
    path(C + "angebote/", coordinator.opportunities, name="coordinator_opportunities"),
    path(C + "angebote/neu/", coordinator.opportunity_create, name="opportunity_create"),
    path(A + "bearbeiten/", coordinator.opportunity_edit, name="opportunity_edit"),
    path(A + "status/", coordinator.opportunity_status, name="opportunity_status"),
    path(P, coordinator.shift_planning, name="shift_planning"),
    path(P + "<int:shift_pk>/", coordinator.shift_edit, name="shift_edit"),
    path(P + "<int:shift_pk>/loeschen/", coordinator.shift_delete, name="shift_delete"),
    path(P + "reihe/<int:series_pk>/loeschen/", coordinator.series_delete, name="series_delete"),
]

B = "<slug:org_slug>/ehrenamt/"

backoffice_urlpatterns: list[URLPattern] = [
    path(B, backoffice.home, name="volunteering"),
    path(B + "pruefung/", backoffice.queue, name="volunteering_queue"),
    path(B + "organisationen/", backoffice.organisations, name="volunteering_organisations"),
    path(B + "organisationen/<int:engagement_pk>/", backoffice.review, name="volunteering_review"),
    path(B + "eigene-einrichtung/", backoffice.own_body, name="volunteering_own_body"),
]
