"""Reads of the public side: the calendar (list and month), an event page's facts, the schema.org description.

Every list is one query for the page (``for_list`` plus annotations) and one for the count, however many events
there are; the month view is one query for the month.

The place filter is deliberately simple: a point (typed as "Breite, Länge", or a place name or postcode that
``core.geo.locate`` finds through a module's geocoder) and a radius give a bounding box,
and events with coordinates inside the box are shown. Events without coordinates (online ones) drop out while a
place is filtered. The box is a square around the circle, so a corner may lie up to 41 % further away than the
radius: good enough for "near me", and the index-friendly comparison needs no GIS.
"""

from __future__ import annotations

import calendar as pycalendar
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.core.paginator import Page
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mitwirken.core import geo
from mitwirken.core.dates import with_weekday
from mitwirken.core.pagination import KeysFirstPaginator

from .models import (
    CapacityCategory,
    Event,
    EventQuerySet,
    Kind,
    Registration,
    RegistrationMode,
    RegistrationStatus,
    Status,
)

# --- the calendar -----------------------------------------------------------------------------------------------


def with_free_places(events: EventQuerySet) -> EventQuerySet:
    """Events someone could still get a place at: registration open (or none needed) and a category not full."""
    now = timezone.now()
    has_free = CapacityCategory.objects.filter(event=OuterRef("pk"), taken__lt=F("capacity"))
    return (
        events.filter(status=Status.PUBLISHED).exclude(registration=RegistrationMode.OFF)
        .filter(Q(registration_deadline__isnull=True, start__gt=now) | Q(registration_deadline__gt=now))
        .filter(Exists(has_free))
    )  # fmt: skip


def annotate_places(events: EventQuerySet) -> EventQuerySet:
    """``has_free`` on each row (one EXISTS in the same query), for "Plätze frei" / "Warteliste" in lists."""
    return events.annotate(
        has_free=Exists(CapacityCategory.objects.filter(event=OuterRef("pk"), taken__lt=F("capacity")))
    )


def calendar_page(events: EventQuerySet, number: str | None, per_page: int) -> Page[Any]:
    """One page of the list, by start. The page's ids come from an index-only scan of ``event_public_by_start``
    (start, id, with the end included), so a deep page costs index entries, not joined rows with an EXISTS each
    (``core.pagination.KeysFirstPaginator``)."""
    return KeysFirstPaginator(annotate_places(events.for_list()).order_by("start", "id"), per_page).get_page(number)


def berlin_day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_calendar(events: EventQuerySet, data: Mapping[str, Any]) -> EventQuerySet:
    """Apply the cleaned filter form (see ``forms.CalendarFilterForm``)."""
    if data.get("organisation"):
        events = events.filter(organisation=data["organisation"])
    if data.get("category"):
        events = events.filter(category=data["category"])
    if data.get("date_from"):
        events = events.filter(end__gte=berlin_day_start(data["date_from"]))
    if data.get("date_to"):
        events = events.filter(start__lt=berlin_day_start(data["date_to"] + timedelta(days=1)))
    if data.get("point"):
        lat, lon = data["point"]
        west, south, east, north = geo.bbox_around(lon, lat, float(data.get("radius") or 10) * 1000)
        events = events.filter(lat__gte=south, lat__lte=north, lon__gte=west, lon__lte=east)
    if data.get("free"):
        events = with_free_places(events)
    return events


@dataclass
class Day:
    day: date
    events: list[Event] = field(default_factory=list)


def group_by_day(events: Iterable[Event]) -> list[Day]:
    """Consecutive events of one Berlin day together (the list is ordered by start)."""
    days: list[Day] = []
    for event in events:
        day = timezone.localtime(event.start).date()
        if not days or days[-1].day != day:
            days.append(Day(day))
        days[-1].events.append(event)
    return days


def weekdays() -> list[tuple[str, str]]:
    """(abbreviation, name) from Monday, in the current language."""
    monday = date(2024, 1, 1)
    return [(formats.date_format(monday + timedelta(days=n), "D"), formats.date_format(monday + timedelta(days=n), "l"))
            for n in range(7)]  # fmt: skip


# A month cell shows this many events and then "+ K weitere", a link to the day in the list view (as mature
# calendars do): a busy month (800 events, 30 a day) stays a readable grid of days, and the page does not grow
# with the number of events.
DAY_LIMIT = 4


@dataclass
class MonthCell:
    day: date | None  # None: a day of the neighbouring month, left empty
    events: list[Any] = field(default_factory=list)  # Events (Spans while the month is built)
    today: bool = False
    more: int = 0  # events of this day beyond ``events``

    @property
    def total(self) -> int:
        return len(self.events) + self.more

    @property
    def more_text(self) -> SafeString:
        """ "+ 3 weitere" with what it means for screen readers (the month view's Jinja2 partial takes plurals from
        Python)."""
        text = ngettext('+ %(counter)s weitere<span class="kern-sr-only"> Veranstaltung am %(day)s</span>',
                        '+ %(counter)s weitere<span class="kern-sr-only"> Veranstaltungen am %(day)s</span>',
                        self.more)  # fmt: skip
        day = escape(with_weekday(self.day)) if self.day else ""
        return mark_safe(text % {"counter": self.more, "day": day})  # the markup is ours, the day escaped


@dataclass
class Month:
    first: date
    weeks: list[list[MonthCell]]
    previous: date
    next: date

    @property
    def days_with_events(self) -> list[MonthCell]:
        return [cell for week in self.weeks for cell in week if cell.events]


def parse_month(value: str | None, today: date) -> date:
    match = re.fullmatch(r"(\d{4})-(\d{2})", value or "")
    if match:
        year, month = int(match[1]), int(match[2])
        if 1900 <= year <= 2200 and 1 <= month <= 12:
            return date(year, month, 1)
    return today.replace(day=1)


def month_bounds(first: date) -> tuple[datetime, datetime]:
    last_day = pycalendar.monthrange(first.year, first.month)[1]
    return berlin_day_start(first), berlin_day_start(first + timedelta(days=last_day))


class Span(NamedTuple):
    """An event's days in local time, all the month grid needs to count it (a model instance costs far more)."""

    pk: int
    first_day: date
    last_day: date  # the day of its last moment: an event ending at midnight ends the day before


# The month view counts the events of every day from (id, start, end) alone; this bound keeps a flooded month
# from building an enormous query (the list view pages through everything).
MONTH_LIMIT = 1500


def month_of_events(events: EventQuerySet, first: date, today: date) -> tuple[Month, int]:
    """The month grid and the number of events in it, in two queries whatever the number of events.

    The first query reads only the id and the first and last local day of the month's events, ordered by start, to
    place each on its days (the database converts the times: dates are far cheaper to read than 1,600 timestamps);
    the second loads the list columns of the events the cells show (at most ``DAY_LIMIT`` a day). A busy month
    (800 events) so builds about 120 model instances, not 800 with their organisation and category."""
    start, end = month_bounds(first)
    zone = timezone.get_current_timezone()
    last_moment = ExpressionWrapper(F("end") - timedelta(microseconds=1), output_field=DateTimeField())
    spans = list(
        events.filter(start__lt=end, end__gt=start).order_by("start", "id")
        .values_list("pk", TruncDate("start", tzinfo=zone), TruncDate(last_moment, tzinfo=zone))[:MONTH_LIMIT]
    )  # fmt: skip
    month = build_month(first, [Span(*row) for row in spans], today)
    shown = {event.pk for cell in month.days_with_events for event in cell.events}
    loaded = Event.objects.filter(pk__in=shown).for_list().in_bulk() if shown else {}
    for cell in month.days_with_events:
        cell.events = [loaded[event.pk] for event in cell.events]
    return month, len(spans)


def build_month(first: date, spans: Iterable[Span], today: date, day_limit: int = DAY_LIMIT) -> Month:
    """Weeks from Monday to Sunday; an event spanning several days is listed on each of them in this month.

    Each day keeps its first ``day_limit`` events (by start) and counts the rest in ``more``."""
    by_day: dict[date, list[Span]] = {}
    last_day = pycalendar.monthrange(first.year, first.month)[1]
    last = first + timedelta(days=last_day - 1)
    for span in spans:
        day, end = max(span.first_day, first), min(span.last_day, last)
        while day <= end:
            by_day.setdefault(day, []).append(span)
            day += timedelta(days=1)
    weeks = []
    for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        cells = []
        for day in week:
            if day.month != first.month:
                cells.append(MonthCell(None))
                continue
            on_day = by_day.get(day, [])
            cells.append(MonthCell(day, on_day[:day_limit], day == today, max(len(on_day) - day_limit, 0)))
        weeks.append(cells)
    previous = (first - timedelta(days=1)).replace(day=1)
    return Month(first, weeks, previous, last + timedelta(days=1))


# --- one event ---------------------------------------------------------------------------------------------------


def when(event: Event) -> str:
    """ "Dienstag, 15. Dezember 2026, 18:00–20:00 Uhr" in Berlin time (the end's date too if it differs)."""
    start, end = timezone.localtime(event.start), timezone.localtime(event.end)
    day = with_weekday(start)
    if start.date() == end.date():
        return _("%(day)s, %(start)s–%(end)s Uhr") % {"day": day, "start": start.strftime("%H:%M"),
                                                      "end": end.strftime("%H:%M")}  # fmt: skip
    return _("%(day)s, %(start)s Uhr bis %(end_day)s, %(end)s Uhr") % {
        "day": day, "start": start.strftime("%H:%M"), "end_day": with_weekday(end),
        "end": end.strftime("%H:%M"),
    }  # fmt: skip


def accessibility_facts(event: Event) -> list[str]:
    facts = []
    for name in ("step_free", "accessible_toilet", "hearing_loop", "sign_language_on_request",
                 "captioning_on_request"):  # fmt: skip
        if getattr(event, name):
            facts.append(str(getattr(Event._meta.get_field(name), "verbose_name", name)))
    return facts


def series_dates(event: Event, limit: int = 6) -> list[Event]:
    """Further public dates of the event's series, upcoming first."""
    if event.series_id is None:
        return []
    return list(
        Event.objects.public().filter(series_id=event.series_id, end__gte=timezone.now()).exclude(pk=event.pk)
        .select_related("organisation").only("title", "slug", "start", "end", "status", "organisation__slug")[:limit]
    )  # fmt: skip


def own_registration(user: Any, event: Event) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Registration.objects.active().filter(event=event, user=user).select_related("capacity").order_by("-pk").first()
    )


def online_link_state(event: Event, registration: Registration | None, now: datetime | None = None) -> str:
    """ "show" (confirmed and in time), "later" (confirmed, too early), "" (nothing to say)."""
    if event.kind == Kind.IN_PERSON or not event.online_url or registration is None:
        return ""
    if registration.status != RegistrationStatus.CONFIRMED or event.status == Status.CANCELLED:
        return ""
    now = now or timezone.now()
    if now > event.end:
        return ""
    return "show" if now >= event.online_link_visible_from() else "later"


SCHEMA_STATUS = {Status.PUBLISHED: "EventScheduled", Status.CANCELLED: "EventCancelled",
                 Status.POSTPONED: "EventPostponed"}  # fmt: skip
SCHEMA_MODE = {Kind.IN_PERSON: "OfflineEventAttendanceMode", Kind.ONLINE: "OnlineEventAttendanceMode",
               Kind.HYBRID: "MixedEventAttendanceMode"}  # fmt: skip


def schema_org(event: Event, request: HttpRequest) -> dict[str, Any]:
    """schema.org ``Event``: what search engines and calendar apps read. The online link is never in it."""
    url = request.build_absolute_uri(event.get_absolute_url())
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Event", "name": event.title, "url": url,
        "startDate": timezone.localtime(event.start).isoformat(), "endDate": timezone.localtime(event.end).isoformat(),
        "eventStatus": f"https://schema.org/{SCHEMA_STATUS.get(event.status, 'EventScheduled')}",  # type: ignore[call-overload]
        "eventAttendanceMode": f"https://schema.org/{SCHEMA_MODE.get(event.kind, 'OfflineEventAttendanceMode')}",  # type: ignore[call-overload]
        "organizer": {"@type": "Organization", "name": event.organisation.name,
                      "url": request.build_absolute_uri(event.organisation.get_absolute_url())},
    }  # fmt: skip
    if event.description:
        data["description"] = event.description[:500]
    locations: list[dict[str, Any]] = []
    if event.kind != Kind.ONLINE:
        place: dict[str, Any] = {"@type": "Place", "name": event.venue_name or event.address}
        if event.address:
            place["address"] = {"@type": "PostalAddress", "streetAddress": event.address, "addressCountry": "DE"}
        if event.lat is not None and event.lon is not None:
            place["geo"] = {"@type": "GeoCoordinates", "latitude": event.lat, "longitude": event.lon}
        locations.append(place)
    if event.kind != Kind.IN_PERSON:
        locations.append({"@type": "VirtualLocation", "url": url})
    if locations:
        data["location"] = locations[0] if len(locations) == 1 else locations
    return data


def json_ld(data: Any) -> str:
    """JSON safe inside a <script> element (the same escapes as Django's ``json_script``)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
