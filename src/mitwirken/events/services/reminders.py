"""Reminders before events: ``Event.reminder_minutes`` (e.g. ``[1440, 120]``) to the confirmed registrations.

``send_due_reminders(now)`` is safe to run as often as wanted and by several workers at once: each reminder is
first claimed by inserting its ``ReminderSent(event, minutes)`` row (unique), and only whoever inserted it queues
the e-mails. It runs in the events plugin's daily job, but a reminder two hours before an event needs it more
often; run it every few minutes from cron, e.g.::

    */5 * * * *  cd /srv/mitwirken && .venv/bin/python manage.py events_reminders

A reminder is due while ``start - minutes <= now < start``. Events that are cancelled (or drafts, or postponed)
get none, nor do past ones. If several reminders of an event are due at once (the job did not run for a while),
only the nearest one is sent; the others are marked as sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Event, ReminderSent, Status
from .messaging import send_reminder_batch

# Reminders further ahead than this are not looked for (two weeks).
MAX_MINUTES = 14 * 24 * 60


def _minutes(event: Event) -> list[int]:
    values = []
    for value in event.reminder_minutes or []:
        try:
            minutes = int(value)
        except (TypeError, ValueError):
            continue
        if 0 < minutes <= MAX_MINUTES:
            values.append(minutes)
    return sorted(set(values))


def _claim(event: Event, minutes: int) -> bool:
    """Insert the ReminderSent row; False if another run already did (the unique constraint decides)."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(event=event, minutes=minutes)
    except IntegrityError:
        return False
    return True


def send_due_reminders(now: datetime | None = None) -> int:
    """Queue the reminders that are due at ``now``; returns how many reminders (events × offsets) were queued."""
    now = now or timezone.now()
    candidates = list(
        Event.objects.filter(
            status=Status.PUBLISHED, start__gt=now, start__lte=now + timedelta(minutes=MAX_MINUTES)
        ).only("id", "start", "reminder_minutes")
    )
    candidates = [event for event in candidates if _minutes(event)]
    done = set(ReminderSent.objects.filter(event__in=[e.pk for e in candidates]).values_list("event_id", "minutes"))
    queued = 0
    for event in candidates:
        due = [m for m in _minutes(event) if event.start - timedelta(minutes=m) <= now < event.start]
        due = [m for m in due if (event.pk, m) not in done]
        if not due:
            continue
        claimed = [m for m in due if _claim(event, m)]
        if not claimed:
            continue
        # The nearest one is the one that still makes sense ("in two hours" rather than "tomorrow").
        nearest = min(claimed)
        transaction.on_commit(lambda event_id=event.pk, minutes=nearest: send_reminder_batch.enqueue(event_id, minutes))  # type: ignore[misc]
        queued += 1
    return queued
