"""Answering a survey through its pages, with conditions, drafts, tokens and accounts (services and views)."""

from __future__ import annotations

import pytest
from django.test import Client

from mitwirken.surveys.models import Answer, Completion, Draft, Response, ResponseIdentity, Token

from .conftest import login
from .dialogue_helpers import established
from .factories import ProjectFactory, UserFactory
from .survey_fixtures import make_survey

pytestmark = pytest.mark.django_db


def page_url(survey, number):
    module = survey.module
    return f"/{module.project.organisation.slug}/projekte/{module.project.slug}/{module.slug}/seite/{number}/"


def test_account_respondent_answers_with_condition_matrix_and_ranking():
    survey = make_survey(ProjectFactory(), access="account")
    user = UserFactory()
    established(user)
    client = login(Client(), user)
    response = client.get(page_url(survey, 1))
    assert response.status_code == 200
    assert "Seite 1 von 3" in response.content.decode()  # the bike page may still come: it depends on page 1
    response = client.post(page_url(survey, 1), {"q-verkehrsmittel": "rad", "q-personen": "3"})
    assert response.status_code == 302 and response["Location"].endswith("/seite/2/")
    response = client.get(page_url(survey, 2))
    assert "Seite 2 von 3" in response.content.decode()
    response = client.post(page_url(survey, 2), {"q-radwege-innenstadt": "1", "q-radwege-schulwege": "3",
                                                  "q-wuensche": ["licht", "breite"]})  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("/seite/3/")
    # Move "Kosten" up once with the server-side button, then submit.
    response = client.post(page_url(survey, 3), {"q-prioritaeten": ["sicherheit", "tempo", "kosten"],
                                                  "verschieben": "prioritaeten:kosten:hoch"})  # fmt: skip
    assert response.status_code == 302
    assert Draft.objects.get().answers["prioritaeten"] == ["sicherheit", "kosten", "tempo"]
    response = client.post(page_url(survey, 3), {"q-prioritaeten": ["sicherheit", "kosten", "tempo"],
                                                  "q-rad_anmerkung": "Mehr Bügel am Bahnhof"})  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("/danke/")
    stored = Response.objects.get()
    rows = {
        (a.question.code, a.row, a.choice, a.text)
        for a in Answer.objects.filter(response=stored).select_related("question")
    }
    assert ("radwege", "schulwege", "3", "") in rows
    assert ("rad_anmerkung", "", "", "Mehr Bügel am Bahnhof") in rows
    assert not Draft.objects.exists()
    assert Completion.objects.filter(user=user).exists()
    assert not ResponseIdentity.objects.exists()  # anonymous
    assert client.get(page_url(survey, 1)).status_code == 403  # once per account


def test_hidden_answers_are_dropped_even_when_forged():
    survey = make_survey(ProjectFactory(), access="account")
    user = UserFactory()
    established(user)
    client = login(Client(), user)
    response = client.post(page_url(survey, 1), {"q-verkehrsmittel": "auto", "q-personen": "2",
                                                  "q-radwege-innenstadt": "1", "q-rad_anmerkung": "geschmuggelt"})  # fmt: skip
    assert response["Location"].endswith("/seite/3/")
    client.post(page_url(survey, 3), {"q-prioritaeten": ["kosten", "tempo", "sicherheit"], "q-prioritaeten-ranked": "1",
                                      "q-rad_anmerkung": "geschmuggelt"})  # fmt: skip
    codes = set(Answer.objects.values_list("question__code", flat=True))
    assert codes == {"verkehrsmittel", "personen", "prioritaeten"}


def test_errors_are_german_and_nothing_is_saved():
    survey = make_survey(ProjectFactory(), access="account")
    user = UserFactory()
    established(user)
    client = login(Client(), user)
    response = client.post(page_url(survey, 1), {"q-verkehrsmittel": "hubschrauber", "q-personen": "99"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Bitte wählen Sie eine der angebotenen Antworten." in body
    assert "Bitte geben Sie höchstens 20 an." in body
    assert not Draft.objects.exists()


def test_token_is_used_once():
    survey = make_survey(ProjectFactory(), access="token")
    token = Token.objects.create(survey=survey, email="a@example.org")
    client = Client()
    base = page_url(survey, 1).rsplit("seite", 1)[0]
    assert client.post(f"{base}zugang/{token.code}/").status_code == 302
    client.post(page_url(survey, 1), {"q-verkehrsmittel": "fuss", "q-personen": "1"})
    client.post(
        page_url(survey, 3), {"q-prioritaeten": ["kosten", "tempo", "sicherheit"], "q-prioritaeten-ranked": "1"}
    )
    assert Response.objects.count() == 1
    token.refresh_from_db()
    assert token.used
    other = Client()
    other.post(f"{base}zugang/{token.code}/")
    assert other.get(page_url(survey, 1)).status_code == 403


def test_saving_for_later_keeps_a_half_done_page_but_weiter_demands_it_whole():
    survey = make_survey(ProjectFactory(), access="account")
    user = UserFactory()
    established(user)
    client = login(Client(), user)
    response = client.post(page_url(survey, 1), {"q-verkehrsmittel": "rad", "aktion": "speichern"})
    assert response.status_code == 302
    assert Draft.objects.get().answers == {"verkehrsmittel": {"choice": "rad", "other": ""}}
    response = client.post(page_url(survey, 1), {"q-verkehrsmittel": "rad", "aktion": "weiter"})
    assert response.status_code == 400
    assert "Bitte beantworten Sie diese Frage." in response.content.decode()
    # Invalid answers are refused even when saving for later.
    response = client.post(page_url(survey, 1), {"q-personen": "viele", "aktion": "speichern"})
    assert response.status_code == 400


def test_a_paper_code_is_found_however_it_is_typed():
    from mitwirken.surveys.services.responding import token_for

    survey = make_survey(ProjectFactory(), access="token")
    token = Token.objects.create(survey=survey, code="ABCD-EFGH-JK23")
    assert token_for(survey, "abcd efgh jk23") == token
    assert token_for(survey, "ABCDEFGHJK23") == token
    assert token_for(survey, "ABCD-EFGH-JK24") is None


def test_an_answer_that_no_longer_fits_the_changed_question_is_not_submitted():
    from mitwirken.surveys.models import Option

    survey = make_survey(ProjectFactory(), access="account")
    user = UserFactory()
    established(user)
    client = login(Client(), user)
    client.post(page_url(survey, 1), {"q-verkehrsmittel": "fuss", "q-personen": "2"})
    # Meanwhile staff remove "Zu Fuß" (with the confirmation the builder asks for).
    Option.objects.filter(question__code="verkehrsmittel", code="fuss").delete()
    response = client.post(
        page_url(survey, 3), {"q-prioritaeten": ["kosten", "tempo", "sicherheit"], "q-prioritaeten-ranked": "1"}
    )
    assert response.status_code == 302 and not response["Location"].endswith("/danke/")
    assert not Response.objects.exists()  # the required question must be answered again
