"""A shift as an iCalendar file (RFC 5545): the download on "Meine Schichten" and the attachment of the
confirmation and the reminder.

Built with ``icalendar`` (escaping, line folding and the VTIMEZONE are the library's), times in Europe/Berlin
with their TZID, so the shift stays at its local hour in any calendar program. The UID is the shift's, the same
in every file, so a calendar that imports the reminder after the confirmation updates the entry instead of
adding a second one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from .models import Shift

BERLIN = ZoneInfo("Europe/Berlin")
PRODID = "-//mitwirken//Ehrenamt-Schichten//DE"


def shift_uid(shift: Shift) -> str:
    return f"schicht-{shift.pk}@{urlsplit(settings.SITE_URL).hostname or 'mitwirken.invalid'}"


def shifts_url(shift: Shift) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("volunteering:shifts", kwargs={"pk": shift.opportunity_id})


def shift_place(shift: Shift) -> str:
    opportunity = shift.opportunity
    parts = [shift.place or opportunity.place_name, opportunity.street,
             " ".join(p for p in (opportunity.postal_code, opportunity.city) if p)]  # fmt: skip
    return ", ".join(part for part in parts if part)


def shift_calendar(shift: Shift, *, cancelled: bool = False) -> bytes:
    """One VEVENT for the shift (METHOD:PUBLISH, so calendar programs simply add it)."""
    opportunity = shift.opportunity
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = VEvent()
    entry.add("uid", shift_uid(shift))
    entry.add("dtstamp", timezone.now().astimezone(UTC))
    entry.add("dtstart", shift.start.astimezone(BERLIN))
    entry.add("dtend", shift.end.astimezone(BERLIN))
    entry.add("summary", f"{opportunity.title} ({opportunity.organisation.name})")
    description = "\n\n".join(part for part in (shift.tasks.strip(), shifts_url(shift)) if part)
    entry.add("description", description)
    if place := shift_place(shift):
        entry.add("location", place)
    entry.add("url", shifts_url(shift))
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(entry)
    year = timezone.localtime(shift.start).year
    calendar.add_missing_timezones(first_date=date(year - 1, 1, 1), last_date=date(year + 1, 12, 31))
    result: bytes = calendar.to_ical()
    return result


def filename(shift: Shift) -> str:
    start: datetime = timezone.localtime(shift.start)
    return f"schicht-{start:%Y-%m-%d-%H%M}.ics"
