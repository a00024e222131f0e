"""Send the reminders about volunteers' shifts that are due (about 24 hours before each shift).

Operators run this every few minutes from cron, e.g.::

    */5 * * * *  cd /srv/mitwirken && .venv/bin/python manage.py volunteering_reminders

It is safe to run as often as wanted and by several machines at once: each confirmed sign-up is reminded once
(``ShiftSignup.reminded_at``). The volunteering plugin's daily job runs it as well.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mitwirken.volunteering.services.reminders import send_due


class Command(BaseCommand):
    help = "Erinnerungen an Schichten verschicken, die fällig sind (etwa 24 Stunden vor Beginn)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_due()
        self.stdout.write(f"{sent} Erinnerung(en) verschickt.")
