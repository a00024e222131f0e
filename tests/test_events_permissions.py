"""Permission matrix of events: persona × event status × what they try.

Personas: anonymous, a registered person (a confirmed registration of their own), another signed-in person (not
registered), staff of the organising organisation, staff of another organisation. Statuses: draft, published,
cancelled. Attempts: the event page, the online link (on the event page and, for the registered person, on their
own manage page, before and inside its time window), registering, someone else's manage page (a token that is
not theirs), and the staff pages (participant list as PDF and XLSX, check-in, registrations list).

The expected outcome of every cell comes from ``expected`` below, the rule in words. A draft never has
registrations (registering needs a published event, and published events never return to draft), so the
"registered" persona is only registered for the published and the cancelled event.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mitwirken.events.models import Event, Registration, RegistrationStatus, Status

from .dialogue_helpers import challenge_in, established, page_text, solve_altcha
from .event_fixtures import make_event
from .factories import UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "registered", "citizen", "case_worker", "other_org_admin"]
STATUSES = [Status.DRAFT, Status.PUBLISHED, Status.CANCELLED]
STAFF_PAGES = ["participants_pdf", "participants_xlsx", "checkin", "registrations"]
ATTEMPTS = ["page", "online_early", "online_window", "register", "foreign_manage", *STAFF_PAGES]
ONLINE_URL = "https://konferenz.example.org/raum-4711"
LINK_MINUTES = 30

OK, HIDDEN, LOGIN = "ok", "hidden", "login"  # pages: 200, 404, redirect to the login
SHOWN, LATER, NO_LINK = "shown", "later", "no_link"  # the online link
REGISTERED, ALREADY, CLOSED = "registered", "already", "closed"  # registering


def expected(persona: str, status: str, attempt: str) -> str:
    """What happens when ``persona`` tries ``attempt`` on an event with ``status``."""
    staff = persona == "case_worker"
    registered = persona == "registered" and status != Status.DRAFT
    if attempt in STAFF_PAGES:
        # The back office: the organisation's staff only; anonymous visitors are sent to log in, everyone else
        # (another organisation's staff too) gets a 404, so nobody learns the event exists.
        return OK if staff else LOGIN if persona == "anonymous" else HIDDEN
    if attempt == "foreign_manage":
        return HIDDEN  # a registration is reached by its secret token only; a wrong one is a 404 for everyone
    if status == Status.DRAFT and not staff:
        return HIDDEN  # drafts are the organisation's staff's
    if attempt == "page":
        return OK
    if attempt in ("online_early", "online_window"):
        # Only to people with a confirmed registration, only from the set time, never for a cancelled event.
        if not registered or status != Status.PUBLISHED:
            return NO_LINK
        return SHOWN if attempt == "online_window" else LATER
    if attempt == "register":
        if status != Status.PUBLISHED:
            return CLOSED
        return ALREADY if registered else REGISTERED
    raise AssertionError(attempt)


def test_the_rule_has_every_kind_of_cell() -> None:
    cells = {expected(p, s, a) for p in PERSONAS for s in STATUSES for a in ATTEMPTS}
    assert cells == {OK, HIDDEN, LOGIN, SHOWN, LATER, NO_LINK, REGISTERED, ALREADY, CLOSED}
    assert expected("registered", Status.PUBLISHED, "online_window") == SHOWN
    assert expected("case_worker", Status.PUBLISHED, "online_window") == NO_LINK  # staff are not registered
    assert expected("other_org_admin", Status.DRAFT, "page") == HIDDEN


# --- checking one cell ----------------------------------------------------------------------------------------------


def detail_url(event: Event) -> str:
    return reverse("events:detail", kwargs={"org_slug": event.organisation.slug, "event_slug": event.slug})


def register_url(event: Event) -> str:
    return reverse("events:register", kwargs={"org_slug": event.organisation.slug, "event_slug": event.slug})


def staff_url(attempt: str, event: Event) -> str:
    kwargs: dict[str, Any] = {"org_slug": event.organisation.slug, "event_pk": event.pk}
    name = {"checkin": "event_checkin", "registrations": "event_registrations"}.get(attempt, "event_participants")
    if attempt.startswith("participants_"):
        kwargs["file_format"] = attempt.removeprefix("participants_")
    return reverse(f"backoffice:{name}", kwargs=kwargs)


def page_outcome(response: Any) -> str:
    if response.status_code == 200:
        return OK
    if response.status_code == 404:
        return HIDDEN
    if response.status_code == 302 and "/login" in response["Location"]:
        return LOGIN
    return f"status {response.status_code}"


def link_outcome(response: Any) -> str:
    if response.status_code != 200:
        return page_outcome(response)
    text = page_text(response)
    if ONLINE_URL in text:
        return SHOWN
    return LATER if "Der Link zur Online-Teilnahme erscheint hier am" in text else NO_LINK


def foreign_manage_outcome(client: Client, own: Registration | None) -> str:
    """Someone else's registration, reached with a token that is not theirs (forged, or theirs changed by a
    character): the manage, confirm, accept and cancel pages, by GET and POST, are all 404 and change nothing."""
    tokens = ["x" * 32] + ([own.manage_token[:-1] + ("A" if own.manage_token[-1] != "A" else "B")] if own else [])
    outcomes = set()
    for token in tokens:
        for name in ("manage", "confirm", "accept_offer", "cancel"):
            url = reverse(f"events:{name}", kwargs={"token": token})
            outcomes |= {page_outcome(client.get(url)), page_outcome(client.post(url, {"confirm": "on"}))}
    if own is not None and Registration.objects.get(pk=own.pk).status != own.status:
        return "the registration changed"
    return outcomes.pop() if len(outcomes) == 1 else str(sorted(outcomes))


def registrations_of(event: Event, email: str) -> list[str]:
    return list(Registration.objects.filter(event=event, email=email).values_list("status", flat=True))


def register_outcome(client: Client, event: Event, email: str) -> str:
    """Post the registration form as a browser would (solving the proof of work if the form asks for it)."""
    data = {"name": "Eine Person", "email": email}
    form = client.get(register_url(event))
    if form.status_code == 200 and "data-altcha-challenge" in form.content.decode():
        data["altcha"] = solve_altcha(challenge_in(form.content.decode()))
    before = registrations_of(event, email)
    response = client.post(register_url(event), data)
    after = registrations_of(event, email)
    if response.status_code == 404:
        outcome = HIDDEN
    elif response.status_code != 302:
        return f"status {response.status_code}"
    elif response["Location"].endswith("/angemeldet/"):
        outcome = REGISTERED
    elif "/veranstaltungen/anmeldung/" in response["Location"]:
        outcome = ALREADY
    elif response["Location"] == detail_url(event):
        outcome = CLOSED
    else:
        return f"redirect to {response['Location']}"
    if len(after) != len(before) + (outcome == REGISTERED):
        return f"{outcome}, but registrations went from {before} to {after}"
    return outcome


@pytest.fixture
def events(world: Any) -> dict[str, Event]:
    """One hybrid event per status, starting in three days; the registered person's confirmed registrations."""
    person = world.personas["registered"] = UserFactory(email="registered@example.org", display_name="Rita Registriert")
    established(*world.personas.values())  # accounts skip the proof of work; anonymous visitors solve it
    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    made = {}
    for status in STATUSES:
        event = make_event(world.organisation, title=f"Abend {status}", capacity=50, status=status, kind="hybrid",
                           venue_name="Bürgerhaus", online_url=ONLINE_URL, online_link_minutes=LINK_MINUTES,
                           start=start)  # fmt: skip
        if status != Status.DRAFT:
            capacity = event.capacities.get()
            Registration.objects.create(event=event, capacity=capacity, user=person, name=person.display_name,
                                        email=person.email, status=RegistrationStatus.CONFIRMED)  # fmt: skip
            capacity.taken = 1
            capacity.save()
        made[status] = event
    return made


def test_permission_matrix(world: Any, events: dict[str, Event]) -> None:
    wrong: list[str] = []
    emails = {persona: getattr(world.personas.get(persona), "email", f"{persona}@example.org") for persona in PERSONAS}
    for status, event in events.items():
        own = Registration.objects.filter(event=event, user=world.personas["registered"]).first()
        for persona in PERSONAS:
            client = world.client(persona)
            got: dict[str, str] = {}
            got["page"] = page_outcome(client.get(detail_url(event)))
            got["online_early"] = link_outcome(client.get(detail_url(event)))
            got["foreign_manage"] = foreign_manage_outcome(client, own)
            # Knowing someone's event page does not lead to their registration: the page never shows its token.
            page = client.get(detail_url(event)).content.decode()
            if persona != "registered" and own is not None and own.manage_token in page:
                wrong.append(f"{status}/{persona}: the registered person's token is on the page")
            for attempt in STAFF_PAGES:
                got[attempt] = page_outcome(client.get(staff_url(attempt, event)))
            with time_machine.travel(event.start - timedelta(minutes=LINK_MINUTES - 5)):
                got["online_window"] = link_outcome(client.get(detail_url(event)))
            if persona == "registered" and own is not None:
                # Their own manage page follows the same rule as the event page.
                manage = reverse("events:manage", kwargs={"token": own.manage_token})
                if link_outcome(client.get(manage)) != got["online_early"]:
                    wrong.append(f"{status}/{persona}: manage page and event page disagree on the link (early)")
                with time_machine.travel(event.start - timedelta(minutes=LINK_MINUTES - 5)):
                    if link_outcome(client.get(manage)) != got["online_window"]:
                        wrong.append(f"{status}/{persona}: manage page and event page disagree on the link (window)")
            if persona != "registered":  # nowhere else before they register: not on the page, not in the form
                for url in (detail_url(event), register_url(event)):
                    with time_machine.travel(event.start - timedelta(minutes=5)):
                        if ONLINE_URL in client.get(url).content.decode():
                            wrong.append(f"{status}/{persona}: the online link leaks on {url}")
            got["register"] = register_outcome(client, event, emails[persona])
            for attempt in ATTEMPTS:
                want = expected(persona, status, attempt)
                if got[attempt] != want:
                    wrong.append(f"{status}/{persona}/{attempt}: expected {want}, got {got[attempt]}")
    assert not wrong, "\n".join(wrong)


# --- a protected project ---------------------------------------------------------------------------------------------


def test_event_in_a_protected_project_is_404_to_outsiders(world: Any) -> None:
    event = make_event(world.organisation, title="Werkstatt", project=world.protected, capacity=20)
    Event.objects.filter(pk=event.pk).update(project_visible=False)
    established(*world.personas.values())
    ics = reverse("events:ics", kwargs={"org_slug": event.organisation.slug, "event_slug": event.slug})
    for persona in ("anonymous", "citizen", "other_org_admin"):
        client = world.client(persona)
        for url in (detail_url(event), register_url(event), ics):
            assert client.get(url).status_code == 404, (persona, url)
        assert client.post(register_url(event), {"name": "X", "email": "x@example.org"}).status_code == 404, persona
        assert "Werkstatt" not in page_text(client.get("/veranstaltungen/")), persona
    assert not Registration.objects.exists()
    for persona in ("invited", "agency", "moderator", "case_worker", "org_admin"):
        assert world.client(persona).get(detail_url(event)).status_code == 200, persona
    invited = world.client("invited")
    assert register_outcome(invited, event, world.personas["invited"].email) == REGISTERED
    assert registrations_of(event, "invited@example.org") == [RegistrationStatus.CONFIRMED]
