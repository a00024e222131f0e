"""Tables counted ahead by PostgreSQL triggers (the map's cells, the statement tally): counting them again.

Each such table is filled by triggers in the same transaction as every write to its source table. A restore with
triggers disabled (``pg_restore --disable-triggers``) leaves it stale; the module's ``recount_…`` command then
counts it again with the fill query of the migration that created it (the one definition of how it counts).
"""

from __future__ import annotations

from importlib import import_module

from django.core.management.base import CommandError
from django.db import connection, transaction


def recount(table: str, source: str, migration: str) -> int:
    """Empty ``table`` and fill it again from ``source`` with ``FILL`` of ``migration`` (a dotted module path),
    while writes to ``source`` wait. Returns the number of rows written."""
    if connection.vendor != "postgresql":
        raise CommandError("Nur für PostgreSQL: SQLite zählt ohne vorgezählte Tabellen.")
    fill = import_module(migration).FILL
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {source} IN SHARE MODE")  # no changes to the source while counting
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608  # table names of the project, not input
        cursor.execute(fill)
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        return int(cursor.fetchone()[0])
