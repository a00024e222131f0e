"""Screenshots of the events module for docs/events.md, taken from a throw-away demo portal.

Usage (from the project root, after ``make install``):

    .venv/bin/python scripts/docs_screenshots_events.py                 # writes docs/img/events-*.png
    .venv/bin/python scripts/docs_screenshots_events.py --out /tmp/shots
    .venv/bin/python scripts/docs_screenshots_events.py --base-url http://127.0.0.1:8000   # a running demo portal

Like ``docs_screenshots.py`` (whose server set-up it reuses), the script builds its own environment unless
``--base-url`` is given: a temporary ``MITWIRKEN_VAR_DIR`` with a fresh SQLite database (``migrate`` +
``seed_demo``) and ``runserver`` on a free port, removed again on every exit path.

The demo events come from ``src/mitwirken/events/demo.py``: the booked-out "Bürgerversammlung: Neue Dorfmitte
Beispielhausen" (month view, event page, registration form), the hybrid "Online-Informationsabend: Glasfaserausbau
im Landkreis" (the back-office form), the Erörterungstermin of the demo Raumordnungsverfahren (registrations waiting
for approval), the weekly Bürgersprechstunde (the series) and the past "Bürgerversammlung zum Kreishaushalt"
(check-in on a phone). The public pages are taken without an account; the back office as
``orgadmin@musterkreis.example`` with the demo second factor. Screenshots are viewport-sized, 1280 pixels wide
(the phone ones 390×844); some pages are taken 1,500 pixels tall. Nothing is registered or changed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from docs_screenshots import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, run_cli, shoot
from docs_screenshots_formal import log_in
from playwright.sync_api import sync_playwright

TALL = 1500
BERLIN = ZoneInfo("Europe/Berlin")
PHONE = {"width": 390, "height": 844}
ADMIN = "orgadmin@musterkreis.example"
ASSEMBLY = "/beispielhausen/veranstaltungen/buergerversammlung-dorfmitte/"
ASSEMBLY_DAY = 12  # days from the seeding day (demo/veranstaltungen.toml)
EVENING = "Online-Informationsabend: Glasfaserausbau im Landkreis"
HEARING = "Erörterungstermin zum Raumordnungsverfahren Ortsumgehung Beispielhausen (B 999)"
PAST = "Bürgerversammlung zum Kreishaushalt"


def context(browser: Any, **options: Any) -> Any:
    return browser.new_context(**{"viewport": VIEWPORT, "locale": "de-DE", "timezone_id": "Europe/Berlin", **options})


def phone(browser: Any) -> Any:
    return context(browser, viewport=PHONE, is_mobile=True, has_touch=True)


def month_path() -> str:
    return f"/veranstaltungen/?ansicht=monat&monat={datetime.now(BERLIN).date() + timedelta(days=ASSEMBLY_DAY):%Y-%m}"


def backoffice_url(page: Any, base: str, title: str) -> str:
    """The back-office page of a demo event of the Landkreis, from the list of all its events."""
    page.goto(f"{base}/verwaltung/musterkreis/veranstaltungen/?when=all")
    link = page.get_by_role("link", name=title, exact=True).first
    if link.count() == 0:
        raise SystemExit(f"No event „{title}“ in the Landkreis. Run `manage.py seed_demo` and try again.")
    return base + str(link.get_attribute("href"))


def take_public(browser: Any, base: str, out: Path) -> None:
    visitor = context(browser)
    page = visitor.new_page()
    page.goto(base + month_path())
    shoot(page, out, "events-monat", selector="nav.event-views")
    page.set_viewport_size({**VIEWPORT, "height": TALL})
    page.goto(base + ASSEMBLY)
    shoot(page, out, "events-veranstaltung")
    page.goto(base + ASSEMBLY + "anmelden/")
    shoot(page, out, "events-anmeldung")
    visitor.close()

    small = phone(browser)
    page = small.new_page()
    page.goto(base + month_path())
    shoot(page, out, "events-monat-handy", selector="nav.event-month-nav")
    small.close()


def take_backoffice(browser: Any, base: str, env: dict[str, str], out: Path) -> None:
    staff = context(browser, viewport={**VIEWPORT, "height": TALL})
    page = staff.new_page()
    log_in(page, base, ADMIN, env)
    page.goto(backoffice_url(page, base, EVENING).rstrip("/") + "/bearbeiten/")
    shoot(page, out, "events-formular")
    shoot(page, out, "events-formular-anmeldung", selector="#id_registration")
    page.goto(backoffice_url(page, base, HEARING).rstrip("/") + "/anmeldungen/")
    shoot(page, out, "events-anmeldungen")
    page.goto(backoffice_url(page, base, "Bürgersprechstunde des Landrats").rstrip("/") + "/reihe/")
    shoot(page, out, "events-reihe")
    page.goto(f"{base}/verwaltung/musterkreis/veranstaltungen/")
    page.set_viewport_size(VIEWPORT)
    shoot(page, out, "events-liste")
    door = backoffice_url(page, base, PAST).rstrip("/") + "/einchecken/?q=er"
    staff.close()

    small = phone(browser)
    page = small.new_page()
    log_in(page, base, ADMIN, env)
    page.goto(door)
    shoot(page, out, "events-einchecken-handy", selector="#search-heading")
    small.close()


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
