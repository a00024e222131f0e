"""Registration, confirmation, cancellation and the waiting list (services)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mitwirken.events.models import Registration, RegistrationStatus
from mitwirken.events.services import registration as service

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
