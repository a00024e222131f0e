"""What the events plugin adds to the staff overview, the figures page and the daily jobs (placeholders)."""

from __future__ import annotations

from typing import Any

from mitwirken.core.plugins import Statistic, WorkItem


def staff_work(user: Any, organisation: Any) -> list[WorkItem]:
    return []


def statistics(organisation: Any) -> list[Statistic]:
    return []


def daily() -> None:
    return None
