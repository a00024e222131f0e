"""Screenshots of the survey module for docs/surveys.md, taken from a throw-away demo portal.

Usage (from the project root, after ``make install``):

    .venv/bin/python scripts/docs_screenshots_surveys.py                 # writes docs/img/surveys-*.png
    .venv/bin/python scripts/docs_screenshots_surveys.py --out /tmp/shots
    .venv/bin/python scripts/docs_screenshots_surveys.py --base-url http://127.0.0.1:8000   # a running demo portal

Like ``docs_screenshots.py`` (whose server set-up it reuses), the script builds its own environment
unless ``--base-url`` is given: a temporary ``MITWIRKEN_VAR_DIR`` with a fresh SQLite database
(``migrate`` + ``seed_demo``) and ``runserver`` on a free port, removed again on every exit path.

The demo surveys come from ``src/mitwirken/surveys/demo.py``: the public, anonymous household survey
"Mobilitätskonzept Beispielhausen" of the Ortsgemeinde Beispielhausen and the staff survey "Mitarbeitendenbefragung
Digitalisierung" of the Landkreis Musterkreis, with personal access codes. The respondent's pages are taken
without an account, as anyone would answer the public survey; reaching the matrix and the ranking means
answering the first pages, which leaves a draft (a half-filled questionnaire, never counted) in the portal, but
nothing is submitted. The back office is taken as the admins of the two organisations,
``orgadmin@beispielhausen.example`` and ``orgadmin@musterkreis.example``, with the demo second factor
(``manage.py demo_totp``). Screenshots are viewport-sized, 1280 pixels wide (the phone one 390×844); some pages
are taken 1,500 pixels tall.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docs_screenshots import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, run_cli, shoot
from docs_screenshots_formal import click, log_in
from playwright.sync_api import sync_playwright

TALL = 1500  # pixels: pages shown whole rather than cut at the usual 900
PHONE = {"width": 390, "height": 844}
HOUSEHOLD = ("beispielhausen", "mobilitaetskonzept-beispielhausen", "Mobilitätskonzept Beispielhausen")
STAFF_SURVEY = ("musterkreis", "digitale-kreisverwaltung", "Digitale Kreisverwaltung")
HOUSEHOLD_ADMIN = "orgadmin@beispielhausen.example"
DISTRICT_ADMIN = "orgadmin@musterkreis.example"
CONDITIONAL = "Könnten Sie sich vorstellen, manche Wege ohne Auto zurückzulegen?"  # shown only to car drivers


def context(browser: Any, **options: Any) -> Any:
    return browser.new_context(**{"viewport": VIEWPORT, "locale": "de-DE", "timezone_id": "Europe/Berlin", **options})


def survey_path(page: Any, base: str, org: str, project: str) -> str:
    """The survey's public address (``…/projekte/<project>/<module-slug>/``), from the project page's link to it."""
    page.goto(f"{base}/{org}/projekte/{project}/")
    link = page.locator("main a[data-module-link]").first
    if link.count() == 0:
        raise SystemExit(
            f"/{org}/projekte/{project}/ has no module. Run `manage.py seed_demo` "
            "(src/mitwirken/surveys/demo.py adds the surveys) and try again."
        )
    return str(link.get_attribute("href"))


def builder_url(page: Any, base: str, org: str, title: str) -> str:
    """The back-office builder of a project's survey, reached through its "Module und Phasen" tab."""
    page.goto(f"{base}/verwaltung/{org}/projekte/")
    href = page.get_by_role("link", name=title, exact=True).get_attribute("href")
    page.goto(base + href.rstrip("/") + "/module/")
    return base + page.get_by_role("link", name="Modul einrichten").first.get_attribute("href")


def next_page(page: Any) -> None:
    click(page, page.locator("form.survey-form .survey-buttons .kern-btn--primary"))


def take_respondent(browser: Any, base: str, out: Path) -> None:
    visitor = context(browser)
    page = visitor.new_page()
    path = survey_path(page, base, *HOUSEHOLD[:2])
    page.goto(base + path)
    shoot(page, out, "surveys-start")

    # Page 1 answered as a cyclist, so the bike page with the matrix follows; then the ranking on page 3.
    click(page, page.get_by_role("link", name="Umfrage starten"))
    page.get_by_label("30 bis 49 Jahre").check()
    page.get_by_label("Wie viele Personen leben in Ihrem Haushalt, Sie eingeschlossen?").fill("3")
    page.get_by_label("Fahrrad oder Pedelec").check()
    next_page(page)
    matrix = page.locator("fieldset", has_text="Wie zufrieden sind Sie mit den Radwegen?").first
    matrix.get_by_role("group", name="Im Ortskern").get_by_label("eher zufrieden").check()
    matrix.get_by_role("group", name="Auf den Schulwegen").get_by_label("eher unzufrieden").check()
    shoot(page, out, "surveys-matrix", selector="#survey-progress-label")
    for row in ("Zu den Nachbarorten", "Zum Bahnhof Musterstadt"):
        matrix.get_by_role("group", name=row).get_by_label("sehr unzufrieden").check()
    next_page(page)
    ranking = page.locator(".survey-ranking").first
    ranking.get_by_role("button", name="nach oben").last.click()  # moved at once by the page's script
    shoot(page, out, "surveys-rangfolge", selector=".survey-ranking")
    visitor.close()

    # The first page on a phone.
    phone = context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(base + path)
    click(page, page.get_by_role("link", name="Umfrage starten"))
    page.get_by_label("50 bis 64 Jahre").check()
    shoot(page, out, "surveys-handy")
    phone.close()


def take_builder(browser: Any, base: str, env: dict[str, str], out: Path) -> None:
    staff = context(browser)
    page = staff.new_page()
    log_in(page, base, HOUSEHOLD_ADMIN, env)
    builder = builder_url(page, base, HOUSEHOLD[0], HOUSEHOLD[2])
    page.set_viewport_size({**VIEWPORT, "height": TALL})
    page.goto(builder)
    shoot(page, out, "surveys-einrichten")

    # A question with a condition: the form, scrolled to the condition editor.
    page.locator("li[id^='frage-']", has_text=CONDITIONAL).get_by_role("link", name="bearbeiten").click()
    page.wait_for_url("**/fragen/*/")
    shoot(page, out, "surveys-frage-bedingung", selector="#id_randomise")

    page.goto(builder)
    click(page, page.get_by_role("link", name="Einstellungen und Quoten"))
    shoot(page, out, "surveys-einstellungen")

    page.goto(builder)
    click(page, page.get_by_role("link", name="Ergebnisse und Export"))
    shoot(page, out, "surveys-ergebnisse")

    page.goto(builder)
    click(page, page.get_by_role("link", name="Import und Export"))
    page.set_viewport_size(VIEWPORT)
    shoot(page, out, "surveys-import")
    staff.close()

    # The staff survey with personal codes belongs to the Landkreis.
    district = context(browser, viewport={**VIEWPORT, "height": TALL})
    page = district.new_page()
    log_in(page, base, DISTRICT_ADMIN, env)
    page.goto(builder_url(page, base, STAFF_SURVEY[0], STAFF_SURVEY[2]))
    click(page, page.get_by_role("link", name="Zugangscodes und Einladungen"))
    shoot(page, out, "surveys-zugangscodes")
    district.close()


def take(base: str, env: dict[str, str], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--lang=de-DE"], headless=True
        )
        try:
            take_respondent(browser, base, out)
            take_builder(browser, base, env, out)
        finally:
            browser.close()


def main() -> None:
    run_cli(take, __doc__)


if __name__ == "__main__":
    main()
