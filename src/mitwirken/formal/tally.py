"""Counts of statements that an index cannot make cheap, read from ``StatementTally`` on PostgreSQL.

A procedure can hold 50,000 statements, and counting them took most of the inbox's SQL time (an index-only scan
of every entry, 3–7 ms). The tally answers the same numbers from a few rows. SQLite has no tally and counts live;
both paths give the same numbers, which the tests compare after every kind of write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum

from .models import Statement, StatementStatus, StatementTally

OPEN = (StatementStatus.NEW, StatementStatus.IN_PROGRESS)

# The inbox filters that the tally knows. Any other filter (a search, a track, a keyword, …) is counted live,
# so a filter added to the inbox later is counted correctly without touching this module.
TALLIED_FILTERS = frozenset({"status", "assignee", "unassigned"})


def counted_ahead() -> bool:
    return connection.vendor == "postgresql"


def inbox_count(procedure_id: int, filters: Mapping[str, Any]) -> int | None:
    """How many statements the inbox lists with these filters (the form's cleaned data, sort order included),
    or None where only counting the list itself can tell."""
    chosen = {name: value for name, value in filters.items() if value not in (None, "", False) and name != "sort"}
    if not counted_ahead() or not set(chosen) <= TALLIED_FILTERS:
        return None
    rows = StatementTally.objects.filter(procedure_id=procedure_id)
    if "status" in chosen:
        rows = rows.filter(status=chosen["status"])
    if "assignee" in chosen:
        rows = rows.filter(assignee_id=chosen["assignee"].pk)
    if "unassigned" in chosen:
        rows = rows.filter(assignee_id=0)
    return rows.aggregate(total=Sum("statements", default=0))["total"]


def open_work(procedure_ids: Iterable[int], user: Any, limit: int) -> list[dict[str, int]]:
    """Per procedure with open statements (new or in progress) for nobody or for ``user``: ``procedure``,
    ``unassigned`` and ``mine``, ordered by procedure, the first ``limit`` procedures."""
    rows: QuerySet[Any, dict[str, Any]]
    if counted_ahead():
        rows = (
            StatementTally.objects.filter(procedure_id__in=list(procedure_ids), status__in=OPEN)
            .values(procedure=F("procedure_id"))
            .annotate(
                unassigned=Sum("statements", filter=Q(assignee_id=0), default=0),
                mine=Sum("statements", filter=Q(assignee_id=user.pk), default=0),
            )
        )
    else:
        # Exactly the condition of the partial index ``statement_open_work``; counting an indexed column keeps the
        # scan index-only.
        rows = (
            Statement.objects.filter(status__in=OPEN, procedure__in=list(procedure_ids))
            .values("procedure")
            .annotate(
                unassigned=Count("procedure", filter=Q(assignee__isnull=True)),
                mine=Count("procedure", filter=Q(assignee=user)),
            )
        )
    return list(rows.filter(Q(unassigned__gt=0) | Q(mine__gt=0)).order_by("procedure")[:limit])
