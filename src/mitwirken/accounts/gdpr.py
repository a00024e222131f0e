"""Data export and account deletion (Art. 15, 17, 20 GDPR).

Core apps register what they hold about a person here; module apps name theirs in
their plugin registration (``core.plugins``). An exporter returns a
JSON-serialisable section, an eraser removes or anonymises it before the
account row is deleted. Records the authority must keep (formal statements)
are anonymised by their app's eraser, not deleted.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from mitwirken.core import plugins
from mitwirken.core.audit import log_action

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]

_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}


def register(section: str, *, exporter: Exporter, eraser: Eraser | None = None) -> None:
    _exporters[section] = exporter
    if eraser is not None:
        _erasers[section] = eraser


def _account_section(user: Any) -> dict[str, Any]:
    from allauth.account.models import EmailAddress

    return {
        "email": user.email,
        "display_name": user.display_name,
        "real_name": user.real_name,
        "street": user.street,
        "postal_code": user.postal_code,
        "city": user.city,
        "language": user.language,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "email_addresses": list(EmailAddress.objects.filter(user=user).values("email", "verified", "primary")),
        "identities": list(user.identities.values("provider", "subject", "assurance_level", "last_login_at")),
        "notifications": list(user.notifications.values("created_at", "title", "body", "url", "read_at")),
    }


def _sections(kind: str) -> list[tuple[str, Any]]:
    """Core apps' sections and every plugin's, in a stable order."""
    own = _exporters if kind == "export" else _erasers
    from_plugins = [(plugin.key, plugin.load(f"gdpr_{kind}")) for plugin in plugins.all_plugins()]
    return sorted([*own.items(), *((key, function) for key, function in from_plugins if function is not None)])


def collect(user: Any) -> dict[str, Any]:
    data = {"exported_at": timezone.now(), "account": _account_section(user)}
    for section, exporter in _sections("export"):
        data[section] = exporter(user)
    return data


def export_zip(user: Any) -> bytes:
    """All data about ``user`` as ``daten.json`` inside a ZIP file; the export is audit-logged."""
    payload = json.dumps(collect(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("daten.json", payload)
        archive.writestr(
            "LIESMICH.txt",
            "Diese Datei enthält alle Daten, die das Beteiligungsportal zu Ihrem Konto speichert, im JSON-Format.\n",
        )
    log_action(actor=user, action="gdpr.export", obj=user)
    return buffer.getvalue()


@transaction.atomic
def delete_account(user: Any) -> None:
    """Anonymise what must be kept, delete everything else, then the account itself."""
    for _section, eraser in _sections("erase"):
        eraser(user)
    log_action(actor=None, action="account.delete", obj=None, changes={"account_id": user.pk})
    user.delete()
