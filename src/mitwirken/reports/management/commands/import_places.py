"""Fill the gazetteer (``Place``) from a CSV file, e.g. an export of official address data.

Columns (header row, semicolon or comma separated): name;municipality;postal_code;lon;lat
Rows with bad coordinates are reported and skipped; the import is atomic per run.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from mitwirken.reports.models import Place

REQUIRED = ("name", "municipality", "lon", "lat")


class Command(BaseCommand):
    help = "Import streets and places for the address search of the Mängelmelder from a CSV file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("csv_file", type=Path)
        parser.add_argument("--replace", action="store_true", help="delete all existing places first")

    def handle(self, *args: Any, csv_file: Path, replace: bool, **options: Any) -> None:
        if not csv_file.is_file():
            raise CommandError(f"Datei nicht gefunden: {csv_file}")
        text = csv_file.read_text(encoding="utf-8-sig")
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=";,")
        rows = list(csv.DictReader(text.splitlines(), dialect=dialect))
        missing = [column for column in REQUIRED if rows and column not in rows[0]]
        if missing:
            raise CommandError(
                f"Spalten fehlen: {', '.join(missing)} (erwartet: name;municipality;postal_code;lon;lat)"
            )
        places, skipped = [], 0
        for number, row in enumerate(rows, start=2):
            try:
                lon, lat = float(row["lon"].replace(",", ".")), float(row["lat"].replace(",", "."))
            except (TypeError, ValueError):
                lon = lat = float("nan")
            if not (-180 <= lon <= 180 and -90 <= lat <= 90) or not row["name"].strip():
                self.stderr.write(f"Zeile {number} übersprungen: Name oder Koordinaten fehlen oder sind ungültig.")
                skipped += 1
                continue
            place = Place(name=row["name"].strip()[:200], municipality=row["municipality"].strip()[:120],
                          postal_code=(row.get("postal_code") or "").strip()[:10], lon=lon, lat=lat)  # fmt: skip
            place.search_text = place.searchable()
            places.append(place)
        with transaction.atomic():
            if replace:
                Place.objects.all().delete()
            Place.objects.bulk_create(places, batch_size=5000)  # save() is bypassed: search_text is set above
        self.stdout.write(f"{len(places)} Orte importiert, {skipped} Zeilen übersprungen.")
