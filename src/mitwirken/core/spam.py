"""Spam protection without third-party services: a honeypot, a proof of work, and rate limits.

- The honeypot is a field people never see; bots that fill every field give themselves away.
- The proof of work follows the ALTCHA protocol (the ``altcha`` library signs and verifies challenges).
  The browser finds a number by hashing, which costs a person a second and a bot farm real money. We
  ship our own twenty-line solver instead of the ALTCHA widget: the widget injects inline styles that the
  portal's strict Content-Security-Policy forbids, and the form's own status line is easier to make
  accessible than a shadow-DOM widget.
- Rate limits count per account and per IP address in the cache (Redis where configured).
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import altcha
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

# Accounts younger than this must solve the challenge; established participants are spared the wait.
NEW_ACCOUNT_AGE = timedelta(days=7)
CHALLENGE_MAX_NUMBER = 60_000
CHALLENGE_LIFETIME = timedelta(hours=2)


def _key() -> str:
    return f"altcha:{settings.SECRET_KEY}"


def new_challenge() -> str:
    """A signed challenge as JSON, embedded in the form (no extra request, works behind any proxy)."""
    challenge = altcha.create_challenge_v1(
        altcha.ChallengeOptionsV1(
            hmac_key=_key(), max_number=CHALLENGE_MAX_NUMBER, expires=timezone.now() + CHALLENGE_LIFETIME
        )
    )
    return json.dumps({"algorithm": challenge.algorithm, "challenge": challenge.challenge, "maxnumber": challenge.max_number,
                       "salt": challenge.salt, "signature": challenge.signature})  # fmt: skip


def solution_is_valid(payload: str) -> bool:
    if not payload:
        return False
    try:
        json.loads(base64.b64decode(payload, validate=True))
        valid, _error = altcha.verify_solution_v1(payload, _key(), check_expires=True)
        signature = json.loads(base64.b64decode(payload))["signature"]
    except (ValueError, TypeError, KeyError):
        return False
    # A solved challenge is good for one post only; otherwise one solution would unlock a flood.
    return bool(valid) and cache.add(f"altcha-used:{signature}", 1, int(CHALLENGE_LIFETIME.total_seconds()))


def needs_proof_of_work(user: Any) -> bool:
    joined = getattr(user, "date_joined", None)
    return not getattr(user, "is_authenticated", False) or joined is None or timezone.now() - joined < NEW_ACCOUNT_AGE


class SpamProtectedForm(forms.Form):
    """Add to a form open to participants; pass ``user`` to decide whether the proof of work is needed."""

    website = forms.CharField(
        label=_("Bitte lassen Sie dieses Feld leer"), required=False, template_name="forms/honeypot.html",  # type: ignore[call-arg]
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )  # fmt: skip
    altcha = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proof_of_work = needs_proof_of_work(user)
        if self.proof_of_work:
            self.fields["altcha"].widget.attrs.update(
                {"data-altcha-challenge": new_challenge(), "class": "altcha-field"}
            )
        else:
            del self.fields["altcha"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Errors are added, not raised, so that the subclass's own checks still run and show their messages.
        if data.get("website"):
            self.add_error(None, _("Ihr Beitrag wurde als automatisiert erkannt und nicht gespeichert."))
        elif self.proof_of_work and not solution_is_valid(data.get("altcha", "")):
            self.add_error(None, _(
                "Die Sicherheitsprüfung gegen automatisierte Beiträge ist nicht abgeschlossen. Bitte warten Sie einen "
                "Moment und senden Sie erneut; dafür muss JavaScript eingeschaltet sein."
            ))  # fmt: skip
        return data


def over_limit(request: HttpRequest, group: str, *, per_user: str = "10/m", per_ip: str = "30/m") -> bool:
    """Count this request against the account's and the address's limits; True when one is exceeded."""
    by_ip = is_ratelimited(request, group=group, key="ip", rate=per_ip, method="POST", increment=True)
    by_user = request.user.is_authenticated and is_ratelimited(
        request, group=group, key="user", rate=per_user, method="POST", increment=True
    )
    return bool(by_ip or by_user)


def _address_key(address: str) -> str:
    import hashlib

    # Hashed, so the cache never holds the addresses themselves.
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


def typed_address_over_limit(request: HttpRequest, group: str, address: str = "") -> bool:
    """The one limit for every form that makes the portal send mail to an address someone typed in.

    Counts the requesting IP per form (``group``) and the target address across all forms, so nobody
    can flood a third party's inbox by switching forms or addresses. True when a limit is exceeded; the
    caller then sends nothing and shows a message. Limits: ``MITWIRKEN_TYPED_MAIL_LIMITS``.
    """
    limits = settings.MITWIRKEN_TYPED_MAIL_LIMITS
    by_ip = is_ratelimited(request, group=f"typed-mail:{group}", key="ip", rate=limits["ip"], increment=True)
    by_address = bool(address) and is_ratelimited(
        request, group="typed-mail:address", key=lambda _group, _request: _address_key(address),
        rate=limits["address"], increment=True,
    )  # fmt: skip
    return bool(by_ip or by_address)


TYPED_MAIL_REFUSED = _(
    "Von Ihrem Anschluss oder an diese Adresse wurden in kurzer Zeit zu viele E-Mails verschickt. Bitte versuchen "
    "Sie es in einer Stunde noch einmal."
)
