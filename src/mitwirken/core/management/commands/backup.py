"""``manage.py backup FOLDER``: database, media storage and manifest into a new folder (``core.backup``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mitwirken.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Sichert Datenbank und Dateien mit einem Manifest zur Prüfung der Wiederherstellung."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, folder: Path, **options: Any) -> None:
        try:
            manifest = backup(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Gesichert nach {folder}: {sum(manifest['rows'].values())} Zeilen in {len(manifest['rows'])} Tabellen, "
            f"{len(manifest['files'])} Dateien, {len(manifest['receipts'])} Eingangsbestätigungen."
        )
