"""Event journeys in headless Chromium: a citizen finds an event in the month view by keyboard alone and registers
without an account (companion, DGS), confirms by the e-mailed link and gets the calendar file; a citizen cancels on
a phone and the waiting list moves up; staff make a weekly series and cancel one date; check-in at the door on a
phone by name and by the QR code's address, and a second scan.

Every page reached is checked with axe-core and saved as a screenshot (see ``browser.py``). E-mails come from
``mail.outbox``: in tests the task queue runs at once and delivers to Django's locmem backend.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.events.models import Event, Registration, RegistrationStatus, Series, Status
from mitwirken.events.services import checkin
from mitwirken.events.services import registration as registration_service

from .browser import Browse
from .event_fixtures import make_event
from .factories import PASSWORD, UserFactory
from .test_browser_surveys import SOLVED, active, fits_the_screen, focus_by_tab, press
from .test_browser_surveys_staff import local_input, status

if TYPE_CHECKING:
    from .conftest import World

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ASSEMBLY = "Bürgerversammlung zur Ortsumgehung"
CONSULTATION = "Bürgersprechstunde des Landrats"


def link_path(message: Any, ending: str) -> str:
    """The path of the link in an e-mail that ends with ``ending`` (SITE_URL differs from the live server)."""
    for url in re.findall(r"https?://\S+", message.body):
        if urlsplit(url).path.endswith(ending):
            return urlsplit(url).path
    raise AssertionError(f"no link ending in {ending!r} in:\n{message.body}")


def for_person(action: str, name: str) -> re.Pattern[str]:
    """A check-in button's name, "Einchecken: Erika Mustermann" (Chromium puts a space before the colon, which
    comes from a visually hidden span)."""
    return re.compile(rf"^{action} ?: {name}$")


def mails_to(address: str) -> list[Any]:
    return [message for message in mail.outbox if message.to == [address]]


def calendar_attachment(message: Any, filename: str) -> Calendar:
    (attachment,) = [part for part in message.attachments if part[0].endswith(".ics")]  # the QR code comes too
    name, content, mimetype = attachment
    assert name == filename, attachment
    calendar = Calendar.from_ical(content)
    assert str(calendar["METHOD"]) in mimetype.upper()
    return calendar


def evening(days: int) -> Any:
    """18:00 German time, ``days`` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 18))


def register(event: Event, name: str, email: str, *, confirmed: bool = True) -> Registration:
    """A registration without an account, confirmed by its e-mail link unless ``confirmed`` is False."""
    registration = registration_service.register(event=event, capacity=event.capacities.get(), name=name,
                                                 email=email)  # fmt: skip
    # Places and waiting-list entries alike count only once the address is confirmed.
    if confirmed and (registration.status == RegistrationStatus.UNCONFIRMED or not registration.email_confirmed):
        registration = registration_service.confirm_email(registration)
    return registration


# --- a: the month view by keyboard, registering without an account, the e-mail link, the calendar file -----------


def test_find_in_the_month_by_keyboard_register_without_account_confirm_by_mail_and_get_the_ics(
    tab: Browse, world: World
) -> None:
    start = timezone.now() + timedelta(days=2)
    start = start.replace(minute=0, second=0, microsecond=0)
    event = make_event(world.organisation, title=ASSEMBLY, capacity=40, start=start, max_companions=2,
                       sign_language_on_request=True, venue_name="Bürgerhaus Beispielhausen",
                       address="Hauptstraße 1, 55555 Beispielhausen", step_free=True)  # fmt: skip
    page = tab.page
    tab.open("/veranstaltungen/")

    # --- to the month view and the event, by Tab and Enter only -----------------------------------------------
    focus_by_tab(tab, "el.tagName === 'A' && el.textContent.trim() === 'Monat'", limit=120)
    press(tab, "Enter")
    assert "ansicht=monat" in tab.path
    assert page.get_by_role("table", name=re.compile("^Veranstaltungen im ")).is_visible()
    if timezone.localdate(start).month != timezone.localdate().month:  # the event falls in the next month
        focus_by_tab(tab, "el.rel === 'next'", limit=120)
        press(tab, "Enter")
    focus_by_tab(tab, f"el.tagName === 'A' && el.textContent.includes({ASSEMBLY!r})", limit=160)
    assert active(tab, "el.closest('td.event-month__day') !== null")  # the link sits in the day's cell
    press(tab, "Enter")
    assert tab.path == event.get_absolute_url()
    assert page.get_by_role("heading", level=1, name=ASSEMBLY).is_visible()
    assert page.get_by_text("Stufenlos erreichbar").is_visible()

    # --- the form on the event page, by keyboard too ----------------------------------------------------------
    focus_by_tab(tab, "el.id === 'id_name'", limit=120)
    page.keyboard.type("Erika Mustermann")
    page.keyboard.press("Tab")
    assert active(tab, "el.id") == "id_email"
    page.keyboard.type("erika@example.org")
    page.keyboard.press("Tab")
    assert active(tab, "el.id") == "id_companions"
    page.get_by_label("Begleitpersonen").select_option("1")
    page.keyboard.press("Tab")
    assert active(tab, "el.id") == "id_sign_language"
    page.keyboard.press("Space")
    assert page.get_by_label("Ich benötige Gebärdensprachdolmetschung (DGS).").is_checked()
    page.get_by_text(SOLVED).wait_for()  # the proof of work for people without an account
    focus_by_tab(tab, "el.textContent.trim() === 'Verbindlich anmelden'", limit=20)
    press(tab, "Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Bitte bestätigen Sie Ihre Anmeldung"
    assert page.get_by_text("Wir haben Ihnen eine E-Mail an erika@example.org geschickt.").is_visible()
    registration = Registration.objects.get(email="erika@example.org")
    assert (registration.status, registration.companions, registration.sign_language) == (
        RegistrationStatus.UNCONFIRMED, 1, True,
    )  # fmt: skip
    assert event.capacities.get().taken == 2  # held for her and her companion until she confirms

    # --- the e-mailed link: GET shows a button, the POST confirms ----------------------------------------------
    (asked,) = mails_to("erika@example.org")
    assert asked.subject.startswith("Bitte bestätigen Sie Ihre Anmeldung")
    tab.open(link_path(asked, "/bestaetigen/"))
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.UNCONFIRMED  # a mail scanner's GET changes nothing
    tab.click(page.get_by_role("button", name="Anmeldung jetzt bestätigen"))
    assert status(tab, "Vielen Dank, Ihre Anmeldung ist bestätigt.").is_visible()
    assert tab.path == f"/veranstaltungen/anmeldung/{registration.manage_token}/"
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    facts = page.locator("dl.event-facts").inner_text()
    assert "Angemeldet" in facts and "Gebärdensprache (DGS)" in facts

    # --- the confirmation carries the invitation (METHOD:REQUEST) --------------------------------------------
    confirmation = next(m for m in mails_to("erika@example.org") if m.attachments)
    invitation = calendar_attachment(confirmation, "einladung.ics")
    assert str(invitation["METHOD"]) == "REQUEST"
    (vevent,) = invitation.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == ASSEMBLY
    assert vevent.decoded("DTSTART") == start
    assert "erika@example.org" in str(vevent["ATTENDEE"]).lower()

    # --- "Zum Kalender hinzufügen" is a calendar file -------------------------------------------------------
    href = page.get_by_role("link", name="Zum Kalender hinzufügen").get_attribute("href")
    response = page.request.get(tab.url(href))
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    (public_event,) = Calendar.from_ical(response.body()).walk("VEVENT")
    assert str(public_event["SUMMARY"]) == ASSEMBLY
    assert "ATTENDEE" not in public_event  # the public file names nobody


# --- b: cancelling on a phone; the waiting list moves up ----------------------------------------------------------


def test_cancel_on_a_phone_and_the_first_on_the_waiting_list_is_offered_the_place(new_tab: Any, world: World) -> None:
    event = make_event(world.organisation, title=ASSEMBLY, capacity=2, start=evening(10), offer_hours=48,
                       venue_name="Bürgerhaus Beispielhausen")  # fmt: skip
    leaving = register(event, "Karl Kommtnicht", "karl@example.org")
    register(event, "Paula Platz", "paula@example.org")
    first = register(event, "Wilma Warteliste", "wilma@example.org")
    second = register(event, "Otto Später", "otto@example.org")
    assert (leaving.status, first.status, second.status) == ("confirmed", "waiting", "waiting")
    mail.outbox.clear()

    tab: Browse = new_tab(phone=True)
    page = tab.page
    tab.open(f"/veranstaltungen/anmeldung/{leaving.manage_token}/")
    fits_the_screen(tab)
    assert page.locator("dl.event-facts").get_by_text("Angemeldet").is_visible()
    tab.click(page.get_by_role("link", name="Von der Veranstaltung abmelden"))
    fits_the_screen(tab)
    tab.click(page.get_by_role("button", name="Jetzt abmelden"))  # without the tick: refused, nothing changes
    assert page.get_by_text("Bitte bestätigen Sie, dass Sie sich abmelden möchten.").first.is_visible()
    assert Registration.objects.get(pk=leaving.pk).status == RegistrationStatus.CONFIRMED
    page.get_by_label("Ja, ich möchte meine Anmeldung zurückziehen.").check()
    tab.click(page.get_by_role("button", name="Jetzt abmelden"))
    fits_the_screen(tab)
    assert tab.path == f"/veranstaltungen/anmeldung/{leaving.manage_token}/"
    assert page.locator("dl.event-facts").get_by_text("Abgemeldet").is_visible()

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == RegistrationStatus.OFFERED and second.status == RegistrationStatus.WAITING
    assert timedelta(hours=47) < first.expires_at - timezone.now() <= timedelta(hours=48)
    assert event.capacities.get().taken == 2  # the place is held for her, never for two

    (cancelled,) = mails_to("karl@example.org")
    assert str(calendar_attachment(cancelled, "absage.ics")["METHOD"]) == "CANCEL"
    (offer,) = mails_to("wilma@example.org")
    assert "Bestätigen Sie bitte bis" in offer.body
    assert mails_to("otto@example.org") == []

    # She takes the place with the link, on her phone too.
    tab.open(link_path(offer, "/nachruecken/"))
    fits_the_screen(tab)
    tab.click(page.get_by_role("button", name="Platz jetzt annehmen"))
    fits_the_screen(tab)
    first.refresh_from_db()
    assert first.status == RegistrationStatus.CONFIRMED
    assert any(m.attachments for m in mails_to("wilma@example.org"))  # the invitation for her calendar


# --- c: a weekly series in the back office; one date is cancelled --------------------------------------------------


def test_staff_make_a_weekly_series_and_cancel_one_date_everyone_registered_gets_a_cancel(
    new_tab: Any, world: World
) -> None:
    organisation = world.organisation
    staff: Browse = new_tab()
    page = staff.page
    staff.log_in(world.personas["org_admin"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)

    first_start = evening(7)
    staff.open(f"/verwaltung/{organisation.slug}/veranstaltungen/")
    staff.click(page.get_by_role("link", name="Neue Veranstaltung"))
    page.locator("#id_title").fill(CONSULTATION)
    page.locator("#id_description").fill("Fragen und Anliegen an den Landrat, ohne Termin.")
    page.locator("#id_start").fill(local_input(first_start))
    page.locator("#id_end").fill(local_input(first_start + timedelta(hours=2)))
    page.locator("#id_venue_name").fill("Kreishaus, Sitzungssaal")
    page.locator("#id_address").fill("Kreisstraße 1, 55555 Musterstadt")
    page.get_by_label("Stufenlos erreichbar").check()
    page.locator("#id_registration").select_option("open")
    staff.click(page.get_by_role("button", name="Als Entwurf anlegen"))
    assert status(staff, "Die Veranstaltung ist als Entwurf angelegt.").is_visible()
    event = Event.objects.get(organisation=organisation, title=CONSULTATION)
    assert event.status == Status.DRAFT and event.start == first_start

    page.get_by_label("Name des Kontingents").fill("Vor Ort")
    page.get_by_label("Plätze").fill("12")
    staff.click(page.get_by_role("button", name="Kontingent hinzufügen"))
    assert status(staff, "Das Kontingent ist gespeichert.").is_visible()
    staff.click(page.get_by_role("navigation", name="Veranstaltung").get_by_role("link", name="Übersicht"))
    staff.click(page.get_by_role("button", name="Veröffentlichen"))
    assert status(staff, "Die Veranstaltung ist veröffentlicht.").is_visible()

    # --- weekly, four dates: the weekday of the first date is already ticked ----------------------------------
    staff.click(page.get_by_role("link", name="Als Reihe wiederholen"))
    assert page.get_by_label("Jede Woche an den gewählten Wochentagen").is_checked()
    weekday = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"][first_start.weekday()]
    assert page.get_by_label(weekday, exact=True).is_checked()
    page.get_by_label("Zahl der Termine (mit dem ersten)").fill("4")
    staff.click(page.get_by_role("button", name="Termine anlegen"))
    assert status(staff, "Die Reihe ist angelegt: 4 Termine.").is_visible()
    series = Series.objects.get(organisation=organisation)
    assert series.rrule.startswith("FREQ=WEEKLY;BYDAY=") and series.rrule.endswith(";COUNT=4")
    dates = list(series.events.order_by("start"))
    assert [timezone.localtime(e.start).strftime("%H:%M") for e in dates] == ["18:00"] * 4  # across DST too
    assert [(e.start - first_start).days for e in dates] == [0, 7, 14, 21]
    assert {e.status for e in dates} == {Status.PUBLISHED}
    assert page.get_by_text("FREQ=WEEKLY").is_visible()

    # --- people register for the second date --------------------------------------------------------------------
    second = dates[1]
    with_account = registration_service.register(event=second, capacity=second.capacities.get(),
                                                 name="Anna Konto", email="anna@example.org",
                                                 user=UserFactory(email="anna@example.org"))  # fmt: skip
    without = register(second, "Bernd Ohnekonto", "bernd@example.org")
    unconfirmed = register(second, "Clara Später", "clara@example.org", confirmed=False)
    register(dates[2], "Dora Drittertermin", "dora@example.org")
    assert (with_account.status, without.status, unconfirmed.status) == ("confirmed", "confirmed", "unconfirmed")
    mail.outbox.clear()

    # --- cancel only that date --------------------------------------------------------------------------------
    staff.open(f"/verwaltung/{organisation.slug}/veranstaltungen/reihen/{series.pk}/")
    staff.click(page.get_by_role("link", name=re.compile(timezone.localtime(second.start).strftime(r"%d\.%m\.%Y"))))
    assert page.get_by_text("Nur dieser Termin der Reihe wird abgesagt.").is_visible()
    cancel_form = page.locator("form", has=page.get_by_role("button", name="Veranstaltung absagen"))
    cancel_form.get_by_label("Grund (wird veröffentlicht und den Angemeldeten mitgeteilt)").fill(
        "Der Landrat ist an diesem Tag auf einer Dienstreise."
    )
    staff.click(page.get_by_role("button", name="Veranstaltung absagen"))
    assert status(staff, "Die Veranstaltung ist abgesagt; die Angemeldeten werden informiert.").is_visible()

    second.refresh_from_db()
    series.refresh_from_db()
    assert second.status == Status.CANCELLED
    assert series.exdates == [timezone.localtime(second.start).date().isoformat()]
    assert [e.status for e in series.events.order_by("start")] == ["published", "cancelled", "published", "published"]

    # Everyone registered for that date, and only they, get the cancellation with METHOD:CANCEL.
    told = {message.to[0]: message for message in mail.outbox}
    assert set(told) == {"anna@example.org", "bernd@example.org", "clara@example.org"}
    for address, message in told.items():
        calendar = calendar_attachment(message, "absage.ics")
        assert str(calendar["METHOD"]) == "CANCEL", address
        (vevent,) = calendar.walk("VEVENT")
        assert str(vevent["STATUS"]) == "CANCELLED"
        assert vevent.decoded("DTSTART") == second.start
        assert int(vevent["SEQUENCE"]) >= 1  # above the invitation's, so calendars take it
        assert "Dienstreise" in message.body

    # The public page says so, with the reason; the other dates are still offered.
    staff.open(second.get_absolute_url())
    assert page.get_by_role("heading", level=1).get_by_text("Abgesagt").is_visible()
    assert page.get_by_text("Der Landrat ist an diesem Tag auf einer Dienstreise.").is_visible()


# --- d: check-in at the door on a phone ---------------------------------------------------------------------------


def test_check_in_on_a_phone_by_name_and_by_the_qr_code_and_a_second_scan(new_tab: Any, world: World) -> None:
    start = timezone.now() + timedelta(minutes=30)
    event = make_event(world.organisation, title=ASSEMBLY, capacity=20, start=start, max_companions=2,
                       venue_name="Bürgerhaus Beispielhausen")  # fmt: skip
    erika = register(event, "Erika Mustermann", "erika@example.org")
    jonas = register(event, "Jonas Beispiel", "jonas@example.org")
    waiting = register(event, "Ute Unbestätigt", "ute@example.org", confirmed=False)
    Registration.objects.filter(pk=erika.pk).update(companions=1)

    door: Browse = new_tab(phone=True)
    page = door.page
    door.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    door.open(f"/verwaltung/{world.organisation.slug}/veranstaltungen/{event.pk}/einchecken/")
    fits_the_screen(door)
    assert page.get_by_text("0 von 2 Anmeldungen eingecheckt").is_visible()

    # --- by name ----------------------------------------------------------------------------------------------
    page.get_by_label("Name oder E-Mail-Adresse").fill("muster")
    door.click(page.get_by_role("button", name="Suchen"))
    fits_the_screen(door)
    assert page.get_by_role("heading", name="1 Treffer").is_visible()
    assert page.get_by_text("+ 1 Begleitperson").is_visible()
    door.click(page.get_by_role("button", name=for_person("Einchecken", "Erika Mustermann")))
    assert status(door, "Erika Mustermann ist eingecheckt.").is_visible()
    assert page.get_by_text("1 von 2 Anmeldungen eingecheckt").is_visible()
    assert page.get_by_role(
        "button", name=for_person("Rückgängig", "Erika Mustermann")
    ).is_visible()  # the search is kept
    erika.refresh_from_db()
    assert erika.checked_in_at is not None

    # An unconfirmed registration is found but cannot be checked in.
    page.get_by_label("Name oder E-Mail-Adresse").fill("ute")
    door.click(page.get_by_role("button", name="Suchen"))
    assert page.get_by_text("noch nicht bestätigt, kein Check-in möglich").is_visible()
    assert page.get_by_role("button", name=for_person("Einchecken", "Ute Unbestätigt")).count() == 0

    # --- by the QR code: two phones at two doors have Jonas's page open -----------------------------------------
    qr_path = urlsplit(checkin.checkin_url(jonas)).path
    other_door = Browse(page.context.new_page(), door.base_url, door.next_screenshot)
    door.open(qr_path)
    other_door.open(qr_path)
    fits_the_screen(door)
    assert page.get_by_role("heading", level=1, name="Jonas Beispiel").is_visible()
    door.click(page.get_by_role("button", name="Einchecken", exact=True))
    assert status(door, "Jonas Beispiel ist eingecheckt.").is_visible()
    jonas.refresh_from_db()
    at = timezone.localtime(jonas.checked_in_at).strftime("%H:%M")

    # The second scan changes nothing and says when the first was.
    other_door.click(other_door.page.get_by_role("button", name="Einchecken", exact=True))
    fits_the_screen(other_door)
    warning = other_door.page.get_by_role("alert").filter(
        has_text=f"Jonas Beispiel ist bereits eingecheckt um {at} Uhr."
    )
    assert warning.is_visible()
    assert other_door.page.get_by_text(f"Bereits eingecheckt um {at} Uhr.", exact=True).is_visible()
    before = jonas.checked_in_at
    jonas.refresh_from_db()
    assert jonas.checked_in_at == before
    door.open(qr_path)  # scanning the code again later
    assert page.get_by_text(f"Bereits eingecheckt um {at} Uhr.", exact=True).is_visible()
    other_door.assert_all_checked()

    door.open(f"/verwaltung/{world.organisation.slug}/veranstaltungen/{event.pk}/einchecken/")
    assert page.get_by_text("2 von 2 Anmeldungen eingecheckt").is_visible()
    waiting.refresh_from_db()
    assert waiting.checked_in_at is None
