"""Screenshots of the XBeteiligung exchange for docs/formal.md, taken from a throw-away demo portal.

Usage (from the project root, after ``make install``):

    .venv/bin/python scripts/docs_screenshots_xbeteiligung.py            # writes docs/img/formal-xbeteiligung-*.png
    .venv/bin/python scripts/docs_screenshots_xbeteiligung.py --out /tmp/shots

The case worker of the demo's Kreisverwaltung uploads the example 0401 of ``docs/examples/xbeteiligung/``
(addressed to the demo organisation) in the back office, and the set-up page with the sender's plan and the
organisation's message list are photographed. Server set-up as in ``docs_screenshots.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docs_screenshots import CHROMIUM, CHROMIUM_ARGS, ORG, ROOT, VIEWPORT, run_cli, shoot
from docs_screenshots_formal import CASE_WORKER, PROJECT_TITLE, click, log_in
from playwright.sync_api import sync_playwright

EXAMPLE = ROOT / "docs" / "examples" / "xbeteiligung" / "kommunal-initiieren-0401.xml"


def take(base: str, env: dict[str, str], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--lang=de-DE"], headless=True
        )
        try:
            staff = browser.new_context(viewport=VIEWPORT, locale="de-DE", timezone_id="Europe/Berlin")
            page: Any = staff.new_page()
            log_in(page, base, CASE_WORKER, env)
            page.goto(f"{base}/verwaltung/{ORG}/projekte/")
            href = page.get_by_role("link", name=PROJECT_TITLE, exact=True).get_attribute("href")
            project_pk = href.rstrip("/").rsplit("/", 1)[-1]
            page.goto(f"{base}/verwaltung/{ORG}/projekte/{project_pk}/verfahren/import/")
            page.get_by_label("XBeteiligung-Nachricht").set_input_files(str(EXAMPLE))
            shoot(page, out, "formal-xbeteiligung-import")
            click(page, page.get_by_role("button", name="Nachricht prüfen und übernehmen"))
            shoot(page, out, "formal-xbeteiligung-uebernommen", heading="Übernommen per XBeteiligung")
            page.goto(f"{base}/verwaltung/{ORG}/xbeteiligung/")
            shoot(page, out, "formal-xbeteiligung-nachrichten", heading="2 Nachrichten")
            staff.close()
        finally:
            browser.close()


def main() -> None:
    run_cli(take, __doc__)


if __name__ == "__main__":
    main()
