"""Browser journeys of the XBeteiligung exchange (issue #16): a case worker takes over a 0401 on the phone,
by keyboard, and sees the sender's plan; a message for another organisation is refused next to the field;
citizens see the sender's notices. Every page is checked with axe-core (see ``browser.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.formal.models import Procedure

from .factories import PASSWORD
from .test_browser_formal import backoffice_base, public_base
from .xbeteiligung_messages import Block, Doc, kommunal

if TYPE_CHECKING:
    from pathlib import Path

    from .browser import Browse

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def addressed(world: Any) -> Any:
    world.organisation.ags = "07111000"
    world.organisation.save()
    world.other_organisation.ags = "07211000"
    world.other_organisation.save()
    return world


def staff_tab(new_tab: Any, world: Any, *, phone: bool = False) -> Browse:
    tab = new_tab(phone=phone)
    tab.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    return tab


def upload_by_keyboard(tab: Browse, message: Path) -> None:
    """Choose the file (the browser's file dialog is the system's), then reach the button with Tab and press Enter."""
    page = tab.page
    field = page.get_by_label("XBeteiligung-Nachricht")
    field.set_input_files(str(message))
    field.focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Nachricht prüfen und übernehmen", focused
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab.arrived()


def test_case_worker_takes_over_a_0401_by_keyboard_on_the_phone(new_tab: Any, addressed: Any, tmp_path: Any) -> None:
    world = addressed
    message = tmp_path / "0401.xml"
    message.write_bytes(kommunal("0401", plan_id="BP-TEL", reason="Wohnen am Mühlbach", blocks=[
        Block("public", notices=["Planauslegung auch im Rathaus, Zimmer 12"], documents=[Doc(name="Planzeichnung")]),
        Block("agency"),
    ]))  # fmt: skip
    tab = staff_tab(new_tab, world, phone=True)
    tab.open(f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/verfahren/import/")
    upload_by_keyboard(tab, message)
    main = tab.page.locator("main").inner_text()
    assert "Übernommen per XBeteiligung" in main and "Wohnen am Mühlbach" in main and "planID BP-TEL" in main
    assert "Planauslegung auch im Rathaus" in main
    procedure = Procedure.objects.get(imported_plan__plan_id="BP-TEL")
    assert tab.path == backoffice_base(procedure)
    citizen = new_tab()
    citizen.open(public_base(procedure))
    text = citizen.page.locator("main").inner_text()
    assert "Planauslegung auch im Rathaus, Zimmer 12" in text and "Planzeichnung" in text
    tab.assert_all_checked()
    citizen.assert_all_checked()


def test_a_message_for_another_organisation_is_refused_next_to_the_field(
    new_tab: Any, addressed: Any, tmp_path: Any
) -> None:
    world = addressed
    message = tmp_path / "fremd.xml"
    message.write_bytes(kommunal("0401", plan_id="BP-FREMD", reader_id="07211000", reader_name="Stadt Anderswo"))
    tab = staff_tab(new_tab, world)
    tab.open(f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/verfahren/import/")
    upload_by_keyboard(tab, message)
    error = tab.page.locator("#id_message_error")
    assert error.is_visible() and "Stadt Anderswo" in error.inner_text()
    assert not Procedure.objects.filter(imported_plan__plan_id="BP-FREMD").exists()
    tab.assert_all_checked()


def test_admin_creates_a_key_sees_it_once_and_revokes_it_by_keyboard(new_tab: Any, addressed: Any) -> None:
    world = addressed
    tab = new_tab()
    tab.log_in(world.personas["org_admin"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    tab.open(f"/verwaltung/{world.organisation.slug}/einstellungen/schnittstellen/")
    page = tab.page
    page.get_by_label("Name des Fachverfahrens").fill("DiPlan Cockpit")
    page.get_by_label("Name des Fachverfahrens").press("Tab")
    for _ in range(2):  # the scopes, by space bar
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.name")
    if focused != "expires_on":
        page.get_by_label("Gültig bis einschließlich").focus()
    page.get_by_role("button", name="Zugang anlegen").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab.arrived()
    key = page.get_by_label("API-Schlüssel").input_value()
    assert len(key) > 30
    tab.open(f"/verwaltung/{world.organisation.slug}/einstellungen/schnittstellen/")
    assert key not in page.content() and "DiPlan Cockpit" in page.locator("main").inner_text()
    tab.click(page.get_by_role("link", name="Widerrufen").first)
    tab.click(page.get_by_role("button", name="Endgültig widerrufen"))
    assert "widerrufen" in page.locator("main").inner_text().lower()
    tab.assert_all_checked()


def test_case_worker_follows_a_refused_update_in_the_message_list(new_tab: Any, addressed: Any) -> None:
    from mitwirken.formal import exchange

    world = addressed
    exchange.receive(kommunal("0402", plan_id="BP-UNBEKANNT"), actor=world.personas["case_worker"])
    tab = staff_tab(new_tab, world, phone=True)
    tab.open(f"/verwaltung/{world.organisation.slug}/xbeteiligung/")
    page = tab.page
    main = page.locator("main").inner_text()
    assert "abgelehnt" in main and "kein Verfahren" in main
    tab.click(page.get_by_role("link", name="0402").first)
    detail = page.locator("main").inner_text()
    assert "BP-UNBEKANNT" in detail and "0422" in detail
    tab.assert_all_checked()


def test_portal_admin_assigns_a_parked_message_by_keyboard(new_tab: Any, addressed: Any) -> None:
    from mitwirken.formal import exchange

    world = addressed
    parked = exchange.receive(kommunal("0401", plan_id="BP-PARK", reader_id="09999999"),
                              actor=world.personas["case_worker"])  # fmt: skip
    assert parked.problem == "parked"
    tab = new_tab(phone=True)
    tab.log_in(world.personas["portal_admin"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    tab.open("/verwaltung/xbeteiligung/zuordnen/")
    page = tab.page
    choice = page.get_by_label("Organisation").first
    choice.select_option(value=str(world.organisation.pk))
    choice.focus()
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab.arrived()
    assert "Das Verfahren wurde angelegt." in page.locator("main").inner_text()
    assert Procedure.objects.filter(imported_plan__plan_id="BP-PARK",
                                    module__project__organisation=world.organisation).exists()  # fmt: skip
    tab.assert_all_checked()


def test_admin_sets_up_the_partner_endpoint(new_tab: Any, addressed: Any) -> None:
    from mitwirken.formal.models import PartnerEndpoint

    world = addressed
    tab = new_tab()
    tab.log_in(world.personas["org_admin"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    tab.open(f"/verwaltung/{world.organisation.slug}/xbeteiligung/")
    page = tab.page
    tab.click(page.get_by_role("link", name="Gegenstelle einrichten"))
    page.locator("#id_url").fill("http://cockpit.example/eingang")
    tab.click(page.get_by_role("button", name="Speichern"))
    assert page.locator(".error-summary, .kern-error").first.is_visible()  # https only, said next to the field
    assert not PartnerEndpoint.objects.exists()
    page.locator("#id_url").fill("https://cockpit.example/eingang")
    page.locator("#id_token").fill("geheim-123")
    tab.click(page.get_by_role("button", name="Speichern"))
    endpoint = PartnerEndpoint.objects.get(organisation=world.organisation)
    assert endpoint.url == "https://cockpit.example/eingang" and endpoint.token == "geheim-123"
    assert "geheim-123" not in page.content()
    tab.assert_all_checked()
