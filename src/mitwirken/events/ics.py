"""iCalendar files (RFC 5545/5546) for events: feeds, "add to calendar", and the invitations in e-mails.

Everything is built with the ``icalendar`` library, never by string concatenation, so escaping, line folding
and the VTIMEZONE are right. Times are written in local time with ``TZID=Europe/Berlin`` (and the VTIMEZONE
for it), so a series at 18:00 stays at 18:00 across the change from summer to winter time.

- ``METHOD:PUBLISH`` for feeds and the "add to calendar" file of one event;
- ``METHOD:REQUEST`` for the invitation in the confirmation e-mail and the update after a change;
- ``METHOD:CANCEL`` when the event is called off or the person's registration is cancelled.

The UID of a date is ``<Event.uid>@<host>``, of a series ``<Series.uid>@<host>``; both never change. In feeds,
a series is one master VEVENT with the RRULE, EXDATEs for dates that were cancelled, removed or are not public,
and an override VEVENT (``RECURRENCE-ID``) for each date changed on its own. Personal invitations and the
personal feed always describe the single date the person registered for (its own UID).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, vCalAddress, vRecur
from icalendar import Event as VEvent

from .models import Event, Kind, Series, Status

TZ_NAME = "Europe/Berlin"
TZ = ZoneInfo(TZ_NAME)
PRODID = "-//mitwirken//Veranstaltungen//DE"
# Pattern dates of an open-ended series are computed this far at most (a weekly series: about 20 years).
MAX_PATTERN_DATES = 1000

PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"

# The fields a feed needs of an event (``Event.objects.….only(*FEED_FIELDS)``), with its organisation.
FEED_FIELDS = (
    "id", "uid", "sequence", "title", "slug", "description", "start", "end", "kind", "status", "status_reason",
    "venue_name", "address", "room", "lat", "lon", "updated_at", "series_id", "organisation__name",
    "organisation__slug", "category__name",
)  # fmt: skip


def host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "mitwirken.invalid"


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def event_uid(event: Event) -> str:
    return f"{event.uid}@{host()}"


def series_uid(series: Series) -> str:
    return f"{series.uid}@{host()}"


def event_url(event: Event) -> str:
    return absolute(reverse("events:detail", kwargs={"org_slug": event.organisation.slug, "event_slug": event.slug}))


def local(moment: datetime) -> datetime:
    """An aware moment in Europe/Berlin (written with TZID); a naive one is taken as Berlin wall time."""
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=TZ)
    return moment.astimezone(TZ)


def location(event: Event) -> str:
    """Venue, room and address in one line; "Online" for online-only events without a venue."""
    parts = [part for part in (event.venue_name, event.room, event.address) if part]
    if not parts and event.kind == Kind.ONLINE:
        return "Online"
    return ", ".join(parts)


def description(event: Event) -> str:
    """Plain text: the description, the reason of a cancellation or postponement, and the address of the page."""
    parts = []
    if event.status in (Status.CANCELLED, Status.POSTPONED):
        label = "ABGESAGT" if event.status == Status.CANCELLED else "VERSCHOBEN"
        parts.append(f"{label}{': ' + event.status_reason if event.status_reason else ''}")
    if event.description:
        parts.append(event.description.strip())
    parts.append(f"Weitere Informationen und Anmeldung: {event_url(event)}")
    return "\n\n".join(parts)


def ical_status(event: Event) -> str:
    return {Status.CANCELLED: "CANCELLED", Status.POSTPONED: "TENTATIVE"}.get(Status(event.status), "CONFIRMED")


def organizer(event: Event) -> vCalAddress:
    """The organisation's name with the portal's no-reply address (replies to invitations go nowhere)."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or f"noreply@{host()}"
    value = vCalAddress(f"mailto:{address}")
    value.params["CN"] = event.organisation.name
    return value


def attendee(name: str, email: str, *, partstat: str = "ACCEPTED") -> vCalAddress:
    value = vCalAddress(f"mailto:{email}")
    value.params["CN"] = name or email
    value.params["ROLE"] = "REQ-PARTICIPANT"
    value.params["PARTSTAT"] = partstat
    value.params["RSVP"] = "FALSE"
    return value


def new_calendar(method: str, name: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def to_bytes(calendar: Calendar, moments: Iterable[datetime] = ()) -> bytes:
    """Add the VTIMEZONE (covering the years the calendar uses, to keep it small) and serialise."""
    years = [local(moment).year for moment in moments] or [timezone.now().year]
    calendar.add_missing_timezones(first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 2, 1, 1))
    result: bytes = calendar.to_ical()
    return result


def vevent(
    event: Event, *, sequence: int | None = None, status: str | None = None, stamp: datetime | None = None,
    person: tuple[str, str] | None = None, uid: str | None = None, recurrence_id: datetime | None = None,
) -> VEvent:  # fmt: skip
    """One VEVENT for a date; ``person`` (name, e-mail) adds the ATTENDEE of a personal invitation."""
    component = VEvent()
    component.add("uid", uid or event_uid(event))
    component.add("dtstamp", (stamp or timezone.now()).astimezone(UTC))
    if recurrence_id is not None:
        component.add("recurrence-id", local(recurrence_id))
    component.add("dtstart", local(event.start))
    component.add("dtend", local(event.end))
    component.add("sequence", event.sequence if sequence is None else sequence)
    component.add("summary", event.title)
    component.add("description", description(event))
    if place := location(event):
        component.add("location", place)
    if event.lat is not None and event.lon is not None:
        component.add("geo", (event.lat, event.lon))
    component.add("url", event_url(event))
    component.add("status", status or ical_status(event))
    component.add("transp", "OPAQUE")
    if getattr(event, "category_id", None) and event.category is not None:
        component.add("categories", [event.category.name])
    if event.updated_at:
        component.add("last-modified", event.updated_at.astimezone(UTC))
    component.add("organizer", organizer(event))
    if person is not None:
        component.add("attendee", attendee(*person))
    return component


# --- one event, personal invitations ---------------------------------------------------------------------


def event_calendar(event: Event) -> bytes:
    """The "add to calendar" file of one date (PUBLISH)."""
    calendar = new_calendar(PUBLISH, event.title)
    calendar.add_component(vevent(event))
    return to_bytes(calendar, [event.start, event.end])


def invitation(event: Event, *, name: str, email: str, sequence: int, method: str = REQUEST) -> bytes:
    """A personal invitation (REQUEST) or its cancellation (CANCEL) for the person's calendar program."""
    calendar = new_calendar(method)
    status = "CANCELLED" if method == CANCEL else ical_status(event)
    calendar.add_component(vevent(event, sequence=sequence, status=status, person=(name, email)))
    return to_bytes(calendar, [event.start, event.end])


def personal_feed(events: Sequence[tuple[Event, int]], name: str) -> bytes:
    """The dates a person is registered for, each as its own VEVENT (as in the invitations they received)."""
    calendar = new_calendar(PUBLISH, name)
    for event, sequence in events:
        calendar.add_component(vevent(event, sequence=sequence))
    return to_bytes(calendar, [event.start for event, _ in events])


# --- series --------------------------------------------------------------------------------------------------


def _rule_text(series: Series) -> str:
    text = series.rrule.strip()
    return text.split(":", 1)[1] if text.upper().startswith("RRULE:") else text


def _rule(series: Series) -> rrule:
    """The RRULE in local wall time: DTSTART aware in Europe/Berlin, so each date keeps its local hour."""
    rule = rrulestr(_rule_text(series), dtstart=local(series.first_start))
    if not isinstance(rule, rrule):
        raise ValueError(f"Series {series.pk}: one RRULE expected, got {series.rrule!r}")
    return rule


def series_dates(series: Series, *, limit: int = MAX_PATTERN_DATES) -> list[datetime]:
    """The pattern's start times (aware, Europe/Berlin) from the RRULE, before any exception or change."""
    dates = []
    for number, moment in enumerate(_rule(series)):
        if number >= limit:
            break
        dates.append(local(moment))
    return dates


def _changed(event: Event, pattern_start: datetime, series: Series, usual: tuple[str, str, str]) -> bool:
    """A date changed on its own: its time, title or place is not the series' pattern."""
    return (
        event.start != pattern_start
        or event.end != pattern_start + series.duration
        or event.title != series.title
        or (event.venue_name, event.address, event.room) != usual
        or event.status != Status.PUBLISHED
    )


@dataclass
class SeriesEntry:
    series: Series
    events: list[Event] = field(default_factory=list)


def series_components(series: Series, events: Sequence[Event], stamp: datetime) -> list[VEvent]:
    """The master VEVENT (RRULE + EXDATE) and the overrides (RECURRENCE-ID) of a series; ``events`` are the
    series' dates that the feed may show. Dates that do not fit any pattern date become VEVENTs of their own."""
    pattern = series_dates(series)
    by_start = {moment: moment for moment in pattern}
    by_day: dict[date, datetime] = {}
    for moment in pattern:
        by_day.setdefault(moment.date(), moment)
    matched: dict[datetime, Event] = {}
    loose: list[Event] = []
    rows = sorted(events, key=lambda e: (e.start, e.pk))
    # Exact start first, then the same local day (a date moved within its day keeps its place in the pattern).
    for row in rows:
        exact = by_start.get(local(row.start))
        if exact is not None and exact not in matched:
            matched[exact] = row
    taken = {row.pk for row in matched.values()}
    for row in rows:
        if row.pk in taken:
            continue
        same_day = by_day.get(local(row.start).date())
        if same_day is not None and same_day not in matched:
            matched[same_day] = row
        else:
            loose.append(row)
    if not matched:
        return [vevent(row, stamp=stamp) for row in loose]
    usual_place = Counter((e.venue_name, e.address, e.room) for e in matched.values()).most_common(1)[0][0]
    # The master takes its details from the first date that follows the pattern (or the first date at all).
    plain = [matched[m] for m in sorted(matched) if not _changed(matched[m], m, series, usual_place)]
    model = plain[0] if plain else matched[min(matched)]
    # Pattern dates without a date the feed may show (removed, in ``Series.exdates``, drafts) or cancelled.
    exdates = [m for m in pattern if m not in matched or matched[m].is_cancelled]
    uid = series_uid(series)
    master = vevent(model, uid=uid, stamp=stamp, sequence=sum(e.sequence for e in events) + len(series.exdates or []),
                    status="CONFIRMED")  # fmt: skip
    master.pop("dtstart")
    master.pop("dtend")
    master.pop("summary")
    master.add("dtstart", local(series.first_start))
    master.add("dtend", local(series.first_start) + series.duration)
    master.add("summary", series.title)
    rule = vRecur.from_ical(_rule_text(series))
    if "UNTIL" not in rule and "COUNT" not in rule:
        # An open-ended rule ends with the last date that exists, so calendars show no dates nobody planned.
        rule["UNTIL"] = [max(matched).astimezone(UTC)]
    elif len(pattern) >= MAX_PATTERN_DATES:
        rule.pop("COUNT", None)
        rule["UNTIL"] = [max(matched).astimezone(UTC)]
    master.add("rrule", rule)
    if exdates:
        master.add("exdate", exdates)
    components = [master]
    for moment in sorted(matched):
        row = matched[moment]
        if moment in exdates:
            continue
        if _changed(row, moment, series, usual_place) or (row is not model and _details(row) != _details(model)):
            components.append(vevent(row, uid=uid, stamp=stamp, recurrence_id=moment))
    components += [vevent(row, stamp=stamp) for row in loose]
    return components


def _details(event: Event) -> tuple[Any, ...]:
    return (event.description, event.kind, event.lat, event.lon)


def feed_calendar(events: Sequence[Event], series_rows: Sequence[Event], name: str) -> bytes:
    """A feed (PUBLISH): single dates as VEVENTs, each series once with its RRULE.

    ``events`` are the feed's dates (with ``series`` loaded); ``series_rows`` are all dates of those series that
    the feed may show, also outside its time window, so the EXDATEs only name what is really gone.
    """
    stamp = timezone.now()
    calendar = new_calendar(PUBLISH, name)
    calendar.add("x-published-ttl", "PT1H")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    series: dict[int, SeriesEntry] = {}
    for row in series_rows:
        if row.series_id is not None and row.series is not None:
            series.setdefault(row.series_id, SeriesEntry(row.series)).events.append(row)
    moments = []
    for event in events:
        moments.append(event.start)
        if event.series_id is None or event.series_id not in series:
            calendar.add_component(vevent(event, stamp=stamp))
    for entry in series.values():
        moments.append(entry.series.first_start)
        for component in series_components(entry.series, entry.events, stamp):
            calendar.add_component(component)
    return to_bytes(calendar, moments)
