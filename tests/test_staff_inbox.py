"""The inboxes' next/previous (keyset, filter kept), the shortcut switch, and constant query counts (issue #14)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mitwirken.core.keyset import neighbours
from mitwirken.formal.models import Statement

from .conftest import login, with_second_factor
from .formal_fixtures import make_procedure
from .reports_fixtures import build_region, make_report, staff_of
from .staff_fixtures import many_statements
from .test_browser_formal import backoffice_base, submit_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure(world: Any) -> Any:
    procedure = make_procedure(world.personas["case_worker"], world.public)
    submit_as(world.personas["citizen"], procedure.rounds.get().tracks.get())
    return procedure


def _grow(procedure: Any, count: int) -> None:
    many_statements(Statement.objects.filter(procedure=procedure).earliest("id"), count, late_every=3)


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize("ordering", [["-received_at", "-id"], ["received_at", "-id"], ["reference", "-id"]])
def test_neighbours_follow_the_order_of_the_list(procedure: Any, ordering: list[str]) -> None:
    _grow(procedure, 30)
    Statement.objects.filter(
        procedure=procedure, pk__in=list(Statement.objects.values_list("pk", flat=True)[:6])
    ).update(
        received_at=Statement.objects.earliest("received_at").received_at
    )  # ties on the sort key are broken by the id
    rows = Statement.objects.filter(procedure=procedure, late=True)
    ordered = list(rows.order_by(*ordering))
    for index, statement in enumerate(ordered):
        found = neighbours(rows, statement, ordering)
        assert found.previous == (ordered[index - 1] if index else None)
        assert found.next == (ordered[index + 1] if index + 1 < len(ordered) else None)


def test_detail_links_next_and_previous_with_the_filter(client: Any, world: Any, procedure: Any) -> None:
    _grow(procedure, 20)
    login(client, world.personas["case_worker"])
    late = list(Statement.objects.filter(procedure=procedure, late=True).order_by("reference", "-id"))
    query = "late=1&sort=reference"
    response = client.get(f"{backoffice_base(procedure)}eingang/{late[1].pk}/?{query}")
    assert response.context["next_url"].endswith(f"/eingang/{late[2].pk}/?{query}")
    assert response.context["previous_url"].endswith(f"/eingang/{late[0].pk}/?{query}")
    assert response.context["list_url"].endswith(f"/eingang/?{query}")
    last = client.get(f"{backoffice_base(procedure)}eingang/{late[-1].pk}/?{query}")
    assert last.context["next_url"] == ""
    assert "Keine nächste" in last.content.decode()


def test_inbox_links_carry_the_filter_and_a_long_excerpt(client: Any, world: Any, procedure: Any) -> None:
    _grow(procedure, 5)
    login(client, world.personas["case_worker"])
    html = client.get(f"{backoffice_base(procedure)}eingang/?late=1").content.decode()
    assert '/?late=1">' in html
    assert "und die Querung des Radwegs" in html  # beyond 120 characters of the long text


def test_statement_inbox_and_detail_queries_do_not_grow(client: Any, world: Any, procedure: Any) -> None:
    login(client, world.personas["case_worker"])
    base = backoffice_base(procedure)
    first = Statement.objects.filter(procedure=procedure).get()
    urls = [f"{base}eingang/", f"{base}eingang/?late=1&sort=received_at&q=Ortsumgehung",
            f"{base}eingang/{first.pk}/", f"{base}eingang/{first.pk}/?late=0&sort=reference"]  # fmt: skip
    _grow(procedure, 5)
    few = [_queries(client, url) for url in urls]
    _grow(procedure, 300)
    assert [_queries(client, url) for url in urls] == few


def test_report_detail_next_previous_and_queries(client: Any) -> None:
    region = build_region()
    organisation = region.handler_of(region.road)
    worker = with_second_factor(staff_of(organisation))
    reports = [make_report(region, description=f"Schlagloch {number}") for number in range(5)]
    login(client, worker)
    base = f"/verwaltung/{organisation.slug}/meldungen/"
    response = client.get(f"{base}{reports[2].pk}/?q=Schlagloch")
    assert response.context["next_url"].endswith(f"/{reports[3].pk}/?q=Schlagloch")
    assert response.context["previous_url"].endswith(f"/{reports[1].pk}/?q=Schlagloch")
    urls = [base, f"{base}?q=Schlagloch", f"{base}{reports[2].pk}/?q=Schlagloch"]
    few = [_queries(client, url) for url in urls]
    for number in range(40):
        make_report(region, description=f"Schlagloch {number}")
    assert [_queries(client, url) for url in urls] == few


@pytest.mark.parametrize("persona", ["anonymous", "citizen", "case_worker"])
def test_anyone_signed_in_switches_their_own_shortcuts(client: Any, world: Any, persona: str) -> None:
    user = world.personas[persona]
    if user is not None:
        login(client, user)
    response = client.post("/konto/tastaturkuerzel/", {"enabled": "0", "next": "https://evil.example/"})
    assert response.status_code == 302
    if user is None:
        assert "/konto/login/" in response["Location"]
        return
    assert response["Location"] == "/"  # never to another site
    user.refresh_from_db()
    assert user.keyboard_shortcuts is False
    client.post("/konto/tastaturkuerzel/", {"enabled": "1", "next": "/verwaltung/"})
    user.refresh_from_db()
    assert user.keyboard_shortcuts is True


def test_shortcuts_switched_off_leave_no_hook_for_the_script(client: Any, world: Any, procedure: Any) -> None:
    user = world.personas["case_worker"]
    login(client, user)
    url = f"{backoffice_base(procedure)}eingang/"
    assert "data-shortcuts" in client.get(url).content.decode()
    user.keyboard_shortcuts = False
    user.save()
    html = client.get(url).content.decode()
    assert "data-shortcuts" not in html
    assert "Tastaturkürzel einschalten" in html
