"""Reads shared by the public side, the coordinators' area and the Börse's back office."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from .models import (
    ACTIVE_SIGNUP,
    Application,
    ApplicationStatus,
    CardConfirmation,
    EngagementOrganisation,
    HoursEntry,
    HoursStatus,
    Shift,
)

UNDERSTAFFED_DAYS = 14


def organisations_of_volunteer(user: Any) -> QuerySet[EngagementOrganisation]:
    """Engagement organisations that may see ``user``'s profile: those the person applied or signed up at."""
    return EngagementOrganisation.objects.filter(
        Q(opportunities__applications__volunteer=user)
        | Q(opportunities__shifts__signups__volunteer=user, opportunities__shifts__signups__status__in=ACTIVE_SIGNUP)
    ).distinct()


def applications_of(user: Any) -> QuerySet[Application]:
    return Application.objects.filter(volunteer=user).select_related("opportunity__organisation")


@dataclass(frozen=True)
class CoordinatorWork:
    """What waits for an organisation's coordinators (their overview page): four counts, four queries."""

    open_applications: int
    pending_hours: int
    understaffed_shifts: int  # in the next ``UNDERSTAFFED_DAYS`` days, fewer helpers than the minimum
    card_confirmations: int

    @property
    def anything(self) -> bool:
        return any((self.open_applications, self.pending_hours, self.understaffed_shifts, self.card_confirmations))


def coordinator_work(organisation: EngagementOrganisation) -> CoordinatorWork:
    now = timezone.now()
    applications = Application.objects.filter(opportunity__organisation=organisation).aggregate(
        open=Count("pk", filter=Q(status=ApplicationStatus.OPEN))
    )
    return CoordinatorWork(
        open_applications=applications["open"],
        pending_hours=HoursEntry.objects.filter(organisation=organisation, status=HoursStatus.PENDING).count(),
        understaffed_shifts=Shift.objects.filter(
            opportunity__organisation=organisation, start__gt=now, start__lt=now + timedelta(days=UNDERSTAFFED_DAYS),
            taken__lt=F("min_helpers"),
        ).count(),
        card_confirmations=CardConfirmation.objects.filter(organisation=organisation, confirmed_at__isnull=True).count(),
    )  # fmt: skip
