"""What hours add to the plugin's daily job: § 72a records that are due are deleted."""

from __future__ import annotations

from .services import police


def daily() -> None:
    police.delete_due()
