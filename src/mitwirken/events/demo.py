"""Demo events (placeholder until the demo data lands)."""

from __future__ import annotations

from typing import Any


def seed(stdout: Any, scale: int) -> None:
    return None
