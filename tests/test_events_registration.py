"""Registration, confirmation, cancellation and the waiting list (services): the waiting list without an account
needs the e-mail link too, approval mode after an offer or a confirmed address, and stale objects that must
never lose or double-count places."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mitwirken.events.models import Event, Registration, RegistrationMode, RegistrationStatus, Status
from mitwirken.events.services import registration as service
from mitwirken.events.services import setup

from .dialogue_helpers import page_text
from .event_fixtures import make_event
from .factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def register(event, number, user=None, **extra):
    return service.register(event=event, capacity=event.capacities.get(), name=f"Person {number}",
                            email=f"p{number}@example.org", user=user, **extra)  # fmt: skip


def test_full_event_puts_people_on_the_waiting_list_and_moves_them_up_in_order():
    event = make_event(OrganisationFactory(), capacity=2, max_companions=2)
    first = register(event, 1, user=UserFactory())
    second = register(event, 2, user=UserFactory())
    third = register(event, 3, user=UserFactory(), companions=1)
    fourth = register(event, 4, user=UserFactory())
    assert [r.status for r in (first, second, third, fourth)] == ["confirmed", "confirmed", "waiting", "waiting"]
    service.cancel(first)
    third.refresh_from_db(), fourth.refresh_from_db()
    # One place is free: the third needs two, so the fourth (whose party fits) gets the offer.
    assert third.status == RegistrationStatus.WAITING
    assert fourth.status == RegistrationStatus.OFFERED and fourth.expires_at is not None
    service.accept_offer(fourth)
    fourth.refresh_from_db()
    assert fourth.status == RegistrationStatus.CONFIRMED
    assert event.capacities.get().taken == 2


def test_unconfirmed_hold_expires_and_frees_its_place():
    event = make_event(OrganisationFactory(), capacity=1, hold_minutes=30)
    held = register(event, 1)
    assert held.status == RegistrationStatus.UNCONFIRMED
    waiting = register(event, 2, user=UserFactory())
    assert waiting.status == RegistrationStatus.WAITING
    later = timezone.now() + timedelta(minutes=31)
    with pytest.raises(ValidationError):
        service.confirm_email(held, now=later)
    held.refresh_from_db(), waiting.refresh_from_db()
    assert held.status == RegistrationStatus.EXPIRED
    assert waiting.status == RegistrationStatus.OFFERED


def test_bad_input_is_refused_with_german_messages_and_nothing_saved():
    event = make_event(OrganisationFactory(), capacity=5, max_companions=1)
    register(event, 1)
    with pytest.raises(ValidationError) as error:
        register(event, 1)
    assert "bereits eine Anmeldung" in str(error.value)
    with pytest.raises(ValidationError) as error:
        register(event, 2, companions=3)
    assert "höchstens 1 Begleitpersonen" in str(error.value)
    event.registration_deadline = timezone.now() - timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        register(event, 3)
    assert "Anmeldeschluss" in str(error.value)
    assert Registration.objects.count() == 1
    assert event.capacities.get().taken == 1


def test_erasing_an_account_frees_its_places_and_anonymises_its_registrations():
    from mitwirken.events import gdpr
    from mitwirken.events.models import CalendarToken

    event = make_event(OrganisationFactory(), capacity=1)
    first, second = UserFactory(), UserFactory()
    held = register(event, 1, user=first)
    waiting = register(event, 2, user=second)
    other_event = make_event(event.organisation, capacity=5, title="Sprechstunde")
    register(other_event, 1, user=first)
    CalendarToken.objects.create(user=first)
    gdpr.erase(first)
    held.refresh_from_db(), waiting.refresh_from_db()
    assert held.status == RegistrationStatus.CANCELLED and held.user is None and "@" in held.email
    assert "p1@" not in held.email and held.name != "Person 1"
    assert waiting.status == RegistrationStatus.OFFERED  # the place went to the waiting list
    assert not CalendarToken.objects.filter(user=first).exists()
    gdpr.erase(second)  # a second erasure on the same event breaks no constraint
    assert not Registration.objects.filter(email__in=["p1@example.org", "p2@example.org"]).exists()


# --- without an account, the waiting list needs the e-mail link too ------------------------------------------------


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (e-mails), as a committed request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_typed_address_on_the_waiting_list_must_be_confirmed_gets_no_offer_and_expires(commit):
    event = make_event(OrganisationFactory(), capacity=1, hold_minutes=30)
    holder = register(event, 1, user=UserFactory())
    with commit():
        typed = register(event, 2)  # someone types p2@example.org without an account
    later = register(event, 3, user=UserFactory())
    assert (typed.status, typed.email_confirmed, later.status) == ("waiting", False, "waiting")
    assert typed.expires_at is not None and typed.expires_at - typed.created_at < timedelta(minutes=31)
    (message,) = [m for m in mail.outbox if m.to == ["p2@example.org"]]
    assert "Bitte bestätigen Sie Ihre Anmeldung" in message.subject
    assert f"/veranstaltungen/anmeldung/{typed.manage_token}/bestaetigen/" in message.body
    assert "Ohne Bestätigung verfällt der Eintrag auf der Warteliste." in message.body
    # While it is unconfirmed the address stays taken (its owner got the link) …
    with pytest.raises(ValidationError) as error:
        register(event, 2)
    assert "bereits eine Anmeldung" in str(error.value)
    # … but a freed place goes past it to the next confirmed entry.
    service.cancel(holder)
    typed.refresh_from_db(), later.refresh_from_db()
    assert typed.status == RegistrationStatus.WAITING and later.status == RegistrationStatus.OFFERED
    # After hold_minutes the unconfirmed entry is gone, and the owner of the address can register.
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert setup.release_all_expired() == 1
        typed.refresh_from_db()
        assert typed.status == RegistrationStatus.EXPIRED
        again = register(event, 2, user=UserFactory(email="p2@example.org"))
    assert again.status == RegistrationStatus.WAITING and again.email_confirmed
    assert event.capacities.get().taken == 1  # the offer to `later`


def test_confirmed_waiting_entry_keeps_its_turn_and_takes_a_place_that_came_free_meanwhile(commit):
    event = make_event(OrganisationFactory(), capacity=1, hold_minutes=30)
    holder = register(event, 1, user=UserFactory())
    waiting = register(event, 2)
    service.cancel(holder)  # nobody confirmed is waiting: the place stays free
    assert event.capacities.get().taken == 0
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITING
    client = Client()
    confirm = reverse("events:confirm", kwargs={"token": waiting.manage_token})
    assert "Bitte bestätigen Sie mit dem Knopf Ihre E-Mail-Adresse" in page_text(client.get(confirm))
    with commit():
        response = client.post(confirm)
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.email_confirmed and waiting.status == RegistrationStatus.OFFERED and waiting.expires_at
    assert "Für Sie ist ein Platz frei geworden" in page_text(client.get(response["Location"]))
    assert [m.subject for m in mail.outbox if m.to == ["p2@example.org"]][-1].startswith("Ein Platz ist frei")
    assert event.capacities.get().taken == 1


def test_confirming_a_waiting_entry_keeps_it_waiting_without_expiry(commit):
    event = make_event(OrganisationFactory(), capacity=1, hold_minutes=30)
    register(event, 1, user=UserFactory())
    waiting = register(event, 2)
    client = Client()
    response = client.post(reverse("events:confirm", kwargs={"token": waiting.manage_token}))
    waiting.refresh_from_db()
    assert (waiting.status, waiting.email_confirmed, waiting.expires_at) == ("waiting", True, None)
    assert "Sie stehen auf der Warteliste" in page_text(client.get(response["Location"]))
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert service.release_expired(event) == 0
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITING


def test_expired_waiting_entry_link_says_so():
    event = make_event(OrganisationFactory(), capacity=0, hold_minutes=30)
    waiting = register(event, 1)
    confirm = reverse("events:confirm", kwargs={"token": waiting.manage_token})
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert "Dieser Bestätigungslink ist abgelaufen" in page_text(Client().get(confirm))
        with pytest.raises(ValidationError) as error:
            service.confirm_email(waiting)
    assert "Ihr Eintrag auf der Warteliste ist verfallen" in str(error.value)
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.EXPIRED and not waiting.email_confirmed


# --- approval mode: accepted offers and confirmed addresses wait for staff, and people are told --------------------


def test_accepted_offer_in_approval_mode_waits_for_staff_and_the_person_is_told(commit):
    event = make_event(OrganisationFactory(), capacity=1, registration=RegistrationMode.APPROVAL)
    first = register(event, 1, user=UserFactory())
    second = register(event, 2, user=UserFactory())
    assert (first.status, second.status) == ("pending", "waiting")
    assert service.decline(first)
    second.refresh_from_db()
    assert second.status == RegistrationStatus.OFFERED
    mail.outbox.clear()
    with commit():
        service.accept_offer(second)
    assert second.status == RegistrationStatus.PENDING and second.expires_at is None
    (message,) = mail.outbox
    assert message.subject == f"Ihre Anmeldung wartet auf Freigabe: {event.title}"
    assert "Sie haben den frei gewordenen Platz angenommen" in message.body
    assert "sobald über Ihre Anmeldung entschieden ist" in message.body and not message.attachments
    assert event.capacities.get().taken == 1  # the place stays held for the decision
    with commit():
        assert service.approve(second)
    assert second.status == RegistrationStatus.CONFIRMED
    assert mail.outbox[-1].attachments  # the invitation comes with the decision
    assert not service.approve(second) and not service.decline(second)  # decided once


def test_confirmed_address_in_approval_mode_waits_for_staff_and_the_person_is_told(commit):
    event = make_event(OrganisationFactory(), capacity=2, registration=RegistrationMode.APPROVAL)
    registration = register(event, 1)
    assert registration.status == RegistrationStatus.UNCONFIRMED
    mail.outbox.clear()
    client = Client()
    with commit():
        response = client.post(reverse("events:confirm", kwargs={"token": registration.manage_token}))
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING and registration.email_confirmed
    (message,) = mail.outbox
    assert message.subject.startswith("Ihre Anmeldung wartet auf Freigabe")
    assert "Ihre E-Mail-Adresse ist bestätigt" in message.body
    assert "wartet jetzt auf die Freigabe" in page_text(client.get(response["Location"]))


# --- stale objects: places are never lost or counted twice -------------------------------------------------------


def test_cancel_decides_on_the_stored_status_not_on_a_stale_object():
    event = make_event(OrganisationFactory(), capacity=1)
    holder = register(event, 1, user=UserFactory())
    waiting = register(event, 2, user=UserFactory())
    stale = Registration.objects.get(pk=waiting.pk)  # still says "waiting"
    service.cancel(holder)  # the waiting person is offered the place
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.OFFERED
    service.cancel(stale)  # formerly: cancelled as "waiting" and the offered place was never given back
    assert event.capacities.get().taken == 0
    again = Registration.objects.get(pk=holder.pk)
    service.cancel(again)  # twice changes nothing
    assert event.capacities.get().taken == 0


def test_change_companions_locks_and_rereads_the_registration():
    event = make_event(OrganisationFactory(), capacity=4, max_companions=2)
    registration = register(event, 1, user=UserFactory())
    copy = Registration.objects.get(pk=registration.pk)
    service.change_companions(registration, 2)
    service.change_companions(copy, 2)  # the stale copy still says 0: formerly two more places were taken
    assert event.capacities.get().taken == 3
    service.change_companions(copy, 1)
    assert event.capacities.get().taken == 2
    service.cancel(registration)
    assert event.capacities.get().taken == 0
    with pytest.raises(ValidationError) as error:
        service.change_companions(copy, 0)  # a cancelled registration gives nothing back twice
    assert "kann nicht mehr geändert werden" in str(error.value)
    assert event.capacities.get().taken == 0


def test_change_companions_is_refused_once_the_event_began_or_was_cancelled():
    event = make_event(OrganisationFactory(), capacity=4, max_companions=2)
    registration = register(event, 1, user=UserFactory())
    with time_machine.travel(event.start + timedelta(minutes=1)), pytest.raises(ValidationError):
        service.change_companions(registration, 1)
    event.status = Status.CANCELLED
    event.save()
    registration.event = event
    with pytest.raises(ValidationError):
        service.change_companions(registration, 1)
    with pytest.raises(ValidationError) as error:
        service.change_companions(registration, 3)
    assert "höchstens 2 Begleitpersonen" in str(error.value)
    assert event.capacities.get().taken == 1


def test_release_expired_leaves_an_offer_that_was_accepted_in_time():
    event = make_event(OrganisationFactory(), capacity=1)
    holder = register(event, 1, user=UserFactory())
    waiting = register(event, 2, user=UserFactory())
    service.cancel(holder)
    service.accept_offer(waiting)
    deadline = Registration.objects.get(pk=waiting.pk)
    assert deadline.status == RegistrationStatus.CONFIRMED
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert service.release_expired(event) == 0
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED
    assert event.capacities.get().taken == 1


def test_staff_decline_goes_through_the_registration_service(world):
    event = make_event(world.organisation, capacity=1, registration=RegistrationMode.APPROVAL)
    pending = register(event, 1, user=UserFactory())
    waiting = register(event, 2, user=UserFactory())
    stale = Registration.objects.get(pk=pending.pk)
    assert setup.registration_decline(actor=world.personas["org_admin"], registration=pending)
    assert not setup.registration_decline(actor=world.personas["org_admin"], registration=stale)  # once only
    assert not setup.registration_approve(actor=world.personas["org_admin"], registration=stale)
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.OFFERED and event.capacities.get().taken == 1


def test_links_of_a_cancelled_event_confirm_nothing():
    event = make_event(OrganisationFactory(), capacity=1, hold_minutes=60)
    holder = register(event, 1, user=UserFactory())
    unconfirmed = make_event(event.organisation, title="Zweite", capacity=1, hold_minutes=60)
    held = register(unconfirmed, 2)
    waiting = register(event, 3, user=UserFactory())
    service.cancel(holder)
    Event.objects.filter(pk__in=[event.pk, unconfirmed.pk]).update(status=Status.CANCELLED)
    for link, registration in ((service.accept_offer, waiting), (service.confirm_email, held)):
        registration.refresh_from_db()
        with pytest.raises(ValidationError) as error:
            link(registration)
        assert "Diese Veranstaltung ist abgesagt" in str(error.value)
        assert Registration.objects.get(pk=registration.pk).status in ("offered", "unconfirmed")


def test_republishing_a_postponed_event_offers_places_freed_meanwhile(world):
    event = make_event(world.organisation, capacity=1)
    holder = register(event, 1, user=UserFactory())
    waiting = register(event, 2, user=UserFactory())
    actor = world.personas["org_admin"]
    setup.event_change_status(actor=actor, event=event, action="postpone", reason="Der Saal ist belegt.")
    service.cancel(holder)  # while postponed: nobody is offered the place
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITING and event.capacities.get().taken == 0
    setup.event_change_status(actor=actor, event=event, action="publish")
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.OFFERED and event.capacities.get().taken == 1
