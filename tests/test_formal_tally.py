"""Statements counted ahead (``StatementTally``, PostgreSQL): after every kind of write it equals the live count,
and the inbox and the staff overview show the numbers a live count gives, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.db.models.functions import Coalesce
from django.test.utils import CaptureQueriesContext

from mitwirken.formal import evaluation, tally
from mitwirken.formal.backoffice import filtered_inbox
from mitwirken.formal.forms import InboxFilterForm
from mitwirken.formal.models import Statement, StatementStatus, StatementTally

from .conftest import login
from .formal_fixtures import make_procedure
from .staff_fixtures import many_statements
from .test_browser_formal import backoffice_base, submit_as

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(not tally.counted_ahead(), reason="the tally is kept on PostgreSQL only")


@pytest.fixture
def procedure(world: Any) -> Any:
    procedure = make_procedure(world.personas["case_worker"], world.public)
    submit_as(world.personas["citizen"], procedure.rounds.get().tracks.get())
    many_statements(Statement.objects.get(procedure=procedure), 11, late_every=3)
    return procedure


def live() -> dict[tuple[int, str, int], int]:
    rows = (
        Statement.objects.values("procedure_id", "status", who=Coalesce("assignee_id", 0))
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["procedure_id"], row["status"], row["who"]): row["n"] for row in rows}


def tallied() -> dict[tuple[int, str, int], int]:
    rows = StatementTally.objects.exclude(statements=0)
    return {(row.procedure_id, row.status, row.assignee_id): row.statements for row in rows}


@postgresql_only
def test_the_tally_follows_every_kind_of_write(world: Any, procedure: Any) -> None:
    case_worker = world.personas["case_worker"]
    assert tallied() == live() and sum(live().values()) == 12  # submitted through the service, then bulk_create

    ids = list(Statement.objects.filter(procedure=procedure).order_by("pk").values_list("pk", flat=True))
    evaluation.statements_assign(actor=case_worker, procedure=procedure, statement_ids=ids[:5], assignee=case_worker)
    evaluation.statements_set_status(
        actor=case_worker, procedure=procedure, statement_ids=ids[3:8], status=StatementStatus.IN_PROGRESS
    )
    assert tallied() == live()

    statement = Statement.objects.get(pk=ids[0])
    statement.status = StatementStatus.WEIGHED
    statement.save()  # one row through save(); another column only (no change to the counts) below
    Statement.objects.filter(pk=ids[1]).update(text="Geändert")
    Statement.objects.filter(pk=ids[2]).delete()
    assert tallied() == live()

    other = make_procedure(case_worker, world.public)
    submit_as(world.personas["citizen"], other.rounds.get().tracks.get())
    assert tallied() == live() and len({key[0] for key in live()}) == 2
    Statement.objects.filter(procedure=procedure).delete()  # many rows in one statement
    assert tallied() == live() and {key[0] for key in live()} == {other.pk}


@postgresql_only
def test_recount_gives_what_the_triggers_kept(world: Any, procedure: Any) -> None:
    before = tallied()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE formal_statementtally SET statements = statements + 7")  # as after a bad restore
    assert tallied() != live()
    call_command("recount_statements")
    assert tallied() == before == live()


@pytest.mark.skipif(tally.counted_ahead(), reason="SQLite has no tally")
def test_recount_refuses_sqlite() -> None:
    with pytest.raises(CommandError, match="Nur für PostgreSQL"):
        call_command("recount_statements")


FILTERS = [
    "",
    "status=new",
    "status=in_progress&seite=2",
    "unassigned=on",
    "assignee={me}",
    "assignee={me}&status=in_progress&sort=reference",
    "late=1",  # not tallied: counted live
    "q=Radweg",
    "status=nonsense",  # an invalid form lists everything
]


@pytest.mark.parametrize("query", FILTERS)
def test_inbox_count_is_the_live_count(client: Any, world: Any, procedure: Any, query: str) -> None:
    case_worker = world.personas["case_worker"]
    ids = list(Statement.objects.filter(procedure=procedure).order_by("pk").values_list("pk", flat=True))
    evaluation.statements_assign(actor=case_worker, procedure=procedure, statement_ids=ids[:4], assignee=case_worker)
    evaluation.statements_set_status(
        actor=case_worker, procedure=procedure, statement_ids=ids[2:9], status=StatementStatus.IN_PROGRESS
    )
    query = query.format(me=case_worker.pk)
    login(client, case_worker)
    response = client.get(f"{backoffice_base(procedure)}eingang/?{query}")
    assert response.status_code == 200
    form = InboxFilterForm(response.wsgi_request.GET or None, procedure=procedure)
    expected = filtered_inbox(procedure, form).count()
    assert response.context["page"].paginator.count == expected
    assert expected > 0 or query.startswith("q=")


@postgresql_only
def test_the_unfiltered_inbox_does_not_count_its_statements(client: Any, world: Any, procedure: Any) -> None:
    login(client, world.personas["case_worker"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{backoffice_base(procedure)}eingang/")
    assert response.context["page"].paginator.count == 12
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].upper().startswith("SELECT COUNT(")]
    assert not [sql for sql in counts if '"formal_statement"' in sql]


def test_overview_counts_open_work_as_a_live_count(client: Any, world: Any, procedure: Any) -> None:
    case_worker = world.personas["case_worker"]
    ids = list(Statement.objects.filter(procedure=procedure).order_by("pk").values_list("pk", flat=True))
    evaluation.statements_assign(actor=case_worker, procedure=procedure, statement_ids=ids[:3], assignee=case_worker)
    evaluation.statements_set_status(
        actor=case_worker, procedure=procedure, statement_ids=ids[8:], status=StatementStatus.WEIGHED
    )
    open_rows = Statement.objects.filter(procedure=procedure, status__in=tally.OPEN)
    unassigned, mine = open_rows.filter(assignee=None).count(), open_rows.filter(assignee=case_worker).count()
    assert (unassigned, mine) == (5, 3)
    assert tally.open_work([procedure.pk], case_worker, limit=50) == [
        {"procedure": procedure.pk, "unassigned": unassigned, "mine": mine}
    ]
    login(client, case_worker)
    html = client.get(f"/verwaltung/{procedure.module.project.organisation.slug}/").content.decode()
    assert "5 Stellungnahmen ohne Zuständigkeit" in html
    assert "3 Stellungnahmen mir zugewiesen" in html
