"""Permission matrix of answering a survey: access mode (public, account, token) × the project's access mode
(public, semi-public, protected) × persona × phase (before, during, after).

The expected outcome comes from ``outcome`` below, the rule in words: who sees the project at all; that a
survey is answered only while its phase runs; that in a semi-public or protected project only invited people
answer (the project's protected mode on top of the survey's access mode); that an account survey needs an
account. Token holders in the matrix always bring a valid, unused code; the code's own rules have tests below.
Each cell is checked through the views: GET of page 1 and a full submission, with what is stored.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mitwirken.participation import services as participation
from mitwirken.projects.models import Phase
from mitwirken.surveys.models import Completion, Draft, Response, Token

from .conftest import PERSONAS
from .dialogue_helpers import established, flash_messages
from .survey_fixtures import make_survey
from .survey_helpers import (
    HOUSEHOLD_LAST,
    HOUSEHOLD_PAGE_1,
    answer_household,
    code_url,
    enter_code_url,
    page_url,
    post_page,
    start_url,
    text_of,
)

pytestmark = pytest.mark.django_db

SURVEY_ACCESS = ["public", "account", "token"]
PROJECT_ACCESS = ["public", "semipublic", "protected"]
PHASES = ["before", "during", "after"]

STAFF = {"case_worker", "org_admin", "portal_admin"}  # staff of the world's organisation (portal admin: of all)
MEMBERS = {"invited", "agency", "moderator"}  # members of the world's semi-public and protected projects

HIDDEN, CLOSED, LOGIN, NOT_INVITED, ANSWERS = "hidden", "closed", "login", "not_invited", "answers"
NOT_YET = "Die Umfrage beginnt am"
NOTICE = {
    CLOSED: "Antworten sind nicht mehr möglich.",  # after the phase; before it: NOT_YET
    LOGIN: "Bitte melden Sie sich an, um an dieser Umfrage teilzunehmen.",
    NOT_INVITED: "Diese Umfrage ist nur für eingeladene Personen.",
}


def outcome(persona: str, project_access: str, survey_access: str, phase: str) -> str:
    """What happens when ``persona`` opens the survey (with a valid code in a token survey)."""
    signed_in = persona != "anonymous"
    member = persona in MEMBERS and project_access != "public"
    if not (project_access in ("public", "semipublic") or member or persona in STAFF):
        return HIDDEN  # a protected project is invisible to outsiders
    if phase != "during":
        return CLOSED
    if project_access != "public" and not member:
        # Staff run the project but are not invited into it: they test with the preview, they don't answer.
        return NOT_INVITED if signed_in else LOGIN
    if survey_access == "account" and not signed_in:
        return LOGIN
    return ANSWERS


def test_outcome_rule_has_every_kind_of_cell() -> None:
    cells = {outcome(p, a, s, ph) for p in PERSONAS for a in PROJECT_ACCESS for s in SURVEY_ACCESS for ph in PHASES}
    assert cells == {HIDDEN, CLOSED, LOGIN, NOT_INVITED, ANSWERS}
    assert outcome("anonymous", "public", "public", "during") == ANSWERS
    assert outcome("citizen", "protected", "token", "during") == HIDDEN


@pytest.mark.parametrize("project_access", PROJECT_ACCESS)
@pytest.mark.parametrize("survey_access", SURVEY_ACCESS)
def test_permission_matrix(world: Any, survey_access: str, project_access: str) -> None:
    established(*world.personas.values())  # accounts skip the proof of work; anonymous visitors solve it
    project = getattr(world, project_access)
    wrong: list[str] = []
    for phase in PHASES:
        survey = make_survey(project, access=survey_access, when=phase)
        answered = 0
        for persona in PERSONAS:
            expected = outcome(persona, project_access, survey_access, phase)
            where = f"{phase}/{persona}: expected {expected}"
            client = world.client(persona)
            if survey_access == "token":
                token = Token.objects.create(survey=survey, email=f"{persona}@example.org")
                response = client.post(code_url(survey, token.code))
                if expected == HIDDEN:
                    if response.status_code != 404:
                        wrong.append(f"{where}, code link answered {response.status_code}")
                elif response.status_code != 302:
                    wrong.append(f"{where}, code link answered {response.status_code}")
            first = client.get(page_url(survey, 1))
            if expected == HIDDEN:
                if first.status_code != 404 or client.get(start_url(survey)).status_code != 404:
                    wrong.append(f"{where}, page 1 gave {first.status_code}")
            elif expected == ANSWERS:
                if first.status_code != 200 or 'id="frage-verkehrsmittel"' not in text_of(first):
                    wrong.append(f"{where}, page 1 gave {first.status_code}")
            else:
                notice = NOT_YET if expected == CLOSED and phase == "before" else NOTICE[expected]
                if first.status_code != 403 or notice not in text_of(first):
                    wrong.append(f"{where}, page 1 gave {first.status_code} without „{notice}“")
            # The full submission, posted whatever the page said.
            last = answer_household(client, survey)
            if expected == ANSWERS:
                answered += 1
                if last.status_code != 302 or not last["Location"].endswith("/danke/"):
                    wrong.append(f"{where}, submission gave {last.status_code}")
            elif last.status_code != (404 if expected == HIDDEN else 403):
                wrong.append(f"{where}, submission gave {last.status_code}")
            stored = Response.objects.filter(survey=survey).count()
            if stored != answered:
                wrong.append(f"{where}, {stored} responses stored, expected {answered}")
            if Draft.objects.filter(survey=survey).exists():
                wrong.append(f"{where}, a draft was left or written")
            if survey_access == "account" and persona != "anonymous":
                done = Completion.objects.filter(survey=survey, user=world.personas[persona]).exists()
                if done != (expected == ANSWERS):
                    wrong.append(f"{where}, completion recorded: {done}")
            if survey_access == "token":
                token.refresh_from_db()
                if token.used != (expected == ANSWERS):
                    wrong.append(f"{where}, token used: {token.used}")
        survey.refresh_from_db()
        if survey.response_count != answered:
            wrong.append(f"{phase}: response_count {survey.response_count}, expected {answered}")
    assert not wrong, f"{survey_access} survey in {project_access} project:\n" + "\n".join(wrong)


# --- personal codes -------------------------------------------------------------------------------------------


def test_token_survey_without_a_code_is_refused_and_asks_for_one(world: Any) -> None:
    survey = make_survey(world.public, access="token")
    established(world.personas["citizen"])
    for persona in ("anonymous", "citizen"):
        client = world.client(persona)
        response = client.get(page_url(survey, 1))
        assert response.status_code == 403
        assert "Für diese Umfrage brauchen Sie Ihren persönlichen Zugangscode." in text_of(response)
        assert 'name="code"' in text_of(client.get(start_url(survey)))
        assert client.post(page_url(survey, 1), HOUSEHOLD_PAGE_1).status_code == 403
    assert not Draft.objects.exists() and not Response.objects.exists()


def test_a_wrong_code_is_refused_with_a_message(world: Any) -> None:
    survey = make_survey(world.public, access="token")
    Token.objects.create(survey=survey)
    other = make_survey(world.public, access="token")
    foreign = Token.objects.create(survey=other)
    client = Client()
    for code in ("falsch", foreign.code, "x" * 41, ""):
        response = client.post(enter_code_url(survey), {"code": code})
        assert response["Location"] == start_url(survey)
        assert "Dieser Zugangscode ist nicht gültig." in " ".join(flash_messages(response))
        assert client.get(page_url(survey, 1)).status_code == 403


def test_a_used_code_is_refused_at_the_door_and_in_a_session_that_still_holds_it(world: Any) -> None:
    survey = make_survey(world.public, access="token")
    token = Token.objects.create(survey=survey, email="einmal@example.org")
    first, second = Client(), Client()
    assert first.post(enter_code_url(survey), {"code": f" {token.code} "})["Location"] == page_url(survey, 1)
    assert second.post(code_url(survey, token.code))["Location"] == page_url(survey, 1)  # both hold the code
    assert answer_household(first, survey)["Location"].endswith("/danke/")
    # The second browser entered the code before it was used: its pages and its submission are refused.
    response = second.get(page_url(survey, 1))
    assert response.status_code == 403
    assert "Mit diesem Zugangscode wurde die Umfrage bereits beantwortet." in text_of(response)
    assert answer_household(second, survey).status_code == 403
    # And nobody gets in with it again.
    third = Client()
    response = third.post(code_url(survey, token.code))
    assert response["Location"] == start_url(survey)
    assert "bereits beantwortet" in " ".join(flash_messages(response))
    assert Response.objects.count() == 1 and Token.objects.get().used


def test_a_code_link_get_uses_nothing(world: Any) -> None:
    """Mail scanners follow links: a GET only shows the button."""
    survey = make_survey(world.public, access="token")
    token = Token.objects.create(survey=survey)
    client = Client()
    assert client.get(code_url(survey, token.code)).status_code == 200
    assert client.get(page_url(survey, 1)).status_code == 403


def test_in_a_protected_project_the_code_holder_must_also_be_invited(world: Any) -> None:
    survey = make_survey(world.semipublic, access="token")
    established(*world.personas.values())
    outsider = world.client("citizen")
    outsider.post(code_url(survey, Token.objects.create(survey=survey).code))
    response = answer_household(outsider, survey)
    assert response.status_code == 403 and NOTICE[NOT_INVITED] in text_of(response)
    invited = world.client("invited")
    invited.post(code_url(survey, Token.objects.create(survey=survey).code))
    assert answer_household(invited, survey)["Location"].endswith("/danke/")
    assert Response.objects.count() == 1 and Token.objects.filter(used=True).count() == 1


def test_a_blocked_account_is_refused(world: Any) -> None:
    survey = make_survey(world.public, access="account")
    citizen = world.personas["citizen"]
    established(citizen)
    participation.block(actor=world.personas["org_admin"], user=citizen, reason="Spam", project=world.public)
    client = world.client("citizen")
    assert client.get(page_url(survey, 1)).status_code == 403
    assert answer_household(client, survey).status_code == 403
    assert not Response.objects.exists() and not Completion.objects.exists()


# --- the phase closes while someone answers -------------------------------------------------------------------


def close(survey: Any) -> None:
    Phase.objects.filter(module=survey.module).update(end=timezone.now() - timedelta(seconds=1))


@pytest.mark.parametrize("survey_access", SURVEY_ACCESS)
def test_a_page_posted_after_the_phase_closed_is_refused_and_not_stored(world: Any, survey_access: str) -> None:
    survey = make_survey(world.public, access=survey_access)
    established(world.personas["citizen"])
    client = world.client("citizen")
    if survey_access == "token":
        client.post(code_url(survey, Token.objects.create(survey=survey).code))
    assert client.get(page_url(survey, 1)).status_code == 200
    close(survey)
    response = client.post(page_url(survey, 1), HOUSEHOLD_PAGE_1)
    assert response.status_code == 403
    assert NOTICE[CLOSED] in text_of(response)
    assert not Draft.objects.exists()


@pytest.mark.parametrize("survey_access", SURVEY_ACCESS)
def test_a_submission_after_the_phase_closed_is_refused_and_not_stored(world: Any, survey_access: str) -> None:
    survey = make_survey(world.public, access=survey_access)
    established(world.personas["citizen"])
    client = world.client("citizen")
    token = Token.objects.create(survey=survey)
    if survey_access == "token":
        client.post(code_url(survey, token.code))
    assert post_page(client, survey, 1, HOUSEHOLD_PAGE_1)["Location"] == page_url(survey, 3)
    assert client.get(page_url(survey, 3)).status_code == 200  # the last page is on the screen …
    close(survey)  # … when the phase ends
    response = client.post(page_url(survey, 3), HOUSEHOLD_LAST)
    assert response.status_code == 403 and NOTICE[CLOSED] in text_of(response)
    assert not Response.objects.exists() and not Completion.objects.exists()
    token.refresh_from_db()
    assert not token.used
    assert Draft.objects.get().answers["personen"] == "2"  # what was saved before stays; nothing was added


def test_the_phase_end_is_checked_against_the_clock(world: Any) -> None:
    import time_machine

    survey = make_survey(world.public, access="account")
    established(world.personas["citizen"])
    client = world.client("citizen")
    assert post_page(client, survey, 1, HOUSEHOLD_PAGE_1).status_code == 302
    end = Phase.objects.get(module=survey.module).end
    with time_machine.travel(end + timedelta(minutes=1)):
        response = client.post(page_url(survey, 3), HOUSEHOLD_LAST)
        assert response.status_code == 403 and NOTICE[CLOSED] in text_of(response)
    assert not Response.objects.exists()
    with time_machine.travel(end - timedelta(minutes=1)):
        assert client.post(page_url(survey, 3), HOUSEHOLD_LAST)["Location"].endswith("/danke/")
    assert Response.objects.count() == 1
