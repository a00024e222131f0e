"""Importing an identity provider's metadata (from a file or a URL), and writing the portal's own."""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from saml2 import BINDING_HTTP_POST
from saml2.attribute_converter import ac_factory
from saml2.mdstore import MetadataStore
from saml2.metadata import entity_descriptor, metadata_tostring_fix

from mitwirken.core.audit import log_action

from ..models import IdentityProvider
from . import config

MAX_METADATA_BYTES = 2 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 15


def own_metadata(request: HttpRequest) -> str:
    """The portal's SP metadata: signing certificates (current and next), encryption certificates, ACS, SLO."""
    descriptor = entity_descriptor(config.metadata_config(request))
    descriptor.extensions = None  # pysaml2 would list every algorithm xmlsec1 knows, MD5 and SHA-1 included
    xml = metadata_tostring_fix(descriptor, {"xs": "http://www.w3.org/2001/XMLSchema"})
    return xml.decode() if isinstance(xml, bytes) else str(xml)


def identity_provider_entity(xml: str) -> str:
    """The entity id of the one IdP the metadata describes, with an SSO endpoint for HTTP-POST and a key."""
    store = MetadataStore(ac_factory(), None)
    try:
        store.load("inline", xml)
    except Exception:  # pysaml2 raises several unrelated types for unreadable XML
        raise ValidationError(_("Die Datei ist keine lesbare SAML-Metadaten-Datei.")) from None
    entities = list(store.identity_providers())
    if len(entities) != 1:
        raise ValidationError(_("Die Metadaten müssen genau einen Identitätsanbieter (IDPSSODescriptor) beschreiben."))
    entity = entities[0]
    try:
        store.single_sign_on_service(entity, BINDING_HTTP_POST)
    except Exception:
        raise ValidationError(_("Der Identitätsanbieter bietet keine Anmeldung über HTTP-POST an.")) from None
    if not store.certs(entity, "idpsso", "signing"):
        raise ValidationError(_("Die Metadaten enthalten kein Zertifikat zum Prüfen von Signaturen."))
    return str(entity)


def fetch(url: str) -> str:
    if settings.PRODUCTION and not url.startswith("https://"):
        raise ValidationError(_("Metadaten werden im Betrieb nur über https:// abgerufen."))
    try:
        with requests.get(url, timeout=FETCH_TIMEOUT_SECONDS, stream=True) as response:
            response.raise_for_status()
            content = response.raw.read(MAX_METADATA_BYTES + 1, decode_content=True)
    except requests.RequestException:
        raise ValidationError(_("Die Metadaten konnten unter dieser Adresse nicht abgerufen werden.")) from None
    if len(content) > MAX_METADATA_BYTES:
        raise ValidationError(_("Die Metadaten sind größer als 2 MB."))
    return content.decode("utf-8", errors="replace")


def import_metadata(*, actor: Any, provider: str, xml: str = "", url: str = "", enabled: bool = True
                    ) -> IdentityProvider:  # fmt: skip
    """Store (or replace) a provider's metadata after checking it describes one usable IdP."""
    if not xml and not url:
        raise ValidationError(_("Bitte laden Sie eine Metadaten-Datei hoch oder geben Sie eine Adresse an."))
    if not xml:
        xml = fetch(url)
    if len(xml.encode()) > MAX_METADATA_BYTES:
        raise ValidationError(_("Die Metadaten sind größer als 2 MB."))
    entity = identity_provider_entity(xml)
    if IdentityProvider.objects.filter(entity_id=entity).exclude(provider=provider).exists():
        raise ValidationError(_("Diese Entity-ID ist bereits einem anderen Anbieter zugeordnet."))
    idp, _created = IdentityProvider.objects.update_or_create(
        provider=provider, defaults={"entity_id": entity, "metadata_xml": xml, "metadata_url": url, "enabled": enabled}
    )
    log_action(actor=actor, action="account.identity_provider_import", obj=idp,
               changes={"provider": provider, "entity_id": entity})  # fmt: skip
    return idp
