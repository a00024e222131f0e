"""Public pages shared among anonymous visitors until their data changes (core/pagecache.py).

What matters to people: an anonymous visitor sees a new idea, event or project as soon as it is saved; nobody ever
gets a page rendered for someone else (a logged-in person's header, a visitor's CSRF token, a flash message); and
what no signal reports (``QuerySet.update()``, time passing) is at most ``TIMEOUT`` seconds old. That a page was
served from the cache shows in the queries it ran.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import INFO, add_message
from django.contrib.messages.storage.fallback import FallbackStorage
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mitwirken.core import pagecache
from mitwirken.dialogue.models import Idea
from mitwirken.projects.models import AccessMode

from .dialogue_fixtures import make_dialogue
from .dialogue_helpers import module_url
from .factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dialogue(world: Any) -> Any:
    module = make_dialogue(ProjectFactory(organisation=world.organisation))
    author = UserFactory()
    Idea.objects.create(module=module, author=author, title="Erste Idee zum Schulhof", text="<p>Bänke</p>")
    return module


def without_token(response: Any) -> bytes:
    """The page without its CSRF token, which is masked anew on every answer."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]+"', b"", response.content)


def fetch(client: Any, url: str) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(queries)


def test_anonymous_visitors_share_the_idea_list_until_an_idea_is_added(client: Any, dialogue: Any) -> None:
    url = module_url(dialogue)
    first, rendered = fetch(client, url)
    again, shared = fetch(client, url)
    assert without_token(again) == without_token(first)
    assert shared < rendered  # only the access check of project and module runs

    Idea.objects.create(module=dialogue, author=UserFactory(), title="Zweite Idee: Trinkbrunnen", text="<p>x</p>")
    after, _queries = fetch(client, url)
    assert "Zweite Idee: Trinkbrunnen" in after.content.decode()


def test_logged_in_people_neither_get_nor_leave_a_shared_page(client: Any, dialogue: Any, world: Any) -> None:
    url = module_url(dialogue)
    anonymous, _queries = fetch(client, url)
    assert "Abmelden" not in anonymous.content.decode()
    client.force_login(world.personas["citizen"])
    own, _queries = fetch(client, url)
    assert "Abmelden" in own.content.decode()
    client.logout()
    client.cookies.clear()
    after, _queries = fetch(client, url)
    assert "Abmelden" not in after.content.decode()


def test_a_protected_module_is_never_shared(client: Any, world: Any) -> None:
    module = make_dialogue(ProjectFactory(organisation=world.organisation, access=AccessMode.PROTECTED))
    assert client.get(module_url(module)).status_code == 404
    assert client.get(module_url(module)).status_code == 404


def test_a_change_inside_a_transaction_bumps_again_when_it_commits(
    client: Any, dialogue: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url = module_url(dialogue)
    _first, rendered = fetch(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        Idea.objects.create(module=dialogue, author=UserFactory(), title="Noch nicht bestätigt", text="<p>x</p>")
        # Another visitor renders the page before the commit; it must not outlive the commit.
        fetch(client, url)
    _after, queries = fetch(client, url)
    assert queries >= rendered


def test_what_no_signal_reports_is_at_most_the_timeout_old(client: Any, dialogue: Any) -> None:
    url = module_url(dialogue)
    fetch(client, url)
    Idea.objects.filter(module=dialogue).update(title="Umbenannt ohne Signal")
    stale, _queries = fetch(client, url)
    assert "Umbenannt ohne Signal" not in stale.content.decode()
    with time_machine.travel(timezone.now() + timedelta(seconds=pagecache.TIMEOUT + 1)):
        fresh, _queries = fetch(client, url)
    assert "Umbenannt ohne Signal" in fresh.content.decode()


def test_operators_can_switch_it_off(client: Any, dialogue: Any, settings: Any) -> None:
    settings.MITWIRKEN_PAGE_CACHE = False
    url = module_url(dialogue)
    _first, rendered = fetch(client, url)
    _again, queries = fetch(client, url)
    assert queries == rendered


def test_the_start_page_the_calendar_and_the_ehrenamt_search_are_shared(client: Any, world: Any) -> None:
    ProjectFactory(organisation=world.organisation, title="Radweg an der Lahn")
    for url in ("/", "/veranstaltungen/", "/ehrenamt/", f"/{world.organisation.slug}/"):
        _first, rendered = fetch(client, url)
        _again, shared = fetch(client, url)
        assert shared < rendered, url
    ProjectFactory(organisation=world.organisation, title="Neues Projekt: Dorfplatz")
    assert "Neues Projekt: Dorfplatz" in client.get("/").content.decode()


# --- what is never shared, whatever the view: the answer of serve() itself -----------------------------------------


class Counting:
    """A view body that counts how often it really rendered."""

    def __init__(self, body: Any = None) -> None:
        self.calls = 0
        self.body = body

    def __call__(self, request: Any) -> Any:
        def render() -> HttpResponse:
            self.calls += 1
            extra = self.body(request) if self.body is not None else ""
            return HttpResponse(f"Seite {self.calls}{extra or ''}")

        return render


def anonymous_get(**cookies: str) -> Any:
    request = RequestFactory().get("/liste/?seite=2")
    request.user = AnonymousUser()
    request.COOKIES.update(cookies)
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def test_the_same_address_is_rendered_once(db: Any) -> None:
    view = Counting()
    for _ in range(3):
        request = anonymous_get()
        assert pagecache.serve(request, ["app:test"], view(request)).content == b"Seite 1"
    assert view.calls == 1
    pagecache.changed("app:test")
    request = anonymous_get()
    assert pagecache.serve(request, ["app:test"], view(request)).content == b"Seite 2"


@pytest.mark.parametrize(
    "make_request, body",
    [
        (lambda: anonymous_get(sessionid="abc"), None),  # a session may carry an access code or a draft
        (lambda: anonymous_get(), lambda request: request.__setattr__("session", _Modified())),  # about to set one
        (lambda: anonymous_get(), lambda request: _token_in_text(request)),  # a token outside its form field
    ],
    ids=["session-cookie", "session-written", "token-outside-a-form"],
)
def test_personal_answers_are_never_shared(db: Any, make_request: Any, body: Any) -> None:
    view = Counting(body)
    for _ in range(2):
        request = make_request()
        pagecache.serve(request, ["app:test"], view(request))
    assert view.calls == 2


def test_a_pending_message_is_shown_to_its_visitor_only(db: Any) -> None:
    view = Counting()
    request = anonymous_get()
    add_message(request, INFO, "Ihre Anmeldung ist eingegangen.")
    pagecache.serve(request, ["app:test"], view(request))
    request = anonymous_get()
    pagecache.serve(request, ["app:test"], view(request))
    assert view.calls == 2


class _Modified(dict[str, Any]):
    modified = True


def _token_in_text(request: Any) -> str:
    token = get_token(request)
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}"><span data-token="{token}"></span>'


def test_each_visitor_gets_their_own_csrf_token_in_a_shared_page(dialogue: Any) -> None:
    url = module_url(dialogue)
    visitors = [Client(enforce_csrf_checks=True) for _ in range(2)]
    tokens, queries = [], []
    for visitor in visitors:
        response, count = fetch(visitor, url)
        queries.append(count)
        token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', response.content.decode())
        assert token is not None
        tokens.append(token.group(1))
        # The header's language switch works with the token the page gave this visitor.
        switched = visitor.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": tokens[-1]})
        assert switched.status_code == 302
    assert tokens[0] != tokens[1]
    assert queries[1] < queries[0]  # the second visitor's page came from the cache


def test_apps_polling_the_same_open311_list_share_one_answer_until_a_report_changes(client: Any, world: Any) -> None:
    from mitwirken.reports.models import CategoryTemplate, OrganisationCategory, Report, ReportStatus

    road = CategoryTemplate.objects.create(code="strassenschaden", name="Straßenschaden")
    OrganisationCategory.objects.create(organisation=world.organisation, template=road)
    now = timezone.now()
    report = Report.objects.create(organisation=world.organisation, category=road, status=ReportStatus.OPEN,
                                   description="Schlagloch", lon=7.35, lat=49.35, created_at=now, updated_at=now)  # fmt: skip
    url = f"/open311/v2/requests.json?jurisdiction_id={world.organisation.slug}"
    first, rendered = fetch(client, url)
    again, shared = fetch(client, url)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert shared < rendered  # the validators are read; the rows are not
    # A logged-in client asking for the same list gets the same bytes from the cache.
    client.force_login(world.personas["citizen"])
    assert fetch(client, url)[0].content == first.content
    # A status change through QuerySet.update() sends no signal, but moves the ETag.
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.FIXED)
    after, _queries = fetch(client, url)
    assert after.json()[0]["status"] == "closed" and after["ETag"] != first["ETag"]
