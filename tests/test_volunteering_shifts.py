"""Shifts: signing up, the waiting list and moving up, the cut-off, coordinators adding and removing helpers,
swaps, overlapping shifts, age on the shift's day, the application first; the e-mails (short-notice
cancellation only within the cut-off, moving up, the reminder once with a valid calendar file); the pages'
permissions (volunteer, other volunteer, coordinator, another organisation's coordinator, the Börse's staff,
anonymous) and their query counts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from mitwirken.volunteering.jobs import daily
from mitwirken.volunteering.models import (
    Application,
    ApplicationStatus,
    Shift,
    ShiftSignup,
    SignupStatus,
)
from mitwirken.volunteering.services import reminders
from mitwirken.volunteering.services import shifts as service

from .volunteering_fixtures import make_opportunity, make_shift, make_volunteer, volunteering_world

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 10, 1, 12, tzinfo=BERLIN)
SATURDAY = datetime(2026, 10, 10, 9, tzinfo=BERLIN)  # a Saturday, 9:00 Berlin


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run the after-commit callbacks (e-mails), as a committed request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def vw(world: Any) -> Any:
    v = volunteering_world(world)
    v.shift.start, v.shift.end = SATURDAY, SATURDAY + timedelta(hours=3)
    v.shift.save()
    for person in (v.volunteer, v.other_volunteer):
        accept(v.opportunity, person)
    return v


def accept(opportunity: Any, person: Any, **fields: Any) -> Application:
    return Application.objects.create(opportunity=opportunity, volunteer=person, status=ApplicationStatus.ACCEPTED,
                                      **fields)  # fmt: skip


def accepted_volunteers(opportunity: Any, count: int, prefix: str = "helfer") -> list[Any]:
    people = [make_volunteer(f"{prefix}{n}@example.org") for n in range(count)]
    for person in people:
        accept(opportunity, person)
    return people


def one_place_taken_one_waiting(vw: Any) -> tuple[ShiftSignup, ShiftSignup]:
    """A shift of one place: the volunteer has it, the other volunteer waits."""
    vw.shift.max_helpers = 1
    vw.shift.save()
    return service.sign_up(vw.shift, vw.volunteer), service.sign_up(vw.shift, vw.other_volunteer)


def statuses(shift: Shift) -> list[tuple[str, str]]:
    return list(shift.signups.order_by("created_at", "pk").values_list("volunteer__email", "status"))


def message_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def mails_to(address: str) -> list[Any]:
    return [message for message in mail.outbox if address in message.to]


def calendar_of(message: Any) -> Calendar:
    (attachment,) = [part for part in message.attachments if part[0].endswith(".ics")]
    assert "text/calendar" in attachment[2]
    return Calendar.from_ical(attachment[1])


# --- signing up and the waiting list ------------------------------------------------------------------------------


def test_places_then_the_waiting_list_in_order(vw: Any) -> None:
    people = accepted_volunteers(vw.opportunity, 5)
    for person in people:
        service.sign_up(vw.shift, person)
    vw.shift.refresh_from_db()
    assert vw.shift.taken == 3
    assert [status for _email, status in statuses(vw.shift)] == ["confirmed"] * 3 + ["waiting"] * 2


def test_a_second_sign_up_for_the_same_shift_is_refused_and_nothing_saved(vw: Any) -> None:
    service.sign_up(vw.shift, vw.volunteer)
    with pytest.raises(ValidationError) as error:
        service.sign_up(vw.shift, vw.volunteer)
    assert "schon eingetragen" in message_text(error.value)
    vw.shift.refresh_from_db()
    assert vw.shift.taken == 1 and vw.shift.signups.count() == 1


def test_the_unique_constraint_catches_a_double_click_that_passed_the_check(vw: Any, monkeypatch: Any) -> None:
    service.sign_up(vw.shift, vw.volunteer)
    monkeypatch.setattr(service, "_check_not_signed_up", lambda shift, user: None)
    monkeypatch.setattr(service, "_check_no_overlap", lambda shift, user: None)
    with pytest.raises(ValidationError, match="schon eingetragen"):
        service.sign_up(vw.shift, vw.volunteer)
    vw.shift.refresh_from_db()
    assert vw.shift.taken == 1 and vw.shift.signups.count() == 1  # the place went back with the rollback


def test_overlapping_shifts_of_the_same_person_are_refused(vw: Any) -> None:
    other = make_opportunity(vw.club, "Kuchenverkauf", application_required=False)
    overlapping = make_shift(other, start=SATURDAY + timedelta(hours=2), hours=2)
    later = make_shift(other, start=SATURDAY + timedelta(hours=3), hours=2)  # starts when the first one ends
    service.sign_up(vw.shift, vw.volunteer)
    with pytest.raises(ValidationError) as error:
        service.sign_up(overlapping, vw.volunteer)
    assert message_text(error.value) == "Sie sind zu dieser Zeit schon für eine andere Schicht eingetragen."
    assert service.sign_up(later, vw.volunteer).status == SignupStatus.CONFIRMED


def test_application_required_before_signing_up(vw: Any) -> None:
    newcomer = make_volunteer("neu@example.org")
    with pytest.raises(ValidationError, match="bewerben Sie sich bitte zuerst"):
        service.sign_up(vw.shift, newcomer)
    Application.objects.create(opportunity=vw.opportunity, volunteer=newcomer)  # open, not yet accepted
    with pytest.raises(ValidationError, match="bewerben Sie sich bitte zuerst"):
        service.sign_up(vw.shift, newcomer)
    assert not vw.shift.signups.exists()


def test_without_application_required_anyone_old_enough_signs_up(vw: Any) -> None:
    vw.opportunity.application_required = False
    vw.opportunity.save()
    assert service.sign_up(vw.shift, make_volunteer("spontan@example.org")).status == SignupStatus.CONFIRMED


def test_age_is_checked_on_the_shifts_day(vw: Any) -> None:
    vw.opportunity.minimum_age = 18
    vw.opportunity.save()
    # 18 on 12 October: too young for the shift on the 10th, old enough for one on the 12th.
    teen = make_volunteer("teen@example.org", birth_date=date(2008, 10, 12))
    accept(vw.opportunity, teen)
    with pytest.raises(ValidationError, match="mindestens 18 Jahre"):
        service.sign_up(vw.shift, teen)
    birthday_shift = make_shift(vw.opportunity, start=datetime(2026, 10, 12, 9, tzinfo=BERLIN))
    assert service.sign_up(birthday_shift, teen).status == SignupStatus.CONFIRMED
    assert not vw.shift.signups.exists()


def test_sign_up_after_the_cut_off_is_refused(vw: Any) -> None:
    with time_machine.travel(SATURDAY - timedelta(hours=23), tick=False), pytest.raises(ValidationError) as error:
        service.sign_up(vw.shift, vw.volunteer)
    assert "nur bis 24 Stunden vor Schichtbeginn" in message_text(error.value)
    assert not vw.shift.signups.exists()


# --- cancelling and moving up -------------------------------------------------------------------------------------


def test_a_cancelled_place_goes_to_the_first_waiting_person(vw: Any, commit: Any) -> None:
    people = accepted_volunteers(vw.opportunity, 5)
    signups = [service.sign_up(vw.shift, person) for person in people]
    mail.outbox.clear()
    with commit():
        promoted = service.cancel(signups[1], people[1])
    assert promoted is not None and promoted.volunteer == people[3]  # the first waiting, not the second
    vw.shift.refresh_from_db()
    assert vw.shift.taken == 3
    assert dict(statuses(vw.shift)) == {
        "helfer0@example.org": "confirmed", "helfer1@example.org": "cancelled", "helfer2@example.org": "confirmed",
        "helfer3@example.org": "confirmed", "helfer4@example.org": "waiting",
    }  # fmt: skip
    (moved,) = mails_to("helfer3@example.org")
    assert "Sie sind nachgerückt" in moved.subject
    assert calendar_of(moved).walk("VEVENT")
    assert not mails_to(vw.coordinator.email)  # a week ahead: no short-notice alert


def test_without_anyone_waiting_the_place_is_free_again(vw: Any) -> None:
    signup = service.sign_up(vw.shift, vw.volunteer)
    service.cancel(signup, vw.volunteer)
    vw.shift.refresh_from_db()
    assert vw.shift.taken == 0
    # Cancelling twice gives nothing back twice.
    with pytest.raises(ValidationError, match="schon abgesagt"):
        service.cancel(signup, vw.volunteer)
    vw.shift.refresh_from_db()
    assert vw.shift.taken == 0


def test_leaving_the_waiting_list_keeps_the_places(vw: Any) -> None:
    people = accepted_volunteers(vw.opportunity, 4)
    signups = [service.sign_up(vw.shift, person) for person in people]
    assert service.cancel(signups[3], people[3]) is None
    vw.shift.refresh_from_db()
    assert vw.shift.taken == 3


def test_nobody_cancels_another_persons_sign_up(vw: Any) -> None:
    signup = service.sign_up(vw.shift, vw.volunteer)
    with pytest.raises(ValidationError):
        service.cancel(signup, vw.other_volunteer)
    signup.refresh_from_db()
    assert signup.status == SignupStatus.CONFIRMED


def test_a_cancellation_within_the_cut_off_alerts_the_coordinators_at_once(vw: Any, commit: Any) -> None:
    signup = service.sign_up(vw.shift, vw.volunteer)
    mail.outbox.clear()
    with time_machine.travel(SATURDAY - timedelta(hours=5), tick=False), commit():
        service.cancel(signup, vw.volunteer)
    (alert,) = mails_to(vw.coordinator.email)
    assert "Kurzfristige Absage" in alert.subject
    assert "Ehrenamt" in alert.body and "unterbesetzt" in alert.body
    assert vw.volunteer.email not in alert.body  # the volunteer's address is not passed on


def test_a_waiting_person_leaving_within_the_cut_off_alerts_nobody(vw: Any, commit: Any) -> None:
    _first, waiting = one_place_taken_one_waiting(vw)
    mail.outbox.clear()
    with time_machine.travel(SATURDAY - timedelta(hours=5), tick=False), commit():
        service.cancel(waiting, vw.other_volunteer)
    assert not mails_to(vw.coordinator.email)


# --- coordinators -------------------------------------------------------------------------------------------------


def test_coordinator_adds_ahead_of_the_waiting_list_but_never_beyond_max(vw: Any) -> None:
    people = accepted_volunteers(vw.opportunity, 4)
    signups = [service.sign_up(vw.shift, person) for person in people]
    with pytest.raises(ValidationError) as error:
        service.add_helper(vw.shift, people[3], vw.coordinator)
    assert "Die Schicht ist voll" in message_text(error.value)
    service.remove_helper(signups[0], vw.coordinator)  # people[3] moves up automatically
    late = make_volunteer("spaet@example.org")
    accept(vw.opportunity, late)
    service.sign_up(vw.shift, late)  # waiting
    service.remove_helper(signups[1], vw.coordinator)  # late moves up
    with time_machine.travel(SATURDAY - timedelta(hours=2), tick=False):  # after the cut-off: only coordinators
        service.remove_helper(signups[2], vw.coordinator)
        outsider = make_volunteer("aussen@example.org")
        added = service.add_helper(vw.shift, outsider, vw.coordinator)
    assert added.status == SignupStatus.CONFIRMED
    vw.shift.refresh_from_db()
    assert vw.shift.taken == 3


def test_coordinator_takes_someone_from_the_waiting_list(vw: Any) -> None:
    first, waiting = one_place_taken_one_waiting(vw)
    service.remove_helper(first, vw.coordinator)
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.CONFIRMED
    vw.shift.refresh_from_db()
    assert vw.shift.taken == 1


def test_only_the_organisations_coordinators_change_the_list(vw: Any, world: Any) -> None:
    signup = service.sign_up(vw.shift, vw.volunteer)
    for outsider in (vw.other_coordinator, world.personas["case_worker"], vw.other_volunteer):
        with pytest.raises(ValidationError, match="Nur die Koordination"):
            service.remove_helper(signup, outsider)
        with pytest.raises(ValidationError, match="Nur die Koordination"):
            service.add_helper(vw.shift, make_volunteer(f"x{outsider.pk}@example.org"), outsider)
    signup.refresh_from_db()
    assert signup.status == SignupStatus.CONFIRMED


def test_message_to_helpers(vw: Any, commit: Any) -> None:
    service.sign_up(vw.shift, vw.volunteer)
    service.sign_up(vw.shift, vw.other_volunteer)
    with pytest.raises(ValidationError) as error:
        service.message_helpers(vw.shift, vw.coordinator, "", "   ")
    assert error.value.message_dict == {"body": ["Bitte schreiben Sie eine Nachricht."]}
    mail.outbox.clear()
    with commit():
        assert service.message_helpers(vw.shift, vw.coordinator, "Treffpunkt & Zeit", "Wir treffen uns am Tor.") == 2
    assert sorted(message.to[0] for message in mail.outbox) == [vw.other_volunteer.email, vw.volunteer.email]
    for message in mail.outbox:
        assert len(message.to) == 1 and not message.cc and not message.bcc and not message.reply_to
        assert message.subject == "Treffpunkt & Zeit" and "Wir treffen uns am Tor." in message.body
        assert vw.coordinator.email not in message.body


# --- swaps --------------------------------------------------------------------------------------------------------


def test_swap_moves_the_place_and_tells_the_coordinators(vw: Any, commit: Any) -> None:
    signup = service.sign_up(vw.shift, vw.volunteer)
    with pytest.raises(ValidationError, match="gibt es nicht mehr"):
        service.take_swap(signup, vw.other_volunteer)  # not offered yet
    service.offer_swap(signup, vw.volunteer)
    mail.outbox.clear()
    with commit():
        taken = service.take_swap(signup, vw.other_volunteer)
    signup.refresh_from_db()
    vw.shift.refresh_from_db()
    assert signup.status == SignupStatus.CANCELLED and not signup.swap_offered
    assert taken.status == SignupStatus.CONFIRMED and taken.volunteer == vw.other_volunteer
    assert vw.shift.taken == 1
    (told,) = mails_to(vw.coordinator.email)
    assert "Schicht getauscht" in told.subject and "Andere" in told.body
    assert mails_to(vw.volunteer.email) and calendar_of(mails_to(vw.other_volunteer.email)[0])
    with pytest.raises(ValidationError):
        service.take_swap(signup, make_volunteer("dritte@example.org"))  # gone


def test_swap_needs_an_eligible_taker_and_the_time_before_the_cut_off(vw: Any) -> None:
    signup = service.sign_up(vw.shift, vw.volunteer)
    service.offer_swap(signup, vw.volunteer)
    with pytest.raises(ValidationError, match="bewerben Sie sich bitte zuerst"):
        service.take_swap(signup, make_volunteer("ohne@example.org"))
    with pytest.raises(ValidationError, match="eigene Eintragung"):
        service.take_swap(signup, vw.volunteer)
    with time_machine.travel(SATURDAY - timedelta(hours=3), tick=False):
        with pytest.raises(ValidationError, match="nur bis 24 Stunden"):
            service.take_swap(signup, vw.other_volunteer)
        with pytest.raises(ValidationError, match="Tauschen ist nur bis"):
            service.offer_swap(signup, vw.volunteer)
    signup.refresh_from_db()
    assert signup.status == SignupStatus.CONFIRMED


def test_a_waiting_person_takes_a_swap(vw: Any) -> None:
    signup, waiting = one_place_taken_one_waiting(vw)
    service.offer_swap(signup, vw.volunteer)
    assert service.take_swap(signup, vw.other_volunteer).pk == waiting.pk
    waiting.refresh_from_db()
    vw.shift.refresh_from_db()
    assert waiting.status == SignupStatus.CONFIRMED and vw.shift.taken == 1


# --- e-mails and reminders ----------------------------------------------------------------------------------------


def test_sign_up_mails_confirmation_with_calendar_or_waiting_list(vw: Any, commit: Any) -> None:
    vw.shift.max_helpers = 1
    vw.shift.save()
    with commit():
        service.sign_up(vw.shift, vw.volunteer)
        service.sign_up(vw.shift, vw.other_volunteer)
    (confirmed,) = mails_to(vw.volunteer.email)
    assert "Sie sind eingetragen" in confirmed.subject and "Samstag, 10. Oktober 2026, 09:00 Uhr" in confirmed.body
    assert calendar_of(confirmed)
    (waiting,) = mails_to(vw.other_volunteer.email)
    assert "Warteliste" in waiting.subject and not waiting.attachments


def test_reminder_once_about_a_day_ahead_with_a_valid_calendar_file(vw: Any) -> None:
    service.sign_up(vw.shift, vw.volunteer)
    waiting_shift = make_shift(vw.opportunity, start=SATURDAY + timedelta(days=7), max_helpers=1)
    service.sign_up(waiting_shift, vw.volunteer)
    mail.outbox.clear()
    assert reminders.send_due(SATURDAY - timedelta(hours=25)) == 0
    assert reminders.send_due(SATURDAY - timedelta(hours=23)) == 1
    assert reminders.send_due(SATURDAY - timedelta(hours=22)) == 0  # never twice
    out = StringIO()
    call_command("volunteering_reminders", stdout=out)
    (reminder,) = mail.outbox
    assert reminder.to == [vw.volunteer.email] and "Erinnerung an Ihre Schicht" in reminder.subject
    (event,) = calendar_of(reminder).walk("VEVENT")
    assert event.decoded("dtstart") == SATURDAY
    assert event.decoded("dtend") == SATURDAY + timedelta(hours=3)
    assert str(event["summary"]) == "Trainer für die Bambini (Sportverein Beispielhausen)"
    assert str(event["location"]).startswith("Sportplatz")
    assert ShiftSignup.objects.get(shift=vw.shift).reminded_at is not None


def test_cancelled_and_waiting_sign_ups_get_no_reminder(vw: Any) -> None:
    first, _waiting = one_place_taken_one_waiting(vw)
    service.remove_helper(first, vw.coordinator)  # the other moves up
    mail.outbox.clear()
    assert reminders.send_due(SATURDAY - timedelta(hours=2)) == 1
    assert [message.to for message in mail.outbox] == [[vw.other_volunteer.email]]


# --- pages --------------------------------------------------------------------------------------------------------


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_shifts_page_shows_places_status_and_reasons(vw: Any) -> None:
    vw.shift.tasks = "Getränke ausgeben"
    vw.shift.save()
    full = make_shift(vw.opportunity, start=SATURDAY + timedelta(days=1), max_helpers=1)
    service.sign_up(full, vw.other_volunteer)
    url = reverse("volunteering:shifts", kwargs={"pk": vw.opportunity.pk})
    assert url == f"/ehrenamt/angebote/{vw.opportunity.pk}/schichten/"
    page = client_for(vw.volunteer).get(url).content.decode()
    assert "Samstag, 10. Oktober 2026, 09:00" in page and "Getränke ausgeben" in page
    assert "3 von 3 Plätzen frei" in page and "Der Platz ist belegt" in page and "Warteliste" in page
    assert "Eintragen" in page and "Auf die Warteliste" in page
    # The other volunteer sees their own status and the button to cancel.
    other_page = client_for(vw.other_volunteer).get(url).content.decode()
    assert "Sie sind eingetragen." in other_page and "Absagen" in other_page
    # Their place on the waiting list, on the shifts page and under "Meine Schichten".
    latecomer = make_volunteer("spaet@example.org")
    accept(vw.opportunity, latecomer)
    service.sign_up(full, vw.volunteer)
    service.sign_up(full, latecomer)
    latecomer_client = client_for(latecomer)
    assert "Sie stehen auf der Warteliste (Platz 2)." in latecomer_client.get(url).content.decode()
    assert "Warteliste (Platz 2)" in latecomer_client.get(reverse("volunteering:my_shifts")).content.decode()
    assert "Warteliste (Platz 2)" in latecomer_client.get("/konto/").content.decode()
    # Someone without an accepted application is told why.
    newcomer_page = client_for(make_volunteer("neu@example.org")).get(url).content.decode()
    assert "Bitte bewerben Sie sich zuerst" in newcomer_page
    assert reverse("volunteering:shift_sign_up", kwargs={"pk": vw.shift.pk}) not in newcomer_page
    # Anonymous people see the shifts and how to sign in.
    anonymous = client_for(None).get(url).content.decode()
    assert "3 von 3 Plätzen frei" in anonymous and "Melden Sie sich an" in anonymous
    assert f'href="/konto/login/?next=%2Fehrenamt%2Fangebote%2F{vw.opportunity.pk}%2Fschichten%2F"' in anonymous


def test_sign_up_cancel_and_swap_without_javascript(vw: Any) -> None:
    client = client_for(vw.volunteer)
    url = reverse("volunteering:shifts", kwargs={"pk": vw.opportunity.pk})
    response = client.post(reverse("volunteering:shift_sign_up", kwargs={"pk": vw.shift.pk}), {"next": url})
    assert response.status_code == 302 and response["Location"] == url
    signup = ShiftSignup.objects.get(volunteer=vw.volunteer)
    assert signup.status == SignupStatus.CONFIRMED
    assert "Vielen Dank, Sie sind für die Schicht eingetragen" in client.get(url).content.decode()
    client.post(reverse("volunteering:shift_offer_swap", kwargs={"pk": signup.pk}), {"action": "offer"})
    signup.refresh_from_db()
    assert signup.swap_offered
    other = client_for(vw.other_volunteer)
    assert "Tauschangebot übernehmen" in other.get(url).content.decode()
    other.post(reverse("volunteering:shift_take_swap", kwargs={"pk": signup.pk}))
    signup.refresh_from_db()
    assert signup.status == SignupStatus.CANCELLED
    assert ShiftSignup.objects.get(volunteer=vw.other_volunteer).status == SignupStatus.CONFIRMED
    again = client.post(reverse("volunteering:shift_sign_up", kwargs={"pk": vw.shift.pk}), follow=True)
    assert again.status_code == 200


def test_a_refused_sign_up_shows_the_german_reason(vw: Any) -> None:
    client = client_for(make_volunteer("neu@example.org"))
    response = client.post(reverse("volunteering:shift_sign_up", kwargs={"pk": vw.shift.pk}), follow=True)
    assert response.status_code == 200
    assert "bewerben Sie sich bitte zuerst" in response.content.decode()
    assert not ShiftSignup.objects.exists()


def test_forged_posts_for_other_peoples_sign_ups_are_404(vw: Any) -> None:
    signup = service.sign_up(vw.shift, vw.volunteer)
    other = client_for(vw.other_volunteer)
    for name in ("shift_cancel", "shift_offer_swap"):
        assert other.post(reverse(f"volunteering:{name}", kwargs={"pk": signup.pk})).status_code == 404
    assert other.get(reverse("volunteering:shift_ics", kwargs={"pk": signup.pk})).status_code == 404
    # Taking a swap that was never offered.
    assert other.post(reverse("volunteering:shift_take_swap", kwargs={"pk": signup.pk})).status_code == 404
    assert other.post(reverse("volunteering:shift_sign_up", kwargs={"pk": 999999})).status_code == 404
    signup.refresh_from_db()
    assert signup.status == SignupStatus.CONFIRMED and not signup.swap_offered


def test_shifts_of_a_draft_opportunity_are_404_for_the_public(vw: Any) -> None:
    draft = make_opportunity(vw.club, "Entwurf", status="draft")
    url = reverse("volunteering:shifts", kwargs={"pk": draft.pk})
    assert client_for(None).get(url).status_code == 404
    assert client_for(vw.volunteer).get(url).status_code == 404
    assert client_for(vw.coordinator).get(url).status_code == 200


def test_my_shifts_and_calendar_download(vw: Any) -> None:
    signup = service.sign_up(vw.shift, vw.volunteer)
    past = make_shift(vw.opportunity, start=NOW - timedelta(days=3))
    ShiftSignup.objects.create(shift=past, volunteer=vw.volunteer, status=SignupStatus.CONFIRMED)
    client = client_for(vw.volunteer)
    page = client.get(reverse("volunteering:my_shifts")).content.decode()
    assert "Kommende Schichten" in page and "Vergangene Schichten" in page and "Geholfen" in page
    assert "Trainer für die Bambini" in page
    response = client.get(reverse("volunteering:shift_ics", kwargs={"pk": signup.pk}))
    assert response["Content-Type"].startswith("text/calendar")
    assert 'filename="schicht-2026-10-10-0900.ics"' in response["Content-Disposition"]
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart") == SATURDAY
    assert client_for(None).get(reverse("volunteering:my_shifts")).status_code == 302
    assert "Meine Schichten" in client.get("/konto/").content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("coordinator", 200), ("other_coordinator", 404), ("volunteer", 404), ("other_volunteer", 404),
     ("case_worker", 404), ("anonymous", 302)],
)  # fmt: skip
def test_coordinator_pages_permissions(vw: Any, world: Any, persona: str, status: int) -> None:
    signup = service.sign_up(vw.shift, vw.volunteer)
    user = {"coordinator": vw.coordinator, "other_coordinator": vw.other_coordinator, "volunteer": vw.volunteer,
            "other_volunteer": vw.other_volunteer, "case_worker": world.personas["case_worker"],
            "anonymous": None}[persona]  # fmt: skip
    client = client_for(user)
    kwargs = {"org_slug": vw.club.slug}
    assert client.get(reverse("volunteering:coordinator_shifts", kwargs=kwargs)).status_code == status
    assert client.get(reverse("volunteering:coordinator_shift", kwargs={**kwargs, "pk": vw.shift.pk})
                      ).status_code == status  # fmt: skip
    response = client.post(reverse("volunteering:coordinator_shift_remove",
                                   kwargs={**kwargs, "pk": vw.shift.pk, "signup_pk": signup.pk}))  # fmt: skip
    assert response.status_code == (302 if status == 200 else status)
    signup.refresh_from_db()
    assert signup.status == (SignupStatus.CANCELLED if persona == "coordinator" else SignupStatus.CONFIRMED)


def test_a_shift_of_another_organisation_is_404_for_a_coordinator(vw: Any) -> None:
    foreign = make_shift(make_opportunity(vw.other_club, "Übung"))
    client = client_for(vw.coordinator)
    url = reverse("volunteering:coordinator_shift", kwargs={"org_slug": vw.club.slug, "pk": foreign.pk})
    assert client.get(url).status_code == 404


def test_helper_list_shows_email_only_where_shared(vw: Any) -> None:
    Application.objects.filter(volunteer=vw.volunteer).update(volunteer_shares_email=True)
    vw.shift.max_helpers = 1
    vw.shift.save()
    service.sign_up(vw.shift, vw.volunteer)
    service.sign_up(vw.shift, vw.other_volunteer)
    page = (
        client_for(vw.coordinator)
        .get(reverse("volunteering:coordinator_shift", kwargs={"org_slug": vw.club.slug, "pk": vw.shift.pk}))
        .content.decode()
    )
    assert "Ehrenamt" in page and vw.volunteer.email in page
    assert "Andere" in page and vw.other_volunteer.email not in page
    assert "Warteliste (1)" in page and "Nachricht an alle Helfenden" in page


def test_coordinator_adds_removes_and_writes_through_the_page(vw: Any, commit: Any) -> None:
    client = client_for(vw.coordinator)
    kwargs = {"org_slug": vw.club.slug, "pk": vw.shift.pk}
    stranger = make_volunteer("fremd@example.org")  # never applied here: not offered, refused
    response = client.post(reverse("volunteering:coordinator_shift_add", kwargs=kwargs), {"volunteer": stranger.pk})
    assert response.status_code == 400 and "Bitte wählen Sie eine Person aus der Liste." in response.content.decode()
    response = client.post(reverse("volunteering:coordinator_shift_add", kwargs=kwargs),
                           {"volunteer": vw.volunteer.pk})  # fmt: skip
    assert response.status_code == 302
    assert ShiftSignup.objects.get(volunteer=vw.volunteer).status == SignupStatus.CONFIRMED
    response = client.post(reverse("volunteering:coordinator_shift_message", kwargs=kwargs), {"body": ""})
    assert response.status_code == 400 and "Bitte schreiben Sie eine Nachricht." in response.content.decode()
    mail.outbox.clear()
    with commit():
        response = client.post(reverse("volunteering:coordinator_shift_message", kwargs=kwargs),
                               {"subject": "", "body": "Bitte feste Schuhe mitbringen."})  # fmt: skip
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[vw.volunteer.email]]


def test_coordinator_list_marks_understaffed_shifts_in_text(vw: Any) -> None:
    vw.shift.min_helpers = 2
    vw.shift.save()
    service.sign_up(vw.shift, vw.volunteer)
    page = (
        client_for(vw.coordinator)
        .get(reverse("volunteering:coordinator_shifts", kwargs={"org_slug": vw.club.slug}))
        .content.decode()
    )
    assert "1 eingetragen (mindestens 2, höchstens 3)" in page and "Unterbesetzt" in page


def fill_shifts(opportunity: Any, count: int, people: list[Any]) -> None:
    start = SATURDAY + timedelta(days=30)
    shifts = Shift.objects.bulk_create(
        Shift(opportunity=opportunity, start=start + timedelta(hours=4 * n), end=start + timedelta(hours=4 * n + 3),
              max_helpers=3, taken=len(people) if n % 2 else 0, place=f"Halle {n}")
        for n in range(count)
    )  # fmt: skip
    ShiftSignup.objects.bulk_create(
        ShiftSignup(shift=shift, volunteer=person, status=SignupStatus.CONFIRMED)
        for shift in shifts[1::2] for person in people
    )  # fmt: skip


def count_queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["coordinator", "volunteer"])
def test_shift_lists_keep_a_constant_query_count(vw: Any, who: str) -> None:
    people = accepted_volunteers(vw.opportunity, 3, "q")
    user = vw.coordinator if who == "coordinator" else people[0]
    client = client_for(user)
    url = (reverse("volunteering:coordinator_shifts", kwargs={"org_slug": vw.club.slug}) if who == "coordinator"
           else reverse("volunteering:shifts", kwargs={"pk": vw.opportunity.pk}))  # fmt: skip
    counts = []
    for count in (4, 60):
        fill_shifts(vw.opportunity, count, people)
        counts.append(count_queries(client, url))
    assert counts[0] == counts[1], counts


def test_my_shifts_and_helper_list_keep_a_constant_query_count(vw: Any) -> None:
    people = accepted_volunteers(vw.opportunity, 3, "q")
    my_counts, helper_counts = [], []
    helper_url = reverse("volunteering:coordinator_shift", kwargs={"org_slug": vw.club.slug, "pk": vw.shift.pk})
    for count in (2, 30):
        fill_shifts(vw.opportunity, count, people)
        my_counts.append(count_queries(client_for(people[0]), reverse("volunteering:my_shifts")))
    for person in accepted_volunteers(vw.opportunity, 3, "h"):
        service.sign_up(vw.shift, person)
        helper_counts.append(count_queries(client_for(vw.coordinator), helper_url))
    assert my_counts[0] == my_counts[1], my_counts
    assert len(set(helper_counts)) == 1, helper_counts


def test_the_plugins_daily_job_sends_due_reminders(vw: Any) -> None:
    service.sign_up(vw.shift, vw.volunteer)
    mail.outbox.clear()
    with time_machine.travel(SATURDAY - timedelta(hours=20), tick=False):
        daily()
        daily()
    assert [message.to for message in mail.outbox] == [[vw.volunteer.email]]


def test_a_swap_offer_can_be_taken_back(vw: Any) -> None:
    signup = service.sign_up(vw.shift, vw.volunteer)
    service.offer_swap(signup, vw.volunteer)
    client = client_for(vw.volunteer)
    client.post(reverse("volunteering:shift_offer_swap", kwargs={"pk": signup.pk}), {"action": "withdraw"})
    signup.refresh_from_db()
    assert not signup.swap_offered
    with pytest.raises(ValidationError, match="gibt es nicht mehr"):
        service.take_swap(signup, vw.other_volunteer)
