"""The local test IdP (devtools/test_idp) answers like BundID and Mein Unternehmenskonto – and breaks on request.

A small pysaml2 service provider (tests/saml_test_sp.py, the test SP keys) sends the requests and checks the
answers with pysaml2's own verification; so "verifies" means what a pysaml2-based SP will see.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from defusedxml.ElementTree import fromstring as parse_xml
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, samlp
from saml2.client import Saml2Client
from saml2.metadata import entity_descriptor
from saml2.response import StatusAuthnFailed
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.sigver import SignatureError

from mitwirken.accounts.saml import attributes as a

from .saml_idp_runner import ROOT, read_form, run_test_idp
from .saml_test_sp import ACS, KEYS, ORG_ID, ORG_NAME, SLO, SP, SP_ENTITY_ID, attributes, class_ref, sp_config

pytestmark = pytest.mark.xmlsec


@pytest.fixture(scope="module")
def sp_metadata_file(tmp_path_factory: Any) -> Path:
    path = tmp_path_factory.mktemp("sp") / "sp-metadata.xml"
    path.write_text(str(entity_descriptor(sp_config())), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def bundid(sp_metadata_file: Path) -> Iterator[SP]:
    with run_test_idp("bundid", sp_metadata_file=str(sp_metadata_file)) as idp:
        yield SP(idp)


def test_ok_answer_is_signed_encrypted_and_carries_the_requested_level(bundid: SP) -> None:
    request_id, fields = bundid.authn_request(level=3)
    saml_response, relay_state, acs = bundid.idp.respond(fields, persona="erika", scenario="ok")
    assert (relay_state, acs) == ("/weiter/", ACS)
    raw = base64.b64decode(saml_response).decode()
    assert "EncryptedAssertion" in raw
    assert "<saml:Assertion" not in raw and ":Assertion " not in raw.split("EncryptedAssertion")[0]

    response = bundid.parse(saml_response, request_id)

    assert response.in_response_to == request_id
    assert response.name_id.text == "TEST-bPK2-ErikaMustermann-0001"
    assert class_ref(response) == "STORK-QAA-Level-3"
    got = attributes(response)
    assert got[a.BPK2] == ("TEST-bPK2-ErikaMustermann-0001", "STORK-QAA-Level-3")
    assert got[a.SURNAME] == ("Mustermann", "STORK-QAA-Level-3")
    assert got[a.TRUST_LEVEL] == ("STORK-QAA-Level-3", "STORK-QAA-Level-3")
    assert got[a.LOCALITY] == ("Köln", "STORK-QAA-Level-3")


def test_only_the_requested_attributes_come_back(bundid: SP) -> None:
    response = bundid.login(attributes=[a.BPK2, a.TRUST_LEVEL], level=4)

    assert set(attributes(response)) == {a.BPK2, a.TRUST_LEVEL}
    assert class_ref(response) == "STORK-QAA-Level-4"


def test_a_person_who_can_only_reach_level_2_gets_level_2(bundid: SP) -> None:
    response = bundid.login(persona="max", level=3)

    assert class_ref(response) == "STORK-QAA-Level-2"
    assert attributes(response)[a.TRUST_LEVEL][0] == "STORK-QAA-Level-2"


def test_lower_level_answers_one_level_below_the_request(bundid: SP) -> None:
    response = bundid.login(scenario="lower_level", level=4)

    assert class_ref(response) == "STORK-QAA-Level-3"
    assert attributes(response)[a.TRUST_LEVEL] == ("STORK-QAA-Level-3", "STORK-QAA-Level-3")


def test_low_attribute_marks_surname_and_mail_with_a_lower_trust_level(bundid: SP) -> None:
    response = bundid.login(scenario="low_attribute", level=3)

    got = attributes(response)
    assert class_ref(response) == "STORK-QAA-Level-3"
    assert got[a.SURNAME] == ("Mustermann", "STORK-QAA-Level-1")
    assert got[a.MAIL][1] == "STORK-QAA-Level-1"
    assert got[a.GIVEN_NAME] == ("Erika", "STORK-QAA-Level-3")


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ("cancelled", "Der Nutzer hat die Anmeldung abgebrochen"),
        ("failed", "Technischer Fehler beim Identitätsanbieter (Test-IdP)"),
    ],
)
def test_cancelled_and_failed_are_authn_failed_with_their_own_message(bundid: SP, scenario: str, message: str) -> None:
    request_id, fields = bundid.authn_request()
    saml_response, _relay_state, _acs = bundid.idp.respond(fields, scenario=scenario)

    with pytest.raises(StatusAuthnFailed):
        bundid.parse(saml_response, request_id)
    status = parse_xml(base64.b64decode(saml_response)).find(f"{{{samlp.NAMESPACE}}}Status")
    assert status is not None
    top = status.find(f"{{{samlp.NAMESPACE}}}StatusCode")
    assert top is not None and top.get("Value") == samlp.STATUS_RESPONDER
    second = top.find(f"{{{samlp.NAMESPACE}}}StatusCode")
    assert second is not None and second.get("Value") == "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"
    assert status.findtext(f"{{{samlp.NAMESPACE}}}StatusMessage") == message


@pytest.mark.parametrize("scenario", ["bad_signature", "wrong_key", "unsigned"])
def test_broken_signatures_do_not_verify(bundid: SP, scenario: str) -> None:
    request_id, fields = bundid.authn_request()
    saml_response, _relay_state, _acs = bundid.idp.respond(fields, scenario=scenario)

    with pytest.raises(SignatureError):
        bundid.parse(saml_response, request_id)


@pytest.mark.parametrize("scenario", ["expired", "wrong_audience", "wrong_recipient"])
def test_expired_and_misaddressed_assertions_are_refused(bundid: SP, scenario: str) -> None:
    request_id, fields = bundid.authn_request()
    saml_response, _relay_state, _acs = bundid.idp.respond(fields, scenario=scenario)

    # pysaml2 checks the Recipient only when told who it is (conv_info) – an SP must pass it.
    with pytest.raises(Exception) as refused:
        bundid.parse(saml_response, request_id, conv_info={"entity_id": SP_ENTITY_ID})
    assert not isinstance(refused.value, SignatureError)


def test_unencrypted_is_signed_but_plain(bundid: SP) -> None:
    request_id, fields = bundid.authn_request()
    saml_response, _relay_state, _acs = bundid.idp.respond(fields, scenario="unencrypted")

    assert "EncryptedAssertion" not in base64.b64decode(saml_response).decode()
    assert class_ref(bundid.parse(saml_response, request_id)) == "STORK-QAA-Level-3"


def test_signed_redirect_request_is_answered_and_a_tampered_one_refused(bundid: SP) -> None:
    request_id, url = bundid.authn_request(binding=BINDING_HTTP_REDIRECT, relay_state="/ziel/")
    saml_response, relay_state, _acs = bundid.idp.respond(url)
    assert relay_state == "/ziel/"
    assert class_ref(bundid.parse(saml_response, request_id)) == "STORK-QAA-Level-3"

    tampered = url.replace("RelayState=%2Fziel%2F", "RelayState=%2Fanderswo%2F")
    assert tampered != url
    status, page = bundid.idp.page(tampered + "&persona=erika&scenario=ok")
    assert status == 400
    assert "Signatur" in page


def test_request_from_an_unknown_sp_is_refused(bundid: SP, tmp_path: Path) -> None:
    stranger = Saml2Client(config=sp_config(bundid.idp.metadata()))
    stranger.config.entityid = "http://fremd.test/metadata/"
    _request_id, info = stranger.prepare_for_authenticate(entityid=bundid.idp.entity_id, binding=BINDING_HTTP_POST)
    status, page = bundid.idp.page(f"{bundid.idp.base_url}/sso/post", read_form(info["data"])[1])

    assert status == 400
    assert "Unbekannter Dienst" in page


def test_login_page_is_german_accessible_and_warns_it_is_a_test(bundid: SP) -> None:
    request_id, fields = bundid.authn_request(level=4)
    status, page = bundid.idp.page(f"{bundid.idp.base_url}/sso/post", fields)

    assert status == 200
    assert '<html lang="de">' in page
    assert page.count("<h1") == 1
    assert "Test-IdP – nicht für den Echtbetrieb" in page
    assert "STORK-QAA-Level-4" in page
    assert "Testportal" in page  # the akdb extension's display name
    assert page.count("<label") == page.count('type="radio"') + page.count("<select")
    action, form = read_form(page)
    status, answer = bundid.idp.page(action, {**form, "persona": "erika", "scenario": "ok"})
    assert "Test-IdP – nicht für den Echtbetrieb" in answer
    assert ">Weiter</button>" in answer
    _action, result = read_form(answer)
    assert class_ref(bundid.parse(result["SAMLResponse"], request_id)) == "STORK-QAA-Level-4"
    # The login is answered once; the same form again is refused.
    assert bundid.idp.page(action, {**form, "persona": "erika", "scenario": "ok"})[0] == 400


def test_unsolicited_response_has_no_in_response_to(bundid: SP) -> None:
    saml_response, relay_state, acs = bundid.idp.unsolicited(persona="erika", relay_state="/start/", level=4)

    response = bundid.parse(saml_response, None)
    assert (relay_state, acs) == ("/start/", ACS)
    assert response.in_response_to is None
    assert class_ref(response) == "STORK-QAA-Level-4"


def test_logout_request_is_answered_at_the_sps_logout_endpoint(bundid: SP) -> None:
    client = bundid.client
    request_id, request = client.create_logout_request(
        f"{bundid.idp.base_url}/slo/redirect",
        bundid.idp.entity_id,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text="TEST-bPK2-ErikaMustermann-0001"),
        sign=False,
    )
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT, str(request), f"{bundid.idp.base_url}/slo/redirect", "/tschuess/", sign=True
    )
    status, location = bundid.idp.page(dict(info["headers"])["Location"])

    assert status == 303
    assert location.startswith(SLO)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    assert query["RelayState"] == ["/tschuess/"]
    assert "Signature" in query
    answer = client.parse_logout_request_response(query["SAMLResponse"][0], BINDING_HTTP_REDIRECT)
    assert answer.response.in_response_to == request_id
    assert answer.response.status.status_code.value == samlp.STATUS_SUCCESS


def test_metadata_offers_signing_and_encryption_keys_both_sso_bindings_and_logout(bundid: SP) -> None:
    root = parse_xml(bundid.idp.metadata())
    md = "{urn:oasis:names:tc:SAML:2.0:metadata}"

    assert root.get("entityID") == bundid.idp.entity_id
    assert {k.get("use") for k in root.iter(f"{md}KeyDescriptor")} == {"signing", "encryption"}
    assert {s.get("Binding") for s in root.iter(f"{md}SingleSignOnService")} == {
        BINDING_HTTP_POST,
        BINDING_HTTP_REDIRECT,
    }
    assert list(root.iter(f"{md}SingleLogoutService"))


def test_muk_stand_in_acts_for_an_organisation_with_its_own_key(sp_metadata_file: Path) -> None:
    with run_test_idp("muk", sp_metadata_file=str(sp_metadata_file)) as idp:
        sp = SP(idp)
        response = sp.login(persona="musterbau", attributes=[], level=3)
        metadata = idp.metadata()

    got = attributes(response)
    assert got[ORG_NAME][0] == "Musterbau GmbH"
    assert got[ORG_ID][0] == "DE-HRB-12345"
    assert got[a.TRUST_LEVEL][0] == "STORK-QAA-Level-3"
    muk_cert = (KEYS / "muk-idp.crt").read_text()
    assert "".join(muk_cert.splitlines()[1:-1])[:60] in "".join(metadata.split())


def test_refuses_to_start_in_production(sp_metadata_file: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "devtools.test_idp", "--port", "0", "--sp-metadata-file", str(sp_metadata_file)],
        cwd=ROOT,
        env={**os.environ, "MITWIRKEN_ENV": "production"},
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode != 0
    assert "MITWIRKEN_ENV=production" in result.stderr
    assert "listening" not in result.stdout


def test_sp_metadata_is_read_again_for_an_unknown_issuer(tmp_path: Path) -> None:
    metadata = tmp_path / "sp-metadata.xml"
    metadata.write_text(str(entity_descriptor(sp_config())), encoding="utf-8")
    with run_test_idp("bundid", sp_metadata_file=str(metadata)) as idp:
        assert SP(idp).login().in_response_to  # the first SP is known and its metadata read
        renamed = sp_config(idp.metadata())
        renamed.entityid = "http://sp-neu.test/konto/saml/metadata/"
        metadata.write_text(str(entity_descriptor(renamed)), encoding="utf-8")
        client = Saml2Client(config=renamed)
        _request_id, info = client.prepare_for_authenticate(
            entityid=idp.entity_id, binding=BINDING_HTTP_POST, sign=True
        )

        _saml_response, _relay_state, acs = idp.respond(read_form(info["data"])[1])

    assert acs == ACS
