"""The public side of events: calendar (list, month, filters), the event page, registering through the form,
the person's own link, and the events block on a project's page."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mitwirken.events.models import (
    CapacityCategory,
    Category,
    Event,
    Question,
    Registration,
    RegistrationMode,
    RegistrationStatus,
    Series,
    Status,
)
from mitwirken.events.services import registration as service

from .conftest import login
from .dialogue_helpers import page_text, post_with_proof_of_work
from .event_fixtures import make_event
from .factories import OrganisationFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
CALENDAR = "/veranstaltungen/"


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def detail_url(event: Event) -> str:
    return reverse("events:detail", kwargs={"org_slug": event.organisation.slug, "event_slug": event.slug})


def register_url(event: Event) -> str:
    return reverse("events:register", kwargs={"org_slug": event.organisation.slug, "event_slug": event.slug})


def form_data(**extra):
    return {"name": "Erika Muster", "email": "erika@example.org", **extra}


# --- calendar ------------------------------------------------------------------------------------------------------


def test_calendar_lists_public_events_by_day_and_strikes_through_cancelled_ones():
    organisation = OrganisationFactory(name="Stadt Musterstadt")
    day = timezone.localdate() + timedelta(days=10)
    at = datetime(day.year, day.month, day.day, 18, tzinfo=BERLIN)
    make_event(organisation, title="Bürgerversammlung Nord", start=at)
    make_event(organisation, title="Sprechstunde", start=at + timedelta(hours=1), status=Status.CANCELLED,
               status_reason="Krankheit")  # fmt: skip
    make_event(organisation, title="Geheimer Entwurf", status=Status.DRAFT)
    hidden = make_event(organisation, title="Im geschützten Projekt")
    Event.objects.filter(pk=hidden.pk).update(project_visible=False)
    text = page_text(Client().get(CALENDAR))
    assert "Bürgerversammlung Nord" in text and "Sprechstunde" in text
    assert "Geheimer Entwurf" not in text and "Im geschützten Projekt" not in text
    assert "<del>Sprechstunde</del>" in text and "Abgesagt" in text
    assert text.count('class="kern-heading-small event-day__heading"') == 1  # both on one day
    # The organisation's own calendar shows only its events.
    make_event(OrganisationFactory(), title="Fremde Veranstaltung")
    own = page_text(Client().get(f"/{organisation.slug}/veranstaltungen/"))
    assert "Bürgerversammlung Nord" in own and "Fremde Veranstaltung" not in own


def test_month_view_is_an_accessible_table_with_neighbouring_months():
    organisation = OrganisationFactory()
    make_event(organisation, title="Adventsmarkt-Planung", start=berlin(2026, 12, 15, 18), end=berlin(2026, 12, 15, 20))
    make_event(organisation, title="Im Januar", start=berlin(2027, 1, 5, 18), end=berlin(2027, 1, 5, 19))
    response = Client().get(CALENDAR, {"ansicht": "monat", "monat": "2026-12"})
    text = page_text(response)
    assert "<caption>Veranstaltungen im Dezember 2026</caption>" in text
    assert text.count('<th scope="col">') == 7 and '<abbr title="Dienstag">Di</abbr>' in text
    assert re.search(r"15\..*?18:00</span> Adventsmarkt-Planung", text, re.S)
    assert "Im Januar" not in text
    assert "monat=2026-11" in text and "monat=2027-01" in text and "ansicht=monat" in text
    january = page_text(Client().get(CALENDAR, {"ansicht": "monat", "monat": "2027-01"}))
    assert "Im Januar" in january and "Adventsmarkt-Planung" not in january
    assert Client().get(CALENDAR, {"ansicht": "monat", "monat": "kaputt"}).status_code == 200


def test_a_busy_day_in_the_month_shows_its_first_events_and_links_the_rest_to_the_day_in_the_list():
    organisation = OrganisationFactory()
    category = Category.objects.create(name="Sprechstunde", slug="sprechstunde")
    for hour in range(9, 16):  # seven on the 15th, from 09:00 to 15:00
        make_event(organisation, title=f"Sprechstunde {hour} Uhr", start=berlin(2026, 12, 15, hour),
                   end=berlin(2026, 12, 15, hour, 45), category=category)  # fmt: skip
    make_event(organisation, title="Zweitägige Klausur", start=berlin(2026, 12, 14, 9), end=berlin(2026, 12, 15, 17))
    params = {"ansicht": "monat", "monat": "2026-12", "art": "sprechstunde"}
    text = page_text(Client().get(CALENDAR, {**params, "art": ""}))
    assert "8 Veranstaltungen im Dezember 2026" in text  # the count is of all events
    shown = re.findall(r"Sprechstunde (\d+) Uhr|Zweitägige Klausur", text)
    # The 14th shows the two-day event; the 15th its first four events by start (the two-day one first).
    assert shown == ["", "", "9", "10", "11"]
    link = re.search(r'<a class="kern-link" href="([^"]+)">\+ 4 weitere<span class="kern-sr-only"> '
                     r"Veranstaltungen am Dienstag, 15\. Dezember 2026</span></a>", text)  # fmt: skip
    assert link and "von=2026-12-15&bis=2026-12-15" in link[1] and "ansicht" not in link[1]
    day = page_text(Client().get(CALENDAR + link[1]))
    assert all(f"Sprechstunde {hour} Uhr" in day for hour in range(9, 16)) and "Zweitägige Klausur" in day
    # Filters are kept in the link: the category leaves seven events, four shown and three more.
    filtered = page_text(Client().get(CALENDAR, params))
    assert "+ 3 weitere" in filtered and "art=sprechstunde" in filtered and "Zweitägige Klausur" not in filtered


def test_month_places_events_on_their_local_days_and_one_ending_at_midnight_on_one_day():
    organisation = OrganisationFactory()
    make_event(organisation, title="Spätschicht", start=berlin(2027, 3, 13, 23, 30), end=berlin(2027, 3, 14, 0, 0))
    make_event(organisation, title="Nachtwanderung", start=berlin(2027, 3, 27, 22), end=berlin(2027, 3, 28, 4))
    make_event(organisation, title="Früh am Ersten", start=berlin(2027, 3, 1, 0, 30), end=berlin(2027, 3, 1, 1))
    text = page_text(Client().get(CALENDAR, {"ansicht": "monat", "monat": "2027-03"}))
    cells = re.findall(r'<td class="event-month__day[^"]*"[^>]*>.*?</td>', text, re.S)
    days = {int(re.search(r"</span>(\d+)\.<span", cell)[1]): cell for cell in cells if "event-month__date" in cell}
    assert "Spätschicht" in days[13] and "Spätschicht" not in days[14]  # ends at midnight: not on the 14th
    # Across the night the clocks go forward (28 March 2027): on both days, in Berlin time.
    assert "22:00</span> Nachtwanderung" in days[27] and "Nachtwanderung" in days[28]
    assert "00:30</span> Früh am Ersten" in days[1]  # 23:30 UTC on the last day of February


def test_month_cells_mark_today_cancelled_and_postponed_events_in_the_readers_language():
    organisation = OrganisationFactory()
    today = timezone.localdate()
    make_event(organisation, title="Abgesagter Termin", start=berlin(today.year, today.month, today.day, 23, 30),
               end=berlin(today.year, today.month, today.day, 23, 45), status=Status.CANCELLED)  # fmt: skip
    make_event(organisation, title="Verschobener Termin", start=berlin(today.year, today.month, today.day, 7),
               end=berlin(today.year, today.month, today.day, 8), status=Status.POSTPONED)  # fmt: skip
    params = {"ansicht": "monat", "monat": today.strftime("%Y-%m")}
    cell = re.search(r'<td class="event-month__day event-month__day--today" aria-current="date">.*?</td>',
                     page_text(Client().get(CALENDAR, params)), re.S)[0]  # fmt: skip
    assert f"{today.day}." in cell
    assert re.search(r"07:00</span> Verschobener Termin</a> <span[^>]*>Verschoben</span>", cell)
    assert re.search(r'class="event--cancelled"><a [^>]*><span class="event-month__time">23:30</span> '
                     r"<del>Abgesagter Termin</del></a> <span[^>]*>Abgesagt</span>", cell)  # fmt: skip
    english = Client()
    english.cookies["django_language"] = "en"
    cell = re.search(r'<td class="event-month__day event-month__day--today".*?</td>',
                     page_text(english.get(CALENDAR, params, HTTP_ACCEPT_LANGUAGE="en")), re.S)[0]  # fmt: skip
    assert ">Cancelled</span>" in cell and ">Postponed</span>" in cell and ">Abgesagt<" not in cell


def test_deep_pages_of_the_list_show_the_events_in_order():
    organisation = OrganisationFactory()
    first = timezone.now() + timedelta(days=1)
    _many_events(organisation, 45, first)
    titles = []
    for number in (1, 2, 3):
        text = page_text(Client().get(CALENDAR, {"seite": number}))
        assert f"Seite {number} von 3" in text
        titles += re.findall(r">(Termin \d+)<", text)
    assert titles == [f"Termin {n}" for n in range(45)]


def test_filters_by_organisation_category_dates_place_and_free_places():
    north, south = OrganisationFactory(slug="nord"), OrganisationFactory(slug="sued")
    category = Category.objects.create(name="Sprechstunde", slug="sprechstunde")
    soon = timezone.now() + timedelta(days=3)
    make_event(north, title="Mainz Rathaus", start=soon, lat=49.999, lon=8.273, category=category)
    make_event(south, title="Trier Porta", start=soon + timedelta(days=30), lat=49.759, lon=6.644)
    full = make_event(north, title="Ausgebucht", start=soon, capacity=1)
    service.register(event=full, capacity=full.capacities.get(), name="A", email="a@example.org", user=UserFactory())

    def titles(**params):
        text = page_text(Client().get(CALENDAR, params))
        return {title for title in ("Mainz Rathaus", "Trier Porta", "Ausgebucht") if title in text}

    assert titles() == {"Mainz Rathaus", "Trier Porta", "Ausgebucht"}
    assert titles(veranstalter="sued") == {"Trier Porta"}
    assert titles(art="sprechstunde") == {"Mainz Rathaus"}
    day = timezone.localtime(soon + timedelta(days=30)).date()
    assert titles(von=day.isoformat(), bis=day.isoformat()) == {"Trier Porta"}
    assert titles(ort="50,0; 8,27", umkreis="10") == {"Mainz Rathaus"}
    assert titles(freie_plaetze="on") == {"Mainz Rathaus", "Trier Porta"}
    error = page_text(Client().get(CALENDAR, {"ort": "Atlantis"}))
    assert "Koordinaten" in error  # an unknown place is explained, nothing breaks
    assert "Das Ende des Zeitraums liegt vor seinem Anfang." in page_text(
        Client().get(CALENDAR, {"von": "2026-12-10", "bis": "2026-12-01"})
    )


def _many_events(organisation, count: int, first: datetime) -> None:
    events = Event.objects.bulk_create(
        Event(organisation=organisation, title=f"Termin {n}", slug=f"termin-{n}", start=first + timedelta(hours=n % 500),
              end=first + timedelta(hours=n % 500, minutes=90), status=Status.PUBLISHED,
              registration=RegistrationMode.OPEN, category=None)
        for n in range(count)
    )  # fmt: skip
    CapacityCategory.objects.bulk_create(CapacityCategory(event=event, name="Vor Ort", capacity=5) for event in events)


@pytest.mark.parametrize("params", [{}, {"ansicht": "monat", "monat": "2026-12"}, {"freie_plaetze": "on"}])
def test_calendar_query_count_does_not_grow_with_the_number_of_events(params):
    first = berlin(2026, 12, 1, 9)
    counts = []
    with time_machine.travel(berlin(2026, 11, 30, 12), tick=False):
        for count in (10, 1000):
            Event.objects.all().delete()
            _many_events(OrganisationFactory(), count, first)
            client = Client()
            client.get(CALENDAR, params)  # sessions, caches
            with CaptureQueriesContext(connection) as queries:
                response = client.get(CALENDAR, params)
            assert response.status_code == 200
            assert "Termin 1" in page_text(response)
            counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- the event page ----------------------------------------------------------------------------------------------


def test_event_page_shows_the_facts_and_valid_json_ld():
    organisation = OrganisationFactory(name="Kreis Musterland")
    project = ProjectFactory(organisation=organisation, title="Neue Ortsmitte")
    series = Series.objects.create(organisation=organisation, title="Ortsmitte im Gespräch", rrule="FREQ=WEEKLY",
                                   first_start=berlin(2026, 12, 15, 18), duration=timedelta(hours=2))  # fmt: skip
    event = make_event(
        organisation, title="Planungswerkstatt", start=berlin(2026, 12, 15, 18), end=berlin(2026, 12, 15, 20),
        venue_name="Bürgerhaus", address="Hauptstraße 1, 55116 Mainz", room="Saal 2", lat=49.99, lon=8.27,
        step_free=True, hearing_loop=True, project=project, series=series,
        category=Category.objects.create(name="Werkstatt", slug="werkstatt"), kind="hybrid",
        online_url="https://konferenz.example.org/raum", description="Wir planen </script> gemeinsam.",
    )  # fmt: skip
    make_event(organisation, title="Planungswerkstatt", slug="werkstatt-2", series=series,
               start=berlin(2026, 12, 22, 18), end=berlin(2026, 12, 22, 20))  # fmt: skip
    with time_machine.travel(berlin(2026, 12, 1, 9), tick=False):
        response = Client().get(detail_url(event))
    text = page_text(response)
    assert "Dienstag, 15. Dezember 2026, 18:00–20:00 Uhr" in text
    for expected in ("Hybrid (vor Ort und online)", "Bürgerhaus", "Hauptstraße 1, 55116 Mainz", "Raum: Saal 2",
                     "Stufenlos erreichbar", "Induktive Höranlage", "Werkstatt", "Kreis Musterland", "Neue Ortsmitte",
                     "Teil der Reihe „Ortsmitte im Gespräch“", "Dienstag, 22. Dezember 2026, 18:00 Uhr",
                     "noch 10 Plätze frei", "Zum Kalender hinzufügen", "Karte überspringen"):  # fmt: skip
        assert expected in text, expected
    assert reverse("events:ics", kwargs={"org_slug": organisation.slug, "event_slug": event.slug}) in text
    assert "konferenz.example.org" not in text  # the online link only for registered people
    body = response.content.decode()
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert ld is not None
    data = json.loads(ld.group(1))
    assert data["@type"] == "Event" and data["name"] == "Planungswerkstatt"
    assert data["startDate"] == "2026-12-15T18:00:00+01:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert data["location"][0]["address"]["streetAddress"] == "Hauptstraße 1, 55116 Mainz"
    assert "</script>" in data["description"] and "</script> gemeinsam" not in ld.group(1)
    assert "konferenz.example.org" not in ld.group(1)


def test_cancelled_event_shows_the_reason():
    event = make_event(OrganisationFactory(), status=Status.CANCELLED, status_reason="Der Saal ist gesperrt.")
    text = page_text(Client().get(detail_url(event)))
    assert "Abgesagt: Diese Veranstaltung findet nicht statt." in text and "Der Saal ist gesperrt." in text
    assert 'name="name"' not in text  # no registration form


def test_online_link_only_for_confirmed_people_and_only_from_its_time():
    event = make_event(OrganisationFactory(), kind="online", online_url="https://konferenz.example.org/raum",
                       start=berlin(2026, 12, 15, 18), end=berlin(2026, 12, 15, 20), online_link_minutes=30)  # fmt: skip
    person = UserFactory()
    client = login(Client(), person)
    with time_machine.travel(berlin(2026, 12, 1, 9), tick=False):
        assert "konferenz.example.org" not in page_text(client.get(detail_url(event)))  # not registered
        registration = service.register(event=event, capacity=event.capacities.get(), name="P", email=person.email,
                                        user=person)  # fmt: skip
        before = page_text(client.get(detail_url(event)))
        assert "konferenz.example.org" not in before
        assert "Der Link zur Online-Teilnahme erscheint hier am Dienstag, 15. Dezember 2026 ab 17:30 Uhr." in before
    with time_machine.travel(berlin(2026, 12, 15, 17, 31), tick=False):
        assert "https://konferenz.example.org/raum" in page_text(client.get(detail_url(event)))
        manage = page_text(Client().get(reverse("events:manage", kwargs={"token": registration.manage_token})))
        assert "https://konferenz.example.org/raum" in manage
        assert "konferenz.example.org" not in page_text(Client().get(detail_url(event)))  # anonymous


# --- permissions -------------------------------------------------------------------------------------------------


def test_drafts_and_events_of_protected_projects_are_404_to_outsiders(world):
    draft = make_event(world.organisation, title="Entwurf", status=Status.DRAFT)
    protected = make_event(world.organisation, title="Geschützt", slug="geschuetzt", project=world.protected)
    Event.objects.filter(pk=protected.pk).update(project_visible=False)
    for persona in ("anonymous", "citizen", "other_org_admin"):
        client = world.client(persona)
        assert client.get(detail_url(draft)).status_code == 404, persona
        assert client.get(detail_url(protected)).status_code == 404, persona
        assert client.get(register_url(protected)).status_code == 404, persona
    assert world.client("invited").get(detail_url(protected)).status_code == 200
    assert world.client("case_worker").get(detail_url(draft)).status_code == 200


# --- registering ---------------------------------------------------------------------------------------------------


def test_registration_with_an_account_is_confirmed_and_listed_in_my_area():
    event = make_event(OrganisationFactory(), sign_language_on_request=True, max_companions=2)
    person = UserFactory(email="konto@example.org", display_name="Karla Konto")
    client = login(Client(), person)
    page = page_text(client.get(detail_url(event)))
    assert 'value="konto@example.org"' in page and "Gebärdensprachdolmetschung" in page
    assert "Schriftdolmetschung" not in page  # not offered for this event
    response = post_with_proof_of_work(client, register_url(event), {"name": "Karla Konto", "companions": "1",
                                                                      "sign_language": "on"})  # fmt: skip
    assert response.status_code == 302, re.findall(r"error-summary.*?</ul>", page_text(response), re.S)
    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.CONFIRMED and registration.user == person
    assert registration.email == "konto@example.org" and registration.companions == 1 and registration.sign_language
    text = page_text(client.get(response["Location"]))
    assert "Ihre 2 Plätze sind reserviert." in text
    assert reverse("events:manage", kwargs={"token": registration.manage_token}) in text
    overview = page_text(client.get(reverse("accounts:overview")))
    assert "Meine Anmeldungen zu Veranstaltungen" in overview and event.title in overview
    assert reverse("events:manage", kwargs={"token": registration.manage_token}) in overview


def test_registration_without_account_needs_the_email_link_which_only_acts_on_post():
    event = make_event(OrganisationFactory(), hold_minutes=45)
    client = Client()
    response = post_with_proof_of_work(client, register_url(event), form_data())
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.UNCONFIRMED
    result = page_text(client.get(response["Location"]))
    assert "innerhalb von 45 Minuten" in result
    assert registration.manage_token not in result  # the link comes only by e-mail
    confirm = reverse("events:confirm", kwargs={"token": registration.manage_token})
    page = page_text(Client().get(confirm))
    assert "Anmeldung jetzt bestätigen" in page
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.UNCONFIRMED  # a link scanner's GET changes nothing
    assert Client().post(confirm).status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_expired_confirmation_link_says_so_in_german():
    event = make_event(OrganisationFactory(), hold_minutes=30)
    registration = service.register(event=event, capacity=event.capacities.get(), name="A", email="a@example.org")
    confirm = reverse("events:confirm", kwargs={"token": registration.manage_token})
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert "Dieser Bestätigungslink ist abgelaufen" in page_text(Client().get(confirm))
        assert "Dieser Bestätigungslink ist abgelaufen" in page_text(Client().post(confirm))
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.EXPIRED


def test_full_event_puts_the_form_on_the_waiting_list_with_its_position():
    event = make_event(OrganisationFactory(), capacity=1)
    service.register(event=event, capacity=event.capacities.get(), name="A", email="a@example.org", user=UserFactory())
    service.register(event=event, capacity=event.capacities.get(), name="B", email="b@example.org", user=UserFactory())
    assert "ausgebucht – Warteliste" in page_text(Client().get(detail_url(event)))
    client = Client()
    response = post_with_proof_of_work(client, register_url(event), form_data())
    assert Registration.objects.get(email="erika@example.org").status == RegistrationStatus.WAITING
    assert "Sie stehen auf Platz 2 der Warteliste." in page_text(client.get(response["Location"]))


def test_offer_link_shows_a_button_and_accepts_on_post():
    event = make_event(OrganisationFactory(), capacity=1)
    first = service.register(event=event, capacity=event.capacities.get(), name="A", email="a@example.org",
                             user=UserFactory())  # fmt: skip
    second = service.register(event=event, capacity=event.capacities.get(), name="B", email="b@example.org",
                              user=UserFactory())  # fmt: skip
    service.cancel(first)
    second.refresh_from_db()
    assert second.status == RegistrationStatus.OFFERED
    url = reverse("events:accept_offer", kwargs={"token": second.manage_token})
    assert "Platz jetzt annehmen" in page_text(Client().get(url))
    second.refresh_from_db()
    assert second.status == RegistrationStatus.OFFERED
    Client().post(url)
    second.refresh_from_db()
    assert second.status == RegistrationStatus.CONFIRMED


def test_companions_limit_and_questions_are_checked_with_german_messages():
    event = make_event(OrganisationFactory(), max_companions=1)
    Question.objects.create(event=event, code="essen", type="single", text="Essen", required=True,
                            options=[["veg", "Vegetarisch"], ["alles", "Alles"]])  # fmt: skip
    Question.objects.create(event=event, code="themen", type="multiple", text="Themen",
                            options=[["verkehr", "Verkehr"], ["gruen", "Grün"]])  # fmt: skip
    Question.objects.create(event=event, code="foto", type="yes_no", text="Fotos erlaubt?", required=True)
    Question.objects.create(event=event, code="hinweis", type="long_text", text="Hinweise")
    client = Client()
    response = post_with_proof_of_work(client, register_url(event), form_data(companions="3", **{"q-essen": "fisch"}))
    text = page_text(response)
    assert response.status_code == 200
    assert "Bitte wählen Sie eine der angebotenen Antworten." in text  # single: unknown code
    assert "Bitte beantworten Sie diese Frage." in text  # yes/no: required
    assert "Bitte melden Sie höchstens 1 Begleitpersonen an." in text and 'href="#id_companions"' in text
    assert Registration.objects.count() == 0
    response = post_with_proof_of_work(client, register_url(event), form_data(
        companions="1", **{"q-essen": "veg", "q-themen": ["gruen", "verkehr"], "q-foto": "nein", "q-hinweis": " Rampe "}
    ))  # fmt: skip
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.companions == 1
    assert registration.answers == {"essen": {"choice": "veg", "other": ""}, "themen": {"choices": ["verkehr", "gruen"],
                                    "other": ""}, "foto": "nein", "hinweis": "Rampe"}  # fmt: skip


def test_several_capacity_categories_are_a_choice():
    event = make_event(OrganisationFactory(), kind="hybrid")
    online = CapacityCategory.objects.create(event=event, name="Online", capacity=50, position=1)
    client = Client()
    assert "Online – noch 50 Plätze frei" in page_text(client.get(register_url(event)))
    post_with_proof_of_work(client, register_url(event), form_data(capacity=str(online.pk)))
    assert Registration.objects.get().capacity == online


def test_registration_without_proof_of_work_or_with_honeypot_is_refused():
    event = make_event(OrganisationFactory())
    assert "Sicherheitsprüfung" in page_text(Client().post(register_url(event), form_data()))
    assert Registration.objects.count() == 0


# --- the person's own link -----------------------------------------------------------------------------------------


def test_manage_page_changes_companions_answers_and_requests():
    event = make_event(OrganisationFactory(), capacity=3, max_companions=2, captioning_on_request=True)
    Question.objects.create(event=event, code="essen", type="short_text", text="Essenswunsch")
    registration = service.register(event=event, capacity=event.capacities.get(), name="A", email="a@example.org",
                                    user=UserFactory())  # fmt: skip
    url = reverse("events:manage", kwargs={"token": registration.manage_token})
    client = Client()
    assert "Anmeldung ändern" in page_text(client.get(url))
    response = client.post(url, {"companions": "2", "captioning": "on", "q-essen": "vegan"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.companions == 2 and registration.captioning and registration.answers == {"essen": "vegan"}
    assert event.capacities.get().taken == 3
    text = page_text(client.get(url))
    assert "Ihre Änderungen sind gespeichert." in text and "vegan" in text
    assert "Bitte melden Sie höchstens 2 Begleitpersonen an." not in text
    refused = page_text(client.post(url, {"companions": "5"}))
    assert "Bitte melden Sie höchstens 2 Begleitpersonen an." in refused


def test_cancel_needs_a_confirmed_post():
    event = make_event(OrganisationFactory())
    registration = service.register(event=event, capacity=event.capacities.get(), name="A", email="a@example.org",
                                    user=UserFactory())  # fmt: skip
    url = reverse("events:cancel", kwargs={"token": registration.manage_token})
    client = Client()
    assert "Jetzt abmelden" in page_text(client.get(url))
    assert "Bitte bestätigen Sie, dass Sie sich abmelden möchten." in page_text(client.post(url, {}))
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED and event.capacities.get().taken == 0
    assert "Abgemeldet" in page_text(client.get(response["Location"]))


def test_unknown_token_is_404():
    assert Client().get("/veranstaltungen/anmeldung/gibt-es-nicht/").status_code == 404


# --- the project page --------------------------------------------------------------------------------------------


def test_project_page_shows_the_project_events_through_the_plugin_hook(world):
    make_event(world.organisation, title="Infoabend zum Projekt", project=world.public)
    make_event(world.organisation, title="Entwurf zum Projekt", slug="entwurf", project=world.public,
               status=Status.DRAFT)  # fmt: skip
    url = reverse("projects:detail", kwargs={"org_slug": world.organisation.slug, "project_slug": world.public.slug})
    text = page_text(Client().get(url))
    assert 'id="section-veranstaltungen-heading"' in text and "Infoabend zum Projekt" in text
    assert "Entwurf zum Projekt" not in text
    other = reverse("projects:detail", kwargs={"org_slug": world.organisation.slug,
                                               "project_slug": world.semipublic.slug})  # fmt: skip
    assert "section-veranstaltungen" not in page_text(Client().get(other))  # no events, no block


def test_the_procedure_page_shows_its_projects_dates_such_as_the_eroerterungstermin(world):
    from .formal_fixtures import make_procedure

    procedure = make_procedure(world.personas["case_worker"], world.public)
    make_event(world.organisation, title="Erörterungstermin Ortsumgehung", project=world.public)
    text = page_text(Client().get(procedure.module.get_absolute_url()))
    assert 'id="section-veranstaltungen-heading"' in text and "Erörterungstermin Ortsumgehung" in text
