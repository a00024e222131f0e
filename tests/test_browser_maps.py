"""The map component in headless Chromium, offline as the test machine is: the notice under the map, outlines and
gazetteer places instead of the base map, keyboard pan/zoom/marker with a visible focus and crosshair, "use my
location", and a statement area drawn by keyboard alone that arrives in the 0701 message as GML.

Every page is checked with axe-core (see ``browser.py``); the base map's server is blocked there for every test.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import pytest
from lxml import etree

from mitwirken.formal.models import Statement
from mitwirken.formal.xbeteiligung import GML, statement_message

from .factories import PASSWORD
from .formal_fixtures import make_procedure
from .test_browser_dialogue import dialogue_path, established, map_module
from .test_browser_formal import ADDRESS, OBJECTION, module_page
from .test_browser_reports import Region

if TYPE_CHECKING:
    from .browser import Browse

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFLINE = "Die Hintergrundkarte ist gerade nicht erreichbar"
REPORT_FORM = "/maengelmelder/melden/"


@pytest.fixture
def region() -> Region:
    return Region()


def focus_by_tab(page: Any, predicate: str, *, limit: int = 80) -> None:
    """Press Tab until ``predicate`` (a JS expression about ``el``, the focused element) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return Boolean({predicate}); }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate}")


def press(page: Any, key: str, times: int = 1) -> None:
    """A key on the focused map, then the pan or zoom animation's end, as a person would wait to see it."""
    for _ in range(times):
        page.keyboard.press(key)
        page.wait_for_timeout(350)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_offline_map_says_so_in_one_line_and_shows_outlines_and_places(
    new_tab: Any, region: Region, phone: bool
) -> None:
    tab: Browse = new_tab(phone=phone)
    page = tab.page
    tab.open(REPORT_FORM)
    notice = page.locator(".map-notice")
    notice.filter(has_text=OFFLINE).wait_for()
    assert notice.count() == 1 and len(notice.inner_text().splitlines()) == 1
    assert page.locator("[data-map-pick] .leaflet-overlay-pane path").count() >= 2  # both areas' outlines
    tab.screenshot()
    tab.check_axe()

    # Zoomed in far enough to read street names, the gazetteer's places stand in for the base map's labels.
    picker = page.locator("[data-map-pick].leaflet-container")
    picker.focus()
    press(page, "+", 3)
    place = page.locator(".map-place", has_text="Hauptstraße")
    for _ in range(8):
        if place.count():
            break
        press(page, "ArrowUp")
    place.first.wait_for()
    tab.screenshot()
    tab.check_axe()


def test_keyboard_pans_zooms_and_sets_a_marker_with_a_visible_focus_and_crosshair(tab: Browse, region: Region) -> None:
    page = tab.page
    tab.open(REPORT_FORM)
    focus_by_tab(page, "el.classList.contains('leaflet-container')")
    picker = page.locator("[data-map-pick].leaflet-container")
    help_id = picker.get_attribute("aria-describedby")
    assert help_id and "Pfeiltasten" in page.locator(f"#{help_id}").inner_text()
    assert picker.get_attribute("aria-label")
    outline = picker.evaluate("(el) => getComputedStyle(el).outlineWidth")
    crosshair = picker.evaluate("(el) => getComputedStyle(el, '::after').content")
    assert outline == "3px" and crosshair not in ("none", "normal")

    outline_width = "(el) => el.querySelector('.leaflet-overlay-pane path').getBoundingClientRect().width"
    before = picker.evaluate(outline_width)
    press(page, "+")
    assert picker.evaluate(outline_width) == pytest.approx(2 * before, rel=0.05)  # one zoom level in: twice as wide
    press(page, "-")
    page.keyboard.press("Enter")
    lat = float(page.get_by_label("Breite (z. B. 50.05)").input_value())
    lon = float(page.get_by_label("Länge (z. B. 7.60)").input_value())
    press(page, "ArrowRight", 2)
    press(page, "ArrowUp", 2)
    page.keyboard.press("Enter")
    moved_lat = float(page.get_by_label("Breite (z. B. 50.05)").input_value())
    moved_lon = float(page.get_by_label("Länge (z. B. 7.60)").input_value())
    assert moved_lon > lon and moved_lat > lat  # the arrows moved the view east and north
    assert page.get_by_role("status").filter(has_text="Punkt gesetzt bei Breite").is_visible()
    assert page.locator("[data-map-pick] .leaflet-overlay-pane path.leaflet-interactive").count() >= 1
    tab.screenshot()
    tab.check_axe()


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_use_my_location_after_consent_fills_the_position(new_tab: Any, region: Region, phone: bool) -> None:
    tab: Browse = new_tab(phone=phone)
    page = tab.page
    page.context.grant_permissions(["geolocation"], origin=tab.base_url)
    page.context.set_geolocation({"latitude": 50.06123, "longitude": 7.61234})
    tab.open(REPORT_FORM)
    assert page.get_by_label("Breite (z. B. 50.05)").input_value() == ""  # nothing happens before the button
    button = page.get_by_role("button", name="Meinen Standort verwenden")
    assert "Ihr Browser fragt Sie" in page.locator(f"#{button.get_attribute('aria-describedby')}").inner_text()
    button.focus()
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Ihr Standort ist übernommen").wait_for()
    assert page.get_by_label("Breite (z. B. 50.05)").input_value() == "50.061230"
    assert page.get_by_label("Länge (z. B. 7.60)").input_value() == "7.612340"
    tab.screenshot()
    tab.check_axe()


def test_use_my_location_on_the_map_ideas_form_of_a_dialogue(new_tab: Any, world: Any) -> None:
    module = map_module(world.public)
    citizen = established(world.personas["citizen"])
    tab: Browse = new_tab(phone=True)
    page = tab.page
    page.context.grant_permissions(["geolocation"], origin=tab.base_url)
    page.context.set_geolocation({"latitude": 50.05, "longitude": 7.6})
    tab.log_in(citizen.email, PASSWORD)
    tab.open(dialogue_path(module, "ideen/neu/"))
    page.get_by_role("button", name="Meinen Standort verwenden").click()
    page.get_by_role("status").filter(has_text="Ihr Standort ist übernommen").wait_for()
    assert page.get_by_label("Breite (z. B. 50.05)").input_value() == "50.050000"
    assert page.get_by_label("Länge (z. B. 7.60)").input_value() == "7.600000"
    tab.screenshot()
    tab.check_axe()


def test_a_refused_location_is_explained_in_german(tab: Browse, region: Region) -> None:
    page = tab.page
    page.context.clear_permissions()
    tab.open(REPORT_FORM)
    page.get_by_role("button", name="Meinen Standort verwenden").click()
    page.get_by_role("status").filter(has_text="Sie haben die Standortfreigabe abgelehnt").wait_for()
    assert page.get_by_label("Breite (z. B. 50.05)").input_value() == ""
    tab.check_axe()


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_a_statement_area_drawn_by_keyboard_arrives_in_the_0701_message_as_gml(
    new_tab: Any, world: Any, phone: bool
) -> None:
    procedure = make_procedure(world.personas["case_worker"], world.public)
    citizen = world.personas["citizen"]
    tab: Browse = new_tab(phone=phone)
    page = tab.page
    tab.log_in(citizen.email, PASSWORD)
    tab.open(module_page(procedure))
    tab.click(page.get_by_role("link", name="Stellungnahme abgeben"))
    page.locator("[data-map-draw].leaflet-container").wait_for()

    # The GeoJSON field is for experts only, behind "Koordinaten eingeben".
    assert page.get_by_label("Ortsbezug (GeoJSON)").is_hidden()
    assert page.locator("summary", has_text="Koordinaten eingeben").is_visible()
    assert page.locator(".map-notice").filter(has_text=OFFLINE).count() in (0, 1)

    focus_by_tab(page, "el.id === 'id_text'")
    page.keyboard.type(OBJECTION)
    focus_by_tab(page, "el.textContent.trim() === 'Fläche zeichnen'")
    page.keyboard.press("Enter")  # focus moves onto the map, ready for the first corner
    assert page.evaluate("document.activeElement.classList.contains('leaflet-container')")
    page.keyboard.press("Enter")
    press(page, "ArrowRight", 2)
    page.keyboard.press("Enter")
    press(page, "ArrowDown", 2)
    page.keyboard.press("Enter")
    status = page.locator("[data-for] ~ .map-status, .map-status").last
    assert "Fläche: 3 Punkte" in status.inner_text()
    focus_by_tab(page, "el.textContent.trim() === 'Fläche abschließen'")
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Ortsbezug: eine Fläche mit 3 Ecken.").wait_for()
    drawn = json.loads(page.locator("#id_location").input_value())
    assert drawn["type"] == "Polygon" and len(drawn["coordinates"][0]) == 4
    assert drawn["coordinates"][0][0] == drawn["coordinates"][0][-1]
    tab.screenshot()
    tab.check_axe()

    # The address by keyboard, then on to the review and the binding submission, all with Enter.
    for label, value in (("Vor- und Nachname", ADDRESS["author_name"]), ("Straße und Hausnummer", ADDRESS["street"]),
                         ("Postleitzahl", ADDRESS["postal_code"])):  # fmt: skip
        focus_by_tab(page, f"el.labels && el.labels[0] && el.labels[0].textContent.trim().startsWith({label!r})")
        page.keyboard.type(value)
    focus_by_tab(page, "el.id === 'id_city'")
    page.keyboard.type(ADDRESS["city"])
    focus_by_tab(page, "el.textContent.trim() === 'Weiter zur Prüfung'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab.arrived()
    assert page.get_by_role("heading", level=1).inner_text() == "Bitte prüfen Sie Ihre Stellungnahme"
    focus_by_tab(page, "el.textContent.trim() === 'Verbindlich abgeben'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab.arrived()
    assert page.get_by_role("heading", level=1).inner_text() == "Eingangsbestätigung"

    statement = Statement.objects.get()
    assert statement.location == drawn
    message = etree.fromstring(statement_message(statement))  # schema-checked while written
    polygons = message.findall(f".//{{{GML}}}exterior/{{{GML}}}LinearRing/{{{GML}}}posList")
    assert len(polygons) == 1
    numbers = [float(n) for n in polygons[0].text.split()]
    # GML with the EPSG:4326 URI takes latitude first: the drawn ring, corner by corner.
    assert numbers == [value for lon, lat in drawn["coordinates"][0] for value in (lat, lon)]
    assert re.search(r"EPSG", message.find(f".//{{{GML}}}exterior/..").get("srsName") or "")
