from typing import Any

from django.core.management.base import BaseCommand

from mitwirken.participation.contrib import daily


class Command(BaseCommand):
    help = (
        "The participation parts' share of `manage.py daily` (the name is kept for existing cron entries): tell "
        "followers about phases that began, then queue the daily digests."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        told = daily()
        self.stdout.write(
            f"Benachrichtigungen zu neuen Phasen: {told}. Tageszusammenfassungen sind in der Warteschlange."
        )
