"""Reminders about a day before a shift, with the shift's calendar file, to every confirmed helper.

``send_due(now)`` may run as often as wanted and by several workers at once: each reminder is claimed first by
setting ``ShiftSignup.reminded_at`` with a conditional UPDATE (``reminded_at IS NULL``), and only whoever set it
sends the e-mail, so nobody is reminded twice. Operators run it every few minutes
(``manage.py volunteering_reminders``); the plugin's daily job runs it too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from ..models import ShiftSignup, SignupStatus
from . import shift_messaging

AHEAD = timedelta(hours=24)
BATCH = 500


def due(now: datetime) -> list[ShiftSignup]:
    """Confirmed sign-ups not yet reminded whose shift begins within the next 24 hours."""
    return list(
        ShiftSignup.objects.filter(
            status=SignupStatus.CONFIRMED, reminded_at__isnull=True, shift__start__gt=now,
            shift__start__lte=now + AHEAD,
        ).select_related("shift__opportunity__organisation", "volunteer").order_by("shift__start", "pk")[:BATCH]
    )  # fmt: skip


def send_due(now: datetime | None = None) -> int:
    """Send the reminders that are due at ``now``; returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    while batch := due(now):
        for signup in batch:
            claimed = ShiftSignup.objects.filter(pk=signup.pk, reminded_at__isnull=True).update(reminded_at=now)
            if claimed:
                shift_messaging.reminder(signup)
                sent += 1
        if len(batch) < BATCH:
            break
    return sent
