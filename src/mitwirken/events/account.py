"""The person's registrations in Mein Bereich (placeholder until the public pages land)."""

from __future__ import annotations

from mitwirken.core.plugins import AccountSection


def account_sections() -> list[AccountSection]:
    return []
