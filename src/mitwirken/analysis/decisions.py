"""Recording what staff made of a suggestion (the one write of the acceptance log)."""

from __future__ import annotations

from typing import Any

from .models import Decision, Outcome, SuggestionKind


def record(
    *, actor: Any, organisation: Any, kind: SuggestionKind | str, outcome: Outcome | str, module: Any = None,
    score: float | None = None, detail: dict[str, Any] | None = None,
) -> Decision:  # fmt: skip
    return Decision.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None, organisation=organisation,
        module=module, kind=kind, outcome=outcome, score=score, detail=detail or {},
    )  # fmt: skip
