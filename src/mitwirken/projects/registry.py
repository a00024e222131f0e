"""Module types are registered here by their apps; projects imports none of them.

A module app calls ``register(ModuleType(...))`` in its ``AppConfig.ready()``.
Each phase type declares the actions ("features") it allows, e.g. ``("create",
"comment", "rate")``; permission predicates of the module ask
``Module.allows(action)`` instead of knowing phase names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from .models import Module, Project


@dataclass(frozen=True)
class PhaseType:
    key: str
    name: Any  # lazy translation string
    features: tuple[str, ...] = ()
    description: Any = ""


@dataclass(frozen=True)
class ModuleType:
    key: str
    name: Any
    description: Any
    phase_types: tuple[PhaseType, ...]
    # Renders the module's public page; receives an already permission-checked project and module.
    render: Callable[[HttpRequest, Project, Module], HttpResponse]
    features: tuple[str, ...] = field(default=())
    # Module types with their own set-up (e.g. a formal procedure) name back-office URLs taking
    # org_slug + project_pk (create) and + module_pk (manage); the generic module form skips them.
    backoffice_create: str = ""
    backoffice_manage: str = ""
    # Types whose phases are managed generically but that have settings of their own (e.g. a dialogue's
    # categories and moderation) name a back-office URL taking org_slug, project_pk and module_pk.
    backoffice_settings: str = ""

    def phase_type(self, key: str) -> PhaseType | None:
        return next((phase for phase in self.phase_types if phase.key == key), None)


_registry: dict[str, ModuleType] = {}


def register(module_type: ModuleType) -> None:
    if module_type.key in _registry and _registry[module_type.key] is not module_type:
        raise ValueError(f"Module type {module_type.key!r} is registered twice.")
    _registry[module_type.key] = module_type


def get(key: str) -> ModuleType | None:
    return _registry.get(key)


def all_types() -> list[ModuleType]:
    return sorted(_registry.values(), key=lambda module_type: str(module_type.name))


def choices() -> list[tuple[str, Any]]:
    return [(module_type.key, module_type.name) for module_type in all_types()]


def generic_choices() -> list[tuple[str, Any]]:
    """Types the generic "add module" form can create: those without a set-up of their own."""
    return [(module_type.key, module_type.name) for module_type in all_types() if not module_type.backoffice_create]
