"""The organisation's moderation overview in the back office: every module's waiting work, linked to its queue."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation

from .contrib import waiting_moderation


@backoffice_view()
def moderation_overview(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """Open flags and contributions waiting for approval per module; the queues themselves are on the module pages,
    because project moderators, who have no back-office access, work there too."""
    return render(request, "participation/backoffice/moderation.html", {
        "organisation": organisation, "section": "moderation",
        "page": Paginator(waiting_moderation(organisation), 50).get_page(request.GET.get("seite")),
    })  # fmt: skip
