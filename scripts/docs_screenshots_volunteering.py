"""Screenshots of the volunteering module for docs/volunteering.md, taken from a throw-away demo portal.

Usage (from the project root, after ``make install``):

    .venv/bin/python scripts/docs_screenshots_volunteering.py                 # writes docs/img/volunteering-*.png
    .venv/bin/python scripts/docs_screenshots_volunteering.py --out /tmp/shots
    .venv/bin/python scripts/docs_screenshots_volunteering.py --base-url http://127.0.0.1:8000   # a running portal

Like ``docs_screenshots.py`` (whose server set-up it reuses), the script builds its own environment unless
``--base-url`` is given: a temporary ``MITWIRKEN_VAR_DIR`` with a fresh SQLite database (``migrate`` +
``seed_demo``) and ``runserver`` on a free port, removed again on every exit path.

The demo content comes from ``src/mitwirken/volunteering/demo/ehrenamt.toml``: the search around the postcode
55487 (list and map, also on a phone), the Tafel's "Lebensmittelausgabe am Dienstag" (opportunity page, shifts,
shift planning with a weekly series, attendance of the last Tuesday), the SV's "Arbeitseinsätze am Sportgelände"
(a Saturday series) and its record of Tobias Turner's police certificate, Helga Helferin's profile and hours near the Ehrenamtskarte threshold, the Tafel's coordinator
area (overview, an application with messages, a certificate form), the public verification of Helga's certificate,
the Börse of the Verbandsgemeinde (``ehrenamt@vg-nord.example`` with the demo second factor: verification queue,
statistics) and the registration form of a new Verein. Coordinators and volunteers are ordinary demo accounts
without a second factor. One thing is changed: Helga prepares her application for the Engagement- und
Kompetenznachweis (unless it is prepared already), so the Tafel's Ehrenamtskarte tab has something to confirm;
nothing else is submitted. Screenshots are viewport-sized, 1280 pixels wide (the
phone ones 390×844).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docs_screenshots import VIEWPORT, german_browser, run_cli, shoot
from docs_screenshots_events import context, phone
from docs_screenshots_formal import log_in

TALL = 1500
BOERSE = "ehrenamt@vg-nord.example"
TAFEL = "koordination@tafel-nordheim.example"
TAFEL_SLUG = "tafel-nordheim-beispielhausen"
SV = "vorstand@sv-beispielhausen.example"
SV_SLUG = "sv-beispielhausen"
HELGA = "helga.helferin@mitwirken.example"
CITIZEN = "gast@mitwirken.example"
SEARCH = "/ehrenamt/?ort=55487&umkreis=10"
DISTRIBUTION = "Lebensmittelausgabe am Dienstag"
WORK_DAYS = "Arbeitseinsätze am Sportgelände"
COMPETENCES = "Engagement- und Kompetenznachweis Rheinland-Pfalz"


def href(page: Any, url: str, name: str) -> str:
    """The address of the first link called ``name`` on the page at ``url``."""
    page.goto(url)
    link = page.get_by_role("link", name=name).first
    if link.count() == 0:
        raise SystemExit(f"No link „{name}“ on {url}. Run `manage.py seed_demo` and try again.")
    return str(link.get_attribute("href"))


def person_link(page: Any, url: str, name: str) -> str:
    """Like ``href``, through the pages of the table of totals (``?summen=``)."""
    for number in range(1, 10):
        page.goto(f"{url}?summen={number}")
        link = page.locator("main a", has_text=name).first
        if link.count():
            return str(link.get_attribute("href"))
    raise SystemExit(f"No link „{name}“ on {url}. Run `manage.py seed_demo` and try again.")


def take_public(browser: Any, base: str, out: Path) -> str:
    """Search, opportunity and shifts without an account; returns the opportunity's address."""
    visitor = context(browser)
    page = visitor.new_page()
    page.goto(base + SEARCH)
    shoot(page, out, "volunteering-suche", selector="main form[role=search]")
    page.goto(base + SEARCH + "&ansicht=karte")
    page.wait_for_timeout(1500)  # the map tiles and markers
    shoot(page, out, "volunteering-suche-karte", selector="#ergebnisse")
    opportunity = base + href(page, base + "/ehrenamt/?q=Lebensmittelausgabe", DISTRIBUTION)
    page.set_viewport_size({**VIEWPORT, "height": TALL})
    page.goto(opportunity)
    shoot(page, out, "volunteering-angebot")
    visitor.close()

    small = phone(browser)
    page = small.new_page()
    page.goto(base + SEARCH)
    shoot(page, out, "volunteering-suche-handy", selector="#ergebnisse")
    small.close()
    return opportunity


def take_volunteer(browser: Any, base: str, out: Path, opportunity: str) -> None:
    small = phone(browser)
    page = small.new_page()
    log_in(page, base, HELGA)
    page.goto(opportunity.rstrip("/") + "/schichten/")
    shoot(page, out, "volunteering-schichten-handy", selector="main h1")
    page.goto(base + "/ehrenamt/profil/")
    shoot(page, out, "volunteering-profil-handy", selector="main h1")
    page.goto(base + "/ehrenamt/stunden/")
    shoot(page, out, "volunteering-stunden-handy", selector="main h1")
    small.close()

    desktop = context(browser)
    page = desktop.new_page()
    log_in(page, base, HELGA)
    page.goto(base + "/ehrenamt/stunden/")
    shoot(page, out, "volunteering-stunden", selector="main h1")
    prepare = page.get_by_role("button", name=f"Antrag vorbereiten: {COMPETENCES}")
    if prepare.count():  # not yet prepared in this portal
        with page.expect_navigation():
            prepare.click()
    page.goto(base + "/ehrenamt/nachweise/")
    code = page.locator("main code").first.inner_text().strip()
    desktop.close()

    visitor = context(browser)
    page = visitor.new_page()
    page.goto(f"{base}/ehrenamt/nachweis-pruefen/?code={code}")
    shoot(page, out, "volunteering-nachweis-pruefen")
    visitor.close()


def take_coordinator(browser: Any, base: str, out: Path) -> None:
    area = f"{base}/ehrenamt/verein/{TAFEL_SLUG}/"
    coordinator = context(browser)
    page = coordinator.new_page()
    log_in(page, base, TAFEL)
    page.goto(area)
    shoot(page, out, "volunteering-koordination", selector="main .breadcrumbs")
    page.goto(base + href(page, area + "bewerbungen/", "Jonas Neumann"))
    page.set_viewport_size({**VIEWPORT, "height": TALL})
    shoot(page, out, "volunteering-bewerbung", selector="main h1")
    page.set_viewport_size(VIEWPORT)
    page.goto(base + href(page, area + "stunden/", DISTRIBUTION))
    shoot(page, out, "volunteering-anwesenheit", selector="main h1")
    page.goto(base + person_link(page, area + "stunden/", "Helga Helferin"))
    shoot(page, out, "volunteering-nachweis-ausstellen", selector="main h1")
    page.goto(area + "ehrenamtskarte/")
    shoot(page, out, "volunteering-koordination-ehrenamtskarte", selector="main h1")
    coordinator.close()

    sv = context(browser, viewport={**VIEWPORT, "height": TALL})
    page = sv.new_page()
    log_in(page, base, SV)
    planning = base + href(page, f"{base}/ehrenamt/verein/{SV_SLUG}/angebote/", WORK_DAYS)
    page.goto(planning)
    shoot(page, out, "volunteering-schichtplanung", selector="main h1")
    shoot(page, out, "volunteering-reihe", selector="#reihe-anlegen")
    page.goto(base + href(page, planning, "Angaben bearbeiten"))
    shoot(page, out, "volunteering-angebot-formular", selector="main h1")
    page.goto(base + href(page, f"{base}/ehrenamt/verein/{SV_SLUG}/bewerbungen/", "Tobias Turner"))
    page.goto(base + href(page, page.url, "Einsicht erfassen oder ansehen"))
    page.set_viewport_size(VIEWPORT)
    shoot(page, out, "volunteering-fuehrungszeugnis", selector="main h1")
    sv.close()


def take_exchange(browser: Any, base: str, env: dict[str, str], out: Path) -> None:
    staff = context(browser)
    page = staff.new_page()
    log_in(page, base, BOERSE, env)
    page.goto(f"{base}/verwaltung/vg-nord/ehrenamt/pruefung/")
    shoot(page, out, "volunteering-boerse-pruefung")
    page.goto(f"{base}/verwaltung/vg-nord/ehrenamt/statistik/")
    shoot(page, out, "volunteering-boerse-statistik", selector="main h1")
    staff.close()

    citizen = context(browser, viewport={**VIEWPORT, "height": TALL})
    page = citizen.new_page()
    log_in(page, base, CITIZEN)
    page.goto(base + "/ehrenamt/mitmachen/")
    shoot(page, out, "volunteering-registrieren")
    citizen.close()


def take(base: str, env: dict[str, str], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with german_browser() as browser:
        opportunity = take_public(browser, base, out)
        take_volunteer(browser, base, out, opportunity)
        take_coordinator(browser, base, out)
        take_exchange(browser, base, env, out)


def main() -> None:
    run_cli(take, __doc__)


if __name__ == "__main__":
    main()
