"""The shifts area's part of the volunteering plugin's daily job."""

from __future__ import annotations


def daily() -> None:
    """Send shift reminders that are due (the cron job ``volunteering_reminders`` normally does it sooner)."""
    from .services.reminders import send_due

    send_due()
