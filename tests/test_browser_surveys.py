"""Survey journeys in headless Chromium: the household survey on a phone, the same by keyboard alone, and a
personal code that saves, leaves and comes back in a fresh browser.

Every page reached is checked with axe-core and saved as a screenshot (see ``browser.py``). The public survey
asks anonymous respondents for a proof of work on its last page; the page's own solver
(static/js/proof-of-work.js) runs in the browser and the journeys wait for its status line before submitting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from mitwirken.surveys.models import Answer, Draft, Response, Token
from mitwirken.surveys.services import building

from .factories import UserFactory
from .survey_fixtures import make_survey

if TYPE_CHECKING:
    from .browser import Browse

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOLVED = "Sicherheitsprüfung abgeschlossen"


def household(project: Any, *, access: str = "public") -> Any:
    """The household survey of ``survey_fixtures`` with a scale that has labelled ends on its last page."""
    survey = make_survey(project, access=access)
    building.question_add(actor=UserFactory(is_superuser=True, is_staff=True), page=survey.pages.order_by("position").last(),
                          type="scale", code="zufriedenheit", text="Wie zufrieden sind Sie insgesamt mit dem Verkehr?",
                          config={"scale": "1-5", "low_label": "gar nicht zufrieden", "high_label": "sehr zufrieden"})  # fmt: skip
    return survey


def module_path(survey: Any, rest: str = "") -> str:
    module = survey.module
    return f"/{module.project.organisation.slug}/projekte/{module.project.slug}/{module.slug}/{rest}"


def fits_the_screen(tab: Browse) -> None:
    """Nothing is wider than the viewport: no sideways scrolling."""
    document, viewport = tab.page.evaluate(
        "() => [Math.max(document.documentElement.scrollWidth, document.body.scrollWidth), window.innerWidth]"
    )
    assert document <= viewport, f"{tab.path}: the page is {document}px wide on a {viewport}px screen"


def progress(tab: Browse) -> str:
    return tab.page.locator("#survey-progress-label").inner_text()


def ranking(tab: Browse) -> list[str]:
    return tab.page.locator(".survey-ranking__label").all_inner_texts()


def active(tab: Browse, expression: str) -> Any:
    """A JS expression about the focused element ``el``."""
    return tab.page.evaluate(f"(() => {{ const el = document.activeElement; return {expression}; }})()")


def focus_by_tab(tab: Browse, predicate: str, *, key: str = "Tab", limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until ``predicate`` (a JS expression about the focused element ``el``) holds."""
    for _ in range(limit):
        tab.page.keyboard.press(key)
        if active(tab, f"Boolean({predicate})"):
            return
    raise AssertionError(f"{key} never reached an element where {predicate}")


def press(tab: Browse, key: str) -> None:
    """Press a key that loads a new page (Enter on a link or a button), then check that page."""
    with tab.page.expect_navigation():
        tab.page.keyboard.press(key)
    tab.arrived()


def answers(response: Response) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for answer in Answer.objects.filter(response=response).select_related("question"):
        rows.setdefault(answer.question.code, []).append(answer)
    return rows


# --- 1. on a phone, anonymously: condition, matrix, ranking, scale -------------------------------------------


def test_respondent_answers_the_household_survey_on_a_phone(new_tab: Any, world: Any) -> None:
    survey = household(world.public)
    tab: Browse = new_tab(phone=True)
    page = tab.page
    tab.open(module_path(survey))
    fits_the_screen(tab)
    tab.click(page.get_by_role("link", name="Umfrage starten"))

    assert progress(tab) == "Seite 1 von 3"  # the bike page may still come: it depends on this page
    assert page.locator("progress").get_attribute("value") == "1"
    page.get_by_label("Sonstiges, und zwar:").fill("Lastenrad")
    assert page.get_by_label("Sonstiges", exact=True).is_checked()  # typing the answer chooses "Sonstiges"
    page.get_by_label("Fahrrad").check()  # changed her mind: the typed text is not kept without "Sonstiges"
    page.get_by_label("Wie viele Personen leben in Ihrem Haushalt?").fill("3")
    fits_the_screen(tab)
    tab.click(page.get_by_role("button", name="Weiter"))

    assert progress(tab) == "Seite 2 von 3"
    assert page.get_by_role("heading", name="Radverkehr").is_visible()
    # Row by row: each row is a group of its own with every answer labelled, and no heading row is shown.
    assert page.locator(".survey-matrix__head").is_hidden()
    innenstadt = page.get_by_role("group", name="Innenstadt")
    schulwege = page.get_by_role("group", name="Schulwege")
    box, next_box = innenstadt.bounding_box(), schulwege.bounding_box()
    assert box and next_box and next_box["y"] >= box["y"] + box["height"]  # stacked, not side by side
    radios = innenstadt.get_by_role("radio")
    first, last = radios.first.bounding_box(), radios.last.bounding_box()
    assert first and last and last["y"] > first["y"]  # the answers of a row stacked, too
    innenstadt.get_by_label("zufrieden", exact=True).check()
    schulwege.get_by_label("unzufrieden").check()
    page.get_by_label("Beleuchtung").check()
    fits_the_screen(tab)
    phone = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})  # the narrowest screen WCAG asks to reflow for
    fits_the_screen(tab)
    page.set_viewport_size(phone)
    tab.click(page.get_by_role("button", name="Weiter"))

    assert progress(tab) == "Seite 3 von 3"
    assert ranking(tab) == ["Sicherheit", "Schnelligkeit", "Kosten"]
    page.get_by_role("button", name="nach oben: Kosten").click()  # moved at once, without a reload
    assert ranking(tab) == ["Sicherheit", "Kosten", "Schnelligkeit"]
    page.get_by_role("button", name="nach unten: Sicherheit").click()
    assert ranking(tab) == ["Kosten", "Sicherheit", "Schnelligkeit"]
    assert page.get_by_role("button", name="nach oben: Kosten").is_disabled()
    page.get_by_label("Und zum Radverkehr?").fill("Mehr Bügel am Bahnhof")
    page.get_by_label("2", exact=True).check()
    assert page.get_by_label("1 (gar nicht zufrieden)").is_visible()  # the scale's ends are labelled
    fits_the_screen(tab)
    page.get_by_text(SOLVED).wait_for()
    tab.screenshot()
    tab.click(page.get_by_role("button", name="Antworten absenden"))

    assert tab.path == module_path(survey, "danke/")
    assert page.get_by_role("heading", level=1).inner_text() == "Vielen Dank!"
    fits_the_screen(tab)
    stored = answers(Response.objects.get())
    assert [answer.choice for answer in sorted(stored["prioritaeten"], key=lambda a: a.number)] == [
        "kosten", "sicherheit", "tempo",
    ]  # fmt: skip
    assert {(answer.row, answer.choice) for answer in stored["radwege"]} == {("innenstadt", "2"), ("schulwege", "3")}
    assert stored["rad_anmerkung"][0].text == "Mehr Bügel am Bahnhof"
    assert (stored["verkehrsmittel"][0].choice, stored["verkehrsmittel"][0].text) == ("rad", "")
    assert not Draft.objects.exists()
    # Once per browser: the start page now says so.
    tab.open(module_path(survey))
    assert page.get_by_text("bereits beantwortet").is_visible()


# --- 2. the same by keyboard alone, on a desktop ---------------------------------------------------------------


def test_the_same_survey_by_keyboard_alone(tab: Browse, world: Any) -> None:
    survey = household(world.public)
    page = tab.page
    tab.open(module_path(survey))
    focus_by_tab(tab, "el.textContent.trim() === 'Umfrage starten'")
    press(tab, "Enter")

    # Sending an empty page: the error summary takes the focus and its links lead to the questions.
    focus_by_tab(tab, "el.type === 'submit' && el.textContent.trim() === 'Weiter'")
    press(tab, "Enter")
    assert page.title().startswith("Fehler:")
    assert active(tab, "el.classList.contains('error-summary')")
    page.keyboard.press("Tab")
    assert active(tab, "el.textContent").startswith("Wie kommen Sie meistens zur Arbeit?")
    page.keyboard.press("Enter")
    assert active(tab, "el.id") == "frage-verkehrsmittel"
    page.keyboard.press("Tab")
    assert active(tab, "el.labels[0].textContent") == "Auto"
    page.keyboard.press("ArrowDown")  # arrow keys move within the group and choose
    assert active(tab, "el.labels[0].textContent") == "Fahrrad" and active(tab, "el.checked")
    page.keyboard.press("Tab")
    assert active(tab, "el.id") == "q-verkehrsmittel-other"  # the group is one stop; "Sonstiges" text next
    page.keyboard.press("Tab")
    assert active(tab, "el.id") == "q-personen"
    page.keyboard.type("4")
    press(tab, "Enter")  # Enter in a text field means "Weiter"

    assert progress(tab) == "Seite 2 von 3"
    focus_by_tab(tab, "el.name === 'q-radwege-innenstadt'")
    page.keyboard.press("Space")
    assert active(tab, "el.checked && el.labels[0].textContent === 'sehr zufrieden'")
    page.keyboard.press("Tab")
    assert active(tab, "el.name") == "q-radwege-schulwege"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert active(tab, "el.checked && el.labels[0].textContent === 'unzufrieden'")
    focus_by_tab(tab, "el.labels && el.labels[0] && el.labels[0].textContent === 'Breitere Wege'")
    page.keyboard.press("Space")
    focus_by_tab(tab, "el.textContent.trim() === 'Weiter'")
    page.keyboard.press("Shift+Tab")
    assert active(tab, "el.textContent.trim()") == "Zurück"  # the order on screen is the order of the keys
    page.keyboard.press("Tab")
    press(tab, "Enter")

    assert progress(tab) == "Seite 3 von 3"
    focus_by_tab(tab, "el.id === 'q-prioritaeten-kosten-hoch'")
    page.keyboard.press("Enter")
    assert ranking(tab) == ["Sicherheit", "Kosten", "Schnelligkeit"]
    assert active(tab, "el.id") == "q-prioritaeten-kosten-hoch"  # the focus moved with the item
    status = page.locator("#q-prioritaeten-status")
    assert status.inner_text() == "Kosten steht jetzt auf Platz 2 von 3."
    page.keyboard.press("Enter")
    assert ranking(tab) == ["Kosten", "Sicherheit", "Schnelligkeit"]
    assert active(tab, "el.id") == "q-prioritaeten-kosten-runter"  # "nach oben" is disabled at the top
    assert status.inner_text() == "Kosten steht jetzt auf Platz 1 von 3."
    focus_by_tab(tab, "el.id === 'q-anmerkungen'")
    page.keyboard.type("Danke für die Umfrage.")
    focus_by_tab(tab, "el.name === 'q-zufriedenheit'")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert active(tab, "el.checked && el.value") == "4"
    page.get_by_text(SOLVED).wait_for()
    focus_by_tab(tab, "el.textContent.trim() === 'Antworten absenden'")
    press(tab, "Enter")

    assert tab.path == module_path(survey, "danke/")
    stored = answers(Response.objects.get())
    assert [answer.choice for answer in sorted(stored["prioritaeten"], key=lambda a: a.number)] == [
        "kosten", "sicherheit", "tempo",
    ]  # fmt: skip
    assert {(answer.row, answer.choice) for answer in stored["radwege"]} == {("innenstadt", "1"), ("schulwege", "3")}
    assert [answer.choice for answer in stored["wuensche"]] == ["breite"]
    assert stored["zufriedenheit"][0].number == 4


# --- 3. a personal code: save, close the browser, come back with the link -------------------------------------


def test_token_respondent_saves_and_resumes_in_a_new_browser(new_tab: Any, world: Any) -> None:
    import re

    from django.core import mail

    from mitwirken.surveys.services import tokens

    survey = household(world.public, access="token")
    token = Token.objects.create(survey=survey, email="haushalt@example.org")
    tokens.invitations_send(actor=world.personas["org_admin"], survey=survey)
    [invitation] = [message for message in mail.outbox if message.to == ["haushalt@example.org"]]
    # The personal link as the invitation e-mail carries it (the site's address is cut off for the test server).
    link = re.search(r"https?://[^/\s]+(/\S+/zugang/\S+/)", invitation.body).group(1)
    assert link == module_path(survey, f"zugang/{token.code}/")

    first: Browse = new_tab()
    first.page.route("**/js/surveys.js", lambda route: route.abort())  # the ranking as without JavaScript
    first.open(link)
    first.click(first.page.get_by_role("button", name="Umfrage beginnen oder fortsetzen"))
    assert progress(first) == "Seite 1 von 3"
    first.page.get_by_label("Sonstiges", exact=True).check()
    first.page.get_by_label("Sonstiges, und zwar:").fill("Lastenrad")
    first.page.get_by_label("Wie viele Personen leben in Ihrem Haushalt?").fill("2")
    first.click(first.page.get_by_role("button", name="Speichern und später fortsetzen"))
    assert first.path == module_path(survey)
    assert first.page.get_by_role("status").get_by_text("Ihre Antworten sind gespeichert.").is_visible()
    assert first.page.get_by_role("link", name="Umfrage fortsetzen").is_visible()
    first.page.context.close()

    again: Browse = new_tab()
    again.page.route("**/js/surveys.js", lambda route: route.abort())
    again.open(link)  # the same e-mailed link, in a new browser
    again.click(again.page.get_by_role("button", name="Umfrage beginnen oder fortsetzen"))
    assert again.path == module_path(survey, "seite/1/")  # where they stopped, with their answers
    assert again.page.get_by_label("Sonstiges", exact=True).is_checked()
    assert again.page.get_by_label("Sonstiges, und zwar:").input_value() == "Lastenrad"
    assert again.page.get_by_label("Wie viele Personen leben in Ihrem Haushalt?").input_value() == "2"
    again.click(again.page.get_by_role("button", name="Weiter"))

    assert progress(again) == "Seite 2 von 2"  # no bike page for a cargo bike written in by hand
    # Without JavaScript a move is a round trip; the page comes back with the focus on the moved item's button.
    again.click(again.page.get_by_role("button", name="nach unten: Sicherheit"))
    assert ranking(again) == ["Schnelligkeit", "Sicherheit", "Kosten"]
    assert active(again, "el.id") == "q-prioritaeten-sicherheit-runter"
    again.click(again.page.get_by_role("button", name="nach unten: Sicherheit"))
    assert ranking(again) == ["Schnelligkeit", "Kosten", "Sicherheit"]
    assert active(again, "el.id") == "q-prioritaeten-sicherheit-hoch"  # at the bottom "nach unten" is disabled
    again.click(again.page.get_by_role("button", name="Antworten absenden"))

    assert again.path == module_path(survey, "danke/")
    token.refresh_from_db()
    assert token.used
    stored = answers(Response.objects.get())
    assert (stored["verkehrsmittel"][0].choice, stored["verkehrsmittel"][0].text) == ("_other", "Lastenrad")
    assert [answer.choice for answer in sorted(stored["prioritaeten"], key=lambda a: a.number)] == [
        "tempo", "kosten", "sicherheit",
    ]  # fmt: skip
