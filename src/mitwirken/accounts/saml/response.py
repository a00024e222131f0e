"""Reading an identity provider's answer: verified, decrypted, checked, and only then believed.

pysaml2 verifies the signature (the assertion must be signed; a signed response is verified too),
decrypts an ``EncryptedAssertion`` with any of the portal's keys, and checks audience, recipient,
destination, ``InResponseTo`` against the requests this browser session started, and the validity
window. On top of that, here: each assertion is accepted once (:class:`SeenAssertion`, across
processes), the login's trust level must reach the requested minimum, and the person key must have
been delivered at that level too. Everything that goes wrong ends in :class:`LoginRefused` with a
German message; nothing is created before this module has said yes.
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from saml2 import BINDING_HTTP_POST, samlp
from saml2.client import Saml2Client
from saml2.response import StatusError, UnsolicitedResponse

from ..models import ExternalIdentity, IdentityProvider, SeenAssertion
from . import attributes as oids

logger = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 512 * 1024
# BundID tells a cancelled login from a failed one only by the status message.
CANCEL_MARKERS = ("abgebrochen", "cancel")

NOT_CONFIRMED = _("Die Antwort des Anmeldedienstes konnte nicht bestätigt werden. Es wurde nichts gespeichert.")
CANCELLED = _("Sie haben die Anmeldung abgebrochen. Es wurde nichts gespeichert.")
FAILED = _(
    "Die Anmeldung ist fehlgeschlagen. Bitte versuchen Sie es später noch einmal oder melden Sie sich mit Ihrer "
    "E-Mail-Adresse an."
)
UNSOLICITED = _(
    "Zu dieser Antwort gibt es keine Anmeldung, die hier begonnen wurde. Bitte starten Sie die Anmeldung auf "
    "dieser Seite neu."
)
REPLAYED = _("Diese Anmeldung wurde bereits verwendet. Bitte melden Sie sich erneut an.")
MISSING = _("Die Antwort des Anmeldedienstes fehlt oder ist zu groß.")
WRONG_PROVIDER = _("Die Antwort kam nicht von dem Anmeldedienst, bei dem die Anmeldung begonnen wurde.")
LEVEL_TOO_LOW = _(
    "Ihre Anmeldung hatte das Vertrauensniveau „%(got)s“; nötig ist „%(needed)s“. Bitte melden Sie sich mit dem "
    "Online-Ausweis, einem ELSTER-Zertifikat oder eIDAS an."
)
SUBJECT_TOO_LOW = _(
    "Der Anmeldedienst hat Ihre dauerhafte Kennung nicht mit dem nötigen Vertrauensniveau übermittelt. Es wurde "
    "nichts gespeichert."
)


class LoginRefused(Exception):
    def __init__(self, message: Any, *, cancelled: bool = False) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.cancelled = cancelled


@dataclass(frozen=True)
class Attribute:
    value: str
    level: int


@dataclass
class ReceivedLogin:
    provider: str
    subject: str
    level: int
    request_id: str
    attributes: dict[str, Attribute] = field(default_factory=dict)
    name_id: str = ""
    session_index: str = ""
    acting_for_name: str = ""
    acting_for_id: str = ""

    def value(self, oid: str, needed_level: int = 0) -> str:
        """An attribute's value, or "" if it was not delivered or below ``needed_level``."""
        attribute = self.attributes.get(oid)
        if attribute is None or attribute.level < needed_level:
            return ""
        return attribute.value


def _attributes(assertion: Any) -> dict[str, Attribute]:
    found: dict[str, Attribute] = {}
    for statement in assertion.attribute_statement or []:
        for attribute in statement.attribute or []:
            values = [value.text or "" for value in attribute.attribute_value or []]
            level = oids.level_from_text((attribute.extension_attributes or {}).get(oids.TRUST_LEVEL_XML_ATTRIBUTE))
            found[attribute.name] = Attribute(value=(values[0] if values else "").strip(), level=level)
    return found


def _authn_context_level(assertion: Any) -> int:
    levels = [
        oids.level_from_text(statement.authn_context.authn_context_class_ref.text)
        for statement in assertion.authn_statement or []
        if statement.authn_context is not None and statement.authn_context.authn_context_class_ref is not None
    ]
    return max(levels, default=0)


def _mark_seen(assertion: Any, issuer: str) -> None:
    not_on_or_after = None
    if assertion.conditions is not None and assertion.conditions.not_on_or_after:
        not_on_or_after = datetime.fromisoformat(assertion.conditions.not_on_or_after.replace("Z", "+00:00"))
    expires = max(not_on_or_after or timezone.now(), timezone.now()) + timedelta(hours=1)
    try:
        with transaction.atomic():
            SeenAssertion.objects.create(assertion_id=assertion.id, issuer=issuer[:500], expires_at=expires)
    except IntegrityError:
        raise LoginRefused(REPLAYED) from None


def forget_expired_assertions() -> int:
    """For the daily job: an expired assertion is refused by its validity anyway, so its ID need not be kept."""
    deleted, _details = SeenAssertion.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted


def _status_refusal(error: StatusError) -> LoginRefused:
    message = str(error)
    if any(marker in message.lower() for marker in CANCEL_MARKERS):
        return LoginRefused(CANCELLED, cancelled=True)
    return LoginRefused(FAILED)


def read(client: Saml2Client, saml_response: str, outstanding: dict[str, dict[str, Any]]) -> ReceivedLogin:
    """Check an HTTP-POST ``SAMLResponse`` against the requests this session started."""
    if not saml_response or len(saml_response) > MAX_RESPONSE_BYTES:
        raise LoginRefused(MISSING)
    if _has_doctype(saml_response):
        # SAML never needs a DTD; the parser refuses entities anyway, this refuses the rest of the idea.
        raise LoginRefused(NOT_CONFIRMED)
    came_from = {request_id: pending.get("next", "/") for request_id, pending in outstanding.items()}
    try:
        # conv_info makes pysaml2 check the assertion's Recipient (without it, any recipient passes).
        acs = client.service_urls(BINDING_HTTP_POST)[0]
        response = client.parse_authn_request_response(saml_response, BINDING_HTTP_POST, outstanding=came_from,
                                                       conv_info={"entity_id": acs})  # fmt: skip
    except StatusError as error:
        raise _status_refusal(error) from None
    except UnsolicitedResponse:
        raise LoginRefused(UNSOLICITED) from None
    except Exception as error:  # pysaml2 raises bare Exceptions for failed checks (audience, conditions)
        # Only the kind of error: pysaml2's messages may quote the decrypted assertion (names, person key).
        logger.warning("SAML response refused: %s", type(error).__name__)
        raise LoginRefused(NOT_CONFIRMED) from None
    if response is None or response.assertion is None:
        raise LoginRefused(NOT_CONFIRMED)
    # pysaml2 accepts a signed response around an unsigned assertion; the assertion itself must be signed
    # (inside the EncryptedAssertion: the decrypted assertion keeps its verified signature element).
    # BundID and MUK always encrypt; a plain assertion would have shown the person key to every hop on the way.
    if response.assertion.signature is None or not _was_encrypted(response):
        raise LoginRefused(NOT_CONFIRMED)
    issuer = response.issuer()
    idp = IdentityProvider.objects.filter(entity_id=issuer, enabled=True).first()
    request_id = response.in_response_to or ""
    pending = outstanding.get(request_id)
    if idp is None or pending is None or pending.get("provider") != idp.provider:
        raise LoginRefused(WRONG_PROVIDER)
    login = _login(idp.provider, response, request_id)
    required = int(pending.get("level") or 0)
    if login.level < required:
        raise LoginRefused(LEVEL_TOO_LOW % {"got": _level_label(login.level), "needed": _level_label(required)})
    if not login.subject:
        raise LoginRefused(SUBJECT_TOO_LOW)
    _mark_seen(response.assertion, issuer)
    return login


def _has_doctype(saml_response: str) -> bool:
    try:
        xml = base64.b64decode(saml_response, validate=False)
    except (ValueError, binascii.Error):
        return False  # not base64: pysaml2 refuses it with its own error
    return b"<!doctype" in xml.lower()


def _was_encrypted(response: Any) -> bool:
    # pysaml2 empties the parsed response's EncryptedAssertion list once it has decrypted it; the text it read
    # still shows how the assertion came (the text was parsed safely once already).
    return bool(samlp.response_from_string(response.xmlstr).encrypted_assertion)


def _level_label(level: int) -> str:
    from ..models import AssuranceLevel

    return str(AssuranceLevel(level).label) if level else str(_("keines"))


def _login(provider: str, response: Any, request_id: str) -> ReceivedLogin:
    from django.conf import settings

    assertion = response.assertion
    found = _attributes(assertion)
    names = {**oids.MUK_DEFAULTS, **settings.MITWIRKEN_SAML_MUK_ATTRIBUTES} if provider == "muk" else {}
    level_attribute = found.get(names.get("trust_level", oids.TRUST_LEVEL))
    context_level = _authn_context_level(assertion)
    attribute_level = oids.level_from_text(level_attribute.value) if level_attribute else 0
    # Both are the IdP's word on the same login; if they differ, believe the lower one.
    level = min((value for value in (context_level, attribute_level) if value), default=0)
    subject_attribute = found.get(names.get("subject", oids.BPK2))
    # The person key must carry the login's level: a key vouched for at a lower level identifies nobody here.
    subject = subject_attribute.value if subject_attribute and subject_attribute.level >= level else ""
    name_id = response.name_id
    session_index = ""
    for statement in assertion.authn_statement or []:
        session_index = statement.session_index or session_index
    login = ReceivedLogin(
        provider=provider, subject=subject[:255], level=level, request_id=request_id, attributes=found,
        name_id=str(name_id) if name_id is not None else "", session_index=session_index or "",
    )  # fmt: skip
    if provider == ExternalIdentity.Provider.MUK:
        login.acting_for_name = login.value(names["organisation_name"], level)[:200]
        login.acting_for_id = login.value(names["organisation_id"], level)[:100]
    return login
