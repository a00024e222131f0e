"""allauth, adjusted so that answers and timing reveal nothing and links use the portal's address.

- Links in mails come from ``SITE_URL`` (never from the request's Host header, which a client sets).
- Failed logins are counted per account *and* address together: a stranger's wrong passwords lock
  out only the stranger, never the owner (who can also always reset the password).
- Every path that hashes a password on one branch (sign-up of a new address, login of an existing
  account) hashes a dummy password on the other, so the answer takes about the same time.
"""

from __future__ import annotations

import secrets
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


def site_url(path: str) -> str:
    """An absolute link on the portal's configured address."""
    if urlsplit(path).scheme:
        path = urlsplit(path)._replace(scheme="", netloc="").geturl()
    return settings.SITE_URL.rstrip("/") + path


def burn_password_hash() -> None:
    """As long as hashing a real password: the branch without an account must not answer faster."""
    make_password(secrets.token_urlsafe(16))


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Zu viele gescheiterte Anmeldeversuche für diese Adresse von Ihrem Anschluss aus. Bitte warten Sie "
            "einige Minuten. Wenn Sie Ihr Passwort nicht mehr wissen, können Sie es jederzeit über „Passwort "
            "vergessen?“ neu setzen."
        ),
    }

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth counts per login only, so anyone could lock anyone out; per login *and* address.
        login = str(credentials.get("email") or credentials.get("username") or "").strip().lower()
        return f"{login}|{self.get_client_ip(request)}"

    def pre_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> Any:
        # An API client's technical account has no usable password; should one ever get in by another way
        # (a password reset to its undeliverable address, a future login method), it is still turned away.
        if hasattr(user, "api_client"):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return self.respond_user_inactive(request, user)
        return super().pre_login(request, user, **kwargs)

    def send_account_already_exists_mail(self, email: str) -> None:
        burn_password_hash()  # a new account's password would have been hashed and stored here
        super().send_account_already_exists_mail(email)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        for key in ("activate_url", "password_reset_url", "signup_url"):
            if isinstance(context.get(key), str):
                context[key] = site_url(context[key])
        # allauth would name the Host header of the request as the site; the configured address decides.
        context.setdefault("current_site", SimpleNamespace(domain=urlsplit(settings.SITE_URL).netloc,
                                                           name=settings.SITE_NAME))  # fmt: skip
        super().send_mail(template_prefix, email, context)
