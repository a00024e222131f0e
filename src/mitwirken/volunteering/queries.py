"""Reads shared by the public side, the coordinators' area and the Börse's back office."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .models import ACTIVE_SIGNUP, Application, EngagementOrganisation


def organisations_of_volunteer(user: Any) -> QuerySet[EngagementOrganisation]:
    """Engagement organisations that may see ``user``'s profile: those the person applied or signed up at."""
    return EngagementOrganisation.objects.filter(
        Q(opportunities__applications__volunteer=user)
        | Q(opportunities__shifts__signups__volunteer=user, opportunities__shifts__signups__status__in=ACTIVE_SIGNUP)
    ).distinct()


def applications_of(user: Any) -> QuerySet[Application]:
    return Application.objects.filter(volunteer=user).select_related("opportunity__organisation")
