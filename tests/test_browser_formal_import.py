"""Browser journeys for importing statements (issue 18): a case worker imports 500 statements from an XLSX file
(upload, dry run, confirm, inbox), and a CSV whose columns need mapping, by keyboard alone. Every page is checked
with axe-core (see ``browser.py``)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from openpyxl import Workbook

from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.formal.models import Channel, Statement

from .factories import PASSWORD
from .formal_fixtures import make_procedure
from .test_browser_formal import backoffice_base

if TYPE_CHECKING:
    from .browser import Browse

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CORPUS = Path(__file__).parent / "analysis_corpus" / "statements.jsonl"
DOCS_IMG = Path(__file__).resolve().parent.parent / "docs" / "img"


@pytest.fixture
def procedure(world: Any) -> Any:
    return make_procedure(world.personas["case_worker"], world.public)


def corpus_texts(count: int) -> list[str]:
    texts = []
    with CORPUS.open(encoding="utf-8") as lines:
        for line in lines:
            texts.append(json.loads(line)["text"][:5000])
            if len(texts) == count:
                break
    return texts


def xlsx_file(path: Path, count: int) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Lfd. Nr.", "Eingangsdatum", "Name", "Straße", "PLZ", "Ort", "Stellungnahme"])
    start = datetime.combine(timezone.localdate() - timedelta(days=2), datetime.min.time())
    for number, text in enumerate(corpus_texts(count), start=1):
        sender = text.splitlines()[0][:100]
        sheet.append([number, start + timedelta(minutes=number), sender, "Hauptstraße 1", 1067, "Dresden", text])
    workbook.save(path)
    return path


def staff_tab(new_tab: Any, world: Any, *, phone: bool = False) -> Browse:
    tab = new_tab(phone=phone)
    tab.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    return tab


def test_case_worker_imports_500_statements_from_xlsx(new_tab: Any, world: Any, procedure: Any, tmp_path: Path) -> None:
    upload = xlsx_file(tmp_path / "Einwendungen Sammelliste.xlsx", 500)
    tab = staff_tab(new_tab, world)
    page = tab.page
    tab.open(backoffice_base(procedure) + "eingang/")
    tab.click(page.get_by_role("link", name="Stellungnahmen importieren (CSV/XLSX)"))
    page.get_by_label("Datei (CSV oder XLSX)").set_input_files(upload)
    tab.click(page.get_by_role("button", name="Hochladen und prüfen"))

    main = page.locator("main")
    assert "Probelauf ohne Fehler: 500 Stellungnahmen können importiert werden." in main.inner_text()
    assert page.get_by_label("Text der Stellungnahme").input_value() == "6"  # guessed from „Stellungnahme“
    assert page.get_by_label("Eingangsdatum").input_value() == "1"
    preview = page.locator("table.import-preview tbody tr")
    assert preview.count() == 5
    assert "01067 Dresden" in preview.first.inner_text()
    assert Statement.objects.count() == 0
    page.screenshot(path=str(tmp_path / "desktop.png"), full_page=True)
    DOCS_IMG.mkdir(exist_ok=True)
    shutil.copy(tmp_path / "desktop.png", DOCS_IMG / "formal-import-probelauf.png")
    # On a phone the page does not scroll sideways; the tables scroll inside their own frame.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    tab.screenshot()
    page.set_viewport_size({"width": 1280, "height": 900})

    # The tests' task backend runs at once: the analysis of the 500 new statements (grouping) runs inside this
    # request, which a worker does in the background in production.
    page.set_default_timeout(120_000)
    tab.click(page.get_by_role("button", name="500 Stellungnahmen importieren"))
    page.set_default_timeout(10_000)
    assert tab.path == backoffice_base(procedure) + "eingang/"
    assert "500 Stellungnahmen importiert" in main.inner_text()
    assert page.get_by_role("heading", name="500 Stellungnahmen").is_visible()
    assert Statement.objects.filter(channel=Channel.IMPORT).count() == 500
    assert Statement.objects.values("reference").distinct().count() == 500


def focus_by_tab(page: Any, predicate: str, *, limit: int = 80) -> None:
    """Press Tab until ``predicate`` (a JS expression about ``el``, the focused element) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return Boolean({predicate}); }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate}")


def press_and_arrive(tab: Browse, key: str) -> None:
    with tab.page.expect_navigation():
        tab.page.keyboard.press(key)
    tab.arrived()


def test_a_csv_with_unknown_headers_is_mapped_and_imported_by_keyboard(
    tab: Browse, world: Any, procedure: Any, tmp_path: Path
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Brief", "Tag", "Absendeort"])
    yesterday = (timezone.localdate() - timedelta(days=1)).strftime("%d.%m.%Y")
    writer.writerow(["Gegen die Trasse durch das Wäldchen am Mühlbach.", yesterday, "Großstadt"])
    writer.writerow(["Für eine Lärmschutzwand an der Schule.", yesterday, "Kleinstadt"])
    upload = tmp_path / "liste.csv"
    upload.write_bytes(out.getvalue().encode("cp1252"))
    page = tab.page
    tab.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    tab.open(backoffice_base(procedure) + "eingang/")

    focus_by_tab(page, "el.textContent.trim() === 'Stellungnahmen importieren (CSV/XLSX)'")
    press_and_arrive(tab, "Enter")
    # The file field is reached by Tab; the operating system's file dialog that Space opens is not the portal's,
    # and headless Chromium does not always report it, so the file is handed to the focused field directly.
    focus_by_tab(page, "el.id === 'id_upload'")
    page.locator("#id_upload").set_input_files(upload)
    focus_by_tab(page, "el.textContent.trim() === 'Hochladen und prüfen'")
    press_and_arrive(tab, "Enter")

    # Nothing guessed from „Brief“ and „Tag“: the problems say which columns are missing.
    alert = page.locator(".error-summary")
    assert "2 Probleme" in alert.inner_text()
    assert "Keine Spalte für „Text der Stellungnahme“ gewählt" in page.locator("table.import-problems").inner_text()
    focus_by_tab(page, "el.id === 'id_column_text'")
    page.keyboard.press("ArrowDown")  # A: Brief
    focus_by_tab(page, "el.id === 'id_column_received_at'")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # B: Tag
    focus_by_tab(page, "el.id === 'id_column_city'")
    for _ in range(3):
        page.keyboard.press("ArrowDown")  # C: Absendeort
    focus_by_tab(page, "el.textContent.trim() === 'Zuordnung prüfen (Probelauf)'")
    press_and_arrive(tab, "Enter")

    text = page.locator("main").inner_text()
    assert "Probelauf ohne Fehler: 2 Stellungnahmen können importiert werden." in text
    assert "Windows-1252" in text and "Wäldchen am Mühlbach" in text  # the umlauts read right
    focus_by_tab(page, "el.textContent.trim() === '2 Stellungnahmen importieren'")
    press_and_arrive(tab, "Enter")
    assert "2 Stellungnahmen importiert" in page.locator("main").inner_text()
    assert sorted(Statement.objects.values_list("city", flat=True)) == ["Großstadt", "Kleinstadt"]
