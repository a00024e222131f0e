"""Check-in at the door: by name, by the QR code's address, a second scan, undo, two scanners at once."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from mitwirken.core.audit import AuditEntry
from mitwirken.events.models import Registration, RegistrationStatus
from mitwirken.events.services import checkin
from mitwirken.events.services import registration as registration_service

from .event_fixtures import make_event
from .factories import UserFactory

pytestmark = pytest.mark.django_db

# 17:02 UTC on a winter evening is 18:02 in Berlin.
EVENING = datetime(2030, 1, 15, 17, 2, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _at_the_door():
    """An hour before check-in time: staff log in then, so their session is fresh at the door."""
    with time_machine.travel(EVENING - timedelta(hours=1)):
        yield


@pytest.fixture
def event(world):
    start = EVENING - timedelta(minutes=2)
    with time_machine.travel(start - timedelta(days=3)):
        return make_event(world.organisation, capacity=3, start=start, end=start + timedelta(hours=2), max_companions=1)


def register(event, name, user=True, **extra):
    with time_machine.travel(event.start - timedelta(days=2)):
        return registration_service.register(
            event=event, capacity=event.capacities.get(), name=name, email=f"{name.split()[0].lower()}@example.org",
            user=UserFactory() if user else None, **extra,
        )  # fmt: skip


def checkin_page(event):
    return reverse("backoffice:event_checkin", kwargs={"org_slug": event.organisation.slug, "event_pk": event.pk})


def test_the_qr_code_carries_the_back_office_address(world, event, settings):
    settings.SITE_URL = "https://mitwirken.example"
    registration = register(event, "Erika Muster")
    expected = (f"https://mitwirken.example/verwaltung/{world.organisation.slug}/veranstaltungen/{event.pk}/"
                f"einchecken/{registration.manage_token}/")  # fmt: skip
    assert checkin.checkin_url(registration) == expected
    image = Image.open(io.BytesIO(checkin.qr_png(registration)))
    assert image.format == "PNG" and image.size[0] == image.size[1] >= 200


def test_check_in_by_name_and_undo(world, event):
    erika = register(event, "Erika Muster", companions=1, sign_language=True)
    register(event, "Max Mustermann")
    client = world.client("case_worker")
    page = client.get(checkin_page(event), {"q": "erika"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Erika Muster" in html and "Max Mustermann" not in html and "+ 1 Begleitperson" in html
    assert "Einchecken" in html and "data-checkin-scanner" in html and " style=" not in html
    # Only the check-in page lets the browser ask for the camera; every other page forbids it.
    assert "camera=(self)" in page["Permissions-Policy"]
    assert "camera=()" in client.get(f"/verwaltung/{event.organisation.slug}/veranstaltungen/")["Permissions-Policy"]
    with time_machine.travel(EVENING, tick=False):
        response = client.post(checkin_page(event), {"registration_pk": erika.pk, "action": "checkin", "q": "erika"},
                               follow=True)  # fmt: skip
    assert response.redirect_chain[-1][0] == checkin_page(event) + "?q=erika"
    assert "Erika Muster ist eingecheckt." in response.content.decode()
    assert "eingecheckt um 18:02 Uhr" in response.content.decode()
    erika.refresh_from_db()
    assert erika.checked_in_at == EVENING
    response = client.post(checkin_page(event), {"registration_pk": erika.pk, "action": "undo"}, follow=True)
    assert "zurückgenommen" in response.content.decode()
    erika.refresh_from_db()
    assert erika.checked_in_at is None
    assert list(AuditEntry.objects.filter(action__startswith="events.check_in").values_list("action", flat=True)) == [
        "events.check_in",
        "events.check_in_undo",
    ]
    # The audit log names the registration by number only.
    assert "Erika" not in str(list(AuditEntry.objects.values_list("object_repr", "changes")))


def test_check_in_by_the_scanned_address_and_a_second_scan(world, event):
    registration = register(event, "Erika Muster", answers={})
    address = checkin.checkin_url(registration).removeprefix("http://127.0.0.1:8000").removeprefix("http://testserver")
    address = address[address.index("/verwaltung/") :]
    client = world.client("org_admin")
    page = client.get(address)
    assert page.status_code == 200 and "Erika Muster" in page.content.decode()
    registration.refresh_from_db()
    assert registration.checked_in_at is None  # opening the address changes nothing
    with time_machine.travel(EVENING, tick=False):
        response = client.post(address, {"action": "checkin"}, follow=True)
    assert "Erika Muster ist eingecheckt." in response.content.decode()
    with time_machine.travel(EVENING + timedelta(minutes=5), tick=False):
        response = client.post(address, {"action": "checkin"}, follow=True)
    html = response.content.decode()
    assert "Erika Muster ist bereits eingecheckt um 18:02 Uhr." in html
    assert "Bereits eingecheckt um 18:02 Uhr." in html and "Rückgängig" in html
    registration.refresh_from_db()
    assert registration.checked_in_at == EVENING
    client.post(address, {"action": "undo"})
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_two_scanners_at_once_count_one_check_in(world, event):
    registration = register(event, "Erika Muster")
    staff = world.personas["org_admin"]
    # Both doors loaded the registration before either pressed the button.
    first, second = Registration.objects.get(pk=registration.pk), Registration.objects.get(pk=registration.pk)
    with time_machine.travel(EVENING, tick=False):
        one = checkin.check_in(staff, first)
    with time_machine.travel(EVENING + timedelta(seconds=1), tick=False):
        two = checkin.check_in(staff, second)
    assert (one.new, two.new) == (True, False)
    assert two.local_time.strftime("%H:%M") == "18:02" and two.registration.checked_in_at == EVENING
    assert AuditEntry.objects.filter(action="events.check_in").count() == 1


def test_only_confirmed_registrations_can_be_checked_in(world, event):
    unconfirmed = register(event, "Ohne Konto", user=False)
    assert unconfirmed.status == RegistrationStatus.UNCONFIRMED
    client = world.client("org_admin")
    address = reverse("backoffice:event_checkin_person", kwargs={
        "org_slug": world.organisation.slug, "event_pk": event.pk, "manage_token": unconfirmed.manage_token})  # fmt: skip
    page = client.get(address).content.decode()
    assert "Nur bestätigte Anmeldungen können eingecheckt werden." in page
    response = client.post(address, {"action": "checkin"}, follow=True)
    assert "Nur bestätigte Anmeldungen können eingecheckt werden." in response.content.decode()
    unconfirmed.refresh_from_db()
    assert unconfirmed.checked_in_at is None
    with pytest.raises(ValidationError):
        checkin.check_in(world.personas["org_admin"], unconfirmed)


def test_addresses_of_other_events_and_people_are_404(world, event):
    registration = register(event, "Erika Muster")
    other = make_event(world.organisation, title="Andere")
    client = world.client("org_admin")
    wrong_event = reverse("backoffice:event_checkin_person", kwargs={
        "org_slug": world.organisation.slug, "event_pk": other.pk, "manage_token": registration.manage_token})  # fmt: skip
    assert client.get(wrong_event).status_code == 404
    assert client.post(wrong_event, {"action": "checkin"}).status_code == 404
    assert (
        client.post(checkin_page(other), {"registration_pk": registration.pk, "action": "checkin"}).status_code == 404
    )
    assert world.client("other_org_admin").get(checkin.checkin_path(registration)).status_code == 404
    assert world.client("citizen").post(checkin.checkin_path(registration), {"action": "checkin"}).status_code == 404
    registration.refresh_from_db()
    assert registration.checked_in_at is None
