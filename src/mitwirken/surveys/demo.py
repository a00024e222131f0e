"""Demo surveys (filled in by the demo data work)."""

from __future__ import annotations

from typing import Any


def seed(stdout: Any, scale: int) -> None:
    return None
