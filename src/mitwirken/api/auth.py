"""Who may call an authenticated API route: a partner system with a key, or a person's session.

- :class:`ApiKeyAuth` reads ``Authorization: Bearer <key>``. The request then acts as the client's technical
  account (a case worker of its organisation), so every permission rule applies unchanged. Revoked, expired
  and unknown keys get 401; a client over its rate gets 429 with ``Retry-After``.
- :class:`StaffSessionAuth` is the session login for the API. Staff rights exist only in a session confirmed
  with the second factor (``accounts.second_factor``); a staff session without it is refused here with 403,
  once for every route, rather than by each route.

Routes use ``auth=API_AUTH`` (key or session) and, where a key needs a scope, :func:`require_scope`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from mitwirken.accounts.second_factor import is_staff_without_confirmed_session

from .models import ApiClient
from .services import client_for_key

DEFAULT_RATE = "120/m"
LAST_USED_PRECISION = timedelta(minutes=1)


class RateLimited(HttpError):
    """429 with the seconds until the client's window opens again (the API answers with ``Retry-After``)."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(429, _("Zu viele Anfragen mit diesem Schlüssel. Bitte warten Sie %(seconds)d Sekunden.")
                         % {"seconds": self.retry_after})  # fmt: skip


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer <key>`` of an API client; without the header the next auth method is tried."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient:
        client = client_for_key(token.strip())
        # A key that was sent but does not work is refused outright, never passed on to the session login.
        if client is None:
            raise HttpError(401, _("Der API-Schlüssel ist ungültig."))
        if client.revoked_at is not None or not client.user.is_active:
            raise HttpError(401, _("Der API-Schlüssel wurde widerrufen."))
        if client.is_expired:
            raise HttpError(
                401, _("Der API-Schlüssel ist abgelaufen. Bitte legen Sie in der Verwaltung einen neuen an.")
            )
        _check_rate(request, client)
        _touch(client)
        request.user = client.user
        request.api_client = client  # type: ignore[attr-defined]
        return client


def _check_rate(request: HttpRequest, client: ApiClient) -> None:
    rate = getattr(settings, "MITWIRKEN_API_CLIENT_RATE", DEFAULT_RATE)
    usage = get_usage(request, group=f"api.client:{client.pk}", key=lambda group, request: str(client.pk),
                      rate=rate, increment=True)  # fmt: skip
    if usage is not None and usage["should_limit"]:
        raise RateLimited(int(usage.get("time_left") or 60))


def _touch(client: ApiClient) -> None:
    """Record the use, at most once a minute: a busy client must not write a row on every request."""
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at >= LAST_USED_PRECISION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now


class StaffSessionAuth(SessionAuth):
    """The session login (with CSRF, like ninja's ``django_auth``), refusing staff without the second factor."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a signed-in session there is nothing to forge: the answer is 401, not a CSRF 403.
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated:
            return None
        if is_staff_without_confirmed_session(user):
            raise HttpError(403, _("Bitte bestätigen Sie Ihre Anmeldung im Portal mit dem zweiten Faktor "
                                   "(Zwei-Faktor-Anmeldung) und versuchen Sie es dann erneut."))  # fmt: skip
        return user


api_key_auth = ApiKeyAuth()
session_auth = StaffSessionAuth()
# A key or a person's session; the key is tried first, so a partner system never needs a cookie or CSRF token.
API_AUTH = [api_key_auth, session_auth]


def api_client_of(request: HttpRequest) -> ApiClient | None:
    return getattr(request, "api_client", None)


def require_scope(request: HttpRequest, scope: str) -> None:
    """403 when the request came with a key that lacks ``scope``; sessions are not limited by scopes."""
    client = api_client_of(request)
    if client is not None and not client.has_scope(scope):
        raise HttpError(403, _("Dieser API-Schlüssel hat nicht die Berechtigung „%(scope)s“.") % {"scope": scope})
