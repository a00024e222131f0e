"""API clients: partner systems (Fachverfahren) that use the API with a key instead of a browser login.

Each client acts as its own technical account, a case worker (``OrganisationRole.STAFF``) of its
organisation. So every permission rule, service check and audit entry applies to it unchanged, and the
audit log names the client.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitwirken.core.dates import last_day
from mitwirken.organisations.models import Organisation

from .scopes import label

DEFAULT_VALIDITY = timedelta(days=365)
MAX_VALIDITY = timedelta(days=2 * 365)
TECHNICAL_EMAIL_DOMAIN = "clients.invalid"


def default_expiry() -> Any:
    return timezone.now() + DEFAULT_VALIDITY


def technical_email() -> str:
    # ".invalid" is reserved (RFC 2606): no mail to this account can ever be delivered.
    return f"api-client-{uuid.uuid4()}@{TECHNICAL_EMAIL_DOMAIN}"


class ApiClientQuerySet(models.QuerySet["ApiClient"]):
    def usable(self) -> ApiClientQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiClient(models.Model):
    """A key for one partner system; only the SHA-256 of the key is stored."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="partner_clients"
    )
    name = models.CharField(_("Name"), max_length=120)
    scopes = models.JSONField(_("Berechtigungen"), default=list)
    key_prefix = models.CharField(_("Schlüsselanfang"), max_length=8, unique=True, editable=False)
    # The key is secrets.token_urlsafe(32): 256 random bits nobody can guess or brute-force, so a fast hash
    # is enough (a slow password hash protects guessable secrets, and would slow down every API request).
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("Technisches Konto"), on_delete=models.PROTECT,
        related_name="api_client", editable=False,
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Angelegt von"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("Angelegt"), default=timezone.now)
    expires_at = models.DateTimeField(_("Gültig bis"), default=default_expiry)
    revoked_at = models.DateTimeField(_("Widerrufen"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Widerrufen von"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    last_used_at = models.DateTimeField(_("Zuletzt benutzt"), null=True, blank=True)

    objects = ApiClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("Schnittstellen-Zugang")
        verbose_name_plural = _("Schnittstellen-Zugänge")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def last_valid_day(self) -> Any:
        """The last day (Berlin) on which the key works; it stops at 00:00 of the day after."""
        return last_day(self.expires_at)

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def scope_labels(self) -> list[str]:
        return [label(scope) for scope in self.scopes or []]
