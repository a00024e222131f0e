"""The one place that lets a request into an engagement organisation's coordinator area.

Coordinators are ordinary accounts (no second factor is asked of them: they hold no tenant's rights). Anyone
else gets 404, so the area never confirms which volunteers or drafts an organisation has.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import rules
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from .models import EngagementOrganisation, Opportunity


def coordinator_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a view taking ``(request, organisation, **kwargs)``; ``org_slug`` comes from the URL."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, org_slug: str, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        organisation = get_object_or_404(EngagementOrganisation.objects.select_related("exchange"), slug=org_slug)
        if not rules.has_perm("volunteering.manage_organisation", request.user, organisation):
            raise Http404
        return view(request, organisation, **kwargs)

    return wrapper


def opportunity_of(organisation: EngagementOrganisation, opportunity_pk: int) -> Opportunity:
    return get_object_or_404(Opportunity.objects.select_related("organisation"), organisation=organisation,
                             pk=opportunity_pk)  # fmt: skip


# The coordinator area's tabs: (label, URL name taking org_slug, key for aria-current). Each area adds its own.
COORDINATOR_TABS: list[tuple[Any, str, str]] = [
    (_("Übersicht"), "volunteering:coordinator_overview", "overview"),
    (_("Angebote"), "volunteering:coordinator_opportunities", "opportunities"),
    (_("Bewerbungen"), "volunteering:coordinator_applications", "bewerbungen"),
    (_("Schichten"), "volunteering:coordinator_shifts", "schichten"),
    (_("Stunden"), "volunteering:coordinator_hours", "hours"),
    (_("Nachweise"), "volunteering:coordinator_certificates", "certificates"),
    (_("Ehrenamtskarte"), "volunteering:coordinator_cards", "cards"),
    (_("Organisation"), "volunteering:coordinator_organisation", "organisation"),
    (_("Koordination"), "volunteering:coordinator_team", "coordinators"),
]


def coordinator_context(organisation: EngagementOrganisation, tab: str, **extra: Any) -> dict[str, Any]:
    """What ``volunteering/coordinator/base.html`` needs: the organisation and its tabs."""
    from django.urls import reverse

    tabs = [
        (label, reverse(name, kwargs={"org_slug": organisation.slug}), key) for label, name, key in COORDINATOR_TABS
    ]
    return {"organisation": organisation, "tabs": tabs, "tab": tab, **extra}
