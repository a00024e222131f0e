"""In a browser: the portal's BundID login through the test IdP's pages, every page checked with axe.

The request page's script (which sends it on at once) is blocked, so the journey takes the no-JavaScript path
with the visible buttons and every page stays on screen long enough to be checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .browser import Browse
    from .saml_idp_runner import RunningIdP

pytest_plugins = ["tests.browser", "tests.saml_idp"]

pytestmark = [pytest.mark.browser, pytest.mark.xmlsec]


@pytest.mark.parametrize(
    ("scenario", "outcome"),
    [("ok", "Willkommen! Ihr Konto wurde mit BundID angelegt."), ("cancelled", "Anmeldung abgebrochen")],
)
def test_bundid_login_through_the_test_idp(
    tab: Browse, saml_portal: None, saml_idp: RunningIdP, scenario: str, outcome: str
) -> None:
    page = tab.page
    page.context.route("**/saml-autosubmit.js", lambda route: route.abort())
    tab.open("/konto/login/")
    tab.click(page.get_by_role("link", name="Mit BundID anmelden"))
    tab.click(page.get_by_role("button", name="Weiter zu BundID"))

    assert page.url == f"{saml_idp.base_url}/sso/post"
    page.get_by_label("Erika Mustermann", exact=False).check()
    page.locator(f"input[name=scenario][value={scenario}]").check()
    tab.click(page.get_by_role("button", name="Anmelden"))
    assert "Test-IdP – nicht für den Echtbetrieb" in page.locator("body").inner_text()
    tab.click(page.get_by_role("button", name="Weiter"))

    assert page.url.startswith(tab.base_url)
    assert outcome in page.locator("main").inner_text()
