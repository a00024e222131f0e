"""Screenshots of the Mängelmelder for docs/reports.md, taken from a throw-away demo portal.

Usage (from the project root, after ``make install``):

    .venv/bin/python scripts/docs_screenshots_reports.py                 # writes docs/img/reports-*.png
    .venv/bin/python scripts/docs_screenshots_reports.py --out /tmp/shots
    .venv/bin/python scripts/docs_screenshots_reports.py --base-url http://127.0.0.1:8000   # a running demo portal

Like ``docs_screenshots.py`` (whose server set-up it reuses), the script builds its own environment
unless ``--base-url`` is given: a temporary ``MITWIRKEN_VAR_DIR`` with a fresh SQLite database
(``migrate`` + ``seed_demo``) and ``runserver`` on a free port, removed again on every exit path.

The demo data contain about fifty reports (``src/mitwirken/reports/demo.py``). The public pages are taken
without a login; step 2 of the report form is reached through step 1 with the address of an open report,
so it shows that report as "nearby". In the back office the script logs in as the case worker
``sachbearbeitung@musterkreis.example`` with the demo second factor (``manage.py demo_totp``); there it
adds a response template "Reparatur beauftragt" and an internal note to the report it shows, unless they
are there already (so against ``--base-url`` it changes that portal). The categories page is taken as the
organisation admin ``orgadmin@musterkreis.example``. Screenshots are viewport-sized, 1280 pixels wide;
step 1 is also taken at a phone's 390 pixels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docs_screenshots import CHROMIUM, CHROMIUM_ARGS, ORG, VIEWPORT, run_cli, settle_maps, shoot
from docs_screenshots_formal import click, log_in
from playwright.sync_api import sync_playwright

CASE_WORKER = "sachbearbeitung@musterkreis.example"
ORG_ADMIN = "orgadmin@musterkreis.example"
PHONE = {"width": 390, "height": 844}
TALL = 1500  # pixels: pages shown whole rather than cut at the usual 900
# Demo reports the pictures show (descriptions from src/mitwirken/reports/demo.py).
NEARBY = "Auf der Hauptstraße in Höhe der Bäckerei"  # open, Landkreis, Hauptstraße in Südbach
NEARBY_ADDRESS = "Hauptstraße, 55496 Südbach"
DEMO_MAP_ADDRESS = "Kirchgasse 5, Beisp"  # the map for docs/operations.md shows the streets around it
SUGGEST = "Hauptstr"  # typed into the address field: the register suggests the Hauptstraße's houses
HISTORY = "Die Laterne am Grenzgraben ist seit zwei Wochen aus."  # forwarded, then in progress, then fixed
TEMPLATE_TITLE = "Reparatur beauftragt"
TEMPLATE_TEXT = (
    "Vielen Dank für Ihre Meldung. Wir haben die Reparatur beauftragt. Je nach Witterung dauert es "
    "etwa zwei bis drei Wochen, bis der Schaden behoben ist."
)
NOTE = "Bauhof Südbach informiert, Besichtigung am Donnerstag. Evtl. Gewährleistung der Baufirma prüfen."


def context(browser: Any, **options: Any) -> Any:
    return browser.new_context(**{"viewport": VIEWPORT, "locale": "de-DE", "timezone_id": "Europe/Berlin", **options})


def report_link(page: Any, base: str, list_url: str, description: str) -> str:
    """The public path of the demo report with this description, read from the public list."""
    page.goto(base + list_url)
    item = page.locator("li.report-item", has_text=description)
    if item.count() == 0:
        raise SystemExit(
            f"The demo report „{description}“ is missing from {list_url}. Run `manage.py seed_demo` "
            "(src/mitwirken/reports/demo.py adds the Mängelmelder reports) and try again."
        )
    return item.first.get_by_role("link").first.get_attribute("href")


def wait_for_map(page: Any) -> None:
    """Leaflet has drawn the area outlines and the clusters from karte.json."""
    page.locator(".report-map .leaflet-overlay-pane path").first.wait_for(timeout=15_000)
    page.wait_for_load_state("networkidle")


def pick_point(page: Any) -> None:
    """Choose a category and set the point by a click (a tap on the phone) into the map."""
    page.get_by_label("Was ist das Problem?").select_option(
        label="Straßenschaden – Schlaglöcher, Risse, abgesackte Gullys"
    )
    area = page.locator(".report-map--input")
    box = area.bounding_box()
    area.click(position={"x": box["width"] * 0.55, "y": box["height"] * 0.45})
    if not page.get_by_label("Breite (z. B. 50.05)").input_value():
        raise RuntimeError("a click into the map did not fill in the coordinates")


def demo_map(page: Any, base: str, out: Path) -> None:
    """For docs/operations.md: the report form's map at an address chosen from the suggestions, one step zoomed
    out, where the demo base map shows the streets of Beispielhausen with their names."""
    page.goto(base + "/maengelmelder/melden/")
    wait_for_map(page)
    page.get_by_label("Was ist das Problem?").select_option(
        label="Straßenschaden – Schlaglöcher, Risse, abgesackte Gullys"
    )
    address = page.get_by_label("Adresse oder Ort")
    address.press_sequentially(DEMO_MAP_ADDRESS, delay=40)
    page.get_by_role("listbox", name="Adressvorschläge").get_by_role("option").first.click()
    page.wait_for_load_state("networkidle")
    settle_maps(page)
    page.locator(".report-map--input .leaflet-control-zoom-out").click()
    page.wait_for_load_state("networkidle")
    settle_maps(page)
    page.evaluate("document.activeElement.blur()")  # no keyboard crosshair
    path = out / "karte-demokarte.png"
    page.locator(".report-map--input").screenshot(path=str(path))
    print(f"{path}  ({path.stat().st_size // 1024} KB)")


def take_public(browser: Any, base: str, out: Path) -> None:
    public = context(browser)
    page = public.new_page()
    history = report_link(page, base, "/maengelmelder/liste/?status=fixed", HISTORY)
    nearby = report_link(page, base, "/maengelmelder/liste/?status=open", NEARBY)

    page.goto(base + "/maengelmelder/")
    wait_for_map(page)
    page.locator(".report-map .map-cluster").first.wait_for()
    shoot(page, out, "reports-karte", selector="main .skip-map")

    # Step 1: a category and a point set by a click on the map.
    page.goto(base + "/maengelmelder/melden/")
    wait_for_map(page)
    pick_point(page)
    shoot(page, out, "reports-melden-schritt1", selector="label[for=id_category]")

    # Step 2, reached by the address of an open report of the same category: it is offered for support.
    page.get_by_label("Breite (z. B. 50.05)").fill("")
    page.get_by_label("Länge (z. B. 7.60)").fill("")
    # The address suggestions of the address register, open under the field as one types.
    address = page.get_by_label("Adresse oder Ort")
    address.press_sequentially(SUGGEST, delay=60)
    page.get_by_role("listbox", name="Adressvorschläge").get_by_role("option").first.wait_for(timeout=10_000)
    shoot(page, out, "reports-melden-adressvorschlaege", selector="label[for=id_address]")
    address.press("Escape")
    address.fill(NEARBY_ADDRESS)
    address.press("Escape")
    click(page, page.get_by_role("button", name="Weiter"))
    if "/angaben/" not in page.url:
        raise RuntimeError(f"step 1 did not lead to step 2 (still at {page.url})")
    if page.locator(f".nearby-reports a[href='{nearby}']").count() == 0:
        raise RuntimeError(f"step 2 does not offer the nearby report {nearby}")
    shoot(page, out, "reports-melden-schritt2", selector="main h1")

    # A report with its whole history (reported, forwarded, taken over, in progress, fixed) on one screen.
    page.set_viewport_size({**VIEWPORT, "height": TALL})
    page.goto(base + history)
    shoot(page, out, "reports-meldung", selector="main h1")
    demo_map(page, base, out)
    public.close()

    # Step 1 on a phone.
    phone = context(browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(base + "/maengelmelder/melden/")
    wait_for_map(page)
    pick_point(page)
    shoot(page, out, "reports-melden-schritt1-handy", selector="label[for=id_category]")
    phone.close()


def take_backoffice(browser: Any, base: str, env: dict[str, str], out: Path) -> None:
    staff = context(browser)
    page = staff.new_page()
    log_in(page, base, CASE_WORKER, env)
    backoffice = f"{base}/verwaltung/{ORG}/meldungen/"

    page.goto(backoffice + "vorlagen/")
    if page.get_by_text(TEMPLATE_TITLE, exact=True).count() == 0:
        page.get_by_label("Titel", exact=True).fill(TEMPLATE_TITLE)
        page.get_by_label("Text", exact=True).fill(TEMPLATE_TEXT)
        page.get_by_label("Passend zu Status").select_option(label="in Bearbeitung")
        click(page, page.get_by_role("button", name="Vorlage speichern"))

    page.goto(backoffice)
    shoot(page, out, "reports-eingang")
    shoot(page, out, "reports-eingang-liste", heading=page.locator("main h2").first.inner_text())

    row = page.locator("main tbody tr", has_text=NEARBY)
    report_url = base + row.get_by_role("link").first.get_attribute("href")
    page.goto(report_url)
    if page.get_by_text(NOTE).count() == 0:
        page.get_by_role("textbox", name="Interne Notiz").fill(NOTE)
        click(page, page.get_by_role("button", name="Notiz speichern"))

    # Prepare (not send) a status change with the response template, as a case worker would.
    page.set_viewport_size({**VIEWPORT, "height": TALL})
    page.goto(report_url)  # again, without the "note saved" message
    page.get_by_label("Neuer Status").select_option(label="in Bearbeitung")
    page.get_by_label("Antwortvorlage einfügen").select_option(label=TEMPLATE_TITLE)
    message = page.locator("#id_status-message")
    if message.input_value().strip() != TEMPLATE_TEXT:
        # The select is meant to insert the template's text; show the intended state, but say so.
        print(f"warning: choosing the response template inserted {message.input_value()!r}, not its text")
        message.fill(TEMPLATE_TEXT)
    message.evaluate("e => { e.blur(); e.scrollTop = 0; }")
    shoot(page, out, "reports-bearbeiten", selector="main h1")
    staff.close()

    admin = context(browser)
    page = admin.new_page()
    log_in(page, base, ORG_ADMIN, env)
    page.goto(backoffice + "kategorien/")
    shoot(page, out, "reports-kategorien")
    admin.close()


def take(base: str, env: dict[str, str], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--lang=de-DE"], headless=True
        )
        try:
            take_public(browser, base, out)
            take_backoffice(browser, base, env, out)
        finally:
            browser.close()


def main() -> None:
    run_cli(take, __doc__)


if __name__ == "__main__":
    main()
