"""The module types that staff can add to projects, read from the plugin registry (``core.plugins``).

Projects imports no module app: each plugin brings its module types with its one registration. Each phase
type declares the actions ("features") it allows, e.g. ``("create", "comment", "rate")``; permission
predicates of a module ask ``Module.allows(action)`` instead of knowing phase names.
"""

from __future__ import annotations

from typing import Any

from mitwirken.core import plugins
from mitwirken.core.plugins import ModuleType

__all__ = ["ModuleType", "all_types", "choices", "generic_choices", "get"]


def get(key: str) -> ModuleType | None:
    return next((module_type for module_type in plugins.module_types() if module_type.key == key), None)


def all_types() -> list[ModuleType]:
    return sorted(plugins.module_types(), key=lambda module_type: str(module_type.name))


def choices() -> list[tuple[str, Any]]:
    return [(module_type.key, module_type.name) for module_type in all_types()]


def generic_choices() -> list[tuple[str, Any]]:
    """Types the generic "add module" form can create: those without a set-up of their own."""
    return [(module_type.key, module_type.name) for module_type in all_types() if not module_type.backoffice_create]
