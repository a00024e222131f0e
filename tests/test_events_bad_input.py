"""Bad input to events: every refusal is a clear German message at the field it concerns (or, where no form is
left to fill in, on the page the person lands on), and nothing is half-saved – no registration, no place taken, no
changed event, no audit entry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from mitwirken.core.audit import AuditEntry
from mitwirken.events.models import CapacityCategory, Event, Question, Registration, RegistrationStatus, Status
from mitwirken.events.services import registration as service

from .conftest import login
from .dialogue_helpers import OLD, page_text, post_with_proof_of_work
from .event_fixtures import make_event
from .factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def detail_url(event: Event) -> str:
    return reverse("events:detail", kwargs={"org_slug": event.organisation.slug, "event_slug": event.slug})


def register_url(event: Event) -> str:
    return reverse("events:register", kwargs={"org_slug": event.organisation.slug, "event_slug": event.slug})


def backoffice(name: str, event: Event, **kwargs: Any) -> str:
    return reverse(f"backoffice:{name}", kwargs={"org_slug": event.organisation.slug, "event_pk": event.pk, **kwargs})


def taken(event: Event) -> list[int]:
    return list(CapacityCategory.objects.filter(event=event).order_by("pk").values_list("taken", flat=True))


def field_errors(response: Any, form: str = "form") -> dict[str, list[str]]:
    assert response.status_code == 200, response.status_code
    return {name: [str(e) for e in errors] for name, errors in response.context[form].errors.items()}


def flashed(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def person() -> Client:
    return login(Client(), UserFactory(date_joined=OLD))  # an established account: no proof of work


# --- the back office --------------------------------------------------------------------------------------------


def test_end_before_start_on_edit_is_refused_at_the_field_and_the_event_stays(world: Any) -> None:
    event = make_event(world.organisation, venue_name="Bürgerhaus")
    before = (event.start, event.end, event.sequence)
    start = timezone.localtime(event.start)
    data = {
        "title": event.title, "slug": event.slug, "description": "", "project": "", "category": "",
        "start": start.strftime("%Y-%m-%dT%H:%M"), "end": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "kind": "in_person", "online_url": "", "online_link_minutes": "30", "venue_name": "Bürgerhaus",
        "address": "", "room": "", "lat": "", "lon": "", "registration": "open", "registration_deadline": "",
        "max_companions": "0", "hold_minutes": "30", "offer_hours": "48", "reminders_other": "",
    }  # fmt: skip
    response = world.client("org_admin").post(backoffice("event_edit", event), data)
    assert field_errors(response)["end"] == ["Das Ende muss nach dem Beginn liegen."]
    assert 'href="#id_end"' in page_text(response) or 'aria-invalid="true"' in page_text(response)
    event.refresh_from_db()
    assert (event.start, event.end, event.sequence) == before
    assert not AuditEntry.objects.filter(action__startswith="events.").exists()


def test_capacity_below_the_places_taken_is_refused_at_the_field(world: Any) -> None:
    event = make_event(world.organisation, capacity=5, max_companions=1)
    capacity = event.capacities.get()
    service.register(event=event, capacity=capacity, name="A", email="a@example.org", user=UserFactory(),
                     companions=1)  # fmt: skip
    service.register(event=event, capacity=capacity, name="B", email="b@example.org")  # an unconfirmed hold counts
    response = world.client("org_admin").post(backoffice("event_capacities", event), {
        "action": "save", "capacity_pk": capacity.pk, f"c{capacity.pk}-name": "Neuer Name",
        f"c{capacity.pk}-capacity": "2",
    })  # fmt: skip
    errors = response.context["rows"][0][1].errors
    assert errors["capacity"] == ["In diesem Kontingent sind schon 3 Plätze vergeben (angemeldet, reserviert oder "
                                  "angeboten). Es kann nicht weniger Plätze haben."]  # fmt: skip
    capacity.refresh_from_db()
    assert (capacity.name, capacity.capacity, capacity.taken) == ("Vor Ort", 5, 3)  # the name did not change either
    assert not AuditEntry.objects.filter(action__startswith="events.capacity").exists()


# --- registering ----------------------------------------------------------------------------------------------------


def test_registration_after_the_deadline_says_so() -> None:
    event = make_event(OrganisationFactory(), registration_deadline=timezone.now() + timedelta(hours=1))
    client = person()
    assert client.get(register_url(event)).status_code == 200  # the form, before the deadline
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        response = client.post(register_url(event), {"name": "Zu Spät"})
    assert response.status_code == 302 and response["Location"] == detail_url(event)
    assert flashed(response) == ["Der Anmeldeschluss ist vorbei."]
    assert not Registration.objects.exists() and taken(event) == [0]


def test_registration_for_a_cancelled_event_says_so() -> None:
    event = make_event(OrganisationFactory(), status=Status.CANCELLED, status_reason="Saal gesperrt")
    response = person().post(register_url(event), {"name": "Erika"})
    assert response.status_code == 302
    assert flashed(response) == ["Diese Veranstaltung ist abgesagt. Eine Anmeldung ist nicht möglich."]
    assert not Registration.objects.exists() and taken(event) == [0]


def test_second_registration_with_the_same_address_is_refused_at_the_email_field() -> None:
    event = make_event(OrganisationFactory(), capacity=5)
    data = {"name": "Erika Muster", "email": "erika@example.org"}
    assert post_with_proof_of_work(Client(), register_url(event), data).status_code == 302
    response = post_with_proof_of_work(Client(), register_url(event), {**data, "email": " Erika@Example.org "})
    assert field_errors(response)["email"] == [
        "Mit dieser E-Mail-Adresse ist bereits eine Anmeldung zu dieser Veranstaltung eingegangen. Über den Link in "
        "Ihrer E-Mail können Sie sie ansehen und ändern."
    ]
    assert 'href="#id_email"' in page_text(response)
    assert Registration.objects.count() == 1 and taken(event) == [1]


def test_too_many_companions_are_refused_at_the_field() -> None:
    event = make_event(OrganisationFactory(), capacity=10, max_companions=2)
    response = person().post(register_url(event), {"name": "Erika", "companions": "3"})
    assert field_errors(response)["companions"] == ["Bitte melden Sie höchstens 2 Begleitpersonen an."]
    response = person().post(register_url(event), {"name": "Erika", "companions": "-1"})
    assert field_errors(response)["companions"] == ["Bitte melden Sie höchstens 2 Begleitpersonen an."]
    without = make_event(event.organisation, title="Ohne Begleitung", capacity=10)
    with pytest.raises(ValidationError) as error:
        service.register(event=without, capacity=without.capacities.get(), name="E", email="e@example.org",
                         companions=1)  # fmt: skip
    assert error.value.message_dict == {"companions": ["Begleitpersonen sind bei dieser Veranstaltung nicht "
                                                       "vorgesehen."]}  # fmt: skip
    assert not Registration.objects.exists() and taken(event) == [0] and taken(without) == [0]


def test_missing_and_invalid_answers_are_refused_at_each_question() -> None:
    event = make_event(OrganisationFactory(), capacity=10)
    Question.objects.create(event=event, code="essen", type="single", text="Essen", required=True,
                            options=[["veg", "Vegetarisch"], ["alles", "Alles"]])  # fmt: skip
    Question.objects.create(event=event, code="themen", type="multiple", text="Themen",
                            options=[["verkehr", "Verkehr"], ["gruen", "Grün"]])  # fmt: skip
    Question.objects.create(event=event, code="foto", type="yes_no", text="Fotos erlaubt?", required=True)
    Question.objects.create(event=event, code="name2", type="short_text", text="Name auf dem Schild")
    response = person().post(register_url(event), {
        "name": "Erika", "q-essen": "fisch", "q-themen": ["verkehr", "erfunden"], "q-name2": "x" * 301,
    })  # fmt: skip
    assert response.status_code == 200
    errors = {item.code: item.error for item in response.context["form"].items}
    assert errors == {
        "essen": "Bitte wählen Sie eine der angebotenen Antworten.",
        "themen": "Bitte wählen Sie nur unter den angebotenen Antworten.",
        "foto": "Bitte beantworten Sie diese Frage.",
        "name2": "Bitte antworten Sie mit höchstens 300 Zeichen (jetzt 301).",
    }
    text = page_text(response)
    assert 'href="#frage-essen"' in text and 'href="#q-name2"' in text  # the summary links to each question
    assert 'value="verkehr" id="q-themen-1" checked aria-invalid="true"' in text  # what was chosen stays chosen
    assert not Registration.objects.exists() and taken(event) == [0]


def test_forged_capacity_of_another_event_is_refused_at_the_field() -> None:
    event = make_event(OrganisationFactory(), capacity=10, kind="hybrid", online_url="https://x.example.org")
    CapacityCategory.objects.create(event=event, name="Online", capacity=10, position=1)
    other = make_event(OrganisationFactory(), title="Fremd", capacity=10)
    foreign = other.capacities.get()
    for value in (str(foreign.pk), "kaputt", ""):
        response = person().post(register_url(event), {"name": "Erika", "capacity": value})
        assert field_errors(response)["capacity"] == ["Bitte wählen Sie eines der angebotenen Kontingente."], value
    with pytest.raises(ValidationError) as error:
        service.register(event=event, capacity=foreign, name="E", email="e@example.org")
    assert error.value.message_dict == {"capacity": ["Bitte wählen Sie eines der angebotenen Kontingente."]}
    assert not Registration.objects.exists() and taken(event) == [0, 0] and taken(other) == [0]


# --- links by e-mail ----------------------------------------------------------------------------------------------


def test_expired_confirmation_link_gives_the_place_back() -> None:
    event = make_event(OrganisationFactory(), capacity=1, hold_minutes=30)
    registration = service.register(event=event, capacity=event.capacities.get(), name="A", email="a@example.org")
    assert taken(event) == [1]
    url = reverse("events:confirm", kwargs={"token": registration.manage_token})
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        text = page_text(Client().post(url))
    assert "Dieser Bestätigungslink ist abgelaufen; der Platz wurde wieder freigegeben." in text
    assert 'role="alert"' in text
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.EXPIRED and taken(event) == [0]


def test_expired_offer_link_says_so_and_the_place_goes_on() -> None:
    event = make_event(OrganisationFactory(), capacity=1, offer_hours=2)
    users = [UserFactory() for _ in range(3)]
    first, second, third = (
        service.register(event=event, capacity=event.capacities.get(), name=f"P{n}", email=user.email, user=user)
        for n, user in enumerate(users)
    )  # fmt: skip
    service.cancel(first)
    second.refresh_from_db()
    assert second.status == RegistrationStatus.OFFERED
    url = reverse("events:accept_offer", kwargs={"token": second.manage_token})
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        assert "Die Frist zum Annehmen ist abgelaufen" in page_text(Client().get(url))
        text = page_text(Client().post(url))
    assert "Die Frist zum Bestätigen ist abgelaufen; der Platz ging an die nächste Person." in text
    second.refresh_from_db(), third.refresh_from_db()
    assert second.status == RegistrationStatus.EXPIRED and third.status == RegistrationStatus.OFFERED
    assert taken(event) == [1]


def test_forged_registration_tokens_are_404_and_change_nothing(world: Any) -> None:
    event = make_event(world.organisation, capacity=2)
    registration = service.register(event=event, capacity=event.capacities.get(), name="A", email="a@example.org",
                                    user=UserFactory())  # fmt: skip
    forged = [registration.manage_token[:-2] + "zz", registration.manage_token.upper(), "' OR 1=1 --", "a" * 200]
    for token in forged:
        for name in ("manage", "confirm", "accept_offer", "cancel"):
            try:
                url = reverse(f"events:{name}", kwargs={"token": token})
            except NoReverseMatch:  # not even a URL (the token is a slug): the router refuses it with a 404
                assert Client().get(f"/veranstaltungen/anmeldung/{token}/").status_code == 404
                continue
            assert Client().post(url, {"confirm": "on", "companions": "0"}).status_code == 404, (name, token)
        checkin = f"/verwaltung/{world.organisation.slug}/veranstaltungen/{event.pk}/einchecken/{token}/"
        assert world.client("case_worker").post(checkin, {"action": "checkin"}).status_code == 404, token
    # The check-in at the door with a registration id of another event: 404 as well.
    other = make_event(world.organisation, title="Andere", capacity=2)
    foreign = service.register(event=other, capacity=other.capacities.get(), name="B", email="b@example.org",
                               user=UserFactory())  # fmt: skip
    response = world.client("case_worker").post(backoffice("event_checkin", event),
                                                {"action": "checkin", "registration_pk": foreign.pk})  # fmt: skip
    assert response.status_code == 404
    registration.refresh_from_db(), foreign.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED and registration.checked_in_at is None
    assert foreign.checked_in_at is None and taken(event) == [1]
