from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.utils import timezone

from mitwirken.dialogue.notifications import phases_started, start_daily_digests

LAST_RUN_KEY = "dialogue:daily:last_run"


class Command(BaseCommand):
    help = "Daily job of the dialogues: tell followers about phases that began, then queue the daily digests."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        # The last run is remembered so that a skipped day is caught up, but never more than a week.
        since = cache.get(LAST_RUN_KEY) or now - timedelta(days=1)
        since = max(since, now - timedelta(days=7))
        told = phases_started(since, now)
        cache.set(LAST_RUN_KEY, now, None)
        start_daily_digests()
        self.stdout.write(
            f"Benachrichtigungen zu neuen Phasen: {told}. Tageszusammenfassungen sind in der Warteschlange."
        )
