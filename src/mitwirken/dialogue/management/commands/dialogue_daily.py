from typing import Any

from django.core.management.base import BaseCommand

from mitwirken.dialogue.contrib import daily


class Command(BaseCommand):
    help = "The dialogue's part of `manage.py daily`: tell followers about phases that began, queue the digests."

    def handle(self, *args: Any, **options: Any) -> None:
        told = daily()
        self.stdout.write(
            f"Benachrichtigungen zu neuen Phasen: {told}. Tageszusammenfassungen sind in der Warteschlange."
        )
