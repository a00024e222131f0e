"""API keys of Open311 clients: created and revoked by an organisation's admins, checked on every POST.

Only the SHA-256 of a key is stored. The plaintext is returned once, to the person who created it, and can
never be shown again; a lost key is revoked and replaced. A random key of 256 bits needs no slow password
hash: nobody can guess it, so a fast hash that can be looked up by index is enough.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action
from mitwirken.core.permissions import require
from mitwirken.organisations.models import Organisation

from .models import ApiClient

PREFIX_LENGTH = 8
MAX_NAME_LENGTH = 120


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def api_client_create(*, actor: Any, organisation: Organisation, name: str) -> tuple[ApiClient, str]:
    """A new client with a fresh key; the plaintext key is in the result and nowhere else."""
    require(actor, "reports.manage_api_clients", organisation)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Bitte geben Sie an, welche Anwendung den Schlüssel benutzt.")})
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(
            {"name": _("Der Name darf höchstens %(max)d Zeichen lang sein.") % {"max": MAX_NAME_LENGTH}}
        )
    key = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(
        organisation=organisation, name=name, key_hash=hash_key(key), key_prefix=key[:PREFIX_LENGTH],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    log_action(actor=actor, action="api_client.create", obj=client, organisation=organisation,
               changes={"name": name, "key_prefix": client.key_prefix})  # fmt: skip
    return client, key


@transaction.atomic
def api_client_revoke(*, actor: Any, client: ApiClient) -> ApiClient:
    """Revoke a key for good. Revoking twice changes nothing and writes no second audit entry."""
    client = ApiClient.objects.select_for_update().select_related("organisation").get(pk=client.pk)
    require(actor, "reports.manage_api_clients", client.organisation)
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        log_action(actor=actor, action="api_client.revoke", obj=client, organisation=client.organisation,
                   changes={"key_prefix": client.key_prefix})  # fmt: skip
    return client


def api_client_for_key(key: str | None) -> ApiClient | None:
    """The active client a key belongs to, or None for a missing, unknown or revoked key."""
    if not key:
        return None
    return (
        ApiClient.objects.filter(key_hash=hash_key(key), revoked_at__isnull=True).select_related("organisation").first()
    )
