from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction


class Command(BaseCommand):
    help = (
        "Counts the public map's grid (reports_mapcell) again from the reports, e.g. after a restore with "
        "triggers disabled. PostgreSQL only; report writes wait until it is done."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Nur für PostgreSQL: auf SQLite zählt die Karte ohne vorgezählte Zellen.")
        # The migration that created the table holds the one definition of how cells are counted.
        fill = import_module("mitwirken.reports.migrations.0010_map_cells").FILL
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("LOCK TABLE reports_report IN SHARE MODE")  # no report changes while counting
            cursor.execute("DELETE FROM reports_mapcell")
            cursor.execute(fill)
            cursor.execute("SELECT count(*) FROM reports_mapcell")
            cells = cursor.fetchone()[0]
        self.stdout.write(f"Kartenzellen neu gezählt: {cells}.")
