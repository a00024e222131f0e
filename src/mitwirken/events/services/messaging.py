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
