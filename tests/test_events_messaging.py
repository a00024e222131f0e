"""E-mails about events: the manage link in every one, invitations and cancellations as calendar files
(METHOD/SEQUENCE/STATUS), changes and cancellations to everyone, staff messages (audited), reminders once."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.test import override_settings
from icalendar import Calendar

from mitwirken.core.mail import serialise
from mitwirken.core.models import AuditEntry
from mitwirken.core.tasks import deliver_email
from mitwirken.events.models import CapacityCategory, Event, Registration, RegistrationStatus, ReminderSent, Status
from mitwirken.events.services import messaging, reminders
from mitwirken.events.services import registration as service

from .conftest import with_second_factor
from .event_fixtures import make_event
from .factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
QUEUE = "mitwirken.core.mail.TaskQueueEmailBackend"
NOW = datetime(2026, 10, 1, 12, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (e-mails), as a committed request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def event_for(**fields):
    fields.setdefault("start", datetime(2026, 10, 20, 18, tzinfo=BERLIN))
    return make_event(OrganisationFactory(name="Stadt Mainz"), **fields)


def register(event, number, user=None, **extra):
    return service.register(event=event, capacity=event.capacities.first(), name=f"Person {number}",
                            email=f"p{number}@example.org", user=user, **extra)  # fmt: skip


def manage_link(registration) -> str:
    return f"http://127.0.0.1:8000/veranstaltungen/anmeldung/{registration.manage_token}/"


def calendar_of(message, filename="einladung.ics") -> tuple[Calendar, str]:
    (attachment,) = [part for part in message.attachments if part[0].endswith(".ics")]  # the QR code comes too
    name, content, mimetype = attachment
    assert name == filename
    calendar = Calendar.from_ical(content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    return calendar, mimetype


def test_registration_without_account_asks_to_confirm_within_the_hold(commit):
    event = event_for(hold_minutes=45)
    with commit():
        registration = register(event, 1)
    (message,) = mail.outbox
    assert message.to == ["p1@example.org"]
    assert "Bitte bestätigen Sie Ihre Anmeldung" in message.subject
    assert "innerhalb von 45 Minuten" in message.body
    assert manage_link(registration) + "bestaetigen/" in message.body
    assert manage_link(registration) in message.body and message.attachments == []
    assert "Dienstag, 20. Oktober 2026, 18:00 Uhr bis 20:00 Uhr" in message.body


def test_confirmation_carries_the_invitation_through_the_queue(commit):
    event = event_for(venue_name="Rathaus")
    with override_settings(EMAIL_BACKEND=QUEUE), commit():
        registration = register(event, 1, user=UserFactory())
    assert registration.status == RegistrationStatus.CONFIRMED
    (message,) = mail.outbox  # delivered by the (immediate) task worker after serialisation
    assert message.subject == "Anmeldung bestätigt: Bürgerversammlung"
    assert manage_link(registration) in message.body
    calendar, mimetype = calendar_of(message)
    assert mimetype == "text/calendar; method=REQUEST"
    assert 'Content-Type: text/calendar; method="REQUEST"; charset="utf-8"' in message.message().as_string()
    assert calendar["METHOD"] == "REQUEST"
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["UID"] == f"{event.uid}@127.0.0.1" and vevent["SEQUENCE"] == 0 and vevent["STATUS"] == "CONFIRMED"
    assert vevent["ATTENDEE"] == "mailto:p1@example.org" and vevent["ATTENDEE"].params["CN"] == "Person 1"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"


def test_confirming_by_link_sends_the_invitation(commit):
    event = event_for()
    with commit():
        registration = register(event, 1)
    mail.outbox.clear()
    with commit():
        service.confirm_email(registration)
    (message,) = mail.outbox
    calendar, _ = calendar_of(message)
    assert calendar["METHOD"] == "REQUEST" and manage_link(registration) in message.body


def test_waiting_list_position_offer_and_cancellation(commit):
    event = event_for(capacity=1)
    with commit():
        first = register(event, 1, user=UserFactory())
        register(event, 2, user=UserFactory())
        third = register(event, 3, user=UserFactory())
    assert "auf Platz 2" in mail.outbox[-1].body and manage_link(third) in mail.outbox[-1].body
    mail.outbox.clear()
    with commit():
        service.cancel(first)
    cancellation, offer = mail.outbox
    assert cancellation.to == ["p1@example.org"] and manage_link(first) in cancellation.body
    calendar, mimetype = calendar_of(cancellation, "absage.ics")
    assert mimetype == "text/calendar; method=CANCEL" and calendar["METHOD"] == "CANCEL"
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["STATUS"] == "CANCELLED" and vevent["SEQUENCE"] == 1  # above the invitation's 0
    second = Registration.objects.get(email="p2@example.org")
    assert offer.to == ["p2@example.org"] and manage_link(second) + "nachruecken/" in offer.body
    assert "Bestätigen Sie bitte bis" in offer.body and manage_link(second) in offer.body


def test_cancellation_by_staff_says_so(commit):
    event = event_for()
    with commit():
        registration = register(event, 1, user=UserFactory())
        service.cancel(registration, by_staff=True)
    assert "hat Ihre Anmeldung zu dieser Veranstaltung abgesagt" in mail.outbox[-1].body


def test_registering_again_after_cancelling_gets_a_higher_sequence(commit):
    event = event_for()
    user = UserFactory()
    with commit():
        first = register(event, 1, user=user)
    with commit():
        service.cancel(first)
    with commit():
        register(event, 1, user=user)
    sequences = [calendar_of(m, m.attachments[0][0])[0].walk("VEVENT")[0]["SEQUENCE"] for m in mail.outbox]
    assert sequences == [0, 1, 2]


def test_event_changed_raises_the_sequence_and_tells_everyone_active_after_commit(
    commit, django_capture_on_commit_callbacks
):
    event = event_for(capacity=1)
    with commit():
        confirmed = register(event, 1, user=UserFactory())
        waiting = register(event, 2, user=UserFactory())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Event.objects.filter(pk=event.pk).update(
            start=event.start + timedelta(hours=1), end=event.end + timedelta(hours=1)
        )
        event.refresh_from_db()
        assert messaging.event_changed(event, {"start": ["alt", "neu"]}) == 2
    assert mail.outbox == [] and len(callbacks) == 1  # nothing before commit; one batch
    event.refresh_from_db()
    assert event.sequence == 1
    for callback in callbacks:
        callback()
    by_person = {m.to[0]: m for m in mail.outbox}
    change = by_person["p1@example.org"]
    assert "Beginn: Dienstag, 20. Oktober 2026, 19:00 Uhr" in change.body and manage_link(confirmed) in change.body
    calendar, mimetype = calendar_of(change)
    (vevent,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST" and mimetype == "text/calendar; method=REQUEST"
    assert vevent["SEQUENCE"] == 1 and vevent["DTSTART"].dt.hour == 19
    # The waiting list hears of it, but gets no calendar entry it never had.
    assert by_person["p2@example.org"].attachments == [] and manage_link(waiting) in by_person["p2@example.org"].body


def test_event_cancelled_sends_cancel_to_everyone_active(commit):
    event = event_for(capacity=1)
    with commit():
        register(event, 1, user=UserFactory())
        register(event, 2, user=UserFactory())
        gone = register(event, 3, user=UserFactory())
        service.cancel(gone)
    mail.outbox.clear()
    with commit():
        Event.objects.filter(pk=event.pk).update(status=Status.CANCELLED, status_reason="Sturmwarnung")
        event.refresh_from_db()
        assert messaging.event_cancelled(event) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["p1@example.org", "p2@example.org"]
    for message in mail.outbox:
        assert "Sturmwarnung" in message.body and "/veranstaltungen/anmeldung/" in message.body
        calendar, mimetype = calendar_of(message, "absage.ics")
        (vevent,) = calendar.walk("VEVENT")
        assert mimetype == "text/calendar; method=CANCEL"
        assert calendar["METHOD"] == "CANCEL" and vevent["STATUS"] == "CANCELLED" and vevent["SEQUENCE"] == 1
    event.refresh_from_db()
    assert event.sequence == 1


def test_large_audiences_go_in_batches(commit, tasks, monkeypatch):
    monkeypatch.setattr(messaging, "BATCH", 2)
    event = event_for(capacity=5)
    with commit():
        for number in range(5):
            register(event, number, user=UserFactory())
    mail.outbox.clear()
    with commit():
        messaging.event_changed(event, ["venue_name"])
    batches = [r for r in tasks["finished"] if r.task.name == "send_batch"]
    assert [len(r.args[2]) for r in batches] == [2, 2, 1] and len(mail.outbox) == 5


def test_staff_message_reaches_the_chosen_audience_and_is_audited(commit):
    event = event_for(capacity=1)
    second_capacity = CapacityCategory.objects.create(event=event, name="Online", capacity=5)
    with commit():
        register(event, 1, user=UserFactory())
        register(event, 2, user=UserFactory())
        service.register(event=event, capacity=second_capacity, name="Person 3", email="p3@example.org",
                         user=UserFactory())  # fmt: skip
    staff = with_second_factor(MembershipFactory(organisation=event.organisation).user)
    mail.outbox.clear()
    with commit():
        assert messaging.send_message(staff, event, "Parkplätze", "Bitte parken Sie hinten.", "waiting") == 1
    (message,) = mail.outbox
    assert message.to == ["p2@example.org"] and message.subject == "Parkplätze – Bürgerversammlung"
    assert "Bitte parken Sie hinten." in message.body and "/veranstaltungen/anmeldung/" in message.body
    entry = AuditEntry.objects.get(action="event.message")
    assert entry.changes == {"subject": "Parkplätze", "audience": "waiting", "recipients": 1}
    assert entry.organisation == event.organisation and entry.actor == staff
    mail.outbox.clear()
    with commit():
        assert messaging.send_message(staff, event, "Online", "Der Link folgt.", second_capacity) == 1
        assert messaging.send_message(staff, event, "Alle", "Hallo.", "registered") == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["p1@example.org", "p3@example.org", "p3@example.org"]
    with pytest.raises(ValidationError):
        messaging.send_message(staff, event, "", "Text", "waiting")
    with pytest.raises(ValidationError):
        messaging.send_message(staff, event, "Betreff", "Text", "alle-möglichen")
    with pytest.raises(PermissionDenied):
        messaging.send_message(UserFactory(), event, "Betreff", "Text", "waiting")
    assert AuditEntry.objects.filter(action="event.message").count() == 3


def test_reminders_go_once_to_the_confirmed_even_when_run_twice(commit):
    event = event_for(reminder_minutes=[1440, 120], capacity=1)
    with commit():
        confirmed = register(event, 1, user=UserFactory())
        register(event, 2, user=UserFactory())  # waiting: no reminder
    mail.outbox.clear()
    day_before = event.start - timedelta(hours=23)
    with commit():
        assert reminders.send_due_reminders(NOW) == 0  # not due yet
        assert reminders.send_due_reminders(day_before) == 1
        assert reminders.send_due_reminders(day_before) == 0
    (message,) = mail.outbox
    assert message.to == ["p1@example.org"] and "Erinnerung" in message.subject
    assert manage_link(confirmed) in message.body
    with time_machine.travel(event.start - timedelta(minutes=90), tick=False), commit():
        call_command("events_reminders", stdout=StringIO())
        call_command("events_reminders", stdout=StringIO())
    assert len(mail.outbox) == 2
    assert sorted(ReminderSent.objects.values_list("minutes", flat=True)) == [120, 1440]
    with commit():
        assert reminders.send_due_reminders(event.start + timedelta(minutes=5)) == 0  # past


def test_only_the_nearest_of_several_due_reminders_goes(commit):
    event = event_for(reminder_minutes=[1440, 120])
    with commit():
        register(event, 1, user=UserFactory())
    mail.outbox.clear()
    with commit():
        assert reminders.send_due_reminders(event.start - timedelta(minutes=60)) == 1
    assert len(mail.outbox) == 1 and ReminderSent.objects.count() == 2


def test_no_reminder_after_a_cancellation(commit):
    event = event_for(reminder_minutes=[120])
    with commit():
        register(event, 1, user=UserFactory())
    mail.outbox.clear()
    Event.objects.filter(pk=event.pk).update(status=Status.CANCELLED)
    with commit():
        assert reminders.send_due_reminders(event.start - timedelta(minutes=60)) == 0
    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_reminder_queued_before_a_cancellation_is_not_sent(django_capture_on_commit_callbacks):
    event = event_for(reminder_minutes=[120])
    Registration.objects.create(event=event, capacity=event.capacities.get(), name="A", email="a@example.org",
                                status=RegistrationStatus.CONFIRMED)  # fmt: skip
    with time_machine.travel(event.start - timedelta(minutes=60), tick=False):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert reminders.send_due_reminders() == 1
        Event.objects.filter(pk=event.pk).update(status=Status.CANCELLED)
        for callback in callbacks:
            callback()
    assert mail.outbox == []


def test_queue_carries_small_attachments_and_refuses_large_ones():
    message = EmailMessage("Betreff", "Text", to=["a@example.org"])
    message.attach("einladung.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar; method=REQUEST")
    message.attach("daten.bin", b"\x00\x01", "application/octet-stream")
    deliver_email.call(serialise(message))
    (sent,) = mail.outbox
    assert sent.attachments[0] == ("einladung.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                                   "text/calendar; method=REQUEST")  # fmt: skip
    assert sent.attachments[1][1] == b"\x00\x01"
    large = EmailMessage("Betreff", "Text", to=["a@example.org"])
    large.attach("gross.pdf", b"x" * 100_000, "application/pdf")
    with pytest.raises(ValueError):
        serialise(large)


def test_the_confirmation_carries_the_entry_qr_code_that_opens_the_check_in(mailoutbox):
    from django.test import Client

    from mitwirken.events.services.checkin import checkin_path

    event = make_event(OrganisationFactory(), capacity=5)
    registration = service.register(event=event, capacity=event.capacities.get(), name="Erika Muster",
                                                 email="erika@example.org", user=UserFactory())  # fmt: skip
    messaging.confirmed(registration)
    [mail] = [m for m in mailoutbox if "erika@example.org" in m.to]
    [(_name, content, mimetype)] = [a for a in mail.attachments if a[0].endswith(".png")]
    assert mimetype == "image/png" and content.startswith(b"\x89PNG")
    assert "QR-Code" in mail.body
    page = Client().get(f"/veranstaltungen/anmeldung/{registration.manage_token}/einlass.png")
    assert page.status_code == 200 and page.content == content
    assert checkin_path(registration).endswith(f"/einchecken/{registration.manage_token}/")
    service.cancel(registration)
    assert Client().get(f"/veranstaltungen/anmeldung/{registration.manage_token}/einlass.png").status_code == 404
