"""The one way to write the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


# --- Reading the log: one German sentence per entry ---------------------------------------------------------


@dataclass(frozen=True)
class AuditSentence:
    """How one action reads in the log.

    ``text`` is a translatable string with the placeholders ``%(object)s`` (the object's name as it was),
    ``%(id)s`` (its number) and, where ``field`` names a change ``[old, new]``, ``%(old)s`` and ``%(new)s``;
    ``values`` turns stored values of that field into their labels (a status key into „in Bearbeitung“).
    The person is added by the renderer („… von Erika Muster“).
    """

    text: Any
    field: str = ""
    values: Mapping[Any, Any] | None = None


CORE_SENTENCES: dict[str, AuditSentence] = {
    "organisation.create": AuditSentence(gettext_lazy("Organisation „%(object)s“ angelegt")),
    "organisation.update": AuditSentence(gettext_lazy("Einstellungen der Organisation „%(object)s“ geändert")),
    "membership.add": AuditSentence(gettext_lazy("Mitgliedschaft „%(object)s“ angelegt")),
    "membership.invite": AuditSentence(gettext_lazy("Einladung an „%(object)s“ verschickt")),
    "membership.invitation_accept": AuditSentence(gettext_lazy("Einladung „%(object)s“ angenommen")),
    "membership.invitation_revoke": AuditSentence(gettext_lazy("Einladung an „%(object)s“ widerrufen")),
    "membership.change_role": AuditSentence(
        gettext_lazy("Rolle von „%(object)s“ von „%(old)s“ auf „%(new)s“ geändert"), field="role"
    ),
    "membership.remove": AuditSentence(gettext_lazy("Mitgliedschaft „%(object)s“ beendet")),
    "project.create": AuditSentence(gettext_lazy("Projekt „%(object)s“ angelegt")),
    "project.update": AuditSentence(gettext_lazy("Projekt „%(object)s“ bearbeitet")),
    "project.publish": AuditSentence(gettext_lazy("Projekt „%(object)s“ veröffentlicht")),
    "project.archive": AuditSentence(gettext_lazy("Projekt „%(object)s“ archiviert")),
    "module.add": AuditSentence(gettext_lazy("Modul „%(object)s“ angelegt")),
    "module.update": AuditSentence(gettext_lazy("Modul „%(object)s“ bearbeitet")),
    "module.delete": AuditSentence(gettext_lazy("Modul „%(object)s“ gelöscht")),
    "phase.add": AuditSentence(gettext_lazy("Phase „%(object)s“ angelegt")),
    "phase.update": AuditSentence(gettext_lazy("Phase „%(object)s“ bearbeitet")),
    "phase.remove": AuditSentence(gettext_lazy("Phase „%(object)s“ gelöscht")),
    "invitation.create": AuditSentence(gettext_lazy("Einladung „%(object)s“ verschickt")),
    "invitation.revoke": AuditSentence(gettext_lazy("Einladung „%(object)s“ widerrufen")),
    "project_membership.remove": AuditSentence(gettext_lazy("Teilnahme „%(object)s“ beendet")),
    "attachment.add": AuditSentence(gettext_lazy("Anhang „%(object)s“ hinzugefügt")),
    "attachment.remove": AuditSentence(gettext_lazy("Anhang „%(object)s“ entfernt")),
    "gdpr.export": AuditSentence(gettext_lazy("Datenauskunft für „%(object)s“ erstellt")),
    "api.client_create": AuditSentence(gettext_lazy("Schnittstellen-Zugang „%(object)s“ angelegt")),
    "api.client_revoke": AuditSentence(gettext_lazy("Schnittstellen-Zugang „%(object)s“ widerrufen")),
}


def sentences() -> dict[str, AuditSentence]:
    """The core's sentences and every plugin's (``Plugin.audit_sentences``); a plugin may refine the core's."""
    from . import plugins

    found = dict(CORE_SENTENCES)
    for plugin in plugins.all_plugins():
        contribute = plugin.load("audit_sentences")
        if contribute is not None:
            found.update(contribute())
    return found


@dataclass(frozen=True)
class AuditLine:
    sentence: str
    details: list[str]


def person_name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.real_name or user.display_name or user.email)


def _value(value: Any, labels: Mapping[Any, Any] | None) -> str:
    if labels is not None and value in labels:
        return str(labels[value])
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("ja") if value else _("nein"))
    return str(value)


def describe(entry: AuditEntry, known: Mapping[str, AuditSentence] | None = None) -> AuditLine:
    """The entry as a German sentence (its action's sentence, or a generic one) and the changes it carries."""
    known = sentences() if known is None else known
    sentence = known.get(entry.action)
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    name = entry.object_repr or entry.object_id or "–"
    if sentence is not None:
        values: dict[str, Any] = {"object": name, "id": entry.object_id, "old": "–", "new": "–"}
        change = changes.get(sentence.field) if sentence.field else None
        if isinstance(change, list) and len(change) == 2:
            values.update(old=_value(change[0], sentence.values), new=_value(change[1], sentence.values))
        text = str(sentence.text) % values
    else:
        text = _("„%(object)s“: %(action)s") % {"object": name, "action": entry.action}
    actor = person_name(entry.actor)
    text = _("%(text)s von %(person)s") % {"text": text, "person": actor} if actor else text
    details = []
    for key, change in changes.items():
        if sentence is not None and key == sentence.field:
            continue
        if isinstance(change, list) and len(change) == 2:
            details.append(_("%(field)s: „%(old)s“ → „%(new)s“") % {
                "field": key, "old": _value(change[0], None)[:120], "new": _value(change[1], None)[:120]})  # fmt: skip
        else:
            details.append(f"{key}: {_value(change, None)[:200]}")
    return AuditLine(sentence=text, details=details)
