"""The staff side of a survey in headless Chromium: an org admin with a second factor adds a survey module to a
project, builds two pages (the second shown only to cyclists), tries the condition in the preview and reorders
questions by keyboard; a citizen answers in a browser of their own; the admin sees the response in the results.

Every page reached is checked with axe-core and saved as a screenshot (see ``browser.py``).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.surveys.models import Answer, Question, Response, Survey

from .factories import PASSWORD
from .test_browser_surveys import SOLVED, active, focus_by_tab, press, progress

if TYPE_CHECKING:
    from .browser import Browse

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MODULE = "Mobilität im Landkreis"
COMMUTE = "Wie kommen Sie zur Arbeit?"
DISTANCE = "Wie weit ist Ihr Weg zur Arbeit?"
CYCLING = "Was würde Ihnen das Radfahren erleichtern?"


def local_input(moment: Any) -> str:
    """A moment as a ``datetime-local`` input value in German time, e.g. ``2026-12-01T09:00``."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def status(tab: Browse, text: str) -> Any:
    return tab.page.get_by_role("status").filter(has_text=text)


def field(tab: Browse, label: str) -> Any:
    """A form field by its label, which says "– optional" after the name of optional fields."""
    return tab.page.get_by_label(re.compile(f"^{re.escape(label)}( – optional)?$"))


def add_question(tab: Browse, page_number: int, question_type: str, fill: dict[str, str]) -> None:
    """From the builder: "Frage auf Seite n hinzufügen", choose the type, fill in the form, save."""
    page = tab.page
    tab.click(page.get_by_role("link", name=f"Frage auf Seite {page_number} hinzufügen"))
    page.get_by_label(question_type, exact=True).check()
    tab.click(page.get_by_role("button", name="Weiter"))
    assert page.get_by_role("heading", name=f"Frage hinzufügen: {question_type}").is_visible()
    for label, value in fill.items():
        field(tab, label).fill(value)
    tab.click(page.get_by_role("button", name="Frage speichern"))
    assert status(tab, "Die Frage ist angelegt.").is_visible()


def question_texts(tab: Browse, page_number: int) -> list[str]:
    section = tab.page.locator("section.survey-builder-page").nth(page_number - 1)
    return section.locator("li[id^='frage-'] strong").all_inner_texts()


def test_staff_build_a_survey_preview_it_and_read_the_results(new_tab: Any, world: Any) -> None:
    project = world.public
    admin = world.personas["org_admin"]
    staff: Browse = new_tab()
    page = staff.page
    staff.log_in(admin.email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)

    # --- the module and its running phase ---------------------------------------------------------------------
    staff.open(f"/verwaltung/{project.organisation.slug}/projekte/{project.pk}/")
    staff.click(page.get_by_role("link", name="Module und Phasen"))
    page.get_by_label("Modultyp").select_option(label="Umfrage")
    page.get_by_label("Name").fill(MODULE)
    staff.click(page.get_by_role("button", name="Modul anlegen"))
    assert page.get_by_role("heading", name=re.compile("Neue Phase")).is_visible()
    page.get_by_label("Phasentyp").select_option(label="Befragung läuft")
    page.get_by_label("Name").fill("Befragung läuft")
    now = timezone.now()
    page.get_by_label("Beginn").fill(local_input(now - timedelta(hours=1)))
    page.get_by_label("Letzter Tag").fill((timezone.localtime(now) + timedelta(days=28)).date().isoformat())
    staff.click(page.get_by_role("button", name="Phase speichern"))
    assert status(staff, "Die Phase ist gespeichert").is_visible()
    module = project.modules.get(module_type="survey")
    assert module.phases.get().phase_type == "respond"

    # --- the builder: page 1 with a single choice and a number ------------------------------------------------
    staff.click(page.get_by_role("link", name=f"Modul einrichten – {MODULE}"))
    assert page.get_by_role("heading", name=f"Umfrage „{MODULE}“").is_visible()
    assert page.get_by_text("Die Umfrage hat noch keine Seiten.").is_visible()
    staff.click(page.get_by_role("link", name="Seite hinzufügen"))
    field(staff, "Titel der Seite").fill("Ihr Weg")
    staff.click(page.get_by_role("button", name="Seite speichern"))
    assert status(staff, "Die Seite ist angelegt.").is_visible()
    add_question(staff, 1, "Einfachauswahl", {
        "Frage": COMMUTE, "Kürzel": "weg", "Antwortmöglichkeiten": "auto = Auto\nrad = Fahrrad\nbus = Bus und Bahn",
    })  # fmt: skip
    add_question(staff, 1, "Zahl", {"Frage": DISTANCE, "Kürzel": "entfernung", "Einheit": "km"})
    assert question_texts(staff, 1) == [COMMUTE, DISTANCE]

    # --- reordering by keyboard: the focus stays on the button that was pressed -------------------------------
    distance = Question.objects.get(code="entfernung").pk
    focus_by_tab(staff, f"el.id === 'frage-{distance}-hoch'", limit=120)
    press(staff, "Enter")
    assert status(staff, "Die Frage ist verschoben.").is_visible()
    assert question_texts(staff, 1) == [DISTANCE, COMMUTE]
    assert active(staff, "el.id") == f"frage-{distance}-hoch"
    page.keyboard.press("Tab")  # the next button of the same question
    assert active(staff, "el.id") == f"frage-{distance}-runter"
    press(staff, "Enter")
    assert question_texts(staff, 1) == [COMMUTE, DISTANCE]
    assert active(staff, "el.id") == f"frage-{distance}-runter"

    # --- page 2, only for cyclists, with a text question ------------------------------------------------------
    staff.click(page.get_by_role("link", name="Seite hinzufügen"))
    field(staff, "Titel der Seite").fill("Radverkehr")
    field(staff, "Regel 1: Frage").select_option(label=f"weg: {COMMUTE}")
    field(staff, "Regel 1: Vergleich").select_option(label="ist gleich")
    field(staff, "Regel 1: Wert").fill("rad")
    staff.click(page.get_by_role("button", name="Seite speichern"))
    assert status(staff, "Die Seite ist angelegt.").is_visible()
    page_two = page.locator("section.survey-builder-page").nth(1)
    assert "Nur gezeigt, wenn:" in page_two.inner_text()
    add_question(staff, 2, "Langer Text", {"Frage": CYCLING, "Kürzel": "rad_wunsch"})
    # Moving the bike page first would leave its condition naming a later question: refused, focus kept.
    bike_page = module.survey.pages.get(title="Radverkehr").pk
    focus_by_tab(staff, f"el.id === 'seite-{bike_page}-hoch'", limit=120)
    press(staff, "Enter")
    assert page.get_by_text("Das geht nicht: Die Bedingung von Seite 1 „Radverkehr“").is_visible()
    assert page.locator("section.survey-builder-page h4").all_inner_texts() == [
        "Seite 1: Ihr Weg",
        "Seite 2: Radverkehr",
    ]
    assert active(staff, "el.id") == f"seite-{bike_page}-hoch"
    survey = Survey.objects.get(module=module)
    assert survey.pages.order_by("position").last().condition == {"question": "weg", "op": "equals", "value": "rad"}
    assert list(Question.objects.filter(survey=survey).order_by("page__position", "position")
                .values_list("code", flat=True)) == ["weg", "entfernung", "rad_wunsch"]  # fmt: skip

    # --- the preview: by car, page 2 is skipped; by bike, it is shown ------------------------------------------
    staff.click(page.get_by_role("link", name="Vorschau"))
    assert page.get_by_text("Vorschau: So sehen Teilnehmende diese Seite.").is_visible()
    assert progress(staff) == "Seite 1 von 2"  # nothing chosen yet: the bike page may still come
    page.get_by_label("Auto").check()
    staff.click(page.locator("form.survey-form .survey-buttons .kern-btn--primary"))
    assert status(staff, "Ende der Vorschau.").is_visible()  # straight to the end: page 2 was skipped
    staff.click(page.get_by_role("link", name="Vorschau"))
    page.get_by_label("Fahrrad").check()
    staff.click(page.locator("form.survey-form .survey-buttons .kern-btn--primary"))
    assert progress(staff) == "Seite 2 von 2"
    assert page.get_by_role("heading", name="Radverkehr").is_visible()
    assert page.get_by_label(CYCLING).is_visible()
    staff.click(page.get_by_role("button", name="Zurück"))
    assert progress(staff) == "Seite 1 von 2"
    assert page.get_by_label("Fahrrad").is_checked()  # the preview keeps its answers in the session only
    assert not Response.objects.exists() and not survey.drafts.exists()

    # --- a citizen answers on the public page -----------------------------------------------------------------
    citizen: Browse = new_tab()
    public = module.get_absolute_url()
    citizen.open(public)
    assert citizen.page.get_by_text("Diese Umfrage ist anonym.").is_visible()
    citizen.click(citizen.page.get_by_role("link", name="Umfrage starten"))
    citizen.page.get_by_label("Fahrrad").check()
    citizen.page.get_by_label(DISTANCE).fill("7")
    citizen.click(citizen.page.locator("form.survey-form .survey-buttons .kern-btn--primary"))
    assert progress(citizen) == "Seite 2 von 2"
    citizen.page.get_by_label(CYCLING).fill("Ein sicherer Radweg an der Kreisstraße.")
    citizen.page.get_by_text(SOLVED).wait_for()
    citizen.click(citizen.page.get_by_role("button", name="Antworten absenden"))
    assert citizen.page.get_by_role("heading", level=1).inner_text() == "Vielen Dank!"
    response = Response.objects.get()
    assert {answer.question.code: answer.choice or answer.text or answer.number
            for answer in Answer.objects.filter(response=response).select_related("question")} == {
        "weg": "rad", "entfernung": 7, "rad_wunsch": "Ein sicherer Radweg an der Kreisstraße.",
    }  # fmt: skip

    # --- the results ------------------------------------------------------------------------------------------
    staff.open(f"/verwaltung/{project.organisation.slug}/projekte/{project.pk}/umfrage/{module.pk}/")
    assert page.get_by_text("Abgegebene Antworten: 1").is_visible()
    staff.click(page.get_by_role("link", name="Ergebnisse und Export"))
    assert page.get_by_role("status").filter(has_text="1 abgeschickter Antwortbogen.").is_visible()
    table = page.get_by_role("table", name=f"Antworten auf: {COMMUTE}")
    assert table.get_by_role("row", name=re.compile(r"^Fahrrad 1 100,0 %")).is_visible()
    assert table.get_by_role("row", name=re.compile(r"^Auto 0 0,0 %")).is_visible()
    # Cross-tabulation: only the cyclists' answer sheets, then the other questions for them.
    page.get_by_label("Nur Antwortbögen mit dieser Antwort").select_option(label="Fahrrad")
    staff.click(page.get_by_role("button", name="Filter anwenden"))
    assert page.get_by_role("status").filter(has_text="1 Antwortbogen entspricht dem Filter.").is_visible()
    page.get_by_label("Nur Antwortbögen mit dieser Antwort").select_option(label="Auto")
    staff.click(page.get_by_role("button", name="Filter anwenden"))
    assert page.get_by_role("status").filter(has_text="0 Antwortbögen entsprechen dem Filter.").is_visible()
