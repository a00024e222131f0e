"""Helpers for the survey behaviour tests: URLs, custom questionnaires, answering through the views."""

from __future__ import annotations

import html
import re
from typing import Any

from django.test import Client
from django.urls import reverse

from mitwirken.surveys.models import Survey
from mitwirken.surveys.services import building

from .dialogue_helpers import CHALLENGE_ATTR, solve_altcha
from .factories import UserFactory
from .survey_fixtures import make_survey_module

# The household survey of ``make_survey`` answered without the cycling page: page 1, then the last page.
HOUSEHOLD_PAGE_1 = {"q-verkehrsmittel": "fuss", "q-personen": "2"}
HOUSEHOLD_LAST = {"q-prioritaeten": ["kosten", "tempo", "sicherheit"], "q-prioritaeten-ranked": "1"}


def kwargs_of(survey: Survey) -> dict[str, str]:
    project = survey.module.project
    return {"org_slug": project.organisation.slug, "project_slug": project.slug, "module_slug": survey.module.slug}


def start_url(survey: Survey) -> str:
    return reverse("projects:module", kwargs=kwargs_of(survey))


def page_url(survey: Survey, number: int) -> str:
    return reverse("surveys:page", kwargs={**kwargs_of(survey), "number": number})


def code_url(survey: Survey, code: str) -> str:
    return reverse("surveys:code_link", kwargs={**kwargs_of(survey), "code": code})


def enter_code_url(survey: Survey) -> str:
    return reverse("surveys:enter_code", kwargs=kwargs_of(survey))


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def field_html(response: Any, code: str) -> str:
    """The HTML of the question ``code`` (from its ``id="frage-<code>"`` to the next question or the buttons)."""
    body = text_of(response)
    found = body.find(f'id="frage-{code}"')
    assert found >= 0, f"question {code} is not on the page"
    start = body.rfind("<", 0, found)  # from the opening tag, with its class
    # The next question's container; ``frage-<code>-fehler`` and ``-hinweis`` belong to this one.
    following = re.compile(rf'id="frage-(?!{re.escape(code)}-)|survey-buttons').search(body, found + 10)
    return body[start : following.start() if following else len(body)]


def staff() -> Any:
    return UserFactory(is_superuser=True, is_staff=True)


def build_survey(project: Any, pages: list[dict[str, Any]], *, access: str = "account", anonymity: str = "anonymous",
                 when: str = "during") -> Survey:  # fmt: skip
    """A questionnaire from ``pages``: [{"title", "condition", "questions": [question_add kwargs]}], built with
    the building services (so conditions are checked as the builder checks them)."""
    actor = staff()
    module = make_survey_module(project, when=when, name="Testumfrage")
    survey = building.survey_for(module)
    Survey.objects.filter(pk=survey.pk).update(access=access, anonymity=anonymity)
    survey.refresh_from_db()
    survey.module = module
    for spec in pages:
        page = building.page_add(actor=actor, survey=survey, title=spec.get("title", ""),
                                 condition=spec.get("condition"))  # fmt: skip
        for question in spec["questions"]:
            building.question_add(actor=actor, page=page, **question)
    return survey


def post_page(client: Client, survey: Survey, number: int, data: dict[str, Any], **extra: Any) -> Any:
    """Post a page as a browser would; on a page with a proof of work (public surveys) it is solved first."""
    url = page_url(survey, number)
    shown = client.get(url)
    if shown.status_code == 200:
        found = CHALLENGE_ATTR.search(shown.content.decode())
        if found is not None:
            data = {**data, "altcha": solve_altcha(html.unescape(found.group(1)))}
    return client.post(url, data, **extra)


def answer_household(client: Client, survey: Survey, page_1: dict[str, Any] | None = None) -> Any:
    """Answer the household survey without the cycling page; the response of the last post."""
    response = post_page(client, survey, 1, page_1 or HOUSEHOLD_PAGE_1)
    if response.status_code != 302 or not response["Location"].endswith("/seite/3/"):
        return response
    return post_page(client, survey, 3, HOUSEHOLD_LAST)


def error_near(response: Any, code: str) -> str:
    """The error text shown inside the question ``code`` (empty when there is none)."""
    found = re.search(r'class="kern-error"[^>]*>.*?<span class="kern-body">(.*?)</span>', field_html(response, code),
                      re.S)  # fmt: skip
    return found.group(1).strip() if found else ""
