from typing import Any

from django.core.management.base import BaseCommand

from mitwirken.volunteering.services.saved_searches import notify_due


class Command(BaseCommand):
    help = (
        "Send saved searches their new matching opportunities: immediate ones at once, daily and weekly digests "
        "when due (safe to run often and in parallel; nothing is sent twice). Operators run it every 15 minutes "
        "from cron, like events_reminders, e.g. '*/15 * * * * manage.py volunteering_notify'."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = notify_due()
        self.stdout.write(f"Benachrichtigungen zu Suchaufträgen: {sent}.")
