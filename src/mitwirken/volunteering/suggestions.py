"""Suggestions for a volunteer: published opportunities ranked by the profile's interests, skills, distance and
availability, each with the reason shown ("passt zu: Umwelt, 3 km, samstags").

Bounded work: SQL narrows to searchable opportunities within the profile's radius (bounding box) or remote ones,
suitable for the person's age, at most ``CANDIDATES`` of them (newest first, preferring the fields of interest),
with their coming shifts in one more query; Python ranks those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core import geo

from .eligibility import age_on
from .models import Commitment, Field, Opportunity, Shift, VolunteerProfile
from .search import format_km
from .services.profiles import WEEKDAYS_ADVERB, slot_of

CANDIDATES = 300
SHOWN = 30
_WORD = re.compile(r"\w{3,}")


@dataclass
class Suggestion:
    opportunity: Opportunity
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    distance_m: float | None = None

    @property
    def reason(self) -> str:
        return ", ".join(self.reasons)


def words(text: str) -> set[str]:
    return {word.casefold() for word in _WORD.findall(text or "")}


def candidates(profile: VolunteerProfile, today: date) -> list[Opportunity]:
    opportunities = Opportunity.objects.searchable().for_list()
    if profile.lat is not None and profile.lon is not None:
        west, south, east, north = geo.bbox_around(profile.lon, profile.lat, profile.radius_km * 1000)
        opportunities = opportunities.filter(
            Q(lat__gte=south, lat__lte=north, lon__gte=west, lon__lte=east) | Q(remote=True)
        )
    if profile.birth_date is not None:
        age = age_on(profile.birth_date, today)
        opportunities = opportunities.filter(Q(minimum_age__isnull=True) | Q(minimum_age__lte=age))
    interests = [key for key in profile.fields if key in Field.values]
    if interests:
        opportunities = opportunities.annotate(
            interesting=Case(When(field__in=interests, then=Value(1)), default=Value(0), output_field=IntegerField())
        ).order_by("-interesting", "-published_at", "-id")
    coming = Shift.objects.filter(start__gte=timezone.now()).only("opportunity_id", "start").order_by("start")
    return list(opportunities.prefetch_related(Prefetch("shifts", queryset=coming, to_attr="coming_shifts"))
                [:CANDIDATES])  # fmt: skip


def rank(profile: VolunteerProfile, opportunity: Opportunity, skills: set[str]) -> Suggestion:
    suggestion = Suggestion(opportunity)
    if opportunity.field in profile.fields:
        suggestion.score += 3
        suggestion.reasons.append(str(Field(opportunity.field).label).split(" (")[0])
    shared = skills & words(f"{opportunity.skills} {opportunity.title}")
    if shared:
        suggestion.score += min(len(shared), 3)
        suggestion.reasons.extend(sorted(shared)[:2])
    if profile.lat is not None and profile.lon is not None:
        if opportunity.lat is not None and opportunity.lon is not None:
            metres = geo.distance_m(profile.lon, profile.lat, opportunity.lon, opportunity.lat)
            if metres <= profile.radius_km * 1000:
                suggestion.distance_m = metres
                suggestion.score += 1 - metres / (profile.radius_km * 1000)
                suggestion.reasons.append(format_km(metres))
            elif not opportunity.remote:
                suggestion.score = -1  # outside the radius (the bounding box's corners)
                return suggestion
        if opportunity.remote:
            suggestion.reasons.append(_("von zu Hause"))
    available = set(profile.availability)
    shifts = getattr(opportunity, "coming_shifts", [])
    if available and shifts:
        matching_days = []
        for shift in shifts:
            slot = slot_of(shift.start)
            if slot in available and slot[:2] not in matching_days:
                matching_days.append(slot[:2])
        if matching_days:
            suggestion.score += 1.5
            suggestion.reasons.extend(str(WEEKDAYS_ADVERB[day]) for day in matching_days[:2])
    elif available and opportunity.commitment in (Commitment.REGULAR, Commitment.FLEXIBLE):
        suggestion.score += 0.5
    return suggestion


def suggest(profile: VolunteerProfile, *, today: date | None = None, limit: int = SHOWN) -> list[Suggestion]:
    """The best ``limit`` suggestions with a reason; opportunities matching nothing of the profile are left out."""
    today = today or timezone.localdate()
    skills = words(profile.skills)
    ranked = [rank(profile, opportunity, skills) for opportunity in candidates(profile, today)]
    useful = [suggestion for suggestion in ranked if suggestion.score > 0 and suggestion.reasons]
    useful.sort(key=lambda s: (-s.score, s.distance_m if s.distance_m is not None else float("inf"),
                               -(s.opportunity.published_at.timestamp() if s.opportunity.published_at else 0)))  # fmt: skip
    return useful[:limit]


def reason_text(suggestion: Suggestion) -> str:
    return _("passt zu: %(reasons)s") % {"reasons": suggestion.reason}
