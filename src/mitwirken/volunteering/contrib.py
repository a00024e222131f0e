"""What the Ehrenamtsbörse adds to the staff's work overview and to the figures page (fixed query counts)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from mitwirken.core.plugins import Statistic, WorkItem

from .models import EngagementOrganisation, Opportunity, OpportunityStatus, VerificationStatus


def staff_work(user: Any, organisation: Any) -> list[WorkItem]:
    """Engagement organisations waiting for verification by this tenant's Börse: one query."""
    if not user.has_perm("organisations.enter_backoffice", organisation):
        return []
    pending = EngagementOrganisation.objects.filter(
        exchange__organisation=organisation, status=VerificationStatus.PENDING
    ).count()
    if not pending:
        return []
    return [WorkItem(
        label=ngettext("%(count)d Engagement-Organisation wartet auf Prüfung",
                       "%(count)d Engagement-Organisationen warten auf Prüfung", pending) % {"count": pending},
        count=pending, url=reverse("backoffice:volunteering_queue", kwargs={"org_slug": organisation.slug}),
    )]  # fmt: skip


def statistics(organisation: Any) -> list[Statistic]:
    """Two queries: the Börse's organisations by status, its published opportunities."""
    organisations = EngagementOrganisation.objects.filter(exchange__organisation=organisation).aggregate(
        verified=Count("pk", filter=Q(status=VerificationStatus.VERIFIED)),
        pending=Count("pk", filter=Q(status=VerificationStatus.PENDING)),
        rejected=Count("pk", filter=Q(status=VerificationStatus.REJECTED)),
    )
    published = Opportunity.objects.filter(
        organisation__exchange__organisation=organisation, status=OpportunityStatus.PUBLISHED,
        organisation__status=VerificationStatus.VERIFIED,
    ).count()  # fmt: skip
    return [
        Statistic(_lazy("Engagement-Organisationen (bestätigt)"), organisations["verified"]),
        Statistic(_lazy("Engagement-Organisationen (in Prüfung)"), organisations["pending"]),
        Statistic(_lazy("Engagement-Organisationen (abgelehnt)"), organisations["rejected"]),
        Statistic(_lazy("Veröffentlichte Engagement-Angebote"), published),
    ]
