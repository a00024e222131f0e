"""Calendar files and feeds of events: valid iCalendar, local times over the change of summer time, series as
one RRULE with EXDATEs and overrides, only public dates, constant query counts, the personal feed."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from mitwirken.events import ics
from mitwirken.events.models import (
    CalendarToken,
    Category,
    Event,
    Registration,
    RegistrationStatus,
    Series,
    Status,
)
from mitwirken.projects.models import AccessMode

from .conftest import login
from .event_fixtures import make_event
from .factories import OrganisationFactory, ProjectFactory, ProjectMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
# Every Tuesday 18:00 from 13 October to 10 November 2026: summer time ends on 25 October.
TUESDAYS = [datetime(2026, 10, d, 18, tzinfo=BERLIN) for d in (13, 20, 27)] + [
    datetime(2026, 11, d, 18, tzinfo=BERLIN) for d in (3, 10)
]


@pytest.fixture(autouse=True)
def _before_the_series():
    with time_machine.travel(datetime(2026, 10, 1, 12, tzinfo=BERLIN), tick=False):
        yield


def parse(response_or_bytes) -> Calendar:
    body = response_or_bytes.content if hasattr(response_or_bytes, "content") else response_or_bytes
    calendar = Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"] == ics.PRODID
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    return calendar


def make_series(organisation, **fields):
    series = Series.objects.create(
        organisation=organisation, title="Sprechstunde", rrule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20261110T235959Z",
        first_start=TUESDAYS[0], duration=timedelta(hours=2), **fields,
    )  # fmt: skip
    events = [
        make_event(organisation, title="Sprechstunde", slug=f"sprechstunde-{n}", start=start,
                   end=start + timedelta(hours=2), series=series, venue_name="Rathaus", address="Markt 1, 55116 Mainz")
        for n, start in enumerate(ics.series_dates(series))
    ]  # fmt: skip
    return series, events


def occurrences(calendar: Calendar) -> list[tuple[datetime, str]]:
    found = recurring_ical_events.of(calendar).between(
        datetime(2026, 10, 1, tzinfo=BERLIN), datetime(2026, 12, 1, tzinfo=BERLIN)
    )
    return sorted((event["DTSTART"].dt, str(event["SUMMARY"])) for event in found)


def org_feed(client, organisation):
    response = client.get(reverse("events:organisation_feed", kwargs={"org_slug": organisation.slug}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response


def test_one_event_file_has_everything_a_calendar_needs(client):
    organisation = OrganisationFactory(name="Stadt Mainz")
    event = make_event(organisation, title="Bürgerversammlung; Haushalt, 2027", description="Wir reden über Geld.",
                       start=datetime(2026, 10, 20, 19, tzinfo=BERLIN), end=datetime(2026, 10, 20, 21, tzinfo=BERLIN),
                       venue_name="Rathaus", room="Ratssaal", address="Markt 1, 55116 Mainz", lat=49.99, lon=8.27)  # fmt: skip
    response = client.get(reverse("events:ics", kwargs={"org_slug": organisation.slug, "event_slug": event.slug}))
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    calendar = parse(response)
    assert calendar["METHOD"] == "PUBLISH"
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["UID"] == f"{event.uid}@127.0.0.1"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert vevent["DTSTART"].dt == datetime(2026, 10, 20, 19, tzinfo=BERLIN)
    assert vevent["DTSTART"].to_ical() == b"20261020T190000"
    assert vevent["DTEND"].dt.hour == 21
    assert str(vevent["SUMMARY"]) == "Bürgerversammlung; Haushalt, 2027"
    assert "Wir reden über Geld." in str(vevent["DESCRIPTION"])
    assert str(vevent["LOCATION"]) == "Rathaus, Ratssaal, Markt 1, 55116 Mainz"
    assert vevent["URL"] == f"http://127.0.0.1:8000/{organisation.slug}/veranstaltungen/{event.slug}/"
    assert (vevent["GEO"].latitude, vevent["GEO"].longitude) == (49.99, 8.27)
    assert vevent["STATUS"] == "CONFIRMED" and vevent["SEQUENCE"] == 0 and "DTSTAMP" in vevent
    assert vevent["ORGANIZER"] == "mailto:noreply@mitwirken.example"
    assert vevent["ORGANIZER"].params["CN"] == "Stadt Mainz"
    assert "ATTENDEE" not in vevent


def test_drafts_have_no_calendar_file_and_are_in_no_feed(client):
    organisation = OrganisationFactory()
    draft = make_event(organisation, title="Entwurf", status=Status.DRAFT)
    make_event(organisation, title="Öffentlich")
    url = reverse("events:ics", kwargs={"org_slug": organisation.slug, "event_slug": draft.slug})
    assert client.get(url).status_code == 404
    for response in (org_feed(client, organisation), client.get(reverse("events:feed"))):
        summaries = [str(e["SUMMARY"]) for e in parse(response).walk("VEVENT")]
        assert summaries == ["Öffentlich"]


def test_weekly_series_keeps_its_local_time_over_the_end_of_summer_time(client):
    organisation = OrganisationFactory()
    series, _events = make_series(organisation)
    assert ics.series_dates(series) == TUESDAYS
    calendar = parse(org_feed(client, organisation))
    (master,) = calendar.walk("VEVENT")  # one VEVENT for the whole series, not one per date
    assert master["UID"] == f"{series.uid}@127.0.0.1" and "RRULE" in master and "EXDATE" not in master
    found = occurrences(calendar)
    assert [start for start, _ in found] == TUESDAYS
    assert all(start.astimezone(BERLIN).hour == 18 for start, _ in found)
    offsets = [start.utcoffset() for start, _ in found]
    assert offsets == [timedelta(hours=2)] * 2 + [timedelta(hours=1)] * 3  # CEST, then CET


def test_cancelled_and_removed_dates_become_exdates(client):
    organisation = OrganisationFactory()
    series, events = make_series(organisation)
    Event.objects.filter(pk=events[2].pk).update(status=Status.CANCELLED)  # 27 October: cancelled
    events[3].delete()  # 3 November: removed
    series.exdates = ["2026-11-03"]
    series.save()
    Event.objects.filter(pk=events[4].pk).update(status=Status.DRAFT)  # 10 November: not public (again)
    calendar = parse(org_feed(client, organisation))
    (master,) = calendar.walk("VEVENT")
    raw = master["EXDATE"]
    exdates = sorted(d.dt for line in (raw if isinstance(raw, list) else [raw]) for d in line.dts)
    assert exdates == TUESDAYS[2:]
    assert master["EXDATE"].to_ical().startswith(b"20261027T180000")  # local time with the TZID
    assert [start for start, _ in occurrences(calendar)] == TUESDAYS[:2]


def test_a_date_changed_on_its_own_is_an_override_with_recurrence_id(client):
    organisation = OrganisationFactory()
    _series, events = make_series(organisation)
    moved = events[3]
    moved.start, moved.end = datetime(2026, 11, 3, 19, 30, tzinfo=BERLIN), datetime(2026, 11, 3, 21, tzinfo=BERLIN)
    moved.venue_name = "Bürgerhaus"
    moved.save()
    calendar = parse(org_feed(client, organisation))
    master, override = calendar.walk("VEVENT")
    assert override["UID"] == master["UID"]
    assert override["RECURRENCE-ID"].dt == TUESDAYS[3]
    assert str(override["LOCATION"]).startswith("Bürgerhaus")
    starts = [start for start, _ in occurrences(calendar)]
    assert starts == [*TUESDAYS[:3], datetime(2026, 11, 3, 19, 30, tzinfo=BERLIN), TUESDAYS[4]]


def test_a_date_moved_to_another_day_is_excluded_from_the_pattern_and_shown_on_its_own(client):
    organisation = OrganisationFactory()
    _series, events = make_series(organisation)
    moved = events[1]
    moved.start, moved.end = datetime(2026, 10, 22, 18, tzinfo=BERLIN), datetime(2026, 10, 22, 20, tzinfo=BERLIN)
    moved.save()
    calendar = parse(org_feed(client, organisation))
    master, single = calendar.walk("VEVENT")
    assert master["EXDATE"].dts[0].dt == TUESDAYS[1] and single["UID"] == f"{moved.uid}@127.0.0.1"
    starts = [start for start, _ in occurrences(calendar)]
    assert starts == [TUESDAYS[0], datetime(2026, 10, 22, 18, tzinfo=BERLIN), *TUESDAYS[2:]]


def test_dates_outside_a_series_are_events_of_their_own(client):
    organisation = OrganisationFactory()
    series, _ = make_series(organisation)
    single = make_event(organisation, title="Einzeltermin", start=datetime(2026, 10, 15, 10, tzinfo=BERLIN))
    calendar = parse(org_feed(client, organisation))
    uids = sorted(str(e["UID"]) for e in calendar.walk("VEVENT"))
    assert uids == sorted([f"{series.uid}@127.0.0.1", f"{single.uid}@127.0.0.1"])
    assert len(occurrences(calendar)) == 6


def test_cancelled_single_event_stays_in_the_feed_as_cancelled(client):
    organisation = OrganisationFactory()
    make_event(organisation, status=Status.CANCELLED, status_reason="Krankheit")
    (vevent,) = parse(org_feed(client, organisation)).walk("VEVENT")
    assert vevent["STATUS"] == "CANCELLED" and "ABGESAGT: Krankheit" in str(vevent["DESCRIPTION"])


def test_feeds_by_category_portal_and_project_show_the_right_dates(client):
    organisation = OrganisationFactory()
    category = Category.objects.create(name="Sprechstunde", slug="sprechstunde")
    make_event(organisation, title="Mit Art", category=category)
    make_event(organisation, title="Ohne Art")
    open_project = ProjectFactory(organisation=organisation)
    make_event(organisation, title="Im Projekt", project=open_project)
    response = client.get(reverse("events:category_feed", kwargs={"category_slug": "sprechstunde"}))
    assert [str(e["SUMMARY"]) for e in parse(response).walk("VEVENT")] == ["Mit Art"]
    assert parse(response).walk("VEVENT")[0]["CATEGORIES"].cats == ["Sprechstunde"]
    response = client.get(reverse("events:feed"))
    assert response["Cache-Control"] == "public, max-age=900"
    assert sorted(str(e["SUMMARY"]) for e in parse(response).walk("VEVENT")) == ["Im Projekt", "Mit Art", "Ohne Art"]
    url = reverse("events:project_feed", kwargs={"org_slug": organisation.slug, "project_slug": open_project.slug})
    assert [str(e["SUMMARY"]) for e in parse(client.get(url)).walk("VEVENT")] == ["Im Projekt"]
    assert client.get(reverse("events:category_feed", kwargs={"category_slug": "gibt-es-nicht"})).status_code == 404


def test_protected_project_feed_is_404_to_outsiders_and_private_to_the_invited(client):
    organisation = OrganisationFactory()
    project = ProjectFactory(organisation=organisation, access=AccessMode.PROTECTED)
    event = make_event(organisation, title="Intern", project=project)
    Event.objects.filter(pk=event.pk).update(project_visible=False)
    url = reverse("events:project_feed", kwargs={"org_slug": organisation.slug, "project_slug": project.slug})
    assert client.get(url).status_code == 404
    assert "Intern" not in client.get(reverse("events:feed")).content.decode()
    response = login(client, ProjectMembershipFactory(project=project).user).get(url)
    assert response.status_code == 200 and "private" in response["Cache-Control"]
    assert [str(e["SUMMARY"]) for e in parse(response).walk("VEVENT")] == ["Intern"]


def _bulk_events(organisation, count):
    start = datetime(2026, 10, 2, 10, tzinfo=BERLIN)
    Event.objects.bulk_create(
        Event(organisation=organisation, title=f"Termin {n}", slug=f"termin-{n}", start=start + timedelta(hours=n),
              end=start + timedelta(hours=n, minutes=30), status=Status.PUBLISHED)
        for n in range(count)
    )  # fmt: skip


@pytest.mark.parametrize("name", ["events:feed", "events:organisation_feed"])
def test_feeds_have_constant_query_counts(client, name):
    def count(organisation) -> tuple[int, int]:
        kwargs = {"org_slug": organisation.slug} if name == "events:organisation_feed" else {}
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name, kwargs=kwargs))
        return len(queries), len(parse(response).walk("VEVENT"))

    small = OrganisationFactory()
    make_series(small)
    _bulk_events(small, 10)
    few = count(small)
    Event.objects.all().delete()
    large = OrganisationFactory()
    make_series(large)
    _bulk_events(large, 500)
    many = count(large)
    assert few[1] == 11 and many[1] == 501
    assert few[0] == many[0] <= 4


def test_personal_feed_shows_ones_confirmed_registrations_until_the_token_is_revoked(client):
    organisation = OrganisationFactory()
    user = UserFactory()
    mine = make_event(organisation, title="Meins")
    waiting = make_event(organisation, title="Warteliste")
    other = make_event(organisation, title="Nicht meins")
    for event, status in ((mine, RegistrationStatus.CONFIRMED), (waiting, RegistrationStatus.WAITING)):
        Registration.objects.create(event=event, capacity=event.capacities.get(), user=user, name="Ich",
                                    email=user.email, status=status)  # fmt: skip
    Registration.objects.create(event=other, capacity=other.capacities.get(), name="Andere",
                                email="andere@example.org", status=RegistrationStatus.CONFIRMED)  # fmt: skip
    login(client, user)
    response = client.post(reverse("events:my_calendar_token"), {"action": "create"})
    assert response.status_code == 302
    token = CalendarToken.objects.get(user=user)
    url = reverse("events:my_calendar_feed", kwargs={"token": token.token})
    assert url == f"/veranstaltungen/meine/{token.token}.ics"
    client.logout()  # calendar programs have no session
    response = client.get(url)
    assert response.status_code == 200 and "private" in response["Cache-Control"]
    assert [str(e["SUMMARY"]) for e in parse(response).walk("VEVENT")] == ["Meins"]
    login(client, user).post(reverse("events:my_calendar_token"), {"action": "renew"})
    assert client.get(url).status_code == 404  # the old address is dead
    renewed = CalendarToken.objects.get(user=user)
    assert client.get(reverse("events:my_calendar_feed", kwargs={"token": renewed.token})).status_code == 200
    client.post(reverse("events:my_calendar_token"), {"action": "revoke"})
    assert not CalendarToken.objects.filter(user=user).exists()
    assert client.get(reverse("events:my_calendar_feed", kwargs={"token": renewed.token})).status_code == 404


def test_token_view_needs_login_and_post(client):
    url = reverse("events:my_calendar_token")
    assert client.post(url).status_code == 302 and not CalendarToken.objects.exists()
    login(client, UserFactory())
    assert client.get(url).status_code == 405


def test_open_ended_series_ends_with_its_last_date(client):
    organisation = OrganisationFactory()
    series, _ = make_series(organisation)
    Series.objects.filter(pk=series.pk).update(rrule="RRULE:FREQ=WEEKLY;BYDAY=TU")
    calendar = parse(org_feed(client, organisation))
    assert [start for start, _ in occurrences(calendar)] == TUESDAYS


def test_mein_bereich_creates_shows_and_revokes_the_personal_calendar_address():
    from django.test import Client

    from mitwirken.events.models import CalendarToken
    from mitwirken.events.services import registration as registration_service

    from .conftest import login

    user = UserFactory()
    event = make_event(OrganisationFactory(), capacity=5)
    registration_service.register(event=event, capacity=event.capacities.get(), name="E", email="e@example.org",
                                  user=user)  # fmt: skip
    client = login(Client(), user)
    assert "Kalenderadresse erzeugen" in client.get("/konto/").content.decode()
    client.post("/veranstaltungen/meine/kalender/", {"action": "create", "next": "/konto/"})
    token = CalendarToken.objects.get(user=user).token
    page = client.get("/konto/").content.decode()
    assert f"/veranstaltungen/meine/{token}.ics" in page
    assert Client().get(f"/veranstaltungen/meine/{token}.ics").status_code == 200
    client.post("/veranstaltungen/meine/kalender/", {"action": "revoke", "next": "/konto/"})
    assert Client().get(f"/veranstaltungen/meine/{token}.ics").status_code == 404
