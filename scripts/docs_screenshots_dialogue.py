"""Screenshots of the dialogue module for docs/dialogue.md, taken from a throw-away demo portal.

Usage (from the project root, after ``make install``):

    .venv/bin/python scripts/docs_screenshots_dialogue.py                 # writes docs/img/dialogue-*.png
    .venv/bin/python scripts/docs_screenshots_dialogue.py --out /tmp/shots
    .venv/bin/python scripts/docs_screenshots_dialogue.py --base-url http://127.0.0.1:8000   # a running demo portal

Like ``docs_screenshots.py`` (whose server set-up it reuses), the script builds its own environment
unless ``--base-url`` is given: a temporary ``MITWIRKEN_VAR_DIR`` with a fresh SQLite database
(``migrate`` + ``seed_demo``) and ``runserver`` on a free port, removed again on every exit path.

The demo dialogues come from ``src/mitwirken/dialogue/demo.py``: the brainstorming "Was wird aus der alten
Schule?", the map "Mobilitätskonzept Nord" (with pre-moderation), the draft cemetery statute for text review,
a debate and a prioritisation. The participant's pages are taken as the demo citizen
``buerger@mitwirken.example``; the map form is filled in but not sent, so the script changes nothing.
Moderation, feedback and the back-office set-up are taken as the case worker
``sachbearbeitung@musterkreis.example`` with the demo second factor (``manage.py demo_totp``), the set-up
of the draft statute as the admin of the Ortsgemeinde, ``orgadmin@beispielhausen.example``.
Screenshots are viewport-sized, 1280 pixels wide; some pages are taken 1,500 pixels tall.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docs_screenshots import CHROMIUM, CHROMIUM_ARGS, ORG, VIEWPORT, run_cli, shoot
from docs_screenshots_formal import log_in
from playwright.sync_api import sync_playwright

CITIZEN = "buerger@mitwirken.example"
CASE_WORKER = "sachbearbeitung@musterkreis.example"
TALL = 1500  # pixels: pages shown whole rather than cut at the usual 900
SCHOOL = "alte-schule-nordheim"
SCHOOL_TITLE = "Was wird aus der alten Schule?"
MOBILITY = "mobilitaet-nord"
CEMETERY = ("beispielhausen", "friedhofssatzung")
BUDGET = ("beispielhausen", "buergerhaushalt-2027")  # a prioritisation: proposals rated in place
# Demo content the pictures show (src/mitwirken/dialogue/demo.py).
IDEA = "Generationenhaus mit Café und Treffpunkt"  # feedback, a pinned, a highlighted and a hidden comment
MODERATED = "Sehr gute Idee! Meine Mutter"  # a comment of that idea, shown with its moderation tools open
DEBATE_TITLE = "Hitze und Starkregen: Wie wappnet sich der Landkreis?"
CEMETERY_TITLE = "Neue Friedhofssatzung – Entwurf zur Diskussion"
MUNICIPALITY_ADMIN = "orgadmin@beispielhausen.example"
PARAGRAPH = "von März bis Oktober"  # § 2 (1) of the draft statute: a comment with two replies, one from the staff


def context(browser: Any, **options: Any) -> Any:
    return browser.new_context(**{"viewport": VIEWPORT, "locale": "de-DE", "timezone_id": "Europe/Berlin", **options})


def dialogue_path(page: Any, base: str, org: str, project: str) -> str:
    """The dialogue's address (``…/projekte/<project>/<module-slug>/``), read from the project page's link to it."""
    page.goto(f"{base}/{org}/projekte/{project}/")
    link = page.locator("main a[data-module-link]").first
    if link.count() == 0:
        raise SystemExit(
            f"/{org}/projekte/{project}/ has no module. Run `manage.py seed_demo` "
            "(src/mitwirken/dialogue/demo.py adds the dialogues) and try again."
        )
    return str(link.get_attribute("href"))


def module_page(path: str) -> str:
    """The module's public page: since modules have addresses of their own, the dialogue's path itself."""
    return path


def wait_for_map(page: Any) -> None:
    """Leaflet has drawn the outline of the project area (and the markers, if any)."""
    page.locator(".report-map .leaflet-overlay-pane path").first.wait_for(timeout=15_000)
    page.wait_for_timeout(500)


def take_participant(browser: Any, base: str, out: Path) -> dict[str, str]:
    citizen = context(browser)
    page = citizen.new_page()
    log_in(page, base, CITIZEN)
    school = dialogue_path(page, base, ORG, SCHOOL)
    mobility = dialogue_path(page, base, ORG, MOBILITY)
    cemetery = dialogue_path(page, base, *CEMETERY)

    page.goto(base + module_page(school))
    shoot(page, out, "dialogue-ideen")
    page.goto(base + module_page(school) + "?sort=support")
    shoot(page, out, "dialogue-ideen-liste", selector="form.filter-form")

    # The idea with feedback and its thread, as one tall picture.
    page.set_viewport_size({**VIEWPORT, "height": TALL})
    page.get_by_role("link", name=IDEA, exact=True).click()
    page.wait_for_url("**/ideen/*/")
    shoot(page, out, "dialogue-idee")
    shoot(page, out, "dialogue-kommentare", selector="#comments-title")
    page.set_viewport_size(VIEWPORT)

    # The map: ideas with a place, then the form with a point set by a click into the map (not sent).
    page.goto(base + module_page(mobility))
    wait_for_map(page)
    shoot(page, out, "dialogue-karte", selector=".skip-map")
    page.goto(base + mobility + "ideen/neu/")
    wait_for_map(page)
    page.get_by_label("Titel").fill("Bushaltestelle am Lindenweg überdachen")
    page.get_by_label("Beschreibung").fill(
        "An der Haltestelle Lindenweg warten morgens viele Schulkinder im Regen. Ein Wartehäuschen mit Bank "
        "würde helfen."
    )
    page.get_by_label("Kategorie").select_option(label="Bus und Bahn")
    page.get_by_label("Schulweg").check()
    area = page.locator(".report-map--input")
    box = area.bounding_box()
    area.click(position={"x": box["width"] * 0.62, "y": box["height"] * 0.45})
    if not page.get_by_label("Breite (z. B. 50.05)").input_value():
        raise RuntimeError("a click into the map did not fill in the coordinates")
    page.set_viewport_size({**VIEWPORT, "height": TALL})
    shoot(page, out, "dialogue-karte-formular", selector="main h1")
    page.set_viewport_size(VIEWPORT)

    # Text review: the draft, then one paragraph with its comments.
    page.set_viewport_size({**VIEWPORT, "height": TALL})
    page.goto(base + module_page(cemetery))
    shoot(page, out, "dialogue-textdiskussion")
    # The comments open in place, under the paragraph.
    paragraph = page.locator("[id^='absatz-']", has_text=PARAGRAPH).first
    paragraph.get_by_role("link").first.click()
    paragraph.locator(".paragraph-comments > *").first.wait_for()
    shoot(page, out, "dialogue-absatz", selector=f"#{paragraph.get_attribute('id')}")

    # In-place rating in the Bürgerhaushalt: "Dafür" on a proposal the citizen has not rated yet, without a reload.
    page.set_viewport_size(VIEWPORT)
    page.goto(base + module_page(dialogue_path(page, base, *BUDGET)))
    up = page.locator(".rate-form button[value='1'][aria-pressed='false']").first
    card_id = up.evaluate("e => e.closest('article').querySelector('h3').id")
    button_id = up.get_attribute("id")
    up.click()
    page.locator(f"#{button_id}[aria-pressed='true']").wait_for()
    shoot(page, out, "dialogue-bewerten", selector=f"#{card_id}")

    page.goto(base + school + "ergebnisse/")
    page.set_viewport_size({**VIEWPORT, "height": TALL})
    shoot(page, out, "dialogue-ergebnisse")
    citizen.close()
    return {"school": school, "mobility": mobility}


def take_staff(browser: Any, base: str, env: dict[str, str], out: Path, paths: dict[str, str]) -> None:
    staff = context(browser)
    page = staff.new_page()
    log_in(page, base, CASE_WORKER, env)

    page.goto(base + paths["mobility"] + "moderation/")
    page.set_viewport_size({**VIEWPORT, "height": TALL})
    shoot(page, out, "dialogue-moderation")
    page.set_viewport_size(VIEWPORT)

    # Moderator tools under a comment and the feedback form of an idea.
    page.goto(base + module_page(paths["school"]))
    page.get_by_role("link", name=IDEA, exact=True).click()
    page.wait_for_url("**/ideen/*/")
    idea_url = page.url
    comment = page.locator("[id^='kommentar-']", has_text=MODERATED).first
    comment.locator("details").first.evaluate("e => { e.open = true; }")
    shoot(page, out, "dialogue-moderieren", selector=f"#{comment.get_attribute('id')}")
    page.goto(idea_url + "rueckmeldung/")
    shoot(page, out, "dialogue-rueckmeldung")

    # The back office: the module with its phases, then the set-up page of the dialogue.
    page.goto(f"{base}/verwaltung/{ORG}/projekte/")
    href = page.get_by_role("link", name=SCHOOL_TITLE, exact=True).get_attribute("href")
    project_pk = href.rstrip("/").rsplit("/", 1)[-1]
    page.set_viewport_size({**VIEWPORT, "height": TALL})
    page.goto(f"{base}/verwaltung/{ORG}/projekte/{project_pk}/module/")
    shoot(page, out, "dialogue-module-phasen")
    page.goto(setup_url(page, base, ORG, SCHOOL_TITLE))
    shoot(page, out, "dialogue-einrichten")
    page.goto(setup_url(page, base, ORG, DEBATE_TITLE))
    shoot(page, out, "dialogue-einrichten-themen", selector="#items-title")
    staff.close()

    # The draft statute belongs to the Ortsgemeinde: its admin adds chapters.
    municipality = context(browser, viewport={**VIEWPORT, "height": TALL})
    page = municipality.new_page()
    log_in(page, base, MUNICIPALITY_ADMIN, env)
    page.goto(setup_url(page, base, CEMETERY[0], CEMETERY_TITLE))
    shoot(page, out, "dialogue-einrichten-text", selector="#chapters-title")
    municipality.close()


def setup_url(page: Any, base: str, org: str, title: str) -> str:
    """The back-office set-up page of a project's dialogue, reached through its "Module und Phasen" tab."""
    page.goto(f"{base}/verwaltung/{org}/projekte/")
    href = page.get_by_role("link", name=title, exact=True).get_attribute("href")
    page.goto(base + href.rstrip("/") + "/module/")
    return base + page.get_by_role("link", name="Modul einrichten").first.get_attribute("href")


def take(base: str, env: dict[str, str], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--lang=de-DE"], headless=True
        )
        try:
            paths = take_participant(browser, base, out)
            take_staff(browser, base, env, out, paths)
        finally:
            browser.close()


def main() -> None:
    run_cli(take, __doc__)


if __name__ == "__main__":
    main()
