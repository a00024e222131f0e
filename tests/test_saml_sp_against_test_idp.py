"""The portal's SAML SP against the local test IdPs (BundID and Mein Unternehmenskonto stand-ins), without a browser.

The IdPs run as subprocesses (tests/saml_idp.py) and read the SP's metadata from the live server; the browser's
part – carrying the forms from one side to the other – is played by the Django test client and the fixture's
``respond``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from mitwirken.accounts.models import ExternalIdentity, User

from .factories import UserFactory

if TYPE_CHECKING:
    from .saml_idp_runner import RunningIdP

pytest_plugins = ["tests.saml_idp"]

pytestmark = pytest.mark.xmlsec


@pytest.fixture
def portal(saml_portal: None) -> Client:
    return Client()


def send_back(client: Client, answer: tuple[str, str, str]) -> Any:
    """What the browser does with the IdP's answer page: POST to the ACS, then follow the hand-over."""
    saml_response, relay_state, acs = answer
    handover = client.post(urlsplit(acs).path, {"SAMLResponse": saml_response, "RelayState": relay_state})
    assert handover.status_code == 303
    return client.get(handover["Location"])


def log_in(
    client: Client, idp: RunningIdP, provider: str = "bundid", *, persona: str = "erika", scenario: str = "ok",
    level: int = 3,
) -> Any:  # fmt: skip
    start = client.get(f"/konto/saml/{provider}/anmelden/?level={level}&next=/")
    assert start.status_code == 200
    return send_back(client, idp.respond(start, persona=persona, scenario=scenario))


def test_ok_creates_the_account_and_signs_in(portal: Client, saml_idp: RunningIdP) -> None:
    answer = log_in(portal, saml_idp, level=3)

    assert answer.status_code == 302
    user = User.objects.get(email="erika.mustermann@example.org")
    assert portal.session["_auth_user_id"] == str(user.pk)
    identity = ExternalIdentity.objects.get(user=user)
    assert (identity.provider, identity.subject, identity.assurance_level) == (
        "bundid",
        "TEST-bPK2-ErikaMustermann-0001",
        3,
    )


def test_the_same_response_twice_is_refused(portal: Client, saml_idp: RunningIdP) -> None:
    start = portal.get("/konto/saml/bundid/anmelden/?level=3&next=/")
    answer = saml_idp.respond(start)
    assert send_back(portal, answer).status_code == 302

    again = send_back(portal, answer)

    assert again.status_code == 400


def test_cancelled_is_told_apart_from_failed(portal: Client, saml_idp: RunningIdP) -> None:
    cancelled = log_in(portal, saml_idp, scenario="cancelled")
    failed = log_in(portal, saml_idp, scenario="failed")

    assert cancelled.status_code == 200
    assert "abgebrochen" in cancelled.content.decode()
    assert "Zurück zur vorigen Seite" in cancelled.content.decode()  # to where the login was started
    assert failed.status_code == 400
    assert "fehlgeschlagen" in failed.content.decode()
    assert "_auth_user_id" not in portal.session


@pytest.mark.parametrize(("persona", "scenario"), [("erika", "lower_level"), ("max", "ok")])
def test_a_level_below_the_requested_one_is_refused(
    portal: Client, saml_idp: RunningIdP, persona: str, scenario: str
) -> None:
    answer = log_in(portal, saml_idp, persona=persona, scenario=scenario, level=3)

    assert answer.status_code == 400
    assert "Vertrauensniveau" in answer.content.decode()
    assert not ExternalIdentity.objects.exists()


def test_an_email_below_the_login_level_still_makes_the_account_but_the_surname_does_not_count(
    portal: Client, saml_idp: RunningIdP
) -> None:
    # The address is where mail goes, not proof of identity; the surname came at level 1 and is left out.
    answer = log_in(portal, saml_idp, scenario="low_attribute", level=3)

    assert answer.status_code == 302
    user = User.objects.get(email="erika.mustermann@example.org")
    assert user.real_name == "Erika"
    assert user.identities.get().assurance_level == 3


def test_a_person_key_below_the_login_level_is_refused(portal: Client, saml_idp: RunningIdP) -> None:
    answer = log_in(portal, saml_idp, scenario="low_key", level=3)

    assert answer.status_code == 400
    assert "dauerhafte Kennung nicht mit dem nötigen Vertrauensniveau" in answer.content.decode()
    assert "_auth_user_id" not in portal.session
    assert not User.objects.exists() and not ExternalIdentity.objects.exists()


def test_a_surname_below_the_login_level_is_not_copied_when_linking(portal: Client, saml_idp: RunningIdP) -> None:
    user = UserFactory(real_name="")
    portal.force_login(user)

    answer = log_in(portal, saml_idp, scenario="low_attribute", level=3)

    assert answer.status_code == 302
    user.refresh_from_db()
    assert user.real_name == "Erika"
    assert user.identities.get().subject == "TEST-bPK2-ErikaMustermann-0001"


@pytest.mark.parametrize(
    "scenario",
    [
        "expired",
        "wrong_audience",
        "wrong_recipient",
        "unencrypted",
        "bad_signature",
        "unsigned",
        "wrong_key",
    ],
)
def test_broken_or_misaddressed_responses_are_refused(portal: Client, saml_idp: RunningIdP, scenario: str) -> None:
    answer = log_in(portal, saml_idp, scenario=scenario)

    assert answer.status_code == 400
    assert "_auth_user_id" not in portal.session
    assert not ExternalIdentity.objects.exists()


def test_unsolicited_response_is_refused(portal: Client, saml_idp: RunningIdP) -> None:
    answer = send_back(portal, saml_idp.unsolicited(persona="erika", level=3))

    assert answer.status_code == 400
    assert not ExternalIdentity.objects.exists()


def test_muk_login_acts_for_the_organisation(portal: Client, saml_idp_muk: RunningIdP) -> None:
    answer = log_in(portal, saml_idp_muk, "muk", persona="musterbau", level=3)

    assert answer.status_code == 302
    identity = ExternalIdentity.objects.get(provider="muk")
    assert identity.subject == "TEST-bPK2-MiaMusterfrau-0003"


def test_single_logout_goes_to_the_idp_and_back(portal: Client, saml_idp: RunningIdP) -> None:
    log_in(portal, saml_idp)
    to_idp = portal.post("/konto/saml/bundid/abmelden/")
    assert to_idp.status_code == 302
    assert to_idp["Location"].startswith(f"{saml_idp.base_url}/slo/redirect?")

    status, back = saml_idp.page(to_idp["Location"])

    assert status == 303
    assert urlsplit(back).path == "/konto/saml/slo/"
    assert portal.get(back[back.index("/konto/") :]).status_code == 302
    assert "_auth_user_id" not in portal.session


def test_the_logout_address_alone_logs_nobody_out(portal: Client, saml_idp: RunningIdP) -> None:
    # A link or image on another site pointing here must not end the session.
    log_in(portal, saml_idp)
    assert portal.get("/konto/saml/slo/").status_code == 302
    assert portal.get("/konto/saml/slo/?SAMLResponse=Zm9v").status_code == 302
    assert "_auth_user_id" in portal.session
