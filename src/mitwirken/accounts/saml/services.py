"""What a confirmed identity-provider login does to accounts: sign in, link, create, unlink.

One identity (provider + person key) belongs to one account. A first login creates an account with the
e-mail address the provider vouches for, unless an account with that address exists: then the person
signs in with the password first and confirms the link, so nobody takes over an account by an address.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import login as auth_login
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitwirken.core.audit import log_action

from .. import assurance
from ..models import ExternalIdentity, User
from . import attributes as oids
from .response import LoginRefused, ReceivedLogin

BACKEND = "mitwirken.accounts.backends.SecondFactorModelBackend"
PENDING_LINK_KEY = "mitwirken_saml_pending_link"
LOGIN_KEY = "mitwirken_saml_login"  # what single logout needs: provider, NameID, session index

BELONGS_TO_ANOTHER = _(
    "Diese Identität ist bereits mit einem anderen Konto verknüpft. Melden Sie sich ab und mit diesem Konto an, "
    "oder lösen Sie dort die Verknüpfung."
)
NO_EMAIL = _(
    "Der Anmeldedienst hat keine E-Mail-Adresse übermittelt. Bitte legen Sie ein Konto mit Ihrer E-Mail-Adresse an "
    "und verknüpfen Sie es danach unter „Mein Konto“."
)


def _sign_in(request: HttpRequest, user: User, login: ReceivedLogin) -> None:
    if not request.user.is_authenticated or request.user.pk != user.pk:
        auth_login(request, user, backend=BACKEND)
    else:
        request.session.cycle_key()  # a new level is a new login: no fixation of the old session id
    assurance.record(request, assurance.LoginAssurance(
        level=login.level, provider=login.provider, acting_for_name=login.acting_for_name,
        acting_for_id=login.acting_for_id,
    ))  # fmt: skip
    request.session[LOGIN_KEY] = {"provider": login.provider, "name_id": login.name_id,
                                  "session_index": login.session_index}  # fmt: skip


def _fill_profile(user: User, login: ReceivedLogin) -> list[str]:
    """Copy what the provider vouched for at the login's level into empty profile fields."""
    level = login.level
    given, surname = login.value(oids.GIVEN_NAME, level), login.value(oids.SURNAME, level)
    values = {
        "real_name": " ".join(part for part in (given, surname) if part),
        "street": login.value(oids.STREET, level),
        "postal_code": login.value(oids.POSTAL_CODE, level),
        "city": login.value(oids.LOCALITY, level),
    }
    changed = [name for name, value in values.items() if value and not getattr(user, name)]
    for name in changed:
        field = User._meta.get_field(name)
        setattr(user, name, values[name][: getattr(field, "max_length", None) or 150])
    return changed


def _identity(user: User, login: ReceivedLogin) -> ExternalIdentity:
    try:
        with transaction.atomic():
            return ExternalIdentity.objects.create(
                user=user, provider=login.provider, subject=login.subject, assurance_level=login.level
            )
    except IntegrityError:
        # The same identity linked a moment ago in another tab: it must be this account's, or it is refused.
        identity = ExternalIdentity.objects.get(provider=login.provider, subject=login.subject)
        if identity.user_id != user.pk:
            raise LoginRefused(BELONGS_TO_ANOTHER) from None
        return identity


@transaction.atomic
def complete(request: HttpRequest, login: ReceivedLogin) -> str:
    """Sign in (and link or create as needed). Returns "signed_in", "linked", "created" or "confirm_link"."""
    identity = (
        ExternalIdentity.objects.select_for_update().select_related("user")
        .filter(provider=login.provider, subject=login.subject).first()
    )  # fmt: skip
    current = request.user if request.user.is_authenticated else None
    if identity is not None:
        if current is not None and identity.user_id != current.pk:
            raise LoginRefused(BELONGS_TO_ANOTHER)
        if not identity.user.is_active:
            raise LoginRefused(_("Dieses Konto ist gesperrt."))
        identity.assurance_level, identity.last_login_at = login.level, timezone.now()
        identity.save(update_fields=["assurance_level", "last_login_at"])
        _sign_in(request, identity.user, login)
        return "signed_in"
    if current is not None:
        link(request, current, login)
        return "linked"
    # The address is where the account's mail goes, not a proof of identity: BundID vouches for it at its own
    # (often lower) level, and that is enough for it. Names and address only count at the login's level.
    email = login.value(oids.MAIL).lower()
    if not email:
        raise LoginRefused(NO_EMAIL)
    if User.objects.filter(email__iexact=email).exists():
        request.session[PENDING_LINK_KEY] = asdict(login) | {"attributes": {
            name: asdict(attribute) for name, attribute in login.attributes.items()}}  # fmt: skip
        return "confirm_link"
    user = User(email=email)
    user.set_unusable_password()
    _fill_profile(user, login)
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    _identity(user, login)
    log_action(actor=user, action="account.identity_create", obj=user, changes={"provider": login.provider})
    _sign_in(request, user, login)
    return "created"


def link(request: HttpRequest, user: Any, login: ReceivedLogin) -> None:
    _identity(user, login)
    changed = _fill_profile(user, login)
    if changed:
        user.save(update_fields=changed)
    log_action(actor=user, action="account.identity_link", obj=user, changes={"provider": login.provider})
    _sign_in(request, user, login)


def pending_link(request: HttpRequest) -> ReceivedLogin | None:
    from .response import Attribute

    stored = request.session.get(PENDING_LINK_KEY)
    if not stored:
        return None
    stored = dict(stored)
    attributes = {name: Attribute(**value) for name, value in stored.pop("attributes").items()}
    return ReceivedLogin(**stored, attributes=attributes)


@transaction.atomic
def confirm_pending_link(request: HttpRequest) -> None:
    login = pending_link(request)
    if login is None:
        raise ValidationError(_("Es wartet keine Identität auf die Verknüpfung."))
    if ExternalIdentity.objects.filter(provider=login.provider, subject=login.subject).exists():
        raise LoginRefused(BELONGS_TO_ANOTHER)
    link(request, request.user, login)
    request.session.pop(PENDING_LINK_KEY, None)


def can_unlink(user: User, identity: ExternalIdentity) -> bool:
    """Only while another way to sign in remains: a password, or another identity."""
    return user.has_usable_password() or user.identities.exclude(pk=identity.pk).exists()


@transaction.atomic
def unlink(actor: User, identity: ExternalIdentity) -> None:
    if identity.user_id != actor.pk:
        raise ValidationError(_("Diese Identität gehört nicht zu Ihrem Konto."))
    if not can_unlink(actor, identity):
        raise ValidationError(_("Legen Sie zuerst ein Passwort fest: sonst könnten Sie sich nicht mehr anmelden."))
    provider = identity.provider
    identity.delete()
    log_action(actor=actor, action="account.identity_unlink", obj=actor, changes={"provider": provider})
