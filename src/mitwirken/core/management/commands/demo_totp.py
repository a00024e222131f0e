from __future__ import annotations

import time
from typing import Any

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand

from mitwirken.core.demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Prints the current second-factor code of the demo staff accounts (development only)."

    def handle(self, *args: Any, **options: Any) -> None:
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
        self.stdout.write(code)
