"""The SAML side of the test IdP: configuration, reading requests, building (and deliberately breaking) responses.

Everything goes through pysaml2's public API: ``saml2.server.Server`` for configuration, metadata, parsing
requests and logout responses, pysaml2's message classes for the assertion (a ``saml.Attribute`` carries the
``akdb:TrustLevel`` XML attribute in ``extension_attributes``, which pysaml2's identity dict cannot express) and
the server's security context (``server.sec``) to sign and encrypt.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import tempfile
import threading
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml.ElementTree import fromstring as parse_xml
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml, samlp
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.s_utils import sid
from saml2.saml import NAMEID_FORMAT_ENTITY, NAMEID_FORMAT_PERSISTENT
from saml2.server import Server
from saml2.sigver import (
    pre_encrypt_assertion,
    pre_encryption_part,
    pre_signature_part,
    read_cert_from_file,
)
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from mitwirken.accounts.saml import attributes as a

from .personas import CANCELLED_MESSAGE, FAILED_MESSAGE, LOW_ATTRIBUTES, PERSONAS, Persona

KEY_DIR = Path(__file__).resolve().parent.parent / "saml-test-keys"
PROFILES = {"bundid": "idp", "muk": "muk-idp"}
# A key that is not in the IdP's metadata, for the `wrong_key` answer.
FOREIGN_KEY = "sp-next"

AES256_GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
RSA_OAEP = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
STATUS_AUTHN_FAILED = "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"
SCM_BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
ELSEWHERE = "https://anderer-dienst.example.invalid"

ET.register_namespace("akdb", a.AKDB_NS)


class RequestError(Exception):
    """A request the IdP cannot answer with a SAML response; shown as an error page."""


def _instant(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class PendingLogin:
    """An AuthnRequest read and checked, waiting for the person to pick who they are."""

    sp_entity_id: str
    acs_url: str
    request_id: str | None
    relay_state: str
    requested_level: int | None
    comparison: str
    requested_attributes: list[str] = field(default_factory=list)
    signed: bool = False
    display_name: str = ""  # akdb:DisplayInformation/OrganizationDisplayName, shown on the login page


class TestIdP:
    """One IdP (profile ``bundid`` or ``muk``) with the SP metadata it knows."""

    __test__ = False  # not a pytest class

    def __init__(
        self, profile: str, base_url: str, *, sp_metadata_url: str | None = None, sp_metadata_file: str | None = None
    ) -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}")
        self.profile = profile
        self.base_url = base_url.rstrip("/")
        self.entity_id = f"{self.base_url}/idp/metadata"
        self.personas: dict[str, Persona] = PERSONAS[profile]
        self.sp_metadata_url = sp_metadata_url
        self.sp_metadata_file = sp_metadata_file
        self.key_file = str(KEY_DIR / f"{PROFILES[profile]}.key")
        self.cert_file = str(KEY_DIR / f"{PROFILES[profile]}.crt")
        self.lock = threading.RLock()
        self.pending: dict[str, PendingLogin] = {}
        self._sp_metadata_loaded = False
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": "/usr/bin/xmlsec1",
                "key_file": self.key_file,
                "cert_file": self.cert_file,
                "encryption_keypairs": [{"key_file": self.key_file, "cert_file": self.cert_file}],
                "metadata": {},
                "accepted_time_diff": 60,
                # Shown wherever the metadata's organisation is shown (e.g. the portal's provider import).
                "organization": {
                    "name": [("Test-IdP – nicht für den Echtbetrieb", "de")],
                    "display_name": [(f"Test-IdP ({profile}) – nicht für den Echtbetrieb", "de")],
                    "url": [(self.base_url, "de")],
                },
                "service": {
                    "idp": {
                        "name": "Test-IdP – nicht für den Echtbetrieb",
                        "endpoints": {
                            "single_sign_on_service": [
                                (f"{self.base_url}/sso/post", BINDING_HTTP_POST),
                                (f"{self.base_url}/sso/redirect", BINDING_HTTP_REDIRECT),
                            ],
                            "single_logout_service": [
                                (f"{self.base_url}/slo/post", BINDING_HTTP_POST),
                                (f"{self.base_url}/slo/redirect", BINDING_HTTP_REDIRECT),
                            ],
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "want_authn_requests_signed": False,
                        "sign_response": True,
                        "sign_assertion": True,
                    }
                },
            }
        )
        self.config = config
        self.server = Server(config=config)

    # ----------------------------------------------------------------- metadata

    def metadata_xml(self) -> str:
        descriptor = entity_descriptor(self.config)
        return str(descriptor)

    def load_sp_metadata(self, *, force: bool = False) -> None:
        """Read the SP's metadata – lazily, because the SP may start after the IdP."""
        with self.lock:
            if self._sp_metadata_loaded and not force:
                return
            if self.sp_metadata_file:
                text = Path(self.sp_metadata_file).read_text(encoding="utf-8")
            elif self.sp_metadata_url:
                if not self.sp_metadata_url.startswith(("http://", "https://")):
                    raise RequestError("Die Metadaten-Adresse des Dienstes muss mit http:// oder https:// beginnen.")
                try:
                    with urllib.request.urlopen(self.sp_metadata_url, timeout=10) as answer:  # noqa: S310 – checked above
                        text = answer.read().decode("utf-8")
                except OSError as exc:
                    raise RequestError(
                        f"Metadaten des Dienstes nicht abrufbar: {self.sp_metadata_url} ({exc})"
                    ) from exc
            else:
                raise RequestError(
                    "Keine Metadaten des Dienstes angegeben (--sp-metadata-url oder --sp-metadata-file)."
                )
            store = self.server.metadata
            store.metadata.clear()
            store.load("inline", text)
            self._sp_metadata_loaded = True

    def _known(self) -> set[str]:
        # pysaml2's metadata store lists its entity ids by keys() but has no `in`.
        return set(self.server.metadata.keys())

    def sp_entity_ids(self) -> list[str]:
        self.load_sp_metadata()
        return sorted(eid for eid in self._known() if self.server.metadata[eid].get("spsso_descriptor"))

    def _know_sp(self, entity_id: str) -> None:
        self.load_sp_metadata()
        if entity_id not in self._known():
            # The SP may have changed its metadata (entity id, keys) since we read it.
            self.load_sp_metadata(force=True)
        if entity_id not in self._known():
            raise RequestError(f"Unbekannter Dienst (nicht in den Metadaten): {entity_id}")

    def acs_url(self, sp_entity_id: str, wanted: str | None = None) -> str:
        services = self.server.metadata.assertion_consumer_service(sp_entity_id, BINDING_HTTP_POST)
        locations = [service["location"] for service in services]
        if wanted:
            if wanted not in locations:
                raise RequestError(f"Die Rücksprungadresse {wanted} steht nicht in den Metadaten des Dienstes.")
            return wanted
        if not locations:
            raise RequestError("Der Dienst hat in seinen Metadaten keine Rücksprungadresse (ACS) für HTTP-POST.")
        return locations[0]

    # ----------------------------------------------------------------- AuthnRequest

    def read_authn_request(
        self,
        saml_request: str,
        binding: str,
        relay_state: str = "",
        sigalg: str | None = None,
        signature: str | None = None,
    ) -> PendingLogin:
        # One request at a time: a metadata reload must not happen in the middle of another request's checks.
        with self.lock:
            return self._read_authn_request(saml_request, binding, relay_state, sigalg, signature)

    def _read_authn_request(
        self, saml_request: str, binding: str, relay_state: str, sigalg: str | None, signature: str | None
    ) -> PendingLogin:
        issuer = _peek_issuer(saml_request, binding)
        self._know_sp(issuer)
        signed_redirect = binding == BINDING_HTTP_REDIRECT and bool(signature)
        try:
            parsed = self.server.parse_authn_request(
                saml_request,
                binding,
                relay_state=relay_state or None,
                sigalg=sigalg,
                signature=signature,
            )
            if signed_redirect:
                self._check_redirect_signature(parsed, saml_request, relay_state, sigalg, signature)
        except RequestError:
            raise
        except Exception as exc:
            raise RequestError(f"Die Anmeldeanfrage ist ungültig oder falsch signiert: {exc}") from exc
        if parsed is None:
            raise RequestError("Die Anmeldeanfrage ist ungültig.")
        message = parsed.message
        level, comparison = None, "exact"
        context = message.requested_authn_context
        if context is not None:
            comparison = context.comparison or "exact"
            levels = [a.level_from_text(ref.text) for ref in context.authn_context_class_ref]
            levels = [level for level in levels if level]
            if levels:
                level = min(levels) if comparison == "minimum" else max(levels)
        return PendingLogin(
            sp_entity_id=issuer,
            acs_url=self.acs_url(issuer, message.assertion_consumer_service_url),
            request_id=message.id,
            relay_state=relay_state,
            requested_level=level,
            comparison=comparison,
            requested_attributes=_requested_attributes(parsed.xmlstr),
            display_name=_display_name(parsed.xmlstr),
            signed=signed_redirect or message.signature is not None,
        )

    def _check_redirect_signature(
        self, parsed: object, saml_request: str, relay_state: str, sigalg: str | None, signature: str | None
    ) -> None:
        from saml2.sigver import verify_redirect_signature

        query = {"SAMLRequest": saml_request, "SigAlg": sigalg, "Signature": signature}
        if relay_state:
            query["RelayState"] = relay_state
        issuer = parsed.message.issuer.text.strip()  # type: ignore[attr-defined]
        certs = self.server.metadata.certs(issuer, "any", "signing")
        if not any(verify_redirect_signature(query, self.server.sec.sec_backend, cert) for _name, cert in certs):
            raise RequestError("Die Signatur der Anmeldeanfrage (HTTP-Redirect) ist ungültig.")

    def remember(self, login: PendingLogin) -> str:
        key = secrets.token_urlsafe(16)
        with self.lock:
            self.pending[key] = login
        return key

    # ----------------------------------------------------------------- Response

    def response(
        self,
        *,
        persona: Persona,
        scenario: str,
        sp_entity_id: str,
        acs_url: str,
        request_id: str | None,
        requested_level: int | None,
        requested_attributes: list[str],
        level: int | None = None,
    ) -> tuple[str, dict[str, object]]:
        """The signed (and usually encrypted) Response as XML, and a summary of what it says for the page."""
        with self.lock:
            return self._response(
                persona=persona,
                scenario=scenario,
                sp_entity_id=sp_entity_id,
                acs_url=acs_url,
                request_id=request_id,
                requested_level=requested_level,
                requested_attributes=requested_attributes,
                level=level,
            )

    def _response(
        self,
        *,
        persona: Persona,
        scenario: str,
        sp_entity_id: str,
        acs_url: str,
        request_id: str | None,
        requested_level: int | None,
        requested_attributes: list[str],
        level: int | None,
    ) -> tuple[str, dict[str, object]]:
        now = dt.datetime.now(dt.UTC)
        issued = now - dt.timedelta(minutes=20) if scenario == "expired" else now
        valid_until = now - dt.timedelta(minutes=10) if scenario == "expired" else now + dt.timedelta(minutes=5)

        response = samlp.Response(
            id=sid(),
            version="2.0",
            issue_instant=_instant(issued),
            destination=acs_url,
            in_response_to=request_id,
            issuer=self._issuer(),
        )
        summary: dict[str, object] = {"scenario": scenario, "persona": persona.label, "acs_url": acs_url}

        if scenario in {"cancelled", "failed"}:
            message = CANCELLED_MESSAGE if scenario == "cancelled" else FAILED_MESSAGE
            response.status = samlp.Status(
                status_code=samlp.StatusCode(
                    value=samlp.STATUS_RESPONDER, status_code=samlp.StatusCode(value=STATUS_AUTHN_FAILED)
                ),
                status_message=samlp.StatusMessage(text=message),
            )
            summary["status"] = message
            return self._sign(response, [], key="idp"), summary

        response.status = samlp.Status(status_code=samlp.StatusCode(value=samlp.STATUS_SUCCESS))
        if level is None:
            level = persona.login_level(requested_level)
            if scenario == "lower_level":
                level = max(1, (requested_level or persona.max_level) - 1)
        summary["level"] = level

        wanted = requested_attributes or list(persona.values)
        attributes = []
        for name in wanted:
            if name == a.TRUST_LEVEL:
                continue
            value = persona.values.get(name)
            if value is None:
                continue
            low = (scenario == "low_attribute" and name in LOW_ATTRIBUTES) or (scenario == "low_key" and name == a.BPK2)
            attribute_level = 1 if low else level
            attributes.append(_attribute(name, value, attribute_level))
        attributes.append(_attribute(a.TRUST_LEVEL, a.STORK_QAA.format(level), level))
        summary["attributes"] = [
            (attr.name, attr.attribute_value[0].text, attr.extension_attributes[a.TRUST_LEVEL_XML_ATTRIBUTE])
            for attr in attributes
        ]

        bpk2 = persona.values[a.BPK2]
        recipient = f"{ELSEWHERE}/acs/" if scenario == "wrong_recipient" else acs_url
        audience = f"{ELSEWHERE}/metadata/" if scenario == "wrong_audience" else sp_entity_id
        assertion = saml.Assertion(
            id=sid(),
            version="2.0",
            issue_instant=_instant(issued),
            issuer=self._issuer(),
            subject=saml.Subject(
                name_id=saml.NameID(
                    format=NAMEID_FORMAT_PERSISTENT,
                    name_qualifier=self.entity_id,
                    sp_name_qualifier=sp_entity_id,
                    text=bpk2,
                ),
                subject_confirmation=[
                    saml.SubjectConfirmation(
                        method=SCM_BEARER,
                        subject_confirmation_data=saml.SubjectConfirmationData(
                            in_response_to=request_id, recipient=recipient, not_on_or_after=_instant(valid_until)
                        ),
                    )
                ],
            ),
            conditions=saml.Conditions(
                not_before=_instant(issued - dt.timedelta(minutes=1)),
                not_on_or_after=_instant(valid_until),
                audience_restriction=[saml.AudienceRestriction(audience=[saml.Audience(text=audience)])],
            ),
            authn_statement=[
                saml.AuthnStatement(
                    authn_instant=_instant(issued),
                    session_index=sid(),
                    authn_context=saml.AuthnContext(
                        authn_context_class_ref=saml.AuthnContextClassRef(text=a.STORK_QAA.format(level))
                    ),
                )
            ],
            attribute_statement=[saml.AttributeStatement(attribute=attributes)],
        )
        response.assertion = assertion

        key = {"unsigned": None, "wrong_key": "foreign"}.get(scenario, "idp")
        to_sign = [(assertion, 2), (response, 1)] if key else []
        tamper = {bpk2: "TEST-bPK2-Untergeschoben-9999"} if scenario == "bad_signature" else {}
        encrypt = scenario != "unencrypted"
        summary["signed"] = key is not None
        summary["encrypted"] = encrypt
        return self._sign(response, to_sign, key=key, encrypt_for=sp_entity_id if encrypt else None, tamper=tamper), (
            summary
        )

    def _issuer(self) -> saml.Issuer:
        return saml.Issuer(text=self.entity_id, format=NAMEID_FORMAT_ENTITY)

    def _sign(
        self,
        response: samlp.Response,
        to_sign: list[tuple[object, int]],
        *,
        key: str | None,
        encrypt_for: str | None = None,
        tamper: dict[str, str] | None = None,
    ) -> str:
        """Sign the assertion, encrypt it, sign the response – or break that on purpose.

        ``tamper`` replaces text after the assertion was signed and again after the response was signed, so
        neither signature holds (an SP that checks only one of them still notices).
        """
        if key == "foreign":
            key_file, cert_file = str(KEY_DIR / f"{FOREIGN_KEY}.key"), str(KEY_DIR / f"{FOREIGN_KEY}.crt")
        else:
            key_file, cert_file = self.key_file, self.cert_file
        if not to_sign and key:
            to_sign = [(response, 1)]
        cert = read_cert_from_file(cert_file) if key else None
        for item, order in to_sign:
            item.signature = pre_signature_part(  # type: ignore[attr-defined]
                item.id,  # type: ignore[attr-defined]
                cert,
                order,
                sign_alg=SIG_RSA_SHA256,
                digest_alg=DIGEST_SHA256,
            )
        assertion = response.assertion or None
        if assertion is not None and encrypt_for:
            # The assertion declares its own namespaces, so it still reads once decrypted and cut out.
            response = pre_encrypt_assertion(response)
            xml = response.get_xml_string_with_self_contained_assertion_within_encrypted_assertion(
                assertion._to_element_tree().tag
            )
        else:
            xml = response.to_string().decode("utf-8")
        sec = self.server.sec
        if assertion is not None and assertion.signature is not None:
            xml = sec.sign_statement(
                xml, "urn:oasis:names:tc:SAML:2.0:assertion:Assertion", key_file=key_file, node_id=assertion.id
            )
        for old, new in (tamper or {}).items():
            xml = xml.replace(f">{old}<", f">{new}<")
        if assertion is not None and encrypt_for:
            xml = self._encrypt(xml, encrypt_for)
        if response.signature is not None:
            xml = sec.sign_statement(
                xml, "urn:oasis:names:tc:SAML:2.0:protocol:Response", key_file=key_file, node_id=response.id
            )
            if tamper:
                # One second earlier: harmless for any time check, fatal for the response's signature.
                earlier = dt.datetime.strptime(response.issue_instant, "%Y-%m-%dT%H:%M:%S%z") - dt.timedelta(seconds=1)
                changed = xml.replace(
                    f'IssueInstant="{response.issue_instant}"', f'IssueInstant="{_instant(earlier)}"', 1
                )
                if changed == xml:
                    raise RuntimeError("bad_signature: could not alter the signed response")
                xml = changed
        return xml

    def _encrypt(self, xml: str, sp_entity_id: str) -> str:
        certs = self.server.metadata.certs(sp_entity_id, "spsso", "encryption")
        if not certs:
            raise RequestError("Der Dienst nennt in seinen Metadaten kein Zertifikat zum Verschlüsseln.")
        _name, cert = certs[0]
        body = "".join(cert.split())
        pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
        pem += "\n-----END CERTIFICATE-----\n"
        with tempfile.NamedTemporaryFile("w", suffix=".pem") as cert_file:
            cert_file.write(pem)
            cert_file.flush()
            template = pre_encryption_part(msg_enc=AES256_GCM, key_enc=RSA_OAEP, encrypt_cert=body)
            return self.server.sec.encrypt_assertion(xml, cert_file.name, template, key_type="aes-256")

    # ----------------------------------------------------------------- Logout

    def logout_response(
        self,
        saml_request: str,
        binding: str,
        relay_state: str = "",
        sigalg: str | None = None,
        signature: str | None = None,
    ) -> dict[str, object]:
        """Answer a LogoutRequest at the SP's logout endpoint from its metadata (HTTP args from pysaml2)."""
        with self.lock:
            issuer = _peek_issuer(saml_request, binding)
            self._know_sp(issuer)
            try:
                parsed = self.server.parse_logout_request(saml_request, binding, relay_state=relay_state or None)
                if binding == BINDING_HTTP_REDIRECT and signature:
                    self._check_redirect_signature(parsed, saml_request, relay_state, sigalg, signature)
            except RequestError:
                raise
            except Exception as exc:
                raise RequestError(f"Die Abmeldeanfrage ist ungültig oder falsch signiert: {exc}") from exc
            # Answer with the binding the request came by, if the SP's metadata offers it for logout.
            bindings = [binding] + [b for b in (BINDING_HTTP_REDIRECT, BINDING_HTTP_POST) if b != binding]
            response = self.server.create_logout_response(parsed.message, bindings, sign=binding == BINDING_HTTP_POST)
            args = self.server.response_args(parsed.message, bindings)
            destination, slo_binding = args["destination"], args["binding"]
            return self.server.apply_binding(
                slo_binding,
                str(response),
                destination,
                relay_state,
                response=True,
                sign=slo_binding == BINDING_HTTP_REDIRECT,
                sigalg=SIG_RSA_SHA256,
            )


def _attribute(name: str, value: str, level: int) -> saml.Attribute:
    attribute_value = saml.AttributeValue()
    attribute_value.set_text(value)
    return saml.Attribute(
        name=name,
        name_format=a.URI_FORMAT,
        attribute_value=[attribute_value],
        extension_attributes={a.TRUST_LEVEL_XML_ATTRIBUTE: a.STORK_QAA.format(level)},
    )


def _decode(saml_message: str, binding: str) -> bytes:
    raw = base64.b64decode(saml_message)
    if binding == BINDING_HTTP_REDIRECT:
        import zlib

        return zlib.decompress(raw, -15)
    return raw


def _peek_issuer(saml_message: str, binding: str) -> str:
    """The request's issuer, before pysaml2 checks it – to know whose metadata to (re)load."""
    try:
        root = parse_xml(_decode(saml_message, binding))
    except Exception as exc:
        raise RequestError("Die SAML-Nachricht ist nicht lesbar (Base64/Deflate/XML).") from exc
    issuer = root.find(f"{{{saml.NAMESPACE}}}Issuer")
    if issuer is None or not (issuer.text or "").strip():
        raise RequestError("Die SAML-Nachricht nennt keinen Aussteller (Issuer).")
    return (issuer.text or "").strip()


def _requested_attributes(xml: str) -> list[str]:
    """The attribute OIDs in the ``akdb:AuthenticationRequest`` extension (empty: none asked for, deliver all)."""
    root = parse_xml(xml)
    names = []
    for element in root.iter():
        if element.tag.endswith("}RequestedAttribute") and element.get("Name"):
            names.append(element.get("Name", ""))
    return names


def _display_name(xml: str) -> str:
    """The service's name from the akdb extension's DisplayInformation, if the request has one."""
    element = parse_xml(xml).find(f".//{{{a.AKDB_NS}}}OrganizationDisplayName")
    return (element.text or "").strip() if element is not None else ""
