"""The deadline burst: many concurrent final submits, many of them retried, against a live server.

Runs on whichever database the suite runs on (SQLite in `make test`, PostgreSQL in CI's second pass).
Every statement must be stored exactly once with its receipt; no request may fail with a server error.
"""

from __future__ import annotations

import random
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from mitwirken.accounts.models import User
from mitwirken.formal import tally
from mitwirken.formal.models import Statement, StatementDraft

from .conftest import with_second_factor
from .factories import MembershipFactory, ProjectFactory
from .formal_fixtures import make_procedure

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.burst]

SUBMITTERS = 200
RETRY_SHARE = 0.4
CSRF = "b" * 32


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def post(url: str, session: str, key: str) -> int:
    body = urllib.parse.urlencode({"submission_key": key, "csrfmiddlewaretoken": CSRF}).encode()
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 - the local live server
    request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={CSRF}")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_burst_of_concurrent_and_retried_submissions(live_server):
    staff = with_second_factor(MembershipFactory(role="admin").user)
    project = ProjectFactory(organisation=staff.organisation_memberships.get().organisation)
    procedure = make_procedure(staff, project)
    track = procedure.rounds.get().tracks.get()
    users = User.objects.bulk_create(
        User(email=f"burst{i}@example.org", display_name=f"B{i}") for i in range(SUBMITTERS)
    )
    data = {
        "text": "Einwand gegen die Trasse.",
        "author_name": "N. N.",
        "street": "Weg 1",
        "postal_code": "55555",
        "city": "X",
    }
    drafts = StatementDraft.objects.bulk_create(StatementDraft(track=track, author=user, data=data) for user in users)
    sessions = {}
    for user in users:
        client = Client()
        client.force_login(user)
        sessions[user.pk] = client.cookies[settings.SESSION_COOKIE_NAME].value
    url = f"{live_server.url}/{project.organisation.slug}/projekte/{project.slug}/{procedure.module.slug}/frist/{track.pk}/pruefen/"

    jobs = [(sessions[draft.author_id], str(draft.submission_key)) for draft in drafts]
    retries = random.Random(7).sample(jobs, int(len(jobs) * RETRY_SHARE))  # a double click or a retry after a timeout
    work = jobs + retries
    random.Random(8).shuffle(work)
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda job: post(url, *job), work))

    assert all(status < 500 for status in statuses), sorted(set(statuses))
    assert statuses.count(302) == len(work)  # the first and every repeat land on the receipt
    assert Statement.objects.filter(procedure=procedure).count() == SUBMITTERS
    if tally.counted_ahead():  # the tally's triggers kept up with the concurrent submissions
        assert tally.inbox_count(procedure.pk, {}) == SUBMITTERS
        assert tally.open_work([procedure.pk], users[0], limit=1)[0]["unassigned"] == SUBMITTERS
    assert Statement.objects.values("reference").distinct().count() == SUBMITTERS
    assert set(Statement.objects.values_list("author_id", flat=True)) == {user.pk for user in users}
    assert not StatementDraft.objects.filter(track=track).exists()
