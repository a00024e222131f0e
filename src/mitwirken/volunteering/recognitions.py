"""Whether a volunteer's confirmed hours meet a recognition (the Ehrenamtskarte, the Kompetenznachweis).

The rules come from ``settings.MITWIRKEN_VOLUNTEER_RECOGNITIONS``: over the last ``years`` years (rolling year
windows ending today, on Berlin's calendar), each window holds at least ``hours_per_year`` hours, or the hours
average ``hours_per_week`` a week over the whole period (0 turns that path off); the person is at least
``minimum_age`` on the day. Only confirmed hours without pay beyond expenses count, added up across all
organisations. One query for the hours, one for the birth date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .eligibility import age_on
from .models import HoursEntry, HoursStatus, VolunteerProfile


def recognitions() -> list[dict[str, Any]]:
    return list(settings.MITWIRKEN_VOLUNTEER_RECOGNITIONS)


def recognition(key: str) -> dict[str, Any]:
    """The recognition named ``key``; a KeyError for an unknown key."""
    for item in recognitions():
        if item["key"] == key:
            return item
    raise KeyError(key)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class YearWindow:
    start: date
    end: date
    hours: Decimal
    missing: Decimal


@dataclass
class CheckResult:
    recognition: dict[str, Any]
    eligible: bool
    period_start: date
    period_end: date
    years: list[YearWindow]
    total: Decimal
    weekly_average: Decimal
    reasons: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.recognition["name"])


def countable_hours() -> Q:
    """Confirmed hours without pay beyond expenses: the only hours a recognition counts."""
    return Q(status=HoursStatus.CONFIRMED, paid=False)


def _format(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01'))}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def check(user: Any, recognition: dict[str, Any], today: date | None = None) -> CheckResult:
    """Check ``user``'s hours against ``recognition`` (a dict of the setting) on ``today``."""
    today = today or timezone.localdate()
    years = int(recognition.get("years", 1))
    per_year = Decimal(str(recognition.get("hours_per_year", 0)))
    per_week = Decimal(str(recognition.get("hours_per_week", 0)))
    windows = []
    for index in range(years):
        end = years_before(today, index)
        windows.append((years_before(today, index + 1) + timedelta(days=1), end))
    period_start, period_end = windows[-1][0], today
    sums = HoursEntry.objects.filter(countable_hours(), volunteer=user, day__gte=period_start,
                                     day__lte=period_end).aggregate(
        **{f"y{index}": Sum("hours", filter=Q(day__gte=start, day__lte=end))
           for index, (start, end) in enumerate(windows)}
    )  # fmt: skip
    year_windows = []
    for index, (start, end) in enumerate(windows):
        hours = sums[f"y{index}"] or Decimal(0)
        year_windows.append(YearWindow(start=start, end=end, hours=hours, missing=max(per_year - hours, Decimal(0))))
    total = sum((window.hours for window in year_windows), Decimal(0))
    days = Decimal((period_end - period_start).days + 1)
    # Rounded down for display, so 4,998 never shows as a qualifying 5,00; compared exactly.
    weekly_average = (total * 7 / days).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
    reasons: list[str] = []

    age_ok = True
    minimum_age = recognition.get("minimum_age")
    if minimum_age:
        birth_date = VolunteerProfile.objects.filter(user=user).values_list("birth_date", flat=True).first()
        if birth_date is None:
            age_ok = False
            reasons.append(_("Bitte tragen Sie Ihr Geburtsdatum in Ihrem Ehrenamtsprofil ein: Es gilt ein "
                             "Mindestalter von %(age)d Jahren.") % {"age": minimum_age})  # fmt: skip
        elif age_on(birth_date, today) < minimum_age:
            age_ok = False
            reasons.append(_("Sie müssen mindestens %(age)d Jahre alt sein.") % {"age": minimum_age})

    yearly_ok = all(window.hours >= per_year for window in year_windows)
    weekly_ok = per_week > 0 and total * 7 >= per_week * days
    hours_ok = yearly_ok or weekly_ok
    if not hours_ok:
        for window in year_windows:
            if window.missing > 0:
                reasons.append(_("Im Jahr vom %(start)s bis %(end)s fehlen noch %(hours)s Stunden.") % {
                    "hours": _format(window.missing.quantize(Decimal("0.01"), rounding=ROUND_CEILING)),
                    "start": window.start.strftime("%d.%m.%Y"),
                    "end": window.end.strftime("%d.%m.%Y"),
                })  # fmt: skip
        if per_week > 0:
            reasons.append(_(
                "Oder: Im Durchschnitt sind es %(average)s Stunden pro Woche seit dem %(start)s; nötig sind "
                "%(needed)s."
            ) % {"average": _format(weekly_average), "start": period_start.strftime("%d.%m.%Y"),
                 "needed": _format(per_week)})  # fmt: skip
    return CheckResult(
        recognition=recognition, eligible=age_ok and hours_ok, period_start=period_start, period_end=period_end,
        years=year_windows, total=total, weekly_average=weekly_average, reasons=reasons,
    )  # fmt: skip


def check_all(user: Any, today: date | None = None) -> list[CheckResult]:
    return [check(user, item, today) for item in recognitions()]
