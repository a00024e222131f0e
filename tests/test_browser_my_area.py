"""Browser journeys for what the module contract brings together: the staff overview and Mein Bereich.

Every page reached is checked with axe-core (see ``browser.py``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.dialogue.models import Blueprint
from mitwirken.formal import evaluation
from mitwirken.projects.models import Invitation
from mitwirken.reports.models import CategoryTemplate, OrganisationCategory, Report, ReportStatus

from .dialogue_fixtures import make_dialogue
from .dialogue_helpers import bulk_ideas
from .factories import PASSWORD
from .formal_fixtures import make_procedure
from .test_browser_formal import fill_address, submit_as

if TYPE_CHECKING:
    from .browser import Browse

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def waiting_work(world: Any) -> dict[str, Any]:
    """One piece of every kind of waiting work in the case worker's organisation."""
    case_worker = world.personas["case_worker"]
    today = timezone.localdate()
    procedure = make_procedure(case_worker, world.public, first_day=today - timedelta(days=20),
                               last_day=today + timedelta(days=3))  # fmt: skip
    track = procedure.rounds.get().tracks.get()
    unassigned = submit_as(world.personas["citizen"], track, "Bitte den Lärmschutz prüfen.")
    mine = submit_as(world.personas["invited"], track, "Der Radweg fehlt im Plan.")
    evaluation.statements_assign(actor=case_worker, procedure=procedure, statement_ids=[mine.pk], assignee=case_worker)
    category = CategoryTemplate.objects.create(code="schlagloch", name="Schlagloch")
    report = Report.objects.create(organisation=world.organisation, category=category, lon=7.6, lat=50.0,
                                   description="Tiefes Schlagloch vor der Schule", status=ReportStatus.OPEN,
                                   created_at=timezone.now() - timedelta(days=9),
                                   updated_at=timezone.now() - timedelta(days=9))  # fmt: skip
    dialogue = make_dialogue(world.public, Blueprint.BRAINSTORMING)
    idea = bulk_ideas(dialogue, 1, [world.personas["citizen"]], approved=False)[0]
    invitation = Invitation.objects.create(project=world.public, email="noch-offen@example.org", role="participant",
                                           expires_at=timezone.now() + timedelta(days=20))  # fmt: skip
    return {"procedure": procedure, "unassigned": unassigned, "mine": mine, "report": report, "idea": idea,
            "invitation": invitation}  # fmt: skip


def test_case_worker_reaches_every_kind_of_waiting_work_in_one_click(tab: Browse, world: Any, waiting_work: Any):
    page = tab.page
    tab.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    overview = f"/verwaltung/{world.organisation.slug}/"
    tab.open(overview)
    assert page.get_by_role("heading", level=1).inner_text() == "Was wartet"

    def follow(link_text: str) -> str:
        tab.open(overview)
        tab.click(page.locator(".work-list a").filter(has_text=link_text).first)
        return page.locator("main").inner_text()

    text = follow("ohne Zuständigkeit")
    assert waiting_work["unassigned"].reference in text and waiting_work["mine"].reference not in text
    text = follow("mir zugewiesen")
    assert waiting_work["mine"].reference in text and waiting_work["unassigned"].reference not in text
    text = follow("Frist bis einschließlich")
    assert "Raumordnungsverfahren" in text
    text = follow("über der Antwortfrist")
    assert "Tiefes Schlagloch" in text
    text = follow("Moderation")
    assert waiting_work["idea"].title in text
    text = follow("Einladung nicht angenommen")
    assert "noch-offen@example.org" in text


def test_staff_overview_on_a_phone_without_sideways_scrolling(new_tab: Any, world: Any, waiting_work: Any):
    tab = new_tab(phone=True)
    tab.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    tab.open(f"/verwaltung/{world.organisation.slug}/")
    assert tab.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert tab.page.locator(".work-list a").count() >= 6


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north],
                                                [west, south]]]}  # fmt: skip


@pytest.fixture
def three_ways_in(world: Any) -> dict[str, Any]:
    """A running formal procedure and a running idea collection in the public project, and a Mängelmelder."""
    world.organisation.boundary = box(7.4, 49.8, 7.8, 50.2)  # set by the portal administrators
    world.organisation.save()
    category = CategoryTemplate.objects.create(code="strassenbeleuchtung", name="Straßenbeleuchtung")
    OrganisationCategory.objects.create(organisation=world.organisation, template=category)
    procedure = make_procedure(world.personas["case_worker"], world.public)
    dialogue = make_dialogue(world.public, Blueprint.BRAINSTORMING)
    citizen = world.personas["citizen"]
    citizen.date_joined = timezone.now() - timedelta(days=30)  # established: no proof of work for ideas
    citizen.save(update_fields=["date_joined"])
    return {"procedure": procedure, "dialogue": dialogue, "citizen": citizen}


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_citizen_finds_statement_report_and_idea_in_mein_bereich(
    new_tab: Any, world: Any, three_ways_in: Any, phone: bool
) -> None:
    from pathlib import Path

    from mitwirken.formal.models import Statement
    from mitwirken.reports import services as report_services

    tab: Browse = new_tab(phone=phone)
    page = tab.page
    citizen = three_ways_in["citizen"]
    tab.log_in(citizen.email, PASSWORD)

    # 1. A statement in the formal procedure.
    procedure = three_ways_in["procedure"]
    tab.open(procedure.module.get_absolute_url())
    tab.click(page.get_by_role("link", name="Stellungnahme abgeben"))
    page.get_by_label("Ihre Stellungnahme").fill("Die Ortsumgehung zerschneidet den Wald.")
    fill_address(page)
    tab.click(page.get_by_role("button", name="Weiter zur Prüfung"))
    tab.click(page.get_by_role("button", name="Verbindlich abgeben"))
    statement = Statement.objects.get(author=citizen)

    # 2. A defect report, placed by its coordinates.
    tab.open("/maengelmelder/melden/")
    page.get_by_label("Was ist das Problem?").select_option(label="Straßenbeleuchtung")
    page.get_by_label("Breite (z. B. 50.05)").fill("50.0")
    page.get_by_label("Länge (z. B. 7.60)").fill("7.6")
    tab.click(page.get_by_role("button", name="Weiter"))
    page.get_by_label("Beschreibung").fill("Die Laterne vor Haus 12 ist dunkel.")
    tab.click(page.get_by_role("button", name="Meldung absenden"))
    report = Report.objects.get(reporter=citizen)
    assert report.status == ReportStatus.OPEN

    # 3. An idea in the dialogue.
    tab.open(three_ways_in["dialogue"].get_absolute_url())
    tab.click(page.get_by_role("link", name="Idee einreichen"))
    page.get_by_label("Titel").fill("Mehr Bänke im Park")
    page.get_by_label("Beschreibung").fill("Im Stadtpark fehlen Bänke im Schatten.")
    tab.click(page.get_by_role("button", name="Idee veröffentlichen"))

    # All three in Mein Bereich, reached from the main navigation.
    tab.open("/")
    if phone and not page.get_by_role("link", name="Mein Bereich").is_visible():
        page.get_by_role("button", name="Menü").click()
    tab.click(page.get_by_role("link", name="Mein Bereich"))
    main = page.locator("main")
    assert statement.reference in main.inner_text()
    assert f"Meldung Nr. {report.pk}" in main.inner_text()
    assert "Mehr Bänke im Park" in main.inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Eingangsbestätigung {statement.reference} als PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # The authority marks the report as fixed; the citizen confirms it from Mein Bereich.
    report_services.report_change_status(actor=world.personas["case_worker"], report=report, status=ReportStatus.FIXED,
                                         message="Die Laterne ist repariert.")  # fmt: skip
    tab.open("/konto/")
    assert "Die Laterne ist repariert." in page.locator("main").inner_text()
    tab.click(page.get_by_role("button", name="Ja, behoben"))
    report.refresh_from_db()
    assert report.fix_confirmed_at is not None
    assert page.get_by_text("bestätigt, dass das Problem behoben ist").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
