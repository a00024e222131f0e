"""What an API client may do: scope names and their German labels.

A key carries a list of scope names; a route that needs one calls ``auth.require_scope``. Modules bring
their scopes in their plugin registration (``Plugin.api_scopes``), which calls :func:`register`; the back
office offers every registered scope as a checkbox.
"""

from __future__ import annotations

from typing import Any

SCOPES: dict[str, Any] = {}


def register(name: str, label: Any) -> None:
    """Add a scope; registering a name twice with another label is a programming error."""
    if name in SCOPES and str(SCOPES[name]) != str(label):
        raise ValueError(f"API scope {name!r} is already registered with another label")
    SCOPES[name] = label


def choices() -> list[tuple[str, Any]]:
    return list(SCOPES.items())


def label(name: str) -> str:
    return str(SCOPES.get(name, name))
