"""Reads from the streaming replica, and read-your-writes (issue 19, core/replica.py).

The test settings give the same test database a second alias, "replica" (a test mirror of "default"); these tests
install the router and the middleware as settings.py does when DATABASE_REPLICA_URL is set, and watch which alias
each query went to. They commit (transaction=True): the replica is its own connection and sees committed rows only.
Where a test needs a replica that lags, ``lagging_replica()`` holds the replica connection in one read snapshot, so
it keeps showing the data as it was, as a replica behind the primary does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mitwirken.core import replica
from mitwirken.reports import apikeys
from mitwirken.reports.models import Report, ReportStatus

from .conftest import login
from .factories import OrganisationFactory, UserFactory
from .formal_fixtures import make_procedure
from .reports_fixtures import DORF_POINT, road_handled_by

ROOT = Path(__file__).resolve().parent.parent
ROUTED = pytest.mark.django_db(transaction=True, databases=["default", "replica"])
REQUESTS = "/open311/v2/requests.json?jurisdiction_id=dorf"


@pytest.fixture
def routing(settings: Any) -> None:
    """What settings.py adds when DATABASE_REPLICA_URL is set: the router and the pin middleware."""
    settings.DATABASE_ROUTERS = [replica.ROUTER]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1, replica.MIDDLEWARE)
    settings.MIDDLEWARE = middleware


@pytest.fixture
def dorf(routing: None) -> Any:
    """An organisation that handles road damage, with an Open311 key for its app."""
    organisation = OrganisationFactory(slug="dorf", name="Ortsgemeinde Dorf")
    organisation.road = road_handled_by(organisation)
    admin = UserFactory(email="portal@example.org", is_superuser=True, is_staff=True)
    _client, key = apikeys.api_client_create(actor=admin, organisation=organisation, name="Dorf-App")
    organisation.api_key = key
    return organisation


def post_report(client: Client, organisation: Any, description: str = "Schlagloch vor Nr. 5") -> Any:
    fields = {"jurisdiction_id": organisation.slug, "api_key": organisation.api_key, "service_code": "strassenschaden",
              "description": description, "long": str(DORF_POINT[0]), "lat": str(DORF_POINT[1])}  # fmt: skip
    response = client.post(
        "/open311/v2/requests.json", urlencode(fields), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200, response.content
    return response


@contextmanager
def queries() -> Iterator[tuple[CaptureQueriesContext, CaptureQueriesContext]]:
    """The queries sent to the primary and to the replica meanwhile."""
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as rep:
        yield primary, rep


def read(captured: CaptureQueriesContext, table: str) -> bool:
    return any(f'"{table}"' in query["sql"] for query in captured.captured_queries)


@contextmanager
def lagging_replica() -> Iterator[None]:
    """From here on the replica shows the data as it is now: its connection reads one snapshot until the end."""
    connection = connections["replica"]
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ" if connection.vendor == "postgresql" else "BEGIN")
        cursor.execute('SELECT COUNT(*) FROM "reports_report"')  # the snapshot is taken at the first read
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")


def ids(response: Any) -> set[str]:
    return {row["service_request_id"] for row in response.json()}


# --- 1. a reader who has not written reads from the replica ------------------------------------------------------


@ROUTED
def test_a_get_of_an_opted_in_endpoint_reads_from_the_replica(dorf):
    report = Report.objects.create(organisation=dorf, category=dorf.road, status=ReportStatus.OPEN, description="Schlagloch",
                          lon=DORF_POINT[0], lat=DORF_POINT[1], address="Hauptstraße 5")  # fmt: skip
    client = Client()
    for url in (REQUESTS, "/open311/v2/services.json?jurisdiction_id=dorf"):
        with queries() as (primary, rep):
            response = client.get(url)
        assert response.status_code == 200 and response.json()
        assert rep.captured_queries and not primary.captured_queries, url
    with queries() as (primary, rep):
        single = client.get(f"/open311/v2/requests/{report.pk}.json?jurisdiction_id=dorf")
    assert single.json()[0]["description"] == "Schlagloch"
    assert read(rep, "reports_report") and not read(primary, "reports_report")
    assert replica.PIN_COOKIE not in client.cookies  # reading pins nobody


# --- 2. read-your-writes -----------------------------------------------------------------------------------------


@ROUTED
def test_after_a_write_the_same_client_reads_its_row_from_the_primary_and_others_still_read_the_replica(dorf):
    app, neighbour = Client(), Client()
    assert app.get(REQUESTS).json() == [] and neighbour.get(REQUESTS).json() == []
    with lagging_replica():
        posted = post_report(app, dorf)
        new = posted.json()[0]["service_request_id"]
        pin = posted.cookies[replica.PIN_COOKIE]
        assert (pin["max-age"], pin["httponly"], pin["samesite"], pin["secure"]) == (30, True, "Lax", "")

        with queries() as (primary, rep):
            mine = app.get(REQUESTS)
        assert ids(mine) == {new}  # the row it just wrote, although the replica has not got it yet
        assert read(primary, "reports_report") and not rep.captured_queries

        with queries() as (primary, rep):
            theirs = neighbour.get(REQUESTS)
        assert theirs.json() == []  # the replica lags: someone who did not write may see the list a moment late
        assert read(rep, "reports_report") and not read(primary, "reports_report")

    # Once the replica has caught up, the neighbour sees the report too; and when the pin expires, the app's
    # reads go back to the replica.
    assert ids(neighbour.get(REQUESTS)) == {new}
    del app.cookies[replica.PIN_COOKIE]
    with queries() as (primary, rep):
        assert ids(app.get(REQUESTS)) == {new}
    assert read(rep, "reports_report") and not read(primary, "reports_report")


@ROUTED
def test_the_pin_lasts_as_configured_and_is_secure_where_the_session_cookie_is(dorf, settings):
    settings.MITWIRKEN_REPLICA_PIN_SECONDS = 5
    settings.SESSION_COOKIE_SECURE = True
    pin = post_report(Client(), dorf).cookies[replica.PIN_COOKIE]
    assert (pin["max-age"], pin["secure"], pin["httponly"]) == (5, True, True)


def test_only_writes_answered_without_a_server_error_pin_the_client(rf):
    answered = replica.PinPrimaryMiddleware(lambda request: HttpResponse())
    failed = replica.PinPrimaryMiddleware(lambda request: HttpResponse(status=500))
    for method in ("post", "put", "patch", "delete"):
        assert replica.PIN_COOKIE in answered(getattr(rf, method)("/")).cookies, method
        assert replica.PIN_COOKIE not in failed(getattr(rf, method)("/")).cookies, method
    for method in ("get", "head", "options"):
        assert replica.PIN_COOKIE not in answered(getattr(rf, method)("/")).cookies, method


# --- 3. what never reads from the replica ------------------------------------------------------------------------


@ROUTED
def test_a_post_to_an_opted_in_address_never_uses_the_replica(dorf):
    with queries() as (primary, rep):
        post_report(Client(), dorf)
    assert read(primary, "reports_report") and not rep.captured_queries


@ROUTED
def test_views_not_opted_in_read_from_the_primary(dorf):
    """The token look-up is what an app asks right after its POST, without a cookie: the primary answers it."""
    with lagging_replica():
        token = post_report(Client(), dorf).json()[0]["token"]
        for url in (f"/open311/v2/tokens/{token}.json?jurisdiction_id=dorf", "/maengelmelder/liste/"):
            with queries() as (primary, rep):
                response = Client().get(url)
            assert response.status_code == 200 and not rep.captured_queries, url
            assert read(primary, "reports_report"), url
        assert response.context["page"].paginator.count == 1  # the list shows the new report
        assert Client().get(f"/open311/v2/tokens/{token}.json?jurisdiction_id=dorf").json()[0]["service_request_id"]


@ROUTED
def test_outside_requests_reads_use_the_primary_unless_code_asks_for_the_replica(dorf):
    with queries() as (primary, rep):
        Report.objects.count()
    assert read(primary, "reports_report") and not rep.captured_queries

    with queries() as (primary, rep), replica.reading():
        Report.objects.count()
    assert read(rep, "reports_report") and not primary.captured_queries

    with queries() as (primary, rep), replica.reading():
        Report.objects.update(description="Neu")  # writes go to the primary
        with transaction.atomic():  # and so do reads in a transaction there: they may be about to write
            Report.objects.exists()
    assert read(primary, "reports_report") and not rep.captured_queries


@ROUTED
def test_a_session_the_replica_has_not_got_yet_still_logs_the_visitor_in(dorf):
    user = UserFactory(email="buerger@example.org")
    with lagging_replica():
        client = Client()
        client.force_login(user)  # a new session, on the primary only
        with queries() as (primary, rep):
            response = client.get("/suche/?q=Schlagloch")
        assert response.status_code == 200 and response.wsgi_request.user == user
        assert read(primary, "django_session") and not read(rep, "django_session")
        assert read(rep, "reports_report")  # the search itself read from the replica


@ROUTED
def test_the_statistics_page_and_the_abwaegungstabelle_read_from_the_replica(world, routing):
    procedure = make_procedure(world.personas["case_worker"], world.public)
    client = login(Client(), world.personas["case_worker"])
    organisation = world.organisation.slug
    export = f"/verwaltung/{organisation}/projekte/{world.public.pk}/verfahren/{procedure.module.pk}/abwaegungstabelle"
    for url, table in (
        (f"/verwaltung/{organisation}/zahlen/", "formal_statement"),
        (export + ".xlsx", "formal_statement"),
    ):
        with queries() as (primary, rep):
            response = client.get(url)
        assert response.status_code == 200, url
        assert read(rep, table) and not read(primary, table), url


# --- 4. without DATABASE_REPLICA_URL nothing changes ---------------------------------------------------------------

SETTINGS_AS_JSON = """
import json, django
django.setup()
from django.conf import settings
names = [name for name in dir(settings) if name.isupper() and name != "DATABASES"]
print(json.dumps({
    "databases": settings.DATABASES,
    "routers": getattr(settings, "DATABASE_ROUTERS", []),
    "middleware": settings.MIDDLEWARE,
    "password_elsewhere": [name for name in names if "geheim" in repr(getattr(settings, name))],
}, default=str))
"""


def settings_with(**environment: str) -> dict[str, Any]:
    """The settings as a fresh process with only these variables reads them."""
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "MITWIRKEN_ENV": "test",
           "DJANGO_SETTINGS_MODULE": "mitwirken.settings", **environment}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_AS_JSON], env=env, capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_a_replica_url_there_is_no_replica_alias_router_or_middleware():
    found = settings_with()
    assert list(found["databases"]) == ["default"]
    assert found["routers"] == []
    assert replica.MIDDLEWARE not in found["middleware"]


def test_with_a_replica_url_the_replica_is_set_up_like_the_primary():
    found = settings_with(
        DATABASE_URL="postgres://portal:geheim@primary.example:5432/mitwirken",
        DATABASE_REPLICA_URL="postgres://leser:geheim@replica.example:5433/mitwirken",
    )
    default, second = found["databases"]["default"], found["databases"]["replica"]
    assert (second["HOST"], second["PORT"], second["USER"]) == ("replica.example", 5433, "leser")
    assert second["OPTIONS"] == default["OPTIONS"] == {"options": "-c random_page_cost=1.1"}
    assert second["CONN_HEALTH_CHECKS"] is True and second["CONN_MAX_AGE"] == default["CONN_MAX_AGE"]
    assert found["routers"] == [replica.ROUTER]
    assert found["middleware"].count(replica.MIDDLEWARE) == 1
    assert found["password_elsewhere"] == []  # only in DATABASES, whose PASSWORD Django's error pages hide
