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
from mitwirken.reports.models import CategoryTemplate, Report, ReportStatus

from .dialogue_fixtures import make_dialogue
from .dialogue_helpers import bulk_ideas
from .factories import PASSWORD
from .formal_fixtures import make_procedure
from .test_browser_formal import submit_as

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
                                   created_at=timezone.now() - timedelta(days=9))  # fmt: skip
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
    text = follow("Frist endet am")
    assert "Raumordnungsverfahren" in text
    text = follow("Tagen offen")
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
