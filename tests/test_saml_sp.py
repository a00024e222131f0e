"""The SAML service provider's own side: metadata, the AuthnRequest, metadata import, linking and unlinking.

Responses from a real IdP (signatures, encryption, replay, levels) are tested against the local test IdP in
tests/test_saml_sp_against_test_idp.py; here the IdP is only its metadata, written by pysaml2 from the test
key, as an operator would import it.
"""

from __future__ import annotations

import base64
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.checks import run_checks
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from lxml import etree
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor, metadata_tostring_fix

from mitwirken.accounts.models import ExternalIdentity, IdentityProvider, User
from mitwirken.accounts.saml import attributes as oids
from mitwirken.accounts.saml.metadata import import_metadata
from mitwirken.accounts.saml.response import Attribute, ReceivedLogin
from mitwirken.accounts.saml.services import PENDING_LINK_KEY, can_unlink
from mitwirken.core.models import AuditEntry

from .conftest import PERSONAS, World, login
from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.xmlsec

KEYS = Path(django_settings.SAML_TEST_KEYS_DIR)
IDP_ENTITY = "http://idp.example.test/metadata"
NS = {"md": "urn:oasis:names:tc:SAML:2.0:metadata", "ds": "http://www.w3.org/2000/09/xmldsig#",
      "samlp": "urn:oasis:names:tc:SAML:2.0:protocol", "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
      "akdb": oids.AKDB_NS}  # fmt: skip


def idp_metadata(entity: str = IDP_ENTITY, *, post_sso: bool = True) -> str:
    bindings = [(f"{entity}/sso/post", BINDING_HTTP_POST)] if post_sso else []
    config = IdPConfig()
    config.load({
        "entityid": entity, "key_file": str(KEYS / "idp.key"), "cert_file": str(KEYS / "idp.crt"),
        "service": {"idp": {"endpoints": {
            "single_sign_on_service": [*bindings, (f"{entity}/sso/redirect", BINDING_HTTP_REDIRECT)],
            "single_logout_service": [(f"{entity}/slo", BINDING_HTTP_REDIRECT)],
        }}},
    })  # fmt: skip
    xml = metadata_tostring_fix(entity_descriptor(config), {"xs": "http://www.w3.org/2001/XMLSchema"})
    return xml.decode() if isinstance(xml, bytes) else xml


def certificates(xml: str, use: str) -> list[str]:
    path = f"//md:SPSSODescriptor/md:KeyDescriptor[@use='{use}']//ds:X509Certificate"
    return ["".join(node.text.split()) for node in etree.fromstring(xml.encode()).xpath(path, namespaces=NS)]


def pem_body(path: Path) -> str:
    return "".join(line for line in path.read_text().splitlines() if "CERTIFICATE" not in line)


# --- metadata ---------------------------------------------------------------------------------------------


def test_metadata_names_the_acs_logout_and_both_keys(db: Any) -> None:
    response = Client().get("/konto/saml/metadata/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/samlmetadata+xml")
    xml = response.content.decode()
    tree = etree.fromstring(response.content)
    assert tree.get("entityID") == "http://testserver/konto/saml/metadata/"
    acs = tree.xpath("//md:AssertionConsumerService", namespaces=NS)
    assert [(node.get("Binding"), node.get("Location")) for node in acs] == [
        (BINDING_HTTP_POST, "http://testserver/konto/saml/acs/")
    ]
    assert tree.xpath("//md:SingleLogoutService/@Location", namespaces=NS)[0] == "http://testserver/konto/saml/slo/"
    descriptor = tree.xpath("//md:SPSSODescriptor", namespaces=NS)[0]
    assert descriptor.get("AuthnRequestsSigned") == "true" and descriptor.get("WantAssertionsSigned") == "true"
    assert certificates(xml, "signing") == [pem_body(KEYS / "sp.crt")]
    assert certificates(xml, "encryption") == [pem_body(KEYS / "sp.crt")]
    # No list of every algorithm xmlsec1 knows (MD5 and SHA-1 included).
    assert "md5" not in xml and "sha1" not in xml


def test_rollover_announces_the_next_certificate_for_signing_and_encryption(db: Any, settings: Any) -> None:
    settings.MITWIRKEN_SAML_NEXT_KEY_FILE = str(KEYS / "sp-next.key")
    settings.MITWIRKEN_SAML_NEXT_CERT_FILE = str(KEYS / "sp-next.crt")
    xml = Client().get("/konto/saml/metadata/").content.decode()
    current, following = pem_body(KEYS / "sp.crt"), pem_body(KEYS / "sp-next.crt")
    assert certificates(xml, "signing") == [current, following]
    assert certificates(xml, "encryption") == [current, following]


def test_the_entity_id_follows_the_configured_address_not_the_host(db: Any, settings: Any) -> None:
    settings.MITWIRKEN_SAML_BASE_URL = "https://beteiligung.example.de"
    tree = etree.fromstring(Client().get("/konto/saml/metadata/").content)
    assert tree.get("entityID") == "https://beteiligung.example.de/konto/saml/metadata/"


def test_without_a_key_pair_there_is_no_metadata_and_no_login(db: Any, settings: Any) -> None:
    settings.MITWIRKEN_SAML_KEY_FILE = ""
    IdentityProvider.objects.create(provider="bundid", entity_id=IDP_ENTITY, metadata_xml=idp_metadata())
    assert Client().get("/konto/saml/metadata/").status_code == 404
    response = Client().get("/konto/saml/bundid/anmelden/")
    assert response.status_code == 404
    assert "noch nicht eingerichtet" in response.content.decode()


def test_production_refuses_the_public_test_keys(settings: Any) -> None:
    settings.PRODUCTION = True
    assert "accounts.E001" in {message.id for message in run_checks()}
    settings.PRODUCTION = False
    assert "accounts.E001" not in {message.id for message in run_checks()}


# --- the AuthnRequest -------------------------------------------------------------------------------------


@pytest.fixture
def bundid(db: Any) -> IdentityProvider:
    return import_metadata(actor=None, provider="bundid", xml=idp_metadata())


def start(client: Client, query: str = "level=3&next=/projekte/") -> tuple[Any, Any]:
    response = client.get(f"/konto/saml/bundid/anmelden/?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    encoded = page.split('name="SAMLRequest" value="', 1)[1].split('"', 1)[0]
    return response, etree.fromstring(base64.b64decode(encoded))


def test_the_request_carries_the_akdb_extension_and_the_minimum_level(bundid: IdentityProvider) -> None:
    response, request = start(Client())
    assert f'action="{IDP_ENTITY}/sso/post"' in response.content.decode()
    # The page's policy lets exactly this form go to the IdP.
    assert "form-action 'self' http://idp.example.test" in response["Content-Security-Policy"]
    assert request.get("Destination") == f"{IDP_ENTITY}/sso/post"
    assert request.get("AssertionConsumerServiceURL") == "http://testserver/konto/saml/acs/"
    assert request.xpath("ds:Signature/ds:SignedInfo/ds:Reference/@URI", namespaces=NS) == [f"#{request.get('ID')}"]
    context = request.xpath("samlp:RequestedAuthnContext", namespaces=NS)[0]
    assert context.get("Comparison") == "minimum"
    assert context.xpath("saml:AuthnContextClassRef/text()", namespaces=NS) == ["STORK-QAA-Level-3"]
    extension = request.xpath("samlp:Extensions/akdb:AuthenticationRequest", namespaces=NS)[0]
    assert extension.get("Version") == "2"
    requested = {node.get("Name"): node.get("RequiredAttribute")
                 for node in extension.xpath("akdb:RequestedAttributes/akdb:RequestedAttribute", namespaces=NS)}  # fmt: skip
    assert requested[oids.BPK2] == "true" and requested[oids.TRUST_LEVEL] == "true" and oids.MAIL in requested
    methods = [node.tag.split("}")[1] for node in extension.xpath("akdb:AuthnMethods/*", namespaces=NS)]
    assert methods == ["eID", "Elster", "eIDAS"]  # no username/password login for "substantiell"
    display = extension.xpath("akdb:DisplayInformation", namespaces=NS)[0]
    assert display.xpath("akdb:OrganizationDisplayName/text()", namespaces=NS) == ["Beteiligungsportal"]
    assert display.xpath("akdb:OnlineServiceId/text()", namespaces=NS)


@pytest.mark.parametrize(
    ("query", "level"), [("", "1"), ("level=2", "2"), ("level=4", "4"), ("level=9", "1"), ("level=x", "1")]
)
def test_a_requested_level_outside_one_to_four_asks_for_the_lowest(
    bundid: IdentityProvider, query: str, level: str
) -> None:
    _response, request = start(Client(), query)
    assert request.xpath("//saml:AuthnContextClassRef/text()", namespaces=NS) == [f"STORK-QAA-Level-{level}"]


def test_the_session_remembers_each_request_with_its_level_and_a_safe_return(bundid: IdentityProvider) -> None:
    client = Client()
    _response, first = start(client, "level=3&next=/projekte/")
    _response, second = start(client, "level=2&next=https://elsewhere.example/")
    pending = client.session["mitwirken_saml_requests"]
    assert pending[first.get("ID")]["level"] == 3 and pending[first.get("ID")]["next"] == "/projekte/"
    assert pending[second.get("ID")]["next"] == "/"  # never back to another site


def test_an_unknown_or_unconfigured_provider(db: Any) -> None:
    assert Client().get("/konto/saml/google/anmelden/").status_code == 404
    response = Client().get("/konto/saml/muk/anmelden/")
    assert response.status_code == 404
    assert "Mein Unternehmenskonto ist auf diesem Portal noch nicht eingerichtet" in response.content.decode()


def test_the_login_page_offers_the_configured_providers_only(bundid: IdentityProvider) -> None:
    page = Client().get("/konto/login/?next=/projekte/").content.decode()
    assert "Mit BundID anmelden" in page and "/konto/saml/bundid/anmelden/?next=%2Fprojekte%2F" in page
    assert "Mit Mein Unternehmenskonto anmelden" not in page


# --- metadata import --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("xml", "message"), [
    ("<kein-xml", "keine lesbare SAML-Metadaten-Datei"),
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "keine lesbare SAML-Metadaten-Datei"),
    (None, "HTTP-POST"),
])  # fmt: skip
def test_unusable_metadata_is_refused(db: Any, xml: str | None, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        import_metadata(actor=None, provider="bundid", xml=xml if xml is not None else idp_metadata(post_sso=False))
    assert not IdentityProvider.objects.exists()


def test_an_entity_belongs_to_one_provider(bundid: IdentityProvider) -> None:
    with pytest.raises(ValidationError, match="bereits einem anderen Anbieter"):
        import_metadata(actor=None, provider="muk", xml=idp_metadata())


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_portal_administrators_import_metadata(world: World, persona: str) -> None:
    response = world.client(persona).get("/verwaltung/anmeldedienste/")
    expected = {"anonymous": 302, "portal_admin": 200}.get(persona, 404)
    assert response.status_code == expected
    upload = SimpleUploadedFile("idp.xml", idp_metadata().encode(), content_type="text/xml")
    response = world.client(persona).post("/verwaltung/anmeldedienste/",
                                          {"provider": "bundid", "file": upload, "enabled": "on"})  # fmt: skip
    assert response.status_code == (302 if persona in {"anonymous", "portal_admin"} else 404)
    assert IdentityProvider.objects.filter(provider="bundid").exists() == (persona == "portal_admin")


def test_the_import_page_tells_what_is_wrong_next_to_the_field(world: World) -> None:
    client = world.client("portal_admin")
    response = client.post("/verwaltung/anmeldedienste/", {"provider": "bundid", "enabled": "on"})
    assert "Bitte laden Sie eine Metadaten-Datei hoch" in response.content.decode()
    upload = SimpleUploadedFile("idp.xml", b"<kaputt", content_type="text/xml")
    response = client.post("/verwaltung/anmeldedienste/", {"provider": "bundid", "file": upload})
    assert "keine lesbare SAML-Metadaten-Datei" in response.content.decode()
    upload = SimpleUploadedFile("idp.xml", idp_metadata().encode(), content_type="text/xml")
    response = client.post("/verwaltung/anmeldedienste/", {"provider": "bundid", "file": upload, "enabled": "on"},
                           follow=True)  # fmt: skip
    assert IDP_ENTITY in response.content.decode()
    assert AuditEntry.objects.filter(action="account.identity_provider_import").count() == 1


# --- linking and unlinking --------------------------------------------------------------------------------


def received(subject: str = "bPK2-0001", email: str = "erika@example.org", level: int = 3) -> ReceivedLogin:
    values = {oids.MAIL: email, oids.GIVEN_NAME: "Erika", oids.SURNAME: "Mustermann"}
    return ReceivedLogin(provider="bundid", subject=subject, level=level, request_id="id-1",
                         attributes={name: Attribute(value, level) for name, value in values.items()})  # fmt: skip


def pending(client: Client, login_data: ReceivedLogin) -> None:
    session = client.session
    session[PENDING_LINK_KEY] = asdict(login_data)
    session.save()


def test_an_existing_address_is_linked_only_after_the_password_login(db: Any) -> None:
    owner = UserFactory(email="erika@example.org")
    client = Client()
    pending(client, received())
    page = client.get("/konto/saml/verknuepfen/").content.decode()
    assert "Melden Sie sich bitte mit dem Passwort dieses Kontos an" in page
    # Without the password nothing is linked, whatever is posted.
    assert client.post("/konto/saml/verknuepfen/", {"action": "link"}).status_code == 302
    assert not ExternalIdentity.objects.exists()
    assert client.login(email="erika@example.org", password=PASSWORD)
    pending(client, received())
    response = client.post("/konto/saml/verknuepfen/", {"action": "link"})
    assert response.status_code == 302
    identity = ExternalIdentity.objects.get()
    assert (identity.user, identity.subject, identity.assurance_level) == (owner, "bPK2-0001", 3)
    assert client.session["mitwirken_login_assurance"]["level"] == 3
    assert AuditEntry.objects.filter(action="account.identity_link").count() == 1


def test_declining_the_link_keeps_everything_as_it_was(db: Any) -> None:
    UserFactory(email="erika@example.org")
    client = Client()
    pending(client, received())
    client.post("/konto/saml/verknuepfen/", {"action": "cancel"})
    assert PENDING_LINK_KEY not in client.session
    assert not ExternalIdentity.objects.exists()


def test_an_identity_of_another_account_is_not_linked_again(db: Any) -> None:
    other = UserFactory(email="other@example.org")
    ExternalIdentity.objects.create(user=other, provider="bundid", subject="bPK2-0001", assurance_level=3)
    me = UserFactory(email="erika@example.org")
    client = login(Client(), me)
    pending(client, received())
    response = client.post("/konto/saml/verknuepfen/", {"action": "link"})
    assert "bereits mit einem anderen Konto verknüpft" in response.content.decode()
    assert ExternalIdentity.objects.get().user == other


def test_unlinking_needs_another_way_to_sign_in(db: Any) -> None:
    user = UserFactory(email="erika@example.org")
    user.set_unusable_password()
    user.save()
    identity = ExternalIdentity.objects.create(user=user, provider="bundid", subject="s", assurance_level=3)
    client = login(Client(), user)
    page = client.get("/konto/identitaeten/").content.decode()
    assert "Lösen erst möglich, wenn Sie ein Passwort festgelegt haben" in page
    client.post(f"/konto/saml/verknuepfung/{identity.pk}/loesen/")
    assert ExternalIdentity.objects.filter(pk=identity.pk).exists()
    second = ExternalIdentity.objects.create(user=user, provider="muk", subject="m", assurance_level=3)
    assert can_unlink(user, identity)
    client.post(f"/konto/saml/verknuepfung/{identity.pk}/loesen/")
    assert not ExternalIdentity.objects.filter(pk=identity.pk).exists()
    assert not can_unlink(User.objects.get(pk=user.pk), second)
    assert AuditEntry.objects.filter(action="account.identity_unlink").count() == 1


def test_nobody_unlinks_someone_elses_identity(db: Any) -> None:
    owner = UserFactory(email="owner@example.org")
    identity = ExternalIdentity.objects.create(user=owner, provider="bundid", subject="s", assurance_level=3)
    client = login(Client(), UserFactory(email="intruder@example.org"))
    assert client.post(f"/konto/saml/verknuepfung/{identity.pk}/loesen/").status_code == 404
    assert ExternalIdentity.objects.filter(pk=identity.pk).exists()


def test_the_daily_job_forgets_expired_assertion_ids(db: Any) -> None:
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from mitwirken.accounts.models import SeenAssertion

    SeenAssertion.objects.create(assertion_id="old", issuer=IDP_ENTITY, expires_at=timezone.now() - timedelta(1))
    SeenAssertion.objects.create(assertion_id="new", issuer=IDP_ENTITY, expires_at=timezone.now() + timedelta(1))
    call_command("daily")
    assert list(SeenAssertion.objects.values_list("assertion_id", flat=True)) == ["new"]
