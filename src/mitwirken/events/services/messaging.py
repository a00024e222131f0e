"""Who is told what about registrations (placeholder: the e-mails with calendar files come next)."""

from __future__ import annotations

from typing import Any


def registered(registration: Any) -> None:
    return None


def confirmed(registration: Any) -> None:
    return None


def cancelled(registration: Any, *, by_staff: bool = False) -> None:
    return None


def offered(registration: Any) -> None:
    return None


# Placeholders the back office calls (events-office); the e-mails with calendar updates replace them.
def event_changed(event: Any, changes: dict[str, Any]) -> None:
    """A published event's time or place changed (``changes``: field → [old, new]); ``event.sequence`` is raised."""
    return None


def event_cancelled(event: Any) -> None:
    """A published event (or one date of a series) was cancelled; ``event.status_reason`` says why."""
    return None


def send_message(actor: Any, event: Any, subject: str, body: str, audience: str) -> None:
    """Staff write to the event's people; ``audience`` is "confirmed", "waiting" or "capacity:<pk>"."""
    return None
