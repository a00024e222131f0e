from typing import Any

from django.core.management.base import BaseCommand

from mitwirken.core.precount import recount


class Command(BaseCommand):
    help = (
        "Counts the statement tally (formal_statementtally: statements per procedure, status and assignee) again, "
        "e.g. after a restore with triggers disabled. PostgreSQL only; statement writes wait until it is done."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = recount("formal_statementtally", "formal_statement", "mitwirken.formal.migrations.0013_statement_tally")
        self.stdout.write(f"Stellungnahmen neu gezählt: {rows} Zeilen.")
