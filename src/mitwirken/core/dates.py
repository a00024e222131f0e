"""Periods and deadlines, stored and shown one way everywhere (Europe/Berlin).

A period is stored as ``[start, end)``: ``end`` is exclusive, and a period that ends with a whole day
ends at 00:00 of the *next* day, Berlin time. Staff enter the last day; the legal wording shows it:
"vom 1. Dezember 2026 bis einschließlich 31. Dezember 2026".

The rule for showing an end (``format_period``):

- an end at 00:00 (Berlin) is the end of the day before: "bis einschließlich <previous day>";
- an end at any other time is the moment from which nothing is accepted any more, shown with its time:
  "bis 31. Dezember 2026, 18:00 Uhr" (no "einschließlich": 18:00 itself is already too late);
- a start at 00:00 is shown as a day ("vom 1. Dezember 2026"), any other start with its time;
- a ``date`` (not a datetime) is a whole day: as a start that day, as an end the last day, inclusive.

Dates follow the active language's ``DATE_FORMAT`` ("1. Dezember 2026", "1 December 2026").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _


def berlin_day_start(day: date) -> datetime:
    """00:00 of ``day`` in the portal's time zone, in UTC; right on the days the clocks change.

    UTC, because Python compares two datetimes of the *same* zone by wall-clock time, which is wrong
    across a DST change; the database returns UTC anyway."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone()).astimezone(UTC)


def end_of_last_day(day: date) -> datetime:
    """The exclusive end of a period whose last day is ``day``: 00:00 of the day after, Berlin time."""
    return berlin_day_start(day + timedelta(days=1))


def last_day(end: datetime) -> date:
    """The last day (Berlin) that an exclusive ``end`` still includes: the day before if it is at 00:00."""
    return timezone.localtime(end - timedelta(microseconds=1), timezone.get_default_timezone()).date()


def with_weekday(value: date | datetime, time_too: bool = False) -> str:
    """ "Sonntag, 6. Dezember 2026" / "Sunday, 6 December 2026" (with ", 18:00" if ``time_too``): the weekday
    before the language's own date format, so appointments read naturally in every language."""
    if isinstance(value, datetime):
        value = _local(value)
    pattern = formats.get_format("DATETIME_FORMAT" if time_too else "DATE_FORMAT")
    return formats.date_format(value, f"l, {pattern}")


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment, timezone.get_default_timezone())


def _day(day: date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _time(moment: datetime) -> str:
    return formats.time_format(moment, "H:i")


def _at_midnight(moment: datetime) -> bool:
    return _local(moment).time() == time.min


def format_start(start: date | datetime) -> str:
    """ "1. Dezember 2026" or, if it starts at another time than 00:00, "1. Dezember 2026, 10:00 Uhr"."""
    if not isinstance(start, datetime):
        return _day(start)
    local = _local(start)
    if local.time() == time.min:
        return _day(local.date())
    return _("%(day)s, %(time)s Uhr") % {"day": _day(local.date()), "time": _time(local)}


def format_end(end: date | datetime) -> str:
    """The end after "bis": "einschließlich 31. Dezember 2026" or "31. Dezember 2026, 18:00 Uhr"."""
    if not isinstance(end, datetime):
        return _("einschließlich %(day)s") % {"day": _day(end)}
    if _at_midnight(end):
        return _("einschließlich %(day)s") % {"day": _day(last_day(end))}
    local = _local(end)
    return _("%(day)s, %(time)s Uhr") % {"day": _day(local.date()), "time": _time(local)}


def format_period(start: date | datetime | None, end: date | datetime | None) -> str:
    """The whole period in the legal wording; either side may be missing."""
    if start is not None and end is not None:
        return _("vom %(start)s bis %(end)s") % {"start": format_start(start), "end": format_end(end)}
    if end is not None:
        return _("bis %(end)s") % {"end": format_end(end)}
    if start is not None:
        return _("ab %(start)s") % {"start": format_start(start)}
    return ""
