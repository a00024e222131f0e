"""``flush`` empties every table on purpose, the audit log included.

PostgreSQL flushes with TRUNCATE, which the row triggers do not see; SQLite flushes with DELETE, which
the audit log's trigger refuses. So on SQLite the triggers are lifted for the flush and put back after
(the test runner flushes between transactional tests this way too).
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

from mitwirken.core import audit_triggers


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        lifted = connection.vendor == "sqlite" and audit_triggers.TABLE in connection.introspection.table_names()
        if lifted:
            audit_triggers.drop(connection)
        try:
            super().handle(**options)
        finally:
            if lifted:
                audit_triggers.create(connection)
