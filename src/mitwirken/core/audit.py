"""The one way to write the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEntry


def log_action(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    organisation: Any = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry. ``changes`` maps field names to ``[old, new]`` or carries free details."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organisation=organisation,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        changes=changes or {},
    )


def diff_fields(instance: models.Model, old_values: dict[str, Any], fields: list[str]) -> dict[str, list[Any]]:
    """Field changes between a snapshot and the instance, as JSON-safe ``[old, new]`` pairs."""
    changes = {}
    for field in fields:
        new = getattr(instance, field)
        if old_values.get(field) != new:
            changes[field] = [_json_safe(old_values.get(field)), _json_safe(new)]
    return changes


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {field: getattr(instance, field) for field in fields}


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    if hasattr(value, "name") and hasattr(value, "url"):  # FieldFile
        return value.name or None
    return str(value)
