from typing import Any

from django.core.management.base import BaseCommand

from mitwirken.formal.notices import anonymise_expired


class Command(BaseCommand):
    help = "Removes personal data from statements whose retention period has passed (run daily, e.g. by cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = anonymise_expired.call()
        self.stdout.write(f"{count} Stellungnahmen anonymisiert.")
