from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from mitwirken.core import demo


class Command(BaseCommand):
    help = "Creates realistic demo data (idempotent). --scale N adds N extra records per app for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=0, help="extra records each app adds (e.g. projects)")

    def handle(self, *args: Any, scale: int, **options: Any) -> None:
        if settings.PRODUCTION:
            # Demo accounts have a published password and second-factor secret.
            raise CommandError("seed_demo is refused in production (MITWIRKEN_ENV=production).")
        for seeder in demo.seeders():
            with transaction.atomic():
                seeder.run(self.stdout, scale)
        if connection.vendor == "postgresql":
            # Fresh planner statistics after the bulk inserts, as autovacuum would gather them in production;
            # without them PostgreSQL plans the first queries for empty tables (nested loops over 100,000 rows).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
