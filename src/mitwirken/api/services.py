"""Writes on API clients: create (the key is returned once) and revoke."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action
from mitwirken.core.dates import end_of_last_day
from mitwirken.core.permissions import require
from mitwirken.organisations.models import Organisation, OrganisationMembership, OrganisationRole
from mitwirken.organisations.roles import forget_roles

from . import scopes as scope_registry
from .models import MAX_VALIDITY, ApiClient, technical_email

PREFIX_LENGTH = 8
MAX_NAME_LENGTH = 120


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_key() -> tuple[str, str]:
    """A fresh key whose prefix no other client uses (the prefix finds the client before the hash is compared)."""
    while True:
        key = secrets.token_urlsafe(32)
        if not ApiClient.objects.filter(key_prefix=key[:PREFIX_LENGTH]).exists():
            return key, key[:PREFIX_LENGTH]


def _clean(name: str, scopes: list[str], expires_at: datetime | None) -> tuple[str, list[str], datetime]:
    errors: dict[str, Any] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Bitte geben Sie an, welches Fachverfahren den Zugang benutzt.")
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = _("Der Name darf höchstens %(max)d Zeichen lang sein.") % {"max": MAX_NAME_LENGTH}
    unknown = [scope for scope in scopes if scope not in scope_registry.SCOPES]
    if not scopes:
        errors["scopes"] = _("Bitte wählen Sie mindestens eine Berechtigung.")
    elif unknown:
        errors["scopes"] = _("Diese Berechtigungen gibt es nicht: %(scopes)s") % {"scopes": ", ".join(unknown)}
    now = timezone.now()
    if expires_at is None:
        errors["expires_at"] = _("Bitte geben Sie an, bis wann der Zugang gilt.")
    elif expires_at <= now:
        errors["expires_at"] = _("Das Ablaufdatum muss in der Zukunft liegen.")
    elif expires_at > end_of_last_day(timezone.localdate() + MAX_VALIDITY):
        errors["expires_at"] = _("Ein Zugang gilt höchstens zwei Jahre. Bitte wählen Sie ein früheres Datum.")
    if errors or expires_at is None:
        raise ValidationError(errors)
    return name, list(dict.fromkeys(scopes)), expires_at


@transaction.atomic
def client_create(
    *, actor: Any, organisation: Organisation, name: str, scopes: list[str], expires_at: datetime | None
) -> tuple[ApiClient, str]:
    """A new client with its technical account; the plaintext key is in the result and nowhere else."""
    require(actor, "api.manage_clients", organisation)
    name, scopes, expires_at = _clean(name, scopes, expires_at)
    key, prefix = _new_key()
    user = get_user_model().objects.create_user(
        email=technical_email(), password=None, display_name=f"API-Client: {name}"[:60]
    )  # create_user with password=None stores an unusable password: nobody can log in as the client.
    OrganisationMembership.objects.create(organisation=organisation, user=user, role=OrganisationRole.STAFF)
    client = ApiClient.objects.create(
        organisation=organisation, name=name, scopes=scopes, key_prefix=prefix, key_hash=hash_key(key),
        user=user, expires_at=expires_at, created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    log_action(actor=actor, action="api.client_create", obj=client, organisation=organisation,
               changes={"name": name, "key_prefix": prefix, "scopes": scopes,
                        "expires_at": expires_at.isoformat()})  # fmt: skip
    return client, key


@transaction.atomic
def client_revoke(*, actor: Any, client: ApiClient) -> ApiClient:
    """Revoke for good: the key stops working, the technical account is deactivated and leaves the organisation.

    Revoking twice changes nothing and writes no second audit entry.
    """
    client = ApiClient.objects.select_for_update().select_related("organisation", "user").get(pk=client.pk)
    require(actor, "api.manage_clients", client.organisation)
    if client.revoked_at is not None:
        return client
    client.revoked_at = timezone.now()
    client.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
    client.save(update_fields=["revoked_at", "revoked_by"])
    client.user.is_active = False
    client.user.save(update_fields=["is_active"])
    OrganisationMembership.objects.filter(user=client.user).delete()
    forget_roles(client.user)
    log_action(actor=actor, action="api.client_revoke", obj=client, organisation=client.organisation,
               changes={"key_prefix": client.key_prefix})  # fmt: skip
    return client


def client_for_key(key: str) -> ApiClient | None:
    """The client a key belongs to (revoked and expired ones included, the caller decides), or None.

    Found by its public prefix, then the hashes are compared in constant time, so the answer's timing
    does not tell how much of a guessed key was right.
    """
    if not key or len(key) < PREFIX_LENGTH or len(key) > 200:
        return None
    client = ApiClient.objects.select_related("user", "organisation").filter(key_prefix=key[:PREFIX_LENGTH]).first()
    if client is None:
        return None
    return client if secrets.compare_digest(client.key_hash, hash_key(key)) else None
