from typing import Any

from django.core.management.base import BaseCommand

from mitwirken.core import plugins


class Command(BaseCommand):
    help = "The portal's daily job (cron, once a day): runs every plugin's daily work (digests, follow-ups, retention)."

    def handle(self, *args: Any, **options: Any) -> None:
        from mitwirken.accounts.saml.response import forget_expired_assertions
        from mitwirken.core.mail import forget_delivered_emails

        forget_expired_assertions()
        self.stdout.write("accounts: erledigt")
        forget_delivered_emails()
        self.stdout.write("mail: erledigt")
        for plugin in plugins.all_plugins():
            daily = plugin.load("daily")
            if daily is not None:
                daily()
                self.stdout.write(f"{plugin.key}: erledigt")
