"""The trust level of the login (Vertrauensniveau) for taking part in an engagement opportunity.

A permission matrix over personas (anonymous, a volunteer whose login has level 0, 2, 3 or 4, the organisation's
coordinator at level 0 and 3) x the opportunity's requirement (0, 2, 3) x its state (draft, published, filled),
for applying (rule ``volunteering.apply`` and the application page, GET and POST) and, where no application is
needed, for signing up for a shift (rule ``volunteering.sign_up`` and its endpoint); what the application records;
the confirmation the volunteer gets; the coordinators' list and detail (with constant query counts); setting the
requirement in the coordinators' opportunity form (audited). And the application for a recognition (the
Ehrenamtskarte), whose requirement the Börse sets: personas x requirement x whether the hours qualify.
"""

from __future__ import annotations

from typing import Any

import pytest
import rules
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mitwirken.core.audit import AuditEntry
from mitwirken.volunteering.models import Application, CardApplication, OpportunityStatus, ShiftSignup

from .assurance_helpers import login_at as in_request_of
from .assurance_helpers import with_level as set_login_level
from .conftest import login
from .dialogue_helpers import flash_messages, page_text
from .test_volunteering_planning import opportunity_data, url
from .test_volunteering_recognitions import qualifying
from .volunteering_fixtures import VolunteeringWorld, make_opportunity, make_shift, make_volunteer, volunteering_world

pytestmark = pytest.mark.django_db

SUBSTANTIELL = "Identität bestätigt über BundID, Vertrauensniveau substantiell"
# persona -> (the organisation's coordinator, the login's trust level; None = not signed in)
PERSONAS = {
    "anonymous": (False, None), "volunteer_0": (False, 0), "volunteer_2": (False, 2), "volunteer_3": (False, 3),
    "volunteer_4": (False, 4), "coordinator_0": (True, 0), "coordinator_3": (True, 3),
}  # fmt: skip
STATES = [OpportunityStatus.DRAFT, OpportunityStatus.PUBLISHED, OpportunityStatus.FILLED]


@pytest.fixture
def vw(world: Any) -> VolunteeringWorld:
    return volunteering_world(world)


def persona(vw: VolunteeringWorld, name: str) -> tuple[Any, Client]:
    coordinator, level = PERSONAS[name]
    if level is None:
        return AnonymousUser(), Client()
    user = vw.coordinator if coordinator else make_volunteer(f"{name}@example.org")
    return user, set_login_level(login(Client(), user), level)


def allowed(name: str, required: int, state: str) -> bool:
    _coordinator, level = PERSONAS[name]
    return level is not None and state == OpportunityStatus.PUBLISHED and level >= required


def step_up(required: int) -> str:
    return reverse("saml:login", args=["bundid"]) + f"?level={required}"


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("required", [0, 2, 3])
@pytest.mark.parametrize("name", list(PERSONAS))
def test_apply_matrix_rule_and_endpoint(vw: VolunteeringWorld, name: str, required: int, state: str) -> None:
    opportunity = make_opportunity(vw.club, "Hausaufgabenhilfe", status=state, min_assurance_level=required)
    user, client = persona(vw, name)
    coordinator, level = PERSONAS[name]
    expected = allowed(name, required, state)
    with in_request_of(user, level or 0):
        assert rules.has_perm("volunteering.apply", user, opportunity) is expected
    url = reverse("volunteering:apply", kwargs={"pk": opportunity.pk})
    response = client.post(url, {"message": "Ich helfe gern montags."})
    if expected:
        application = Application.objects.get(opportunity=opportunity)
        assert response.status_code == 302 and response["Location"] == reverse(
            "volunteering:my_application", kwargs={"pk": application.pk}
        )
        assert (application.assurance_level, application.identity_provider) == (level, "bundid" if level else "")
        return
    assert not Application.objects.filter(opportunity=opportunity).exists()
    if level is None:
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif state == OpportunityStatus.DRAFT and not coordinator:
        assert response.status_code == 404
    elif state != OpportunityStatus.PUBLISHED:
        assert response.status_code == 200 and "keine Bewerbungen mehr möglich" in page_text(response)
    else:
        # Published, only the trust level is missing: the refusal and the way to BundID, not a bare 403.
        text = page_text(response)
        assert response.status_code == 403
        assert "Ihre Bewerbung wurde nicht gespeichert" in text and step_up(required) in text
        page = client.get(url)
        assert page.status_code == 403 and step_up(required) in page_text(page)
        assert 'name="message"' not in page_text(page)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("required", [0, 2, 3])
@pytest.mark.parametrize("name", list(PERSONAS))
def test_shift_sign_up_without_application_matrix(vw: VolunteeringWorld, name: str, required: int, state: str) -> None:
    opportunity = make_opportunity(vw.club, "Kuchenbasar", status=state, min_assurance_level=required,
                                   application_required=False)  # fmt: skip
    shift = make_shift(opportunity)
    user, client = persona(vw, name)
    coordinator, level = PERSONAS[name]
    expected = allowed(name, required, state)
    with in_request_of(user, level or 0):
        assert rules.has_perm("volunteering.sign_up", user, opportunity) is expected
    response = client.post(reverse("volunteering:shift_sign_up", kwargs={"pk": shift.pk}))
    saved = ShiftSignup.objects.filter(shift=shift).exists()
    assert saved is expected
    if level is None:
        assert response.status_code in (302, 404)
        return
    if state == OpportunityStatus.DRAFT and not coordinator:
        assert response.status_code == 404
        return
    assert response.status_code == 302
    refusal = "Sie wurden nicht eingetragen"
    assert any(refusal in text for text in flash_messages(response)) is (
        state == OpportunityStatus.PUBLISHED and not expected
    )
    if state == OpportunityStatus.PUBLISHED and not expected:
        listing = page_text(client.get(reverse("volunteering:shifts", kwargs={"pk": opportunity.pk})))
        assert step_up(required) in listing and "Mit BundID anmelden" in listing


def test_with_an_application_the_shifts_ask_no_second_bundid_login(vw: VolunteeringWorld) -> None:
    """The identity was checked when applying and the coordinators accepted the person."""
    opportunity = make_opportunity(vw.club, "Tafel", min_assurance_level=3)
    volunteer = make_volunteer("angenommen@example.org")
    Application.objects.create(opportunity=opportunity, volunteer=volunteer, status="accepted", assurance_level=3)
    shift = make_shift(opportunity)
    client = set_login_level(login(Client(), volunteer), 0)
    client.post(reverse("volunteering:shift_sign_up", kwargs={"pk": shift.pk}))
    assert ShiftSignup.objects.filter(shift=shift, volunteer=volunteer).exists()


def test_opportunity_page_shows_the_requirement_near_apply(vw: VolunteeringWorld) -> None:
    opportunity = make_opportunity(vw.club, "Lesepate", min_assurance_level=3)
    client = set_login_level(login(Client(), vw.volunteer), 0)
    text = page_text(client.get(opportunity.get_absolute_url()))
    assert "Vertrauensniveau „substantiell“" in text and step_up(3) in text and "Jetzt bewerben" in text
    set_login_level(client, 3)
    text = page_text(client.get(opportunity.get_absolute_url()))
    assert "Sie sind mit dem Vertrauensniveau „substantiell“ angemeldet." in text and step_up(3) not in text
    # Without a requirement nothing is said about BundID.
    plain = make_opportunity(vw.club, "Vorleser")
    assert "BundID" not in page_text(client.get(plain.get_absolute_url()))


def test_confirmation_and_coordinator_pages_state_the_identity(vw: VolunteeringWorld) -> None:
    opportunity = make_opportunity(vw.club, "Lesepate", min_assurance_level=3)
    client = set_login_level(login(Client(), vw.volunteer), 3)
    response = client.post(reverse("volunteering:apply", kwargs={"pk": opportunity.pk}), {"message": "Gern."})
    assert any(SUBSTANTIELL in text for text in flash_messages(response))
    application = Application.objects.get()
    assert SUBSTANTIELL in page_text(client.get(response["Location"]))
    coordinator = login(Client(), vw.coordinator)
    kwargs = {"org_slug": vw.club.slug}
    assert SUBSTANTIELL in page_text(coordinator.get(reverse("volunteering:coordinator_applications", kwargs=kwargs)))
    detail = page_text(coordinator.get(reverse("volunteering:coordinator_application",
                                               kwargs={**kwargs, "pk": application.pk})))  # fmt: skip
    assert SUBSTANTIELL in detail
    unverified = make_opportunity(vw.club, "Ohne BundID")
    Application.objects.create(opportunity=unverified, volunteer=vw.other_volunteer, message="Hallo")
    detail = page_text(coordinator.get(reverse("volunteering:coordinator_application", kwargs={
        **kwargs, "pk": Application.objects.get(opportunity=unverified).pk})))  # fmt: skip
    assert "Identität nicht bestätigt" in detail


def test_coordinator_list_stays_at_a_constant_number_of_queries_with_verified_applications(
    vw: VolunteeringWorld,
) -> None:
    client = login(Client(), vw.coordinator)
    url = reverse("volunteering:coordinator_applications", kwargs={"org_slug": vw.club.slug})
    counts = []
    for count in (5, 50):
        Application.objects.all().delete()
        Application.objects.bulk_create(
            Application(opportunity=make_opportunity(vw.club, f"Angebot {n}"), volunteer=vw.volunteer, message="Hi",
                        assurance_level=n % 5, identity_provider="bundid" if n % 5 else "")
            for n in range(count)
        )  # fmt: skip
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert "Vertrauensniveau hoch" in page_text(response)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_coordinators_set_the_requirement_and_the_change_is_audited(vw: VolunteeringWorld) -> None:
    client = login(Client(), vw.coordinator)
    edit = url("opportunity_edit", vw.club, opportunity_pk=vw.opportunity.pk)
    assert 'name="min_assurance_level"' in page_text(client.get(edit))
    response = client.post(edit, opportunity_data(min_assurance_level="3"))
    assert response.status_code == 302, page_text(response)
    vw.opportunity.refresh_from_db()
    assert vw.opportunity.min_assurance_level == 3
    entry = AuditEntry.objects.filter(action="volunteering.opportunity_changed").latest("created_at")
    assert entry.changes == {"min_assurance_level": [0, 3]}
    listing = page_text(client.get(url("coordinator_opportunities", vw.club)))
    assert "nur mit BundID (substantiell)" in listing
    # Without the field (an older form) the requirement is none, as before.
    client.post(edit, opportunity_data())
    vw.opportunity.refresh_from_db()
    assert vw.opportunity.min_assurance_level == 0


# --- the application for a recognition (Ehrenamtskarte): a requirement of the Börse ---------------------------------

CARD_PERSONAS = ["anonymous", "volunteer_0", "volunteer_2", "volunteer_3", "volunteer_4"]


def card_volunteer(vw: VolunteeringWorld, name: str) -> tuple[Any, Client]:
    """The volunteer of ``vw`` (whose hours may qualify) with that login, or nobody signed in."""
    level = PERSONAS[name][1]
    if level is None:
        return AnonymousUser(), Client()
    return vw.volunteer, set_login_level(login(Client(), vw.volunteer), level)


@pytest.mark.parametrize("eligible", [True, False], ids=["hours_enough", "hours_missing"])
@pytest.mark.parametrize("required", [0, 2, 3])
@pytest.mark.parametrize("name", CARD_PERSONAS)
def test_card_application_matrix(vw: VolunteeringWorld, name: str, required: int, eligible: bool) -> None:
    vw.exchange.card_min_assurance_level = required
    vw.exchange.save()
    if eligible:
        qualifying(vw)
    user, client = card_volunteer(vw, name)
    level = PERSONAS[name][1]
    meets = level is not None and level >= required
    with in_request_of(user, level or 0):
        assert rules.has_perm("volunteering.prepare_card", user, vw.exchange) is meets
    with time_machine.travel("2026-12-06 12:00 +01:00", tick=False):
        response = client.post(reverse("volunteering:prepare_card", kwargs={"key": "ehrenamtskarte"}))
        hours_page = page_text(client.get(reverse("volunteering:my_hours"))) if level is not None else ""
    assert response.status_code == 302
    if level is None:
        assert "/login/" in response["Location"] and not CardApplication.objects.exists()
        return
    created = CardApplication.objects.filter(volunteer=vw.volunteer).first()
    assert (created is not None) is (eligible and meets)
    if created is not None:
        assert (created.assurance_level, created.identity_provider) == (level, "bundid" if level else "")
    refused = any("Der Antrag wurde nicht angelegt" in text for text in flash_messages(response))
    assert refused is (eligible and not meets)
    if eligible and not meets:
        assert step_up(required) in hours_page  # the way to BundID, right above the button


def test_the_boerse_sets_the_card_requirement_and_the_change_is_audited(vw: VolunteeringWorld, world: Any) -> None:
    client = world.client("case_worker")
    home = reverse("backoffice:volunteering", kwargs={"org_slug": world.organisation.slug})
    assert 'name="card_min_assurance_level"' in page_text(client.get(home))
    response = client.post(home, {"active": "on", "issues_card": "on", "card_min_assurance_level": "3"})
    assert response.status_code == 302
    vw.exchange.refresh_from_db()
    assert vw.exchange.card_min_assurance_level == 3
    entry = AuditEntry.objects.filter(action="volunteering.exchange_changed").latest("created_at")
    assert entry.changes["card_min_assurance_level"] == 3


def test_the_boerse_sees_the_identity_of_a_card_application(vw: VolunteeringWorld, world: Any) -> None:
    qualifying(vw)
    client = set_login_level(login(Client(), vw.volunteer), 3)
    with time_machine.travel("2026-12-06 12:00 +01:00", tick=False):
        response = client.post(reverse("volunteering:prepare_card", kwargs={"key": "ehrenamtskarte"}))
        assert any(SUBSTANTIELL in text for text in flash_messages(response))
        assert SUBSTANTIELL in page_text(client.get(reverse("volunteering:my_hours")))
    url = reverse("backoffice:volunteering_cards", kwargs={"org_slug": world.organisation.slug})
    assert SUBSTANTIELL in page_text(world.client("case_worker").get(url, {"alle": "1"}))


def test_a_full_shift_and_a_swap_ask_the_same_level(vw: VolunteeringWorld) -> None:
    """The waiting list and taking over a place offered for swapping are sign-ups too (no application needed)."""
    opportunity = make_opportunity(vw.club, "Kuchenbasar", min_assurance_level=3, application_required=False)
    shift = make_shift(opportunity, max_helpers=1)
    holder = make_volunteer("inhaberin@example.org")
    ShiftSignup.objects.create(shift=shift, volunteer=holder, status="confirmed", swap_offered=True)
    type(shift).objects.filter(pk=shift.pk).update(taken=1)
    offer = ShiftSignup.objects.get(volunteer=holder)
    low, high = make_volunteer("niedrig@example.org"), make_volunteer("hoch@example.org")
    low_client, high_client = set_login_level(login(Client(), low), 2), set_login_level(login(Client(), high), 3)
    sign_up = reverse("volunteering:shift_sign_up", kwargs={"pk": shift.pk})
    take = reverse("volunteering:shift_take_swap", kwargs={"pk": offer.pk})
    for action in (sign_up, take):
        response = low_client.post(action)
        assert any("Sie wurden nicht eingetragen" in text for text in flash_messages(response))
    assert not ShiftSignup.objects.filter(volunteer=low).exists()
    high_client.post(sign_up)
    assert ShiftSignup.objects.get(volunteer=high, shift=shift).status == "waiting"
    ShiftSignup.objects.filter(volunteer=high).delete()
    high_client.post(take)
    assert ShiftSignup.objects.get(volunteer=high, shift=shift).status == "confirmed"
    offer.refresh_from_db()
    assert offer.status == "cancelled"
