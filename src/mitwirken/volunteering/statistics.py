"""Figures of an Ehrenamtsbörse for its municipality: organisations, opportunities, volunteers and hours.

Seven grouped queries, however many rows there are. Hours are confirmed hours only; hours a volunteer entered
without an opportunity are listed as "Ohne Angebot".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from .models import (
    EngagementOrganisation,
    Exchange,
    Field,
    HoursEntry,
    HoursStatus,
    Opportunity,
    OpportunityStatus,
    ShiftSignup,
    SignupStatus,
    VerificationStatus,
)


@dataclass
class ExchangeStatistics:
    organisations: list[tuple[str, int]]
    opportunities_by_status: list[tuple[str, int]]
    opportunities_by_field: list[tuple[str, int]]
    volunteers: int
    hours_by_field: list[tuple[str, Decimal]]
    hours_by_year: list[tuple[int, Decimal]]

    @property
    def total_hours(self) -> Decimal:
        return sum((hours for _year, hours in self.hours_by_year), Decimal(0))

    def rows(self) -> Iterator[list[Any]]:
        """Rows for the spreadsheet: section, label, value."""
        for label, count in self.organisations:
            yield [_("Organisationen"), label, count]
        for label, count in self.opportunities_by_status:
            yield [_("Angebote nach Status"), label, count]
        for label, count in self.opportunities_by_field:
            yield [_("Angebote nach Bereich"), label, count]
        yield [_("Freiwillige"), _("Personen mit bestätigten Stunden oder Schicht-Eintragungen"), self.volunteers]
        for label, hours in self.hours_by_field:
            yield [_("Bestätigte Stunden nach Bereich"), label, float(hours)]
        for year, hours in self.hours_by_year:
            yield [_("Bestätigte Stunden nach Jahr"), str(year), float(hours)]


def _field_label(key: str | None) -> str:
    if key in Field.values:
        return str(Field(key).label)
    return _("Ohne Angebot")


def for_exchange(exchange: Exchange) -> ExchangeStatistics:
    organisations = EngagementOrganisation.objects.filter(exchange=exchange)
    by_status = dict(organisations.values_list("status").annotate(n=Count("pk")).order_by())
    opportunities = Opportunity.objects.filter(organisation__exchange=exchange)
    opportunity_status = dict(opportunities.values_list("status").annotate(n=Count("pk")).order_by())
    opportunity_field = dict(opportunities.values_list("field").annotate(n=Count("pk")).order_by())
    hours = HoursEntry.objects.filter(organisation__exchange=exchange, status=HoursStatus.CONFIRMED)
    hours_field = dict(hours.values_list("opportunity__field").annotate(total=Sum("hours")).order_by())
    hours_year = hours.annotate(year=ExtractYear("day")).values_list("year").annotate(total=Sum("hours"))
    with_hours = hours.values("volunteer")
    signed_up = ShiftSignup.objects.filter(
        shift__opportunity__organisation__exchange=exchange, status=SignupStatus.CONFIRMED
    ).values("volunteer")
    # UNION drops the duplicates, so the database counts the distinct people.
    volunteers = (
        with_hours.values_list("volunteer", flat=True)
        .order_by()
        .union(signed_up.values_list("volunteer", flat=True).order_by())
    )
    volunteers_count = volunteers.count()
    return ExchangeStatistics(
        organisations=[(str(choice.label), by_status.get(choice.value, 0)) for choice in VerificationStatus],
        opportunities_by_status=[(str(choice.label), opportunity_status.get(choice.value, 0))
                                 for choice in OpportunityStatus],
        opportunities_by_field=[(str(choice.label), opportunity_field[choice.value]) for choice in Field
                                if choice.value in opportunity_field],
        volunteers=volunteers_count,
        hours_by_field=sorted(((_field_label(key), total) for key, total in hours_field.items()),
                              key=lambda row: -row[1]),
        hours_by_year=sorted((int(year), total) for year, total in hours_year.order_by()),
    )  # fmt: skip
