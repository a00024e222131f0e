"""Volunteering's part of ``manage.py daily``.

Reminders and saved-search notifications also have commands of their own that operators run every few
minutes (docs/operations.md); the daily run catches whatever those left.
"""

from __future__ import annotations


def daily() -> None:
    from .services import police, reminders, saved_searches

    reminders.send_due()
    saved_searches.daily()
    # § 72a SGB VIII: records of people who did not start, or whose engagement ended long enough ago.
    police.delete_due()
