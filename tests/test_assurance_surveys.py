"""Trust levels (BundID Vertrauensniveau) in surveys: requirement per survey, checked for every page and the submit.

Matrix: personas (anonymous, citizen with a login at level 0, 2, 3, 4, staff) × requirement (0, 2, 3) × phase
(before, during, after), on the rule and through the views. Then what a response records, the back office, and
saved answers that survive the step-up.
"""

from __future__ import annotations

import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from mitwirken.core.models import AuditEntry
from mitwirken.projects.models import Module
from mitwirken.surveys.models import Draft, Response, ResponseIdentity, Survey

from .assurance_helpers import login_at, with_level
from .conftest import login
from .factories import UserFactory
from .survey_fixtures import make_survey
from .survey_helpers import HOUSEHOLD_PAGE_1, answer_household, page_url, post_page, start_url, text_of

pytestmark = pytest.mark.django_db

PERSONAS = {
    "anonymous": (None, 0),
    "citizen_0": ("citizen", 0),
    "citizen_2": ("citizen", 2),
    "citizen_3": ("citizen", 3),
    "citizen_4": ("citizen", 4),
    "staff": ("case_worker", 0),
}


def _allowed(persona: str, requirement: int, phase: str) -> bool:
    account, level = PERSONAS[persona]
    return account is not None and phase == "during" and level >= requirement


def _accounts(world):
    users = {"anonymous": None, "staff": world.personas["case_worker"]}
    for persona in ("citizen_0", "citizen_2", "citizen_3", "citizen_4"):
        users[persona] = UserFactory(email=f"{persona}@example.org")
    return users


def _client(user, persona):
    if user is None:
        return Client()
    return with_level(login(Client(), user), PERSONAS[persona][1])


def _survey(world, requirement, *, access="account", anonymity="anonymous", when="during"):
    survey = make_survey(world.public, access=access, anonymity=anonymity, when=when)
    Survey.objects.filter(pk=survey.pk).update(min_assurance_level=requirement)
    survey.min_assurance_level = requirement
    return survey


def _step_up_link(body: str) -> str:
    prefix = reverse("saml:login", args=["bundid"])
    links = [unescape(href) for href in re.findall(r'href="([^"]+)"', body) if unescape(href).startswith(prefix)]
    assert len(links) == 1, links
    return links[0]


@pytest.mark.parametrize("phase", ["before", "during", "after"])
@pytest.mark.parametrize("requirement", [0, 2, 3])
def test_rule_matches_persona_level_requirement_and_phase(world, requirement, phase):
    survey = _survey(world, requirement, when=phase)
    for persona, user in _accounts(world).items():
        subject = user or AnonymousUser()
        with login_at(subject, PERSONAS[persona][1]):
            module = Module.objects.get(pk=survey.module_id)  # a fresh module: the rule caches the survey on it
            assert rules.has_perm("surveys.respond", subject, module) is _allowed(persona, requirement, phase), persona


@pytest.mark.parametrize("phase", ["before", "during", "after"])
@pytest.mark.parametrize("requirement", [0, 2, 3])
def test_views_match_persona_level_requirement_and_phase(world, requirement, phase):
    survey = _survey(world, requirement, when=phase)
    for persona, user in _accounts(world).items():
        client, level = _client(user, persona), PERSONAS[persona][1]
        before = Response.objects.filter(survey=survey).count()
        last = answer_household(client, survey)
        if _allowed(persona, requirement, phase):
            assert last.status_code == 302 and last["Location"].endswith("/danke/"), persona
            response = Response.objects.filter(survey=survey).latest("pk")
            assert (response.assurance_level, response.identity_provider) == (level, "bundid" if level else ""), persona
            continue
        assert last.status_code == 403, persona
        assert Response.objects.filter(survey=survey).count() == before, persona
        if user is not None:
            assert not Draft.objects.filter(survey=survey, user=user).exists(), persona
        body = text_of(last)
        # Where only the login's level is missing (during the phase), the page offers the BundID login.
        only_level = phase == "during" and requirement > level
        assert ("Mit BundID anmelden" in body) is only_level, persona
        if only_level:
            query = parse_qs(urlsplit(_step_up_link(body)).query)
            assert query == {"level": [str(requirement)], "next": [page_url(survey, 1)]}, persona
            assert "Vertrauensniveau" in body, persona


def test_public_survey_with_a_requirement_needs_the_bundid_login(world):
    survey = _survey(world, 3, access="public")
    refused = Client().get(page_url(survey, 1))
    assert refused.status_code == 403 and "Mit BundID anmelden" in text_of(refused)
    start = text_of(Client().get(start_url(survey)))
    assert "Online-Ausweis" in start
    assert '<span class="kern-label">Anmelden</span>' not in start  # no button to a password login that cannot do
    citizen = with_level(world.client("citizen"), 3)
    assert answer_household(citizen, survey)["Location"].endswith("/danke/")
    assert Response.objects.get(survey=survey).assurance_level == 3


def test_saved_answers_survive_the_step_up(world):
    survey = _survey(world, 2)
    citizen = world.personas["citizen"]
    client = with_level(world.client("citizen"), 2)
    saved = post_page(client, survey, 1, {**HOUSEHOLD_PAGE_1, "aktion": "speichern"})
    assert saved.status_code == 302
    Survey.objects.filter(pk=survey.pk).update(min_assurance_level=3)  # staff raise it meanwhile
    refused = post_page(client, survey, 3, {"q-prioritaeten": ["kosten", "tempo", "sicherheit"],
                                            "q-prioritaeten-ranked": "1"})  # fmt: skip
    assert refused.status_code == 403 and "Die Antworten dieser Seite wurden nicht gespeichert." in text_of(refused)
    assert Draft.objects.get(survey=survey, user=citizen).answers["verkehrsmittel"]["choice"] == "fuss"
    assert not Response.objects.filter(survey=survey).exists()
    with_level(client, 3)
    start = text_of(client.get(start_url(survey)))
    assert "Umfrage fortsetzen" in start and "Sie sind mit dem Vertrauensniveau „substantiell“ angemeldet." in start
    done = post_page(client, survey, 3, {"q-prioritaeten": ["kosten", "tempo", "sicherheit"],
                                         "q-prioritaeten-ranked": "1"})  # fmt: skip
    assert done.status_code == 302 and done["Location"].endswith("/danke/")
    response = Response.objects.get(survey=survey)
    assert response.answers.filter(question__code="verkehrsmittel", choice="fuss").exists()
    assert response.assurance_level == 3


def test_identified_response_keeps_whom_a_company_account_acted_for(world):
    survey = _survey(world, 3, anonymity="identified")
    client = with_level(world.client("citizen"), 3, provider="muk", acting_for_name="Kieswerk Muster GmbH",
                        acting_for_id="DE-123456")  # fmt: skip
    assert answer_household(client, survey)["Location"].endswith("/danke/")
    identity = ResponseIdentity.objects.get(response__survey=survey)
    assert (identity.on_behalf_of_name, identity.on_behalf_of_id) == ("Kieswerk Muster GmbH", "DE-123456")
    assert (identity.response.assurance_level, identity.response.identity_provider) == (3, "muk")
    # A pseudonymous survey keeps no names: whom someone answered for goes with them.
    from mitwirken.surveys.services import building

    building.settings_update(actor=world.personas["portal_admin"], survey=survey, anonymity="pseudonymous")
    identity.refresh_from_db()
    assert (identity.on_behalf_of_name, identity.on_behalf_of_id, identity.user) == ("", "", None)


def test_anonymous_response_keeps_the_level_but_not_whom_anyone_acted_for(world):
    survey = _survey(world, 3)
    client = with_level(world.client("citizen"), 4, provider="muk", acting_for_name="Kieswerk Muster GmbH")
    assert answer_household(client, survey)["Location"].endswith("/danke/")
    response = Response.objects.get(survey=survey)
    assert (response.assurance_level, response.identity_provider) == (4, "muk")
    assert not ResponseIdentity.objects.filter(response=response).exists()


def _office(survey, name, **kwargs):
    project = survey.module.project
    return reverse(f"backoffice:{name}", kwargs={"org_slug": project.organisation.slug, "project_pk": project.pk,
                                                  "module_pk": survey.module.pk, **kwargs})  # fmt: skip


def test_staff_set_the_requirement_in_the_settings_and_it_is_audited(world):
    survey = _survey(world, 0)
    client = world.client("case_worker")
    url = _office(survey, "survey_settings")
    assert "Nötiges Vertrauensniveau der Anmeldung" in text_of(client.get(url))
    posted = client.post(url, {"action": "settings", "settings-access": "account", "settings-anonymity": "anonymous",
                               "settings-min_assurance_level": "3"})  # fmt: skip
    assert posted.status_code == 302
    assert Survey.objects.get(pk=survey.pk).min_assurance_level == 3
    entry = AuditEntry.objects.filter(action="survey.settings").latest("pk")
    assert entry.changes["min_assurance_level"] == [0, 3]


def test_results_and_export_show_how_responses_were_verified(world):
    survey = _survey(world, 0)
    answer_household(with_level(world.client("citizen"), 3), survey)
    answer_household(world.client("invited"), survey)
    client = world.client("case_worker")
    page = text_of(client.get(_office(survey, "survey_results")))
    assert "Identität bestätigt über BundID, Vertrauensniveau substantiell: 1" in page
    export = client.get(_office(survey, "survey_export", file_format="xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    levels = sorted(row[header.index("vertrauensniveau: Vertrauensniveau der Anmeldung")] for row in rows)
    assert levels == [0, 3]
    texts = {row[header.index("identitaet: Identität")] for row in rows}
    assert texts == {"Identität nicht bestätigt", "Identität bestätigt über BundID, Vertrauensniveau substantiell"}
