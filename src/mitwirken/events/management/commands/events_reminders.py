from typing import Any

from django.core.management.base import BaseCommand

from mitwirken.events.services.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "Queue the due reminders before events (safe to run often and in parallel; each goes once). "
        "Run it every few minutes from cron, e.g. '*/5 * * * * manage.py events_reminders'."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        queued = send_due_reminders()
        self.stdout.write(f"Erinnerungen in der Warteschlange: {queued}.")
