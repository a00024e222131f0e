"""A small pysaml2 service provider with the test SP keys, to check the test IdP's answers as an SP would.

"Verifies" in the IdP's tests means what pysaml2's own response checks accept.
"""

from __future__ import annotations

from typing import Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, ExtensionElement, samlp
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.saml import AuthnContextClassRef

from mitwirken.accounts.saml import attributes as a

from .saml_idp_runner import ROOT, RunningIdP, read_form

KEYS = ROOT / "devtools" / "saml-test-keys"
SP_ENTITY_ID = "http://sp.test/konto/saml/metadata/"
ACS = "http://sp.test/konto/saml/acs/"
SLO = "http://sp.test/konto/saml/slo/"
ORG_NAME, ORG_ID = a.MUK_DEFAULTS["organisation_name"], a.MUK_DEFAULTS["organisation_id"]


def sp_config(idp_metadata: str | None = None) -> SPConfig:
    config = SPConfig()
    config.load(
        {
            "entityid": SP_ENTITY_ID,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "key_file": str(KEYS / "sp.key"),
            "cert_file": str(KEYS / "sp.crt"),
            "encryption_keypairs": [{"key_file": str(KEYS / "sp.key"), "cert_file": str(KEYS / "sp.crt")}],
            "metadata": {"inline": [idp_metadata]} if idp_metadata else {},
            "allow_unknown_attributes": True,
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [(ACS, BINDING_HTTP_POST)],
                        "single_logout_service": [(SLO, BINDING_HTTP_REDIRECT)],
                    },
                    "authn_requests_signed": True,
                    "want_response_signed": True,
                    "want_assertions_signed": True,
                    "allow_unsolicited": True,
                }
            },
        }
    )
    return config


class SP:
    """The pysaml2 SP talking to one running test IdP."""

    def __init__(self, idp: RunningIdP) -> None:
        self.idp = idp
        self.client = Saml2Client(config=sp_config(idp.metadata()))

    def authn_request(
        self,
        *,
        level: int | None = 3,
        attributes: list[str] | None = None,
        binding: str = BINDING_HTTP_POST,
        relay_state: str = "/weiter/",
    ) -> tuple[str, Any]:
        """(request id, the form fields for POST or the URL for Redirect)."""
        kwargs: dict[str, Any] = {}
        if level:
            kwargs["requested_authn_context"] = samlp.RequestedAuthnContext(
                authn_context_class_ref=[AuthnContextClassRef(text=a.STORK_QAA.format(level))], comparison="minimum"
            )
        wanted = [name for name, _required in a.BUNDID_REQUESTED] if attributes is None else attributes
        requested = [
            ExtensionElement(
                "RequestedAttribute", namespace=a.AKDB_NS, attributes={"Name": n, "RequiredAttribute": "true"}
            )
            for n in wanted
        ]
        kwargs["extensions"] = samlp.Extensions(
            extension_elements=[
                ExtensionElement(
                    "AuthenticationRequest",
                    namespace=a.AKDB_NS,
                    attributes={"Version": "2"},
                    children=[
                        ExtensionElement("RequestedAttributes", namespace=a.AKDB_NS, children=requested),
                        ExtensionElement(
                            "DisplayInformation",
                            namespace=a.AKDB_NS,
                            children=[
                                ExtensionElement("OrganizationDisplayName", namespace=a.AKDB_NS, text="Testportal")
                            ],
                        ),
                    ],
                )
            ]
        )
        request_id, info = self.client.prepare_for_authenticate(
            entityid=self.idp.entity_id, relay_state=relay_state, binding=binding, sign=True, **kwargs
        )
        if binding == BINDING_HTTP_REDIRECT:
            return request_id, dict(info["headers"])["Location"]
        return request_id, read_form(info["data"])[1]

    def parse(self, saml_response: str, request_id: str | None, **kwargs: Any) -> Any:
        outstanding = {request_id: "/"} if request_id else {}
        return self.client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding=outstanding, **kwargs
        )

    def login(self, persona: str = "erika", scenario: str = "ok", **request: Any) -> Any:
        request_id, fields = self.authn_request(**request)
        saml_response, _relay_state, _acs = self.idp.respond(fields, persona=persona, scenario=scenario)
        return self.parse(saml_response, request_id)


def attributes(response: Any) -> dict[str, tuple[str, str]]:
    """OID → (value, the attribute's own akdb:TrustLevel)."""
    return {
        attribute.name: (
            attribute.attribute_value[0].text,
            attribute.extension_attributes.get(a.TRUST_LEVEL_XML_ATTRIBUTE),
        )
        for statement in response.assertion.attribute_statement
        for attribute in statement.attribute
    }


def class_ref(response: Any) -> str:
    return response.assertion.authn_statement[0].authn_context.authn_context_class_ref.text
