"""Browser journeys of staff setting up projects and reading the log (issue #14): the address proposed from
the title, the checklist before publishing, editing and deleting a phase, the audit log with filter and export."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.core.models import AuditEntry
from mitwirken.projects.models import Phase, Project
from mitwirken.reports.models import ReportStatus

from .factories import PASSWORD, ModuleFactory, PhaseFactory, ProjectFactory

if TYPE_CHECKING:
    from .browser import Browse

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(tab: Browse, world: Any, persona: str = "case_worker") -> None:
    tab.log_in(world.personas[persona].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)


def test_the_address_is_proposed_while_typing_the_title(tab: Browse, world: Any) -> None:
    page = tab.page
    _log_in(tab, world)
    tab.open(f"/verwaltung/{world.organisation.slug}/projekte/neu/")
    page.get_by_label("Titel").press_sequentially("Spielplatz am Märchenbrunnen")
    assert page.get_by_label("Kurzbezeichnung").input_value() == "spielplatz-am-maerchenbrunnen"
    page.get_by_label("Kurzbezeichnung").fill("spielplatz")
    page.get_by_label("Titel").press("End")
    page.get_by_label("Titel").press_sequentially(" Süd")
    assert page.get_by_label("Kurzbezeichnung").input_value() == "spielplatz", "edited by hand: left alone"
    page.get_by_label("Kurzbeschreibung").fill("Wie soll er aussehen?")
    page.get_by_label("Öffentlich", exact=True).check()
    tab.click(page.get_by_role("button", name="Projekt anlegen"))
    assert Project.objects.get(title="Spielplatz am Märchenbrunnen Süd").slug == "spielplatz"


def test_publishing_shows_the_checklist_and_asks_for_confirmation(new_tab: Any, world: Any) -> None:
    project = ProjectFactory(organisation=world.organisation, slug="markt", title="Marktplatz", status="draft",
                             published_at=None, contact_email="")  # fmt: skip
    module = ModuleFactory(project=project, name="Infoseite")
    for tab in (new_tab(), new_tab(phone=True)):
        page = tab.page
        _log_in(tab, world)
        tab.open(f"/verwaltung/{world.organisation.slug}/projekte/{project.pk}/")
        tab.click(page.get_by_role("link", name="Veröffentlichen"))
        assert page.get_by_text("Modul „Infoseite“ hat Phasen mit Beginn und Ende", exact=True).is_visible()
        assert page.get_by_role("alert").filter(has_text="kann nicht veröffentlicht werden").is_visible()
        assert page.get_by_role("button", name="Ja, jetzt veröffentlichen").count() == 0
    PhaseFactory(module=module)
    tab.open(f"/verwaltung/{world.organisation.slug}/projekte/{project.pk}/veroeffentlichen/")
    assert page.get_by_text("Eine Ansprechperson ist angegeben", exact=True).is_visible()
    tab.click(page.get_by_role("button", name="Ja, jetzt veröffentlichen"))
    assert page.get_by_role("status").filter(has_text="Das Projekt ist veröffentlicht.").is_visible()
    project.refresh_from_db()
    assert project.status == "published"


def test_a_phase_is_edited_and_deleted(tab: Browse, world: Any) -> None:
    module = ModuleFactory(project=world.public, name="Zweites Modul")
    phase = PhaseFactory(module=module, name="Information")
    page = tab.page
    _log_in(tab, world)
    tab.open(f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/module/")
    tab.click(page.get_by_role("link", name="Bearbeiten Information").last)
    page.get_by_label("Name").fill("Auftakt")
    tab.click(page.get_by_role("button", name="Phase speichern"))
    phase.refresh_from_db()
    assert phase.name == "Auftakt"
    tab.click(page.get_by_role("link", name="Bearbeiten Auftakt"))
    tab.click(page.get_by_role("button", name="Phase löschen"))
    assert page.get_by_role("status").filter(has_text="Die Phase wurde gelöscht.").is_visible()
    assert not Phase.objects.filter(pk=phase.pk).exists()
    tab.click(page.get_by_role("link", name="Modul bearbeiten oder löschen – Zweites Modul"))
    tab.click(page.get_by_role("button", name="Modul endgültig löschen"))
    assert page.get_by_role("status").filter(has_text="Das Modul „Zweites Modul“ wurde gelöscht.").is_visible()


def test_the_audit_log_reads_filters_and_exports(tab: Browse, world: Any, tmp_path: Path) -> None:
    worker = world.personas["case_worker"]
    worker.real_name = "Erika Muster"
    worker.save()
    for number, actor in ((51, worker), (52, world.personas["org_admin"])):
        AuditEntry.objects.create(
            actor=actor, organisation=world.organisation, action="report.status", object_type="reports.report",
            object_id=str(number), object_repr=f"#{number}",
            changes={"status": [ReportStatus.OPEN.value, ReportStatus.IN_PROGRESS.value]},
        )  # fmt: skip
    page = tab.page
    page.set_viewport_size({"width": 1440, "height": 900})
    _log_in(tab, world, "org_admin")
    tab.open(f"/verwaltung/{world.organisation.slug}/protokoll/")
    sentence = (f"Status der Meldung #51 von „{ReportStatus.OPEN.label}“ auf „{ReportStatus.IN_PROGRESS.label}“ "
                "geändert von Erika Muster")  # fmt: skip
    assert page.get_by_text(sentence).is_visible()
    page.get_by_label("Person").select_option(label=str(worker))
    tab.click(page.get_by_role("button", name="Filtern"))
    assert page.get_by_role("heading", name="1 Eintrag").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Als CSV herunterladen (aktueller Filter)").click()
    target = tmp_path / "protokoll.csv"
    download.value.save_as(target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert [row[6] for row in rows[1:]] == [sentence]
