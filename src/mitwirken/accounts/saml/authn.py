"""The AuthnRequest as BundID wants it: the akdb extension and the requested minimum trust level.

pysaml2's ``create_authn_request`` takes ``extensions`` and ``requested_authn_context``; the akdb element
is built from pysaml2's own ``ExtensionElement``, so nothing of the library is replaced or patched.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from saml2 import BINDING_HTTP_POST, ExtensionElement
from saml2.client import Saml2Client
from saml2.saml import AuthnContextClassRef
from saml2.samlp import Extensions, RequestedAuthnContext

from .attributes import AKDB_NS, BUNDID_REQUESTED, STORK_QAA

# BundID's ways of signing in. Only the online ID card (eID), ELSTER and eIDAS reach "substantiell".
AUTHN_METHODS_BY_LEVEL = {
    1: ("Benutzername", "eID", "Elster", "eIDAS", "FINK"),
    2: ("Benutzername", "eID", "Elster", "eIDAS", "FINK"),
    3: ("eID", "Elster", "eIDAS"),
    4: ("eID", "eIDAS"),
}


@dataclass(frozen=True)
class PreparedRequest:
    request_id: str
    xml: str
    destination: str


def _element(tag: str, text: str | None = None, children: list[ExtensionElement] | None = None,
             **attributes: str) -> ExtensionElement:  # fmt: skip
    return ExtensionElement(tag, namespace=AKDB_NS, attributes=attributes, children=children or [], text=text)


def akdb_extension(level: int) -> Extensions:
    methods = [
        _element(method, children=[_element("Enabled", text="true")]) for method in AUTHN_METHODS_BY_LEVEL[level]
    ]
    requested = [
        _element("RequestedAttribute", Name=name, RequiredAttribute="true" if required else "false")
        for name, required in BUNDID_REQUESTED
    ]
    display = _element(
        "DisplayInformation",
        children=[
            _element("OrganizationDisplayName", text=settings.MITWIRKEN_SAML_DISPLAY_NAME),
            _element("OnlineServiceId", text=settings.MITWIRKEN_SAML_ONLINE_SERVICE_ID or "mitwirken"),
        ],
    )
    parts = [_element("AuthnMethods", children=methods), _element("RequestedAttributes", children=requested), display]
    request = _element("AuthenticationRequest", children=parts, Version="2")
    return Extensions(extension_elements=[request])


def minimum_level(level: int) -> RequestedAuthnContext:
    return RequestedAuthnContext(
        authn_context_class_ref=[AuthnContextClassRef(text=STORK_QAA.format(level))], comparison="minimum"
    )


def prepare(client: Saml2Client, idp_entity_id: str, level: int, with_akdb: bool) -> PreparedRequest:
    """A signed AuthnRequest for HTTP-POST; the response comes back by HTTP-POST to the ACS."""
    destination = client.metadata.single_sign_on_service(idp_entity_id, BINDING_HTTP_POST)[0]["location"]
    request_id, xml = client.create_authn_request(
        destination,
        binding=BINDING_HTTP_POST,
        extensions=akdb_extension(level) if with_akdb else None,
        requested_authn_context=minimum_level(level),
        sign=True,
        sign_alg=client.config.getattr("signing_algorithm", "sp"),
        digest_alg=client.config.getattr("digest_algorithm", "sp"),
    )
    return PreparedRequest(request_id=request_id, xml=str(xml), destination=destination)
