"""The pysaml2 service-provider configuration, built from settings and the imported IdP metadata.

pysaml2 is used directly (not djangosaml2 or allauth's SAML provider): BundID needs its own request
extension and per-attribute trust levels, the login has to land in allauth's session handling and our
trust-level session, and replay protection has to hold across worker processes. All three are a few
lines on top of pysaml2's client and would be overrides of overrides on top of a wrapper.

Security settings here are not configurable: signatures are always required and verified, unsolicited
responses are refused, and the clock skew allowed is small.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.urls import reverse
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, xmldsig
from saml2.client import Saml2Client
from saml2.config import SPConfig

from ..models import IdentityProvider

ALLOWED_CLOCK_SKEW_SECONDS = 60


@dataclass(frozen=True)
class KeyPair:
    key_file: str
    cert_file: str


def key_pairs() -> list[KeyPair]:
    """The current pair first; the next one (announced for a rollover) after it."""
    pairs = [KeyPair(settings.MITWIRKEN_SAML_KEY_FILE, settings.MITWIRKEN_SAML_CERT_FILE)]
    if settings.MITWIRKEN_SAML_NEXT_KEY_FILE and settings.MITWIRKEN_SAML_NEXT_CERT_FILE:
        pairs.append(KeyPair(settings.MITWIRKEN_SAML_NEXT_KEY_FILE, settings.MITWIRKEN_SAML_NEXT_CERT_FILE))
    for pair in pairs:
        for name in (pair.key_file, pair.cert_file):
            if not name or not Path(name).is_file():
                raise ImproperlyConfigured(f"SAML key or certificate file missing: {name!r} (docs/identity.md)")
    return pairs


def configured() -> bool:
    """Whether the portal has a key pair at all (production without one offers no SAML login)."""
    try:
        key_pairs()
    except ImproperlyConfigured:
        return False
    return True


def base_url(request: HttpRequest) -> str:
    return settings.MITWIRKEN_SAML_BASE_URL or request.build_absolute_uri("/").rstrip("/")


def entity_id(base: str) -> str:
    return base + reverse("saml:metadata")


def acs_url(base: str) -> str:
    return base + reverse("saml:acs")


def slo_url(base: str) -> str:
    return base + reverse("saml:slo")


def config_dict(base: str, metadata: tuple[str, ...]) -> dict[str, Any]:
    pairs = key_pairs()
    return {
        "entityid": entity_id(base),
        "xmlsec_binary": settings.MITWIRKEN_SAML_XMLSEC_BINARY or None,
        "key_file": pairs[0].key_file,
        "cert_file": pairs[0].cert_file,
        # Announced for signing too, so the IdPs trust the next key before the switch (docs/identity.md).
        "additional_cert_files": [pair.cert_file for pair in pairs[1:]] or None,
        # Every pair decrypts: during a rollover an IdP may still encrypt for the old certificate, or already
        # for the new one.
        "encryption_keypairs": [{"key_file": pair.key_file, "cert_file": pair.cert_file} for pair in pairs],
        "metadata": {"inline": list(metadata)} if metadata else {},
        "accepted_time_diff": ALLOWED_CLOCK_SKEW_SECONDS,
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "name": settings.MITWIRKEN_SAML_DISPLAY_NAME,
                "endpoints": {
                    "assertion_consumer_service": [(acs_url(base), BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (slo_url(base), BINDING_HTTP_REDIRECT),
                        (slo_url(base), BINDING_HTTP_POST),
                    ],
                },
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "allow_unsolicited": False,
                "name_id_format_allow_create": True,
                "signing_algorithm": xmldsig.SIG_RSA_SHA256,
                "digest_algorithm": xmldsig.DIGEST_SHA256,
            }
        },
    }


@lru_cache(maxsize=8)
def _config(base: str, metadata: tuple[str, ...]) -> SPConfig:
    # Parsing metadata is the expensive part; the key is the metadata text itself, so a new import is
    # picked up by every worker on its next login without a restart.
    config = SPConfig()
    config.load(config_dict(base, metadata))
    return config


def providers() -> dict[str, IdentityProvider]:
    if not configured():
        return {}
    return {idp.provider: idp for idp in IdentityProvider.objects.filter(enabled=True).order_by("provider")}


def client(request: HttpRequest) -> Saml2Client:
    metadata = tuple(idp.metadata_xml for idp in providers().values())
    return Saml2Client(config=_config(base_url(request), metadata))


def metadata_config(request: HttpRequest) -> SPConfig:
    """The configuration the SP's own metadata is written from: with every certificate, IdPs or not."""
    return _config(base_url(request), ())
