"""The audit log reads as sentences, filters, pages and exports with a constant number of queries (issue #14)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mitwirken.core.audit import describe, log_action
from mitwirken.core.models import AuditEntry
from mitwirken.reports.models import ReportStatus

from .conftest import PERSONAS

pytestmark = pytest.mark.django_db

URL = "/verwaltung/musterkreis/protokoll/"


def _status_change(world: Any, actor: Any, number: int = 51) -> AuditEntry:
    """An entry as the Mängelmelder writes it when a report's status changes."""
    entry = AuditEntry.objects.create(
        actor=actor, organisation=world.organisation, action="report.status", object_type="reports.report",
        object_id=str(number), object_repr=f"#{number} Schlagloch",
        changes={"status": [ReportStatus.OPEN.value, ReportStatus.IN_PROGRESS.value]},
    )  # fmt: skip
    return entry


def test_a_status_change_reads_as_a_german_sentence(world: Any) -> None:
    actor = world.personas["case_worker"]
    actor.real_name = "Erika Muster"
    actor.save()
    line = describe(_status_change(world, actor))
    assert line.sentence == (
        f"Status der Meldung #51 von „{ReportStatus.OPEN.label}“ auf „{ReportStatus.IN_PROGRESS.label}“ "
        "geändert von Erika Muster"
    )


def test_an_unknown_action_falls_back_to_a_generic_sentence_with_its_changes(world: Any) -> None:
    entry = log_action(actor=None, action="something.new", obj=world.public, organisation=world.organisation,
                       changes={"title": ["Alt", "Neu"], "note": "frei"})  # fmt: skip
    line = describe(entry)
    assert world.public.title in line.sentence
    assert "something.new" in line.sentence
    assert "title: „Alt“ → „Neu“" in line.details
    assert "note: frei" in line.details


def test_the_page_shows_sentences_and_filters(world: Any) -> None:
    worker, admin = world.personas["case_worker"], world.personas["org_admin"]
    _status_change(world, worker, 4711)
    _status_change(world, admin, 4712)
    log_action(actor=admin, action="project.update", obj=world.public, organisation=world.organisation)
    client = world.client("org_admin")
    html = client.get(URL).content.decode()
    assert "Status der Meldung #4711" in html and f"Projekt „{world.public.title}“ bearbeitet" in html

    by_person = client.get(URL, {"person": worker.pk}).content.decode()
    assert "#4711" in by_person and "#4712" not in by_person
    by_object = client.get(URL, {"obj": "#4712"}).content.decode()
    assert "#4712" in by_object and "#4711" not in by_object
    by_action = client.get(URL, {"action": "project.update"}).content.decode()
    assert "bearbeitet" in by_action and "#4711" not in by_action
    today = timezone.localdate()
    assert "#4711" not in client.get(URL, {"date_to": (today - timedelta(days=1)).isoformat()}).content.decode()
    assert "#4711" in client.get(URL, {"date_from": today.isoformat(), "date_to": today.isoformat()}).content.decode()
    wrong = client.get(URL, {"date_from": today.isoformat(), "date_to": (today - timedelta(days=2)).isoformat()})
    assert "Das Ende liegt vor dem Anfang." in wrong.content.decode()


def test_the_export_has_the_same_filter_and_is_logged(world: Any) -> None:
    worker = world.personas["case_worker"]
    _status_change(world, worker, 4711)
    _status_change(world, world.personas["org_admin"], 4712)
    response = world.client("org_admin").get(URL + "export.csv", {"person": worker.pk})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Zeitpunkt"
    assert [row[4] for row in rows[1:]] == ["4711"]
    assert rows[1][6].startswith("Status der Meldung #4711")
    assert AuditEntry.objects.filter(action="auditlog.export", actor=world.personas["org_admin"]).exists()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("suffix", ["", "export.csv"])
def test_who_reads_and_exports_the_log(world: Any, persona: str, suffix: str) -> None:
    response = world.client(persona).get(URL + suffix)
    if persona in {"org_admin", "portal_admin"}:
        assert response.status_code == 200
    else:
        assert response.status_code in (302, 403, 404)
        assert "Protokoll" not in response.content.decode() or response.status_code == 302


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url", [URL, URL + "?obj=Schlagloch&seite=2", URL + "export.csv"])
def test_log_and_export_queries_do_not_grow(world: Any, url: str) -> None:
    client = world.client("org_admin")
    actors = [world.personas["case_worker"], world.personas["org_admin"]]
    for number in range(60):
        _status_change(world, actors[number % 2], number)
    few = _queries(client, url)
    for number in range(60, 200):
        _status_change(world, actors[number % 2], number)
    assert _queries(client, url) == few
