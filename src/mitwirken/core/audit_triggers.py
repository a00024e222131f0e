"""Database triggers that keep the audit log append-only below the ORM.

The model and its QuerySet refuse updates and deletes, and the admin offers neither; these triggers
refuse them for any SQL that reaches the table, on PostgreSQL and SQLite alike. One UPDATE is allowed:
setting ``actor_id`` to NULL with every other column unchanged, which is what deleting an account
does (``on_delete=SET_NULL``), so the GDPR erase keeps working and the entry itself stays.

TRUNCATE is not refused on PostgreSQL (it needs the table owner, and the test runner uses it); in
production the application's database role should not own the table (see docs/security.md).
"""

from __future__ import annotations

from typing import Any

TABLE = "core_auditentry"
COLUMNS = ("id", "created_at", "organisation_id", "action", "object_type", "object_id", "object_repr", "changes")
MESSAGE = "audit entries are append-only"

POSTGRESQL_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
           AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"""
    CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()
    """,
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
]

_unchanged = " AND ".join(f"NEW.{column} IS OLD.{column}" for column in COLUMNS)
SQLITE_CREATE = [
    f"""
    CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
    WHEN NOT (NEW.actor_id IS NULL AND {_unchanged})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"]


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create(connection: Any) -> None:
    if connection.vendor == "postgresql":
        _run(connection, POSTGRESQL_CREATE)
    elif connection.vendor == "sqlite":
        _run(connection, SQLITE_CREATE)


def drop(connection: Any) -> None:
    if connection.vendor == "postgresql":
        _run(connection, POSTGRESQL_DROP)
    elif connection.vendor == "sqlite":
        _run(connection, SQLITE_DROP)
