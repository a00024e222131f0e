from typing import Any

from django.core.management.base import BaseCommand

from mitwirken.core.precount import recount


class Command(BaseCommand):
    help = (
        "Counts the public map's grid (reports_mapcell) again from the reports, e.g. after a restore with "
        "triggers disabled. PostgreSQL only; report writes wait until it is done."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        cells = recount("reports_mapcell", "reports_report", "mitwirken.reports.migrations.0010_map_cells")
        self.stdout.write(f"Kartenzellen neu gezählt: {cells}.")
