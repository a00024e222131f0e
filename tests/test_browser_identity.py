"""In a browser, against the local test IdPs: linking BundID to an account, stepping up for a statement with the
draft intact, and a Mein-Unternehmenskonto login that submits for a company. Every page is checked with axe.

The first login that creates an account is in test_browser_saml_test_idp.py. Here the portal's own script sends
the SAML request on by itself; it is blocked here so that every page can be checked, and its button does the
same. The test IdP's pages are plain forms.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from mitwirken.accounts.models import ExternalIdentity, User
from mitwirken.formal import editing
from mitwirken.formal.models import Statement

from .factories import PASSWORD
from .formal_fixtures import make_procedure
from .test_browser_formal import backoffice_base, fill_address, public_base

if TYPE_CHECKING:
    from .browser import Browse
    from .saml_idp_runner import RunningIdP

pytest_plugins = ["tests.browser", "tests.saml_idp"]

pytestmark = [pytest.mark.browser, pytest.mark.xmlsec, pytest.mark.django_db(transaction=True)]

OBJECTION = "Die Ortsumgehung zerschneidet den Auwald. Bitte prüfen Sie die Variante Nord."


def through_the_idp(tab: Browse, start: Any, idp: RunningIdP, persona: str, *, level: int | None = None) -> None:
    """Follow a "Mit … anmelden" link through the portal's request page and the test IdP's pages, back again.

    The request page's script (which sends the form on at once) is blocked, so every page stays on screen long
    enough to be checked with axe; its button does the same.
    """
    page = tab.page
    tab.click(start)
    tab.click(page.get_by_role("button", name=re.compile(r"^Weiter zu ")))
    assert page.url.startswith(idp.base_url)
    page.get_by_label(persona, exact=False).check()
    if level is not None:
        page.get_by_label("Vertrauensniveau erzwingen").select_option(str(level))
    tab.click(page.get_by_role("button", name="Anmelden"))
    tab.click(page.get_by_role("button", name="Weiter"))
    assert page.url.startswith(tab.base_url)


def citizen_tab(new_tab: Any, *, phone: bool = False) -> Browse:
    """A tab in which the portal's SAML request page waits for its button (its script is blocked)."""
    tab = new_tab(phone=phone)
    tab.page.context.route("**/saml-autosubmit.js", lambda route: route.abort())
    return tab


def track_requiring(world: Any, level: int) -> tuple[Any, Any]:
    procedure = make_procedure(world.personas["case_worker"], world.public)
    track = procedure.rounds.get().tracks.get()
    if level:
        editing.track_assurance_change(actor=world.personas["case_worker"], track=track, min_assurance_level=level)
    return procedure, track


def test_a_signed_in_person_links_bundid_to_the_account(new_tab: Any, world: Any, saml_portal: None,
                                                        saml_idp: RunningIdP) -> None:  # fmt: skip
    citizen = world.personas["citizen"]
    tab = citizen_tab(new_tab)
    page = tab.page
    tab.log_in(citizen.email, PASSWORD)
    tab.open("/konto/identitaeten/")
    assert "Noch keine Identität verknüpft." in page.locator("main").inner_text()
    through_the_idp(tab, page.get_by_role("link", name="BundID verknüpfen"), saml_idp, "Erika Mustermann", level=3)

    assert tab.path == "/konto/identitaeten/"
    main = page.locator("main").inner_text()
    assert "BundID ist jetzt mit Ihrem Konto verknüpft." in main
    assert "Vertrauensniveau dieser Anmeldung: substantiell" in main
    identity = ExternalIdentity.objects.get()
    assert identity.user == citizen and identity.assurance_level == 3
    assert identity.subject not in page.content()  # the person key is never shown
    # Only what is not linked yet is offered.
    assert page.get_by_role("link", name="BundID verknüpfen").count() == 0
    assert page.get_by_role("link", name="Mein Unternehmenskonto verknüpfen").is_visible()
    tab.screenshot()


def test_a_statement_started_at_level_two_is_handed_in_after_the_bundid_step_up(
    new_tab: Any, world: Any, saml_portal: None, saml_idp: RunningIdP
) -> None:
    procedure, track = track_requiring(world, 3)
    tab = citizen_tab(new_tab)
    page = tab.page
    # A first BundID login with username and password: level 2, a new account.
    tab.open("/konto/login/")
    through_the_idp(tab, page.get_by_role("link", name="Mit BundID anmelden"), saml_idp, "Erika Mustermann", level=2)
    assert "Ihr Konto wurde mit BundID angelegt" in page.locator("main").inner_text()

    form = f"{public_base(procedure)}frist/{track.pk}/stellungnahme/"
    tab.open(form)
    notice = page.get_by_role("status").filter(has_text="Anmeldung mit BundID")
    assert "Vertrauensniveau „substantiell“" in notice.inner_text()
    page.get_by_label("Ihre Stellungnahme").fill(OBJECTION)
    fill_address(page)
    tab.click(page.get_by_role("button", name="Entwurf speichern"))
    assert "Ihr Entwurf ist gespeichert" in page.locator("main").inner_text()

    # The step-up: BundID asked for level 3, then back to the form with the draft.
    through_the_idp(tab, page.get_by_role("link", name="Mit BundID anmelden"), saml_idp, "Erika Mustermann")
    assert tab.path == form
    assert page.get_by_label("Ihre Stellungnahme").input_value() == OBJECTION
    assert "Sie sind mit dem Vertrauensniveau „substantiell“ angemeldet." in page.locator("main").inner_text()
    tab.click(page.get_by_role("button", name="Weiter zur Prüfung"))
    tab.click(page.get_by_role("button", name="Verbindlich abgeben"))

    statement = Statement.objects.get()
    assert statement.text == OBJECTION and statement.assurance_level == 3 and statement.identity_provider == "bundid"
    assert statement.author == User.objects.get(identities__subject__startswith="TEST-bPK2-Erika")
    assert "Identität bestätigt über BundID, Vertrauensniveau substantiell" in page.locator("main").inner_text()
    tab.screenshot()


def test_a_company_login_with_mein_unternehmenskonto_submits_for_the_company(
    new_tab: Any, world: Any, saml_portal: None, saml_idp_muk: RunningIdP
) -> None:
    procedure, track = track_requiring(world, 3)
    tab = citizen_tab(new_tab, phone=True)
    page = tab.page
    tab.open(f"{public_base(procedure)}frist/{track.pk}/stellungnahme/")
    assert tab.path.startswith("/konto/login/")
    through_the_idp(tab, page.get_by_role("link", name="Mit Mein Unternehmenskonto anmelden"), saml_idp_muk,
                    "Mia Musterfrau")  # fmt: skip
    assert tab.path.endswith(f"/frist/{track.pk}/stellungnahme/")
    page.get_by_label("Ihre Stellungnahme").fill("Die Zufahrt zu unserem Betriebsgelände muss erhalten bleiben.")
    fill_address(page)
    tab.click(page.get_by_role("button", name="Weiter zur Prüfung"))
    tab.click(page.get_by_role("button", name="Verbindlich abgeben"))

    statement = Statement.objects.get()
    assert (statement.on_behalf_of_name, statement.on_behalf_of_id) == ("Musterbau GmbH", "DE-HRB-12345")
    assert statement.identity_provider == "muk" and statement.assurance_level == 3
    main = page.locator("main").inner_text()
    assert "Musterbau GmbH" in main and "Mein Unternehmenskonto" in main
    tab.screenshot()
    # The case worker sees for whom it was submitted, and how the identity was confirmed.
    staff = new_tab()
    staff.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=_totp())
    staff.open(backoffice_base(procedure) + "eingang/")
    assert "Identität bestätigt (Niveau 3)" in staff.page.locator("main").inner_text()


def _totp() -> str:
    from mitwirken.core.demo import DEMO_TOTP_SECRET

    return DEMO_TOTP_SECRET
