"""Screenshots of a formal procedure for docs/formal.md, taken from a throw-away demo portal.

Usage (from the project root, after ``make install``):

    .venv/bin/python scripts/docs_screenshots_formal.py                 # writes docs/img/formal-*.png
    .venv/bin/python scripts/docs_screenshots_formal.py --out /tmp/shots
    .venv/bin/python scripts/docs_screenshots_formal.py --base-url http://127.0.0.1:8000   # a running demo portal

Like ``docs_screenshots.py`` (whose server set-up it reuses), the script builds its own environment
unless ``--base-url`` is given: a temporary ``MITWIRKEN_VAR_DIR`` with a fresh SQLite database
(``migrate`` + ``seed_demo``) and ``runserver`` on a free port, removed again on every exit path.

The demo data contain a running Raumordnungsverfahren at
``/musterkreis/projekte/ortsumgehung-beispielhausen/`` with statements. The script submits one more
statement as the demo citizen ``gast@mitwirken.example`` (so against ``--base-url`` it adds a statement
to that portal), then logs in as the case worker ``sachbearbeitung@musterkreis.example`` with the demo
second factor (``manage.py demo_totp``). Screenshots are viewport-sized, 1280 pixels wide.
"""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path
from typing import Any

from docs_screenshots import CHROMIUM, CHROMIUM_ARGS, ORG, PASSWORD, VIEWPORT, run_cli, shoot, totp_code
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

PROJECT = "ortsumgehung-beispielhausen"
PROJECT_TITLE = "Raumordnungsverfahren Ortsumgehung Beispielhausen (B 999)"
CITIZEN = "gast@mitwirken.example"
PLACE = "Am Mühlbach 3, Beispielhausen"  # searched on the statement form's map, then an area drawn around it
CASE_WORKER = "sachbearbeitung@musterkreis.example"
STATEMENT = (
    "Ich wohne am Mühlbach und bitte darum, die Variante Süd nicht weiterzuverfolgen. Sie führt direkt am "
    "Wanderweg entlang und würde das Naherholungsgebiet durchschneiden.\n\n"
    "Außerdem bitte ich um eine Lärmschutzwand auf Höhe der Grundschule."
)


def log_in(page: Any, base: str, email: str, env: dict[str, str] | None = None) -> None:
    """Log in; with ``env``, answer the second-factor prompt with the demo code."""
    page.goto(base + "/konto/login/")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit].kern-btn--primary").click()
    if env is None:
        return
    for _attempt in range(2):  # a code can expire between reading and submitting it
        page.get_by_label("Code").fill(totp_code(env))
        with page.expect_navigation():
            page.locator("main form button[type=submit].kern-btn--primary").click()
        if "/konto/2fa/" not in page.url:
            return
        time.sleep(31 - time.time() % 30)
    raise RuntimeError(f"second factor was not accepted (still at {page.url})")


def click(page: Any, locator: Any) -> None:
    with page.expect_navigation():
        locator.click()


def draw_area(page: Any) -> None:
    """Find the Mühlbach on the statement form's map and draw an area around it, as a citizen would."""
    search = page.get_by_label("Adresse oder Ort suchen")
    search.fill(PLACE)
    search.press("Escape")
    page.get_by_role("button", name="Als Punkt übernehmen").click()
    page.locator("p.map-status", has_text="Ortsbezug: ein Punkt.").wait_for(timeout=10_000)
    area = page.locator("#statement-map")
    area.scroll_into_view_if_needed()
    page.get_by_role("button", name="Fläche zeichnen").click()
    box = area.bounding_box()
    for fx, fy in ((0.30, 0.25), (0.72, 0.30), (0.78, 0.70), (0.40, 0.80), (0.22, 0.55)):
        area.click(position={"x": box["width"] * fx, "y": box["height"] * fy})
    page.get_by_role("button", name="Fläche abschließen").click()
    page.locator("p.map-status", has_text="Ortsbezug: eine Fläche mit 5 Ecken.").wait_for(timeout=10_000)


def take(base: str, env: dict[str, str], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--lang=de-DE"], headless=True
        )
        try:
            # The public side: the announcement and the results, as anyone sees them.
            public = browser.new_context(viewport=VIEWPORT, locale="de-DE", timezone_id="Europe/Berlin")
            page = public.new_page()
            page.goto(f"{base}/{ORG}/projekte/{PROJECT}/")
            module_path = page.locator("main a[data-module-link]").first.get_attribute("href")
            page.goto(base + module_path)
            shoot(page, out, "formal-oeffentliche-seite", heading="Bekanntmachung")
            page.goto(f"{base}{module_path}abwaegung/")
            shoot(page, out, "formal-ergebnisse")
            public.close()

            # A citizen writes, checks and submits a statement.
            citizen = browser.new_context(viewport=VIEWPORT, locale="de-DE", timezone_id="Europe/Berlin")
            page = citizen.new_page()
            log_in(page, base, CITIZEN)
            page.goto(base + module_path)
            click(page, page.get_by_role("link", name="Stellungnahme abgeben").first)
            page.get_by_label("Ihre Stellungnahme").fill(STATEMENT)
            page.get_by_label("Bezug auf einen Abschnitt").select_option(
                label="Antragsunterlage Raumverträglichkeit: 2.2 Variante Süd"
            )
            page.get_by_label("Vor- und Nachname").fill("Gabriele Gast")
            page.get_by_label("Straße und Hausnummer").fill("Am Mühlbach 3")
            page.get_by_label("Postleitzahl").fill("55599")
            page.get_by_label(re.compile(r"^Ort\b")).fill("Beispielhausen")
            # A draft left by an interrupted earlier run holds the same text already: then nothing is saved anew.
            with contextlib.suppress(PlaywrightTimeoutError):
                page.locator("#autosave-status").filter(has_text="Entwurf gespeichert").wait_for(timeout=15_000)
            page.get_by_label("Ihre Stellungnahme").evaluate("e => { e.scrollTop = 0; }")
            shoot(page, out, "formal-stellungnahme", heading="Stellungnahme abgeben")
            draw_area(page)
            shoot(page, out, "formal-stellungnahme-ortsbezug", selector=".map-draw-fieldset")
            click(page, page.get_by_role("button", name="Weiter zur Prüfung"))
            click(page, page.get_by_role("button", name="Verbindlich abgeben"))
            shoot(page, out, "formal-eingangsbestaetigung")
            citizen.close()

            # The case worker: the inbox and the Abwägung of the demo's lead statement.
            staff = browser.new_context(viewport=VIEWPORT, locale="de-DE", timezone_id="Europe/Berlin")
            page = staff.new_page()
            log_in(page, base, CASE_WORKER, env)
            page.goto(f"{base}/verwaltung/{ORG}/projekte/")
            href = page.get_by_role("link", name=PROJECT_TITLE, exact=True).get_attribute("href")
            project_pk = href.rstrip("/").rsplit("/", 1)[-1]
            page.goto(f"{base}/verwaltung/{ORG}/projekte/{project_pk}/module/")
            procedure = base + str(page.get_by_role("link", name="Verfahren verwalten").first.get_attribute("href"))
            page.goto(procedure)
            shoot(page, out, "formal-fristen")
            page.goto(procedure + "eingang/")
            shoot(page, out, "formal-eingang")
            shoot(page, out, "formal-eingang-liste", selector="main table")
            click(page, page.get_by_role("link", name=re.compile(r"-ROV-000001$")))
            shoot(page, out, "formal-abwaegung", heading="Text der Stellungnahme")
            staff.close()
        finally:
            browser.close()


def main() -> None:
    run_cli(take, __doc__)


if __name__ == "__main__":
    main()
