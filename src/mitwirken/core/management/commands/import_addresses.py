from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mitwirken.core import addresses


class Command(BaseCommand):
    help = (
        "Imports an address register from a CSV file (street, house number, postcode, place and coordinates as "
        "WGS84 lat/lon or ETRS89/UTM32 east/north, e.g. the official house coordinates). Rows with the same "
        "street, number, postcode and place are updated; bad rows are listed by line number and skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="CSV file (UTF-8 or Latin-1; separated by ; or , or tab)")
        parser.add_argument("--replace", action="store_true", help="the register holds only this file afterwards")
        parser.add_argument("--batch-size", type=int, default=2_000, help="rows per database batch")
        parser.add_argument("--encoding", default="", help="file encoding (default: UTF-8, else Latin-1)")

    def handle(self, *args: Any, path: str, replace: bool, batch_size: int, encoding: str, **options: Any) -> None:
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: file not found")
        chosen = encoding or _encoding(file)
        with file.open(encoding=chosen, newline="") as lines:
            try:
                result = addresses.import_addresses(lines, replace=replace, batch_size=batch_size)
            except ValidationError as error:
                raise CommandError(error.messages[0]) from None
        for line, problem in result.problems or []:
            self.stderr.write(f"{file.name}, Zeile {line}: {problem}")
        self.stdout.write(
            f"{result.created} neu, {result.updated} aktualisiert, {result.unchanged} unverändert, "
            f"{result.deleted} entfernt, "
            f"{len(result.problems or [])} fehlerhafte Zeilen übersprungen."
        )


def _encoding(file: Path) -> str:
    with file.open("rb") as raw:
        sample = raw.read(1_000_000)
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(sample) - 4:  # not just a character cut off at the end of the sample
            return "latin-1"
    return "utf-8-sig"
