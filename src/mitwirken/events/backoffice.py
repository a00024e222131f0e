"""The organisation's events in the back office (placeholder until the back office lands)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation

from .models import Event


@backoffice_view()
def events(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    return render(request, "events/backoffice/list.html", {
        "organisation": organisation, "events": Event.objects.filter(organisation=organisation).order_by("-start")[:50],
        "section": "events",
    })  # fmt: skip
