"""Attacks on the portal's SAML SP: XML signature wrapping, XXE / entity expansion, and garbage at the ACS.

The attacker here is a browser user: they can start a login, receive a genuine signed assertion from the IdP for
it, change the XML as they like, and encrypt anything for the portal (its encryption certificate is in its public
metadata) – but they cannot sign as the IdP. Everything must end on the German refusal page with HTTP 400, without
an account, an identity or a login.

The wrapping attacks have a control: the genuine assertion, re-encrypted the same way by the "attacker" and sent
without a response signature, is accepted. So their refusals are the SP seeing the wrapping, not the attacker's
encryption being broken. The XXE attacks start from a genuine encrypted response and add only the DOCTYPE.
"""

from __future__ import annotations

import base64
import http.server
import logging
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client
from lxml import etree
from saml2.s_utils import sid
from saml2.sigver import CryptoBackendXmlSec1, pre_encryption_part

from mitwirken.accounts.models import ExternalIdentity, User
from mitwirken.accounts.saml import attributes as oids
from mitwirken.accounts.saml.response import MAX_RESPONSE_BYTES, MISSING, NOT_CONFIRMED

from .saml_idp_runner import SP_METADATA_PATH
from .test_saml_sp_against_test_idp import send_back

if TYPE_CHECKING:
    from .saml_idp_runner import RunningIdP

pytest_plugins = ["tests.saml_idp"]

pytestmark = pytest.mark.xmlsec

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"samlp": SAMLP, "saml": SAML, "ds": DS}
# The same algorithms the test IdP (and BundID) use.
AES256_GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
RSA_OAEP = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"

GENUINE_SUBJECT = "TEST-bPK2-ErikaMustermann-0001"
EVIL_SUBJECT = "TEST-bPK2-Untergeschoben-9999"
EXPIRED = "Diese Anmeldung ist abgelaufen oder wurde bereits verwendet."


@pytest.fixture
def portal(saml_portal: None) -> Client:
    return Client()


@pytest.fixture
def sp_encryption_cert(portal: Client) -> Iterator[tuple[str, str]]:
    """What any attacker can read: the encryption certificate from the portal's metadata (base64 body, PEM file)."""
    metadata = etree.fromstring(portal.get(SP_METADATA_PATH).content)
    md = "urn:oasis:names:tc:SAML:2.0:metadata"
    bodies = metadata.xpath(
        "//md:SPSSODescriptor/md:KeyDescriptor[@use='encryption' or not(@use)]//ds:X509Certificate/text()",
        namespaces={"md": md, "ds": DS},
    )
    assert bodies, "the SP's metadata names no encryption certificate"
    body = "".join(str(bodies[0]).split())
    pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as cert_file:
        cert_file.write(pem + "\n-----END CERTIFICATE-----\n")
        cert_file.flush()
        yield body, cert_file.name


# ----------------------------------------------------------------------------------------------- helpers


def refused_cleanly(client: Client, page: Any, message: str = str(NOT_CONFIRMED), users_before: int = 0) -> None:
    content = page.content.decode()
    assert page.status_code == 400, content[:2000]
    assert message in content
    assert "_auth_user_id" not in client.session
    assert not ExternalIdentity.objects.exists()
    assert User.objects.count() == users_before


def genuine_signed_response(client: Client, idp: RunningIdP) -> tuple[etree._Element, str, str]:
    """A login this browser started, answered by the IdP with a signed but unencrypted assertion."""
    start = client.get("/konto/saml/bundid/anmelden/?level=3&next=/")
    assert start.status_code == 200
    saml_response, relay_state, acs = idp.respond(start, scenario="unencrypted")
    return etree.fromstring(base64.b64decode(saml_response)), relay_state, acs


def standalone(element: etree._Element) -> etree._Element:
    """A copy that declares all the namespaces it uses itself (as the IdP's assertions do)."""
    return etree.fromstring(etree.tostring(element))


def drop_signature(element: etree._Element) -> None:
    for signature in element.findall("ds:Signature", NS):
        element.remove(signature)


def child(element: etree._Element, path: str) -> etree._Element:
    found = element.find(path, NS)
    assert found is not None, path
    return found


def assertion_of(response: etree._Element) -> etree._Element:
    return child(response, "saml:Assertion")


def set_subject(assertion: etree._Element, subject: str) -> None:
    """The person key in the NameID and in the bPK2 attribute."""
    changed = 0
    for name_id in assertion.findall("saml:Subject/saml:NameID", NS):
        name_id.text = subject
        changed += 1
    for value in assertion.xpath(
        "saml:AttributeStatement/saml:Attribute[@Name=$name]/saml:AttributeValue", namespaces=NS, name=oids.BPK2
    ):
        value.text = subject
        changed += 1
    assert changed == 2


def evil_copy(genuine: etree._Element, *, same_id: bool = False) -> etree._Element:
    evil = standalone(genuine)
    drop_signature(evil)
    if not same_id:
        evil.set("ID", sid())
    set_subject(evil, EVIL_SUBJECT)
    return evil


def encrypt_for_sp(response: etree._Element, cert: tuple[str, str]) -> etree._Element:
    """Put the response's (first direct) assertion into an EncryptedAssertion for the SP, as an IdP would."""
    assertion = assertion_of(response)
    position = list(response).index(assertion)
    # Put in as text: lxml would move the assertion's namespace declarations up to the response, and the SP
    # reads the decrypted assertion on its own.
    placeholder = etree.Element(f"{{{SAML}}}EncryptedAssertion")
    placeholder.text = "ASSERTION"
    response.remove(assertion)
    response.insert(position, placeholder)
    plain = (
        etree.tostring(response).decode().replace(">ASSERTION<", f">{etree.tostring(standalone(assertion)).decode()}<")
    )
    body, cert_file = cert
    template = pre_encryption_part(msg_enc=AES256_GCM, key_enc=RSA_OAEP, encrypt_cert=body)
    xml = CryptoBackendXmlSec1("/usr/bin/xmlsec1").encrypt_assertion(plain, cert_file, template, key_type="aes-256")
    encrypted = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    assert encrypted.find("saml:EncryptedAssertion/saml:Assertion", NS) is None, "not encrypted"
    return encrypted


def send(client: Client, response: etree._Element | bytes, relay_state: str, acs: str) -> Any:
    xml = response if isinstance(response, bytes) else etree.tostring(response)
    return send_back(client, (base64.b64encode(xml).decode(), relay_state, acs))


# ----------------------------------------------------------------------------------------- signature wrapping


def add_extensions(response: etree._Element, extensions: etree._Element) -> None:
    """samlp:Extensions goes after the response's Issuer and Signature (if there is one)."""
    signature = response.find("ds:Signature", NS)
    (child(response, "saml:Issuer") if signature is None else signature).addnext(extensions)


def xsw_in_advice(response: etree._Element) -> None:
    """An evil assertion (new ID) carrying the genuine signed one in its Advice."""
    genuine = assertion_of(response)
    evil = evil_copy(genuine)
    advice = etree.Element(f"{{{SAML}}}Advice")
    advice.append(standalone(genuine))
    child(evil, "saml:Conditions").addnext(advice)
    genuine.addprevious(evil)
    response.remove(genuine)


def xsw_in_subject(response: etree._Element) -> None:
    """An evil assertion (new ID) carrying the genuine signed one inside its Subject."""
    genuine = assertion_of(response)
    evil = evil_copy(genuine)
    child(evil, "saml:Subject").append(standalone(genuine))
    genuine.addprevious(evil)
    response.remove(genuine)


def xsw_same_id_genuine_in_extensions(response: etree._Element) -> None:
    """An evil assertion with the genuine one's ID; the genuine signed one moved into the response's Extensions."""
    genuine = assertion_of(response)
    evil = evil_copy(genuine, same_id=True)
    extensions = etree.Element(f"{{{SAMLP}}}Extensions")
    extensions.append(standalone(genuine))
    add_extensions(response, extensions)
    genuine.addprevious(evil)
    response.remove(genuine)


def xsw_signature_moved_into_evil(response: etree._Element) -> None:
    """The evil assertion (same ID) wears the genuine Signature, whose Object holds the genuine assertion."""
    genuine = assertion_of(response)
    evil = evil_copy(genuine, same_id=True)
    signature = standalone(child(genuine, "ds:Signature"))
    keep = standalone(genuine)
    keep_object = etree.SubElement(signature, f"{{{DS}}}Object")
    keep_object.append(keep)
    child(evil, "saml:Issuer").addnext(signature)
    genuine.addprevious(evil)
    response.remove(genuine)


def xsw_same_id_signed_genuine_in_extensions(response: etree._Element) -> None:
    """The evil assertion (same ID) wears the genuine Signature; the genuine assertion sits in the Extensions."""
    genuine = assertion_of(response)
    evil = evil_copy(genuine, same_id=True)
    child(evil, "saml:Issuer").addnext(standalone(child(genuine, "ds:Signature")))
    extensions = etree.Element(f"{{{SAMLP}}}Extensions")
    extensions.append(standalone(genuine))
    add_extensions(response, extensions)
    genuine.addprevious(evil)
    response.remove(genuine)


def xsw_statement_after_signature(response: etree._Element) -> None:
    """The genuine signed assertion kept, with a second AttributeStatement (another bPK2) added to it."""
    genuine = assertion_of(response)
    forged = standalone(child(genuine, "saml:AttributeStatement"))
    for attribute in forged.findall("saml:Attribute", NS):
        if attribute.get("Name") != oids.BPK2:
            forged.remove(attribute)
    # The SP reads statements in order, a later value winning: this one would make the login someone else's.
    child(forged, "saml:Attribute/saml:AttributeValue").text = EVIL_SUBJECT
    genuine.append(forged)


def xsw_evil_first_genuine_after(response: etree._Element) -> None:
    """Two assertions in the response: the evil one (new ID, unsigned) first, the genuine signed one after it."""
    genuine = assertion_of(response)
    genuine.addprevious(evil_copy(genuine))


def xsw_genuine_first_evil_after(response: etree._Element) -> None:
    """Two assertions: the genuine signed one first (the one that gets encrypted), the evil one beside it in plain."""
    genuine = assertion_of(response)
    genuine.addnext(evil_copy(genuine))


WRAPPINGS: dict[str, Callable[[etree._Element], None]] = {
    "in_advice": xsw_in_advice,
    "in_subject": xsw_in_subject,
    "same_id_genuine_in_extensions": xsw_same_id_genuine_in_extensions,
    "signature_moved_into_evil": xsw_signature_moved_into_evil,
    "same_id_signed_genuine_in_extensions": xsw_same_id_signed_genuine_in_extensions,
    "statement_after_signature": xsw_statement_after_signature,
    "evil_first_genuine_after": xsw_evil_first_genuine_after,
    "genuine_first_evil_after": xsw_genuine_first_evil_after,
}


def test_control_the_genuine_assertion_reencrypted_by_the_attacker_is_accepted(
    portal: Client, saml_idp: RunningIdP, sp_encryption_cert: tuple[str, str]
) -> None:
    # Without this, every refusal below could just be the attacker's encryption failing.
    response, relay_state, acs = genuine_signed_response(portal, saml_idp)
    drop_signature(response)

    answer = send(portal, encrypt_for_sp(response, sp_encryption_cert), relay_state, acs)

    assert answer.status_code == 302
    assert ExternalIdentity.objects.get().subject == GENUINE_SUBJECT
    assert "_auth_user_id" in portal.session


@pytest.mark.parametrize("wrapping", list(WRAPPINGS))
@pytest.mark.parametrize("response_signature", ["removed", "genuine_left_in_place"])
def test_a_wrapped_assertion_encrypted_for_the_sp_is_refused(
    portal: Client,
    saml_idp: RunningIdP,
    sp_encryption_cert: tuple[str, str],
    wrapping: str,
    response_signature: str,
) -> None:
    response, relay_state, acs = genuine_signed_response(portal, saml_idp)
    if response_signature == "removed":
        drop_signature(response)
    WRAPPINGS[wrapping](response)

    answer = send(portal, encrypt_for_sp(response, sp_encryption_cert), relay_state, acs)

    refused_cleanly(portal, answer)


def test_a_refusal_logs_no_personal_data(
    portal: Client, saml_idp: RunningIdP, sp_encryption_cert: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    # pysaml2's error for this wrapping quotes the decrypted assertion; none of it may reach the log.
    caplog.set_level(logging.DEBUG)
    response, relay_state, acs = genuine_signed_response(portal, saml_idp)
    drop_signature(response)
    WRAPPINGS["signature_moved_into_evil"](response)

    refused_cleanly(portal, send(portal, encrypt_for_sp(response, sp_encryption_cert), relay_state, acs))

    assert "SAML response refused" in caplog.text
    for personal in ("ErikaMustermann", "Mustermann", "erika.mustermann@example.org"):
        assert personal not in caplog.text


def test_a_bare_doctype_is_refused_too(portal: Client, saml_idp: RunningIdP) -> None:
    # No entities at all: nothing for the parser to refuse, but SAML never carries a DTD.
    xml, relay_state, acs = genuine_encrypted_response(portal, saml_idp)

    refused_cleanly(portal, send(portal, with_doctype(xml, "<!DOCTYPE samlp:Response>"), relay_state, acs))


@pytest.mark.parametrize("wrapping", list(WRAPPINGS))
def test_a_wrapped_assertion_sent_unencrypted_is_refused(portal: Client, saml_idp: RunningIdP, wrapping: str) -> None:
    response, relay_state, acs = genuine_signed_response(portal, saml_idp)
    drop_signature(response)
    WRAPPINGS[wrapping](response)

    refused_cleanly(portal, send(portal, response, relay_state, acs))


# ------------------------------------------------------------------------------------- XXE, entity expansion


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/xml-dtd")
        self.end_headers()
        self.wfile.write(b'<!ENTITY leak "FETCHED-BY-THE-SP">')

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def local_url() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request: an entity pointing here must never be fetched."""
    hits: list[str] = []
    handler = type("Recorder", (_Recorder,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def with_doctype(xml: bytes, doctype: str, *, entity_in_issuer: str = "") -> bytes:
    """The response's text with a DOCTYPE in front and, optionally, an entity reference as its Issuer."""
    text = xml.decode()
    if text.startswith("<?xml"):
        text = text[text.index("?>") + 2 :].lstrip()
    if entity_in_issuer:
        root = etree.fromstring(xml)
        issuer = root.find("saml:Issuer", NS)
        assert issuer is not None and issuer.text
        text = text.replace(f">{issuer.text}<", f">{entity_in_issuer}<")
        assert entity_in_issuer in text
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n{text}'.encode()


def genuine_encrypted_response(client: Client, idp: RunningIdP) -> tuple[bytes, str, str]:
    start = client.get("/konto/saml/bundid/anmelden/?level=3&next=/")
    saml_response, relay_state, acs = idp.respond(start)
    return base64.b64decode(saml_response), relay_state, acs


def test_an_external_entity_is_not_read(portal: Client, saml_idp: RunningIdP, caplog: pytest.LogCaptureFixture) -> None:
    xml, relay_state, acs = genuine_encrypted_response(portal, saml_idp)
    doctype = '<!DOCTYPE samlp:Response [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    caplog.set_level(logging.DEBUG)

    answer = send(portal, with_doctype(xml, doctype, entity_in_issuer="&x;"), relay_state, acs)

    refused_cleanly(portal, answer)
    assert "root:" not in answer.content.decode()
    assert "root:" not in caplog.text


def test_nested_entity_expansion_is_refused_quickly(
    portal: Client, saml_idp: RunningIdP, caplog: pytest.LogCaptureFixture
) -> None:
    xml, relay_state, acs = genuine_encrypted_response(portal, saml_idp)
    # 10^5 "lol"s if expanded: harmless for this machine, but a real attack would use more levels.
    entities = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 6)]
    doctype = f"<!DOCTYPE samlp:Response [{''.join(entities)}]>"
    caplog.set_level(logging.DEBUG)

    began = time.monotonic()
    answer = send(portal, with_doctype(xml, doctype, entity_in_issuer="&l5;"), relay_state, acs)

    assert time.monotonic() - began < 5  # a sanity bound, not a performance test
    refused_cleanly(portal, answer)
    assert "lollollol" not in answer.content.decode()
    assert "lollollol" not in caplog.text


def test_a_parameter_entity_to_a_local_url_is_not_fetched(
    portal: Client, saml_idp: RunningIdP, local_url: tuple[str, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    url, hits = local_url
    xml, relay_state, acs = genuine_encrypted_response(portal, saml_idp)
    doctype = f'<!DOCTYPE samlp:Response [<!ENTITY % remote SYSTEM "{url}/evil.dtd"> %remote;]>'
    caplog.set_level(logging.DEBUG)

    answer = send(portal, with_doctype(xml, doctype, entity_in_issuer="&leak;"), relay_state, acs)

    refused_cleanly(portal, answer)
    assert hits == []
    assert "FETCHED-BY-THE-SP" not in answer.content.decode() + caplog.text


# --------------------------------------------------------------------------------------------------- garbage


@pytest.mark.parametrize(
    ("saml_response", "message"),
    [
        ("", EXPIRED),
        ("das ist kein base64 %%%", str(NOT_CONFIRMED)),
        (base64.b64encode(b"kein XML, nur Text").decode(), str(NOT_CONFIRMED)),
        (base64.b64encode(b"<samlp:Response xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'>").decode(),
         str(NOT_CONFIRMED)),
        (base64.b64encode(b"<html><body>hallo</body></html>").decode(), str(NOT_CONFIRMED)),
        ("A" * (MAX_RESPONSE_BYTES + 4), str(MISSING)),
    ],
    ids=["empty", "not_base64", "not_xml", "broken_xml", "not_saml", "too_large"],
)  # fmt: skip
def test_garbage_gets_the_refusal_page_not_an_error(
    portal: Client, saml_idp: RunningIdP, saml_response: str, message: str
) -> None:
    start = portal.get("/konto/saml/bundid/anmelden/?level=3&next=/")
    assert start.status_code == 200
    acs = "/konto/saml/acs/"

    answer = send_back(portal, (saml_response, "", acs))

    refused_cleanly(portal, answer, message)
