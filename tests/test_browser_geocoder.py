"""The address combobox on the report form, by keyboard only on a phone, and the location display of a report;
axe-core checks every page and the open combobox (see browser.py)."""

from __future__ import annotations

import re
from importlib import resources
from typing import TYPE_CHECKING, Any

import pytest

from mitwirken.core.addresses import import_addresses
from mitwirken.core.models import Address
from mitwirken.reports import services
from mitwirken.reports.models import Report

from .factories import UserFactory
from .test_browser_reports import LIGHT, Region

if TYPE_CHECKING:
    from .browser import Browse

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = "Hauptstraße 25, Beispielhausen"
LABEL = "Hauptstraße 25, 55487 Beispielhausen"


@pytest.fixture
def region() -> Region:
    with (resources.files("mitwirken.core") / "demo" / "addresses.csv").open(encoding="utf-8") as lines:
        import_addresses(lines)  # the demo register that seed_demo imports
    return Region()


def tab_to(page: Any, element_id: str) -> None:
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} not reached by Tab")


def test_keyboard_only_on_a_phone_an_address_with_house_number_is_chosen_and_reported(
    new_tab: Any, region: Region
) -> None:
    tab: Browse = new_tab(phone=True)
    page = tab.page
    tab.open("/maengelmelder/melden/")
    page.evaluate(
        "window.chosen = null; document.addEventListener('address:chosen', (e) => { window.chosen = e.detail; })"
    )
    tab_to(page, "id_category")
    page.keyboard.type("Straßenb")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip().startswith("Karte überspringen")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_address"

    field = page.locator("#id_address")
    assert field.get_attribute("role") == "combobox" and field.get_attribute("aria-expanded") == "false"
    page.keyboard.type(TYPED, delay=20)
    listbox = page.get_by_role("listbox")
    listbox.wait_for()
    options = listbox.get_by_role("option")
    assert options.all_inner_texts() == [LABEL]
    assert field.get_attribute("aria-expanded") == "true"
    assert field.get_attribute("aria-controls") == listbox.get_attribute("id")
    assert page.get_by_role("status").filter(has_text="1 Vorschlag").count() == 1  # announced to screen readers
    tab.check_axe()  # the open combobox
    tab.screenshot()

    page.keyboard.press("ArrowDown")
    active = field.get_attribute("aria-activedescendant")
    assert active == options.first.get_attribute("id") and options.first.get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")  # chooses; does not submit
    assert field.input_value() == LABEL and field.get_attribute("aria-expanded") == "false"
    assert not listbox.is_visible()
    address = Address.objects.get(street="Hauptstraße", house_number="25", place="Beispielhausen")
    assert float(page.locator("#id_lat").input_value()) == pytest.approx(address.lat, abs=1e-6)
    assert float(page.locator("#id_lon").input_value()) == pytest.approx(address.lon, abs=1e-6)
    # The pick map shows the chosen address as its marker, centred.
    page.locator('[data-map-pick] path[stroke="#9b1c1c"]').wait_for()
    assert page.locator('[data-map-pick] path[stroke="#9b1c1c"]').count() == 1
    chosen = page.evaluate("window.chosen")
    assert chosen == {"label": LABEL, "lat": pytest.approx(address.lat), "lon": pytest.approx(address.lon)}

    with page.expect_navigation():
        page.keyboard.press("Enter")  # now the form is sent
    tab.arrived()
    assert page.get_by_text("Ihre Meldung geht an: Verbandsgemeinde Nord").is_visible()
    assert page.locator(".location-display__address").inner_text() == LABEL
    page.get_by_label("Beschreibung").focus()
    page.keyboard.type(LIGHT)
    page.get_by_label("Ihre E-Mail-Adresse").focus()
    page.keyboard.type("tastatur@example.org")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab.arrived()
    report = Report.objects.get()
    assert report.address == LABEL
    assert (report.lat, report.lon) == pytest.approx((address.lat, address.lon), abs=1e-6)


def test_escape_closes_the_suggestions_and_a_typed_address_works_without_choosing(tab: Browse, region: Region) -> None:
    page = tab.page
    tab.open("/maengelmelder/melden/")
    page.get_by_label("Was ist das Problem?").select_option(label="Straßenbeleuchtung")
    field = page.locator("#id_address")
    field.focus()
    page.keyboard.type("Hauptstr", delay=20)
    page.get_by_role("listbox").wait_for()
    assert page.get_by_role("listbox").get_by_role("option").count() == 8
    tab.check_axe()
    tab.screenshot()
    page.keyboard.press("Escape")
    assert field.get_attribute("aria-expanded") == "false" and field.input_value() == "Hauptstr"
    # Typed in full and sent without choosing: the server finds the house number itself.
    field.fill("hauptstr. 25a, 55487 Beispielhausen")
    tab.click(page.get_by_role("button", name="Weiter"))
    address = Address.objects.get(street="Hauptstraße", house_number="25a", place="Beispielhausen")
    assert f"lat={address.lat:.6f}" in tab.path and f"lon={address.lon:.6f}" in tab.path


@pytest.mark.parametrize("phone", [True, False])
def test_a_report_shows_its_location_as_a_map_with_the_nearest_address(
    new_tab: Any, region: Region, phone: bool
) -> None:
    address = Address.objects.get(street="Schulstraße", house_number="7", place="Beispielhausen")
    report = services.report_create(category=region.light, lon=address.lon + 0.00002, lat=address.lat,
                                    description=LIGHT, user=UserFactory(email="b@example.org"))  # fmt: skip
    tab: Browse = new_tab(phone=phone)
    page = tab.page
    tab.open(f"/maengelmelder/{report.pk}/")
    display = page.locator(".location-display")
    assert display.locator(".location-display__address").inner_text() == "Schulstraße 7, 55487 Beispielhausen"
    display.locator(".leaflet-interactive").first.wait_for()  # the marker on the map
    assert display.locator(".leaflet-interactive").count() == 1
    assert not page.get_by_text(re.compile(r"Breite \d|Länge \d")).count()
    coordinates = display.locator("details")
    assert not coordinates.locator("p").is_visible()  # for experts, folded away
    coordinates.locator("summary").click()
    assert f"{report.lat:.6f}" in coordinates.inner_text()
    tab.screenshot()
    tab.check_axe()
