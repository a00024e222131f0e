"""How sure the portal is of who acts: the trust level (Vertrauensniveau) of this login.

A level belongs to a login, not to an account: a person who linked BundID last month but signed in
with a password today acts at level 0. The SAML login (``accounts/saml``) records the level it was
given, and for Mein Unternehmenskonto whom the person acts for, in the session; everything else asks
here. Modules store a requirement per track, survey, event or opportunity with
:func:`requirement_field` and check it with :func:`meets` (also as the ``rules`` predicate that
:func:`login_meets` builds), on the server for every action.

Outside a request (management commands, the task worker, services called by tests) there is no
login, so only a requirement of 0 is met.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

import rules
from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import AssuranceLevel
from .second_factor import _current_request

SESSION_KEY = "mitwirken_login_assurance"

NO_REQUIREMENT = 0
REQUIREMENT_CHOICES = [(NO_REQUIREMENT, _("keine (Konto mit E-Mail-Adresse genügt)")), *AssuranceLevel.choices]
REQUIREMENT_HELP = _(
    "Ab „substantiell“ melden sich Teilnehmende mit BundID und Online-Ausweis, ELSTER-Zertifikat oder eIDAS an. "
    "Wird auf dem Server bei jeder Handlung geprüft."
)


@dataclass(frozen=True)
class LoginAssurance:
    """What the identity provider vouched for at this login."""

    level: int = 0
    provider: str = ""  # ExternalIdentity.Provider value, "" for a password login
    # Mein Unternehmenskonto: the company or association the person acts for.
    acting_for_name: str = ""
    acting_for_id: str = ""

    @property
    def label(self) -> str:
        return str(AssuranceLevel(self.level).label) if self.level else str(_("nicht bestätigt"))


def record(request: HttpRequest, assurance: LoginAssurance) -> None:
    """Called by the login right after ``django.contrib.auth.login`` (which renews the session)."""
    request.session[SESSION_KEY] = asdict(assurance)


def of_request(request: HttpRequest) -> LoginAssurance:
    stored = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    return LoginAssurance(**stored) if stored else LoginAssurance()


def current(user: Any) -> LoginAssurance:
    """The login assurance of ``user`` in the request being served, if it is theirs."""
    request = _current_request.get()
    if request is None or not getattr(user, "is_authenticated", False):
        return LoginAssurance()
    if getattr(request, "user", None) is None or request.user.pk != user.pk:
        return LoginAssurance()
    return of_request(request)


def meets(user: Any, required: int) -> bool:
    return required <= NO_REQUIREMENT or current(user).level >= required


def login_meets(required_of: Callable[[Any], int]) -> Any:
    """A ``rules`` predicate: the login's level reaches what ``required_of(obj)`` asks for."""

    @rules.predicate
    def predicate(user: Any, obj: Any) -> bool:
        return obj is None or meets(user, required_of(obj))

    return predicate


def step_up_url(required: int, next_url: str, provider: str = "bundid") -> str:
    """Where to send someone whose login is below ``required``: the identity provider, then back."""
    return reverse("saml:login", args=[provider]) + "?" + urlencode({"level": required, "next": next_url})


def requirement_field(**kwargs: Any) -> models.PositiveSmallIntegerField[Any, Any]:
    """The per-object requirement staff set (0 = none, 1-4 = STORK-QAA level)."""
    return models.PositiveSmallIntegerField(
        kwargs.pop("verbose_name", _("Nötiges Vertrauensniveau der Anmeldung")),
        choices=REQUIREMENT_CHOICES,
        default=NO_REQUIREMENT,
        help_text=kwargs.pop("help_text", REQUIREMENT_HELP),
        **kwargs,
    )


def requirement_text(required: int) -> str:
    """The sentence shown before someone starts, e.g. on a track with level 3."""
    if required >= AssuranceLevel.SUBSTANTIELL:
        return str(_("Hierfür ist eine Anmeldung mit BundID und dem Online-Ausweis (oder einem ELSTER-Zertifikat "
                     "oder eIDAS) nötig: Vertrauensniveau „%(level)s“.") % {"level": AssuranceLevel(required).label})  # fmt: skip
    return str(_("Hierfür ist eine Anmeldung mit BundID nötig: Vertrauensniveau „%(level)s“ oder höher.")
               % {"level": AssuranceLevel(required).label})  # fmt: skip
