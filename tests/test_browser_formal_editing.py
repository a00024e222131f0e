"""Browser journeys for editing a formal procedure (issue #14): a period with a reason (on the phone),
a new document version, the Abwägung page keeping unsaved text, the unsaved-changes warning, and the
explicit publication of the Abwägung. Every page is checked with axe-core (see ``browser.py``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.core.models import AuditEntry
from mitwirken.formal import evaluation, grouping, services
from mitwirken.formal.models import Document, Segment, StatementStatus, Track
from mitwirken.projects.models import Phase

from .factories import PASSWORD
from .formal_fixtures import PDF, make_procedure, pdf_upload
from .test_browser_formal import backoffice_base, public_base, submit_as

if TYPE_CHECKING:
    from .browser import Browse

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TEXT = "Erstens ist die Trasse zu laut. Zweitens sind die Kosten zu hoch."


@pytest.fixture
def procedure(world: Any) -> Any:
    return make_procedure(world.personas["case_worker"], world.public)


def staff_tab(new_tab: Any, world: Any, *, phone: bool = False) -> Browse:
    tab = new_tab(phone=phone)
    tab.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    return tab


def test_case_worker_shortens_a_running_period_with_a_reason_on_the_phone(
    new_tab: Any, world: Any, procedure: Any
) -> None:
    track = procedure.rounds.get().tracks.get()
    submit_as(world.personas["citizen"], track)
    tab = staff_tab(new_tab, world, phone=True)
    page = tab.page
    tab.open(backoffice_base(procedure))
    tab.click(page.get_by_role("link", name="Frist bearbeiten").first)
    assert "1 Stellungnahmen" in page.locator("main").inner_text()
    shorter = Track.objects.with_phase().get(pk=track.pk).last_day - timedelta(days=5)
    page.get_by_label("Letzter Tag der Frist").fill(shorter.isoformat())
    tab.click(page.get_by_role("button", name="Frist speichern"))
    # Refused without a reason, explained next to the field; nothing changed.
    assert page.locator(".error-summary").is_visible()
    assert "begründen" in page.locator("main").inner_text()
    assert Track.objects.with_phase().get(pk=track.pk).last_day != shorter
    page.get_by_label("Begründung der Änderung").fill("Der Erörterungstermin wurde vorgezogen.")
    tab.click(page.get_by_role("button", name="Frist speichern"))
    assert Track.objects.with_phase().get(pk=track.pk).last_day == shorter
    main = page.locator("main").inner_text()
    assert "Neue Bekanntmachung erforderlich" in main
    assert AuditEntry.objects.filter(action="track.change").get().changes["reason"] == (
        "Der Erörterungstermin wurde vorgezogen."
    )
    # No sideways scrolling on the phone.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_case_worker_replaces_a_document_with_a_new_version(
    tab: Browse, world: Any, procedure: Any, tmp_path: Path
) -> None:
    track = procedure.rounds.get().tracks.get()
    old = services.document_add(actor=world.personas["case_worker"], procedure=procedure, track=track,
                                title="Planentwurf", upload=pdf_upload(), sections="1 Einleitung\n2 Trasse")  # fmt: skip
    submit_as(world.personas["citizen"], track)
    new_file = tmp_path / "planentwurf-2.pdf"
    new_file.write_bytes(PDF.replace(b"trailer", b"%v2\ntrailer"))
    page = tab.page
    tab.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    tab.open(backoffice_base(procedure) + "unterlagen/")
    tab.click(page.get_by_role("link", name="Planentwurf"))
    page.get_by_label("Neue Fassung (Datei)").set_input_files(new_file)
    tab.click(page.get_by_role("button", name="Neue Fassung hochladen"))
    assert "Was hat sich geändert?" in page.locator(".error-summary").inner_text()  # public + statements: a reason
    page.get_by_label("Neue Fassung (Datei)").set_input_files(new_file)
    page.get_by_label("Was hat sich geändert?").fill("Trasse im Abschnitt 2 nach Norden verschoben.")
    tab.click(page.get_by_role("button", name="Neue Fassung hochladen"))
    assert "2. Fassung ist hochgeladen" in page.locator("main").inner_text()
    assert "Erneute Beteiligung erforderlich" in page.locator("main").inner_text()
    current = Document.objects.current().get(procedure=procedure)
    assert current.version == 2 and Document.objects.get(pk=old.pk).superseded_by_id == current.pk

    visitor = tab  # the staff member looks at the public page too
    visitor.open(public_base(procedure))
    page.get_by_text("Frühere Fassungen und zurückgezogene Unterlagen").click()
    old_link = page.get_by_role("link", name="Planentwurf (1. Fassung)")
    assert old_link.is_visible()
    with page.expect_download() as download:
        old_link.click()
    assert Path(download.value.path()).read_bytes() == PDF


def _two_segments(world: Any, procedure: Any) -> tuple[Any, Any, Any]:
    track = procedure.rounds.get().tracks.get()
    statement = submit_as(world.personas["citizen"], track, text=TEXT)
    worker = world.personas["case_worker"]
    first = evaluation.segment_create(actor=worker, statement=statement, text="Erstens ist die Trasse zu laut.")
    second = evaluation.segment_create(actor=worker, statement=statement, text="Zweitens sind die Kosten zu hoch.")
    return statement, first, second


def test_weighing_page_keeps_section_a_while_section_b_is_saved(tab: Browse, world: Any, procedure: Any) -> None:
    statement, first, second = _two_segments(world, procedure)
    page = tab.page
    tab.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    tab.open(backoffice_base(procedure) + f"eingang/{statement.pk}/")
    section_a = page.locator(f"#abschnitt-{first.pk}")
    section_b = page.locator(f"#abschnitt-{second.pk}")
    section_a.get_by_label("Abwägung / Erwiderung").fill("Lärmschutz wird geprüft – noch nicht fertig")
    section_b.get_by_label("Abwägung / Erwiderung").fill("Die Kosten sind im Haushalt gedeckt.")
    page.once("dialog", lambda dialog: dialog.accept())  # submitting never warns; accept anything unexpected
    tab.click(section_b.get_by_role("button", name="Abschnitt speichern"))
    assert Segment.objects.get(pk=second.pk).response == "Die Kosten sind im Haushalt gedeckt."
    assert Segment.objects.get(pk=first.pk).response == ""
    assert (
        section_a.get_by_label("Abwägung / Erwiderung").input_value() == "Lärmschutz wird geprüft – noch nicht fertig"
    )
    assert "nicht gespeichert" in section_a.inner_text()
    assert "Abschnitt 1 sind noch nicht gespeichert" in page.locator("main").inner_text()


def test_unsaved_changes_warn_before_leaving_but_not_after_submit(tab: Browse, world: Any, procedure: Any) -> None:
    statement, first, _second = _two_segments(world, procedure)
    page = tab.page
    tab.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    url = backoffice_base(procedure) + f"eingang/{statement.pk}/"
    tab.open(url)
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    # Untouched: leaving asks nothing.
    page.on("dialog", dismiss)
    tab.click(page.get_by_role("link", name="Eingang", exact=True))
    assert dialogs == []
    tab.open(url)
    # Typed something: leaving asks, and staying keeps the text.
    answer = page.locator(f"#abschnitt-{first.pk}").get_by_label("Abwägung / Erwiderung")
    answer.click()
    answer.press_sequentially("Entwurf der Erwiderung")
    page.get_by_role("link", name="Eingang", exact=True).click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(url) and answer.input_value() == "Entwurf der Erwiderung"
    # Saving is leaving on purpose: no warning.
    tab.click(page.locator(f"#abschnitt-{first.pk}").get_by_role("button", name="Abschnitt speichern"))
    assert dialogs == ["beforeunload"]
    assert Segment.objects.get(pk=first.pk).response == "Entwurf der Erwiderung"


def test_case_worker_publishes_the_abwaegung_after_the_period(new_tab: Any, world: Any, procedure: Any) -> None:
    track = procedure.rounds.get().tracks.get()
    text = ("Wir lehnen die Ortsumgehung ab, weil sie das Naherholungsgebiet zerschneidet. Die Trasse zerstört den "
            "Lebensraum von Eisvogel und Bachforelle am Mühlbach, und für die Wohngebiete am Ortsrand fehlt ein "
            "Lärmgutachten. Bitte prüfen Sie die Variante Süd entlang der Bahnlinie.")  # fmt: skip
    lead = submit_as(world.personas["citizen"], track, text=text)
    for persona in ("invited", "agency"):
        submit_as(world.personas[persona], track, text=text)
    worker = world.personas["case_worker"]
    grouping.regroup.call(procedure.pk)  # the analysis proposes the group, the case worker confirms it
    assert grouping.group_confirm(actor=worker, procedure=procedure, lead_id=lead.pk) == 2
    segment = evaluation.segment_create(actor=worker, statement=lead, text="das Naherholungsgebiet zerschneidet")
    evaluation.segment_update(actor=worker, segment=segment, version=segment.version, response="Eine Grünbrücke ist vorgesehen.",
                              result="considered", status=StatementStatus.RELEASED)  # fmt: skip

    staff = staff_tab(new_tab, world)
    page = staff.page
    staff.open(backoffice_base(procedure) + "ergebnis/")
    staff.click(page.get_by_role("link", name="Ergebnis veröffentlichen …"))
    assert "Eine Frist läuft noch" in page.locator("main").inner_text()  # never while the period runs
    assert page.get_by_role("button", name="Jetzt veröffentlichen").count() == 0

    Phase.objects.filter(pk=track.phase_id).update(end=timezone.now() - timedelta(minutes=1))
    staff.open(backoffice_base(procedure) + "ergebnis/veroeffentlichen/")
    staff.click(page.get_by_role("button", name="Jetzt veröffentlichen"))
    assert "Bitte bestätigen Sie die Veröffentlichung" in page.locator("main").inner_text()
    page.get_by_label("Ich habe die freigegebenen Abschnitte geprüft", exact=False).check()
    staff.click(page.get_by_role("button", name="Jetzt veröffentlichen"))
    assert "ist veröffentlicht" in page.locator("main").inner_text()
    assert AuditEntry.objects.filter(action="abwaegung.publish").exists()

    visitor = new_tab(phone=True)
    visitor.open(public_base(procedure) + "abwaegung/")
    main = visitor.page.locator("main").inner_text()
    assert main.count("Eine Grünbrücke ist vorgesehen.") == 1 and "Masseneinwendung von 3 Personen" in main
