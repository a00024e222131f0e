from typing import Any

from django.core.management.base import BaseCommand

from mitwirken.reports.alerts import start_daily_digests
from mitwirken.reports.services.followups import send_followups


class Command(BaseCommand):
    help = "Daily job of the Mängelmelder: follow-up questions after 'erledigt' and the daily alert digests."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_followups()
        start_daily_digests()
        self.stdout.write(f"Nachfragen gesendet: {sent}. Tägliche Zusammenfassungen sind in der Warteschlange.")
