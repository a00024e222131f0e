"""``manage.py restore FOLDER``: a backup into an empty database and storage, then checked (``core.backup``).

``--verify-only`` compares the running portal with the backup's manifest without restoring.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mitwirken.core.backup import BackupError, restore, verify


class Command(BaseCommand):
    help = "Stellt eine Sicherung in eine leere Datenbank und einen leeren Dateispeicher wieder her und prüft sie."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--verify-only", action="store_true", help="nur vergleichen, nichts wiederherstellen")

    def handle(self, *args: Any, folder: Path, verify_only: bool, **options: Any) -> None:
        try:
            if not verify_only:
                restore(folder)
            result = verify(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        for problem in result.problems:
            self.stderr.write(problem)
        if not result.ok:
            raise CommandError(f"Die Wiederherstellung weicht in {len(result.problems)} Punkten von der Sicherung ab.")
        self.stdout.write(
            f"Geprüft: {result.rows} Zeilen, {result.files} Dateien und {result.receipts} Eingangsbestätigungen "
            "stimmen mit der Sicherung überein."
        )
