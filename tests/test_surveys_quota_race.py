"""The quota race: many simultaneous final submissions against a live server, more than the quota allows.

Runs on whichever database the suite runs on (SQLite in `make test`, PostgreSQL in CI's second pass). A quota
of N takes exactly N responses however many arrive at once; the rest are told politely; nobody gets a server
error (on SQLite, "database is locked" must never surface as a 500).
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from mitwirken.accounts.models import User
from mitwirken.surveys.models import Answer, Completion, Draft, Question, Quota, Response, Survey
from mitwirken.surveys.services import building

from .dialogue_helpers import OLD
from .factories import ProjectFactory
from .survey_fixtures import make_survey
from .survey_helpers import page_url, staff

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.burst]

CSRF = "c" * 32
LAST_PAGE = [("q-prioritaeten", "kosten"), ("q-prioritaeten", "tempo"), ("q-prioritaeten", "sicherheit"),
             ("q-prioritaeten-ranked", "1"), ("aktion", "weiter")]  # fmt: skip


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def post(url: str, session: str) -> tuple[int, str, str]:
    """(status, Location, body) of one final submission."""
    body = urllib.parse.urlencode([*LAST_PAGE, ("csrfmiddlewaretoken", CSRF)]).encode()
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 - the local live server
    request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={CSRF}")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=120) as response:
            return int(response.status), response.headers.get("Location", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return int(error.code), error.headers.get("Location", ""), error.read().decode(errors="replace")


def respondents_on_the_last_page(survey: Survey, choices: list[str]) -> list[str]:
    """One account per choice, each with a draft on the last page; their session cookies."""
    users = User.objects.bulk_create(
        User(email=f"quote{survey.pk}-{i}@example.org", display_name=f"Q{i}", date_joined=OLD)
        for i in range(len(choices))
    )
    Draft.objects.bulk_create(
        Draft(survey=survey, user=user, page=2, answers={"verkehrsmittel": {"choice": choice, "other": ""},
                                                           "personen": "2"})
        for user, choice in zip(users, choices, strict=True)
    )  # fmt: skip
    sessions = []
    for user in users:
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return sessions


def race(live_server: Any, survey: Survey, sessions: list[str]) -> list[tuple[int, str, str]]:
    url = f"{live_server.url}{page_url(survey, 3)}"
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(lambda session: post(url, session), sessions))


def check_outcomes(results: list[tuple[int, str, str]], accepted: int) -> None:
    statuses = sorted({status for status, _location, _body in results})
    assert all(status < 500 for status, _location, _body in results), statuses
    thanked = [r for r in results if r[0] == 302 and r[1].endswith("/danke/")]
    turned_away = [r for r in results if r[0] == 200 and "bereits genug Antworten erhalten" in r[2]]
    assert len(thanked) == accepted, statuses
    assert len(turned_away) == len(results) - accepted, statuses


def test_300_submissions_against_a_total_quota_of_100(live_server: Any) -> None:
    survey = make_survey(ProjectFactory(), access="account")
    building.quota_set(actor=staff(), survey=survey, limit=100)
    sessions = respondents_on_the_last_page(survey, ["fuss"] * 300)

    results = race(live_server, survey, sessions)

    check_outcomes(results, 100)
    assert Response.objects.filter(survey=survey).count() == 100
    assert Quota.objects.get(survey=survey).filled == 100
    survey.refresh_from_db()
    assert survey.response_count == 100
    assert Completion.objects.filter(survey=survey).count() == 100
    assert Answer.objects.filter(question__code="prioritaeten").count() == 300  # three ranks per response
    assert not Draft.objects.filter(survey=survey).exists()  # kept ones became responses, the rest were discarded


def test_per_option_quotas_under_a_burst(live_server: Any) -> None:
    survey = make_survey(ProjectFactory(), access="account")
    actor = staff()
    question = Question.objects.get(survey=survey, code="verkehrsmittel")
    for option in ("auto", "oepnv"):
        building.quota_set(actor=actor, survey=survey, question=question, option_code=option, limit=30)
    choices = ["auto", "oepnv"] * 50
    sessions = respondents_on_the_last_page(survey, choices)

    results = race(live_server, survey, sessions)

    check_outcomes(results, 60)
    assert Response.objects.filter(survey=survey).count() == 60
    tally = {option: Answer.objects.filter(question=question, choice=option).count() for option in ("auto", "oepnv")}
    assert tally == {"auto": 30, "oepnv": 30}
    assert dict(Quota.objects.filter(survey=survey).values_list("option_code", "filled")) == tally
    survey.refresh_from_db()
    assert survey.response_count == 60
