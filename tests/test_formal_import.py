"""Importing statements from CSV and XLSX (issue 18): column mapping, the dry run by row, the all-or-nothing import."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from mitwirken.core.models import AuditEntry
from mitwirken.formal import importing, services
from mitwirken.formal.importing import BERLIN
from mitwirken.formal.models import Channel, Procedure, Statement

from .conftest import PERSONAS
from .formal_fixtures import make_procedure

pytestmark = pytest.mark.django_db
STAFF = {"case_worker", "org_admin", "portal_admin"}
HEADER = ["Stellungnahme", "Eingangsdatum", "Name", "Organisation", "Straße", "PLZ", "Ort", "E-Mail"]
TEXT = "Die Ortsumgehung zerschneidet das Naherholungsgebiet am Mühlbach. Außerdem fehlt ein Lärmgutachten."


@pytest.fixture
def procedure(world: Any) -> Procedure:
    return make_procedure(world.personas["case_worker"], world.public)


@pytest.fixture
def track(procedure: Procedure) -> Any:
    track = procedure.rounds.get().tracks.get()
    track.round.procedure = procedure
    return track


def office(procedure: Procedure, path: str = "") -> str:
    project = procedure.module.project
    return f"/verwaltung/{project.organisation.slug}/projekte/{project.pk}/verfahren/{procedure.module.pk}/{path}"


def yesterday() -> str:
    return (timezone.localdate() - timedelta(days=1)).strftime("%d.%m.%Y")


def row(text: str = TEXT, received: str | None = None, name: str = "Jörg Müller", **extra: str) -> list[str]:
    return [text, yesterday() if received is None else received, name, extra.get("org", ""), extra.get("street", "Hauptstraße 1"),
            extra.get("plz", "55555"), extra.get("city", "Großstadt"), extra.get("email", "joerg@example.org")]  # fmt: skip


def csv_bytes(rows: list[list[str]], *, delimiter: str = ";", encoding: str = "utf-8-sig",
              header: list[str] | None = None) -> bytes:  # fmt: skip
    out = io.StringIO()
    import csv

    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header or HEADER)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header or HEADER)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def stored(content: bytes, name: str = "liste.csv") -> importing.StoredFile:
    return importing.store_upload(SimpleUploadedFile(name, content))


def guessed(file: importing.StoredFile, options: dict[str, Any]) -> dict[str, int | None]:
    return options.pop("mapping", None) or importing.guess_mapping(
        importing.Table(file, options.get("encoding", importing.ENCODING_AUTO)).headers
    )


def dry(content: bytes, procedure: Procedure, track: Any, name: str = "liste.csv", **options: Any) -> importing.Report:
    file = stored(content, name)
    mapping = guessed(file, options)
    return importing.dry_run(stored=file, mapping=mapping, procedure=procedure, track=track, **options)


def run_import(world: Any, content: bytes, track: Any, name: str = "liste.csv", **options: Any) -> Any:
    file = stored(content, name)
    mapping = guessed(file, options)
    return importing.statements_import(actor=options.pop("actor", world.personas["case_worker"]), track=track,
                                       stored=file, mapping=mapping, **options)  # fmt: skip


def refused(world: Any, content: bytes, track: Any, name: str = "liste.csv", **options: Any) -> importing.Report:
    """The import is refused; nothing was written. The report lists the problems."""
    before = Statement.objects.count()
    with pytest.raises(importing.ImportRefused) as caught:
        run_import(world, content, track, name, **options)
    assert Statement.objects.count() == before
    return caught.value.report


def messages_of(report: importing.Report) -> list[tuple[int | None, str, str]]:
    return [(problem.row, problem.column, problem.message) for problem in report.problems]


# --- the happy paths ---------------------------------------------------------------------------------------------


def test_csv_from_german_excel_is_imported_through_the_pages(world: Any, procedure: Procedure, track: Any) -> None:
    client = world.client("case_worker")
    content = csv_bytes([row(), row("Zweite Stellungnahme: die Brücke über die Nahe fehlt.", "03.11.2026 14:30",
                                    name="Anna Schäfer", org="BUND Ortsgruppe", plz="01067")])  # fmt: skip
    response = client.post(office(procedure, "eingang/import/"),
                           {"track": track.pk, "upload": SimpleUploadedFile("Liste März.csv", content)}, follow=True)  # fmt: skip
    page = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("eingang/import/pruefen/")
    assert "Probelauf ohne Fehler: 2 Stellungnahmen können importiert werden." in page
    assert "UTF-8, getrennt durch Semikolon" in page
    assert "Jörg Müller" in page and "Mühlbach" in page and "03.11.2026 14:30" in page
    assert Statement.objects.count() == 0  # a dry run writes nothing
    form = {f"column_{name}": str(index) for name, index in importing.guess_mapping(HEADER).items()}
    response = client.post(office(procedure, "eingang/import/pruefen/"), {**form, "action": "import"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("/eingang/")
    assert "2 Stellungnahmen importiert" in page
    imported = list(Statement.objects.order_by("reference"))
    assert [s.author_name for s in imported] == ["Jörg Müller", "Anna Schäfer"]
    assert all(s.channel == Channel.IMPORT and s.recorded_by == world.personas["case_worker"] for s in imported)
    assert imported[1].received_at == datetime(2026, 11, 3, 14, 30, tzinfo=BERLIN)
    assert imported[1].postal_code == "01067" and imported[1].organisation_name == "BUND Ortsgruppe"
    assert imported[0].email == "joerg@example.org" and imported[0].city == "Großstadt"
    for statement in imported:
        assert statement.reference in page  # the inbox lists them
    # The file is gone, and the page does not offer to import it twice.
    assert not default_storage.listdir(importing.STORAGE_PREFIX)[1]
    again = client.post(office(procedure, "eingang/import/pruefen/"), {**form, "action": "import"}, follow=True)
    assert "Es liegt keine Datei zum Importieren vor" in again.content.decode()
    assert Statement.objects.count() == 2


def test_imported_statements_are_like_recorded_ones(world: Any, procedure: Procedure, track: Any) -> None:
    staff = world.personas["case_worker"]
    recorded = services.statement_record(actor=staff, track=track, received_at=timezone.now() - timedelta(days=2),
                                         channel=Channel.LETTER, text=TEXT)  # fmt: skip
    result = run_import(world, csv_bytes([row(), row("Noch eine Stellungnahme.")]), track)
    imported = list(Statement.objects.filter(pk__in=result.statement_ids).order_by("pk"))
    pattern = re.sub(r"\d{6}$", "", recorded.reference)
    assert [s.reference for s in imported] == [f"{pattern}{n:06d}" for n in (2, 3)]
    assert (result.first_reference, result.last_reference) == (imported[0].reference, imported[-1].reference)
    for statement in imported:
        assert statement.content_sha256 == services.statement_digest(statement)
        assert statement.late is False and statement.status == "new"
    entries = AuditEntry.objects.filter(action="statement.import")
    assert entries.count() == 1  # audited once for the whole file
    assert entries.get().changes["count"] == 2
    assert entries.get().changes["references"] == [imported[0].reference, imported[-1].reference]


def test_comma_separated_utf8_without_bom(world: Any, procedure: Procedure, track: Any) -> None:
    report = dry(csv_bytes([row(), row()], delimiter=",", encoding="utf-8"), procedure, track)
    assert report.ok and report.count == 2 and (report.encoding, report.delimiter) == ("utf-8", ",")
    result = run_import(world, csv_bytes([row(), row()], delimiter=",", encoding="utf-8"), track)
    assert result.count == 2
    assert Statement.objects.filter(author_name="Jörg Müller").count() == 2


def test_windows_1252_is_detected_and_umlauts_survive(world: Any, procedure: Procedure, track: Any) -> None:
    content = csv_bytes([row("Gegen die Straße „Am Mühlbach“ – 5 € zu teuer.")], encoding="cp1252")
    report = dry(content, procedure, track)
    assert report.ok and report.encoding == "cp1252"
    assert report.preview[0]["text"] == "Gegen die Straße „Am Mühlbach“ – 5 € zu teuer."
    run_import(world, content, track)
    assert Statement.objects.get().author_name == "Jörg Müller"


def test_xlsx_with_real_date_cells(world: Any, procedure: Procedure, track: Any) -> None:
    moment = datetime(2026, 11, 2, 9, 15)  # noqa: DTZ001 - a spreadsheet's date has no zone; it is Berlin's
    content = xlsx_bytes([
        [TEXT, moment, "Jörg Müller", None, "Hauptstraße 1", 1067, "Dresden", None],
        ["Zweiter Text", date(2026, 11, 1), "Erika", None, None, None, None, None],
        [None] * 8,  # an empty row in between is skipped
        ["Dritter Text", "02.11.2026", "Max", None, None, 55555, "Mainz", "max@example.org"],
    ])  # fmt: skip
    result = run_import(world, content, track, name="liste.xlsx")
    assert result.count == 3
    first, second, third = Statement.objects.filter(pk__in=result.statement_ids).order_by("pk")
    assert first.received_at == datetime(2026, 11, 2, 9, 15, tzinfo=BERLIN)
    assert first.postal_code == "01067"  # the leading zero a spreadsheet dropped
    assert second.received_at == datetime(2026, 11, 1, tzinfo=BERLIN)
    assert third.postal_code == "55555" and third.email == "max@example.org"


def test_dates_in_every_accepted_form() -> None:
    expected = datetime(2026, 3, 1, 10, 5, tzinfo=BERLIN)
    assert importing.parse_received("01.03.2026 10:05") == expected
    assert importing.parse_received("1.3.2026 10:05") == expected
    assert importing.parse_received("2026-03-01T10:05") == expected
    assert importing.parse_received("2026-03-01 09:05:00+00:00") == expected
    assert importing.parse_received("01.03.2026") == datetime(2026, 3, 1, tzinfo=BERLIN)
    assert importing.parse_received("2026-03-01") == datetime(2026, 3, 1, tzinfo=BERLIN)
    assert importing.parse_received("32.01.2026") is None
    assert importing.parse_received("gestern") is None
    assert importing.parse_received("03/01/2026") is None


def test_german_headers_are_guessed() -> None:
    headers = ["Lfd. Nr.", "Eingang am", "Vor- und Nachname", "Behörde", "Straße und Hausnummer", "PLZ", "Wohnort",
               "E-Mail-Adresse", "Text der Stellungnahme"]  # fmt: skip
    assert importing.guess_mapping(headers) == {
        "text": 8, "received_at": 1, "author_name": 2, "organisation_name": 3, "street": 4, "postal_code": 5,
        "city": 6, "email": 7,
    }  # fmt: skip
    assert importing.guess_mapping(["Datum", "Text", "Name", "Ort"]) == {
        "text": 1, "received_at": 0, "author_name": 2, "organisation_name": None, "street": None,
        "postal_code": None, "city": 3, "email": None,
    }  # fmt: skip


def test_a_chosen_mapping_beats_the_guess(world: Any, procedure: Procedure, track: Any) -> None:
    header = ["Text", "Originaltext", "Eingangsdatum"]
    content = csv_bytes([["intern", TEXT, yesterday()]], header=header)
    report = dry(content, procedure, track)
    assert report.ok and report.preview[0]["text"] == "intern"  # "Text" was guessed as the text
    mapping = {name: None for name, *_rest in importing.FIELDS} | {"text": 1, "received_at": 2}
    run_import(world, content, track, mapping=mapping)
    assert Statement.objects.get().text == TEXT


def test_late_statements_are_flagged_not_dropped(world: Any, procedure: Procedure, track: Any) -> None:
    from mitwirken.projects.models import Phase

    Phase.objects.filter(pk=track.phase_id).update(start=timezone.now() - timedelta(days=30),
                                                   end=timezone.now() - timedelta(days=5))  # fmt: skip
    track = procedure.rounds.get().tracks.get()
    result = run_import(world, csv_bytes([row(received=(timezone.localdate() - timedelta(days=10)).strftime(
        "%d.%m.%Y")), row()]), track)  # fmt: skip
    assert result.late == 1
    assert sorted(Statement.objects.values_list("late", flat=True)) == [False, True]


# --- bad input: reported by row, nothing imported ----------------------------------------------------------------


def test_missing_required_columns_are_named(world: Any, procedure: Procedure, track: Any) -> None:
    content = csv_bytes([["Text", "Erika"]], header=["Stellungnahme", "Name"])
    report = refused(world, content, track)
    assert messages_of(report) == [(None, "Eingangsdatum", "Keine Spalte für „Eingangsdatum“ gewählt. Diese Angabe "
                                    "ist Pflicht; wählen Sie die Spalte aus oder ergänzen Sie sie in der Datei.")]  # fmt: skip


def test_empty_texts_are_reported_by_row(world: Any, procedure: Procedure, track: Any) -> None:
    report = refused(world, csv_bytes([row(), row(""), row(), row("   ")]), track)
    assert messages_of(report) == [(3, "A: Stellungnahme", "Der Text der Stellungnahme ist leer."),
                                   (5, "A: Stellungnahme", "Der Text der Stellungnahme ist leer.")]  # fmt: skip


def test_dates_in_the_future_are_refused(world: Any, procedure: Procedure, track: Any) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d.%m.%Y")
    report = refused(world, csv_bytes([row(), row(received=tomorrow)]), track)
    assert messages_of(report) == [(3, "B: Eingangsdatum", f"Das Eingangsdatum {tomorrow} liegt in der Zukunft.")]


def test_a_time_later_today_in_berlin_is_the_future(world: Any, procedure: Procedure, track: Any) -> None:
    import time_machine

    # 23:30 UTC on 31 October is 00:30 on 1 November in Berlin: "01.11.2026 00:45" is 15 minutes ahead.
    with time_machine.travel(datetime(2026, 10, 31, 23, 30, tzinfo=BERLIN).replace(tzinfo=None).replace(
            tzinfo=timezone.get_fixed_timezone(0)), tick=False):  # fmt: skip
        report = refused(world, csv_bytes([row(received="01.11.2026 00:45")]), track)
        assert "liegt in der Zukunft" in report.problems[0].message
        assert dry(csv_bytes([row(received="01.11.2026 00:15")]), procedure, track).ok


def test_unparseable_dates_are_refused(world: Any, procedure: Procedure, track: Any) -> None:
    report = refused(world, csv_bytes([row(received="gestern"), row(received="31.02.2026"), row(received="")]), track)
    assert messages_of(report) == [
        (2, "B: Eingangsdatum", "„gestern“ ist kein Datum. Erwartet wird TT.MM.JJJJ, TT.MM.JJJJ HH:MM oder JJJJ-MM-TT."),
        (3, "B: Eingangsdatum",
         "„31.02.2026“ ist kein Datum. Erwartet wird TT.MM.JJJJ, TT.MM.JJJJ HH:MM oder JJJJ-MM-TT."),
        (4, "B: Eingangsdatum", "Das Eingangsdatum fehlt."),
    ]  # fmt: skip


def test_texts_longer_than_the_procedure_allows(world: Any, procedure: Procedure, track: Any) -> None:
    Procedure.objects.filter(pk=procedure.pk).update(max_text_length=50)
    track.round.procedure.refresh_from_db()
    report = refused(world, csv_bytes([row("kurz"), row("x" * 51)]), track)
    assert messages_of(report) == [(3, "A: Stellungnahme", "Der Text ist zu lang (51 Zeichen). In diesem Verfahren "
                                    "sind höchstens 50 Zeichen erlaubt.")]  # fmt: skip


@pytest.mark.parametrize("cell", ["=SUMME(A1:A3)", "=1+1", "+A1", "-HYPERLINK(\"http://x\")", "@SUM(1)",
                                  "+cmd|' /C calc'!A0", " =WEBSERVICE(\"x\")"])  # fmt: skip
def test_formulas_in_csv_cells_are_refused(world: Any, procedure: Procedure, track: Any, cell: str) -> None:
    report = refused(world, csv_bytes([row(), row(name=cell)]), track)
    assert [(p.row, p.column) for p in report.problems] == [(3, "C: Name")]
    assert report.problems[0].message.startswith("Die Zelle enthält eine Formel")


@pytest.mark.parametrize("text", ["- Lärm\n- Staub", "-5 Grad im Winter", "+49 6131 123456", "@Stadtverwaltung: bitte"])
def test_bullets_and_numbers_are_not_formulas(world: Any, procedure: Procedure, track: Any, text: str) -> None:
    run_import(world, csv_bytes([row(text)]), track)
    assert Statement.objects.get().text == text


def test_formula_cells_in_xlsx_are_refused(world: Any, procedure: Procedure, track: Any) -> None:
    content = xlsx_bytes([[TEXT, date(2026, 11, 1), "Erika"], ["=A2", date(2026, 11, 1), "Max"]],
                         header=["Text", "Datum", "Name"])  # fmt: skip
    report = refused(world, content, track, name="liste.xlsx")
    assert [(p.row, p.column) for p in report.problems] == [(3, "A: Text")]
    assert "Formel („=A2“)" in report.problems[0].message


def test_utf8_read_as_windows_1252_before_is_caught(world: Any, procedure: Procedure, track: Any) -> None:
    garbled = "Jörg Müller".encode().decode("cp1252")  # "JÃ¶rg MÃ¼ller"
    report = refused(world, csv_bytes([row(name=garbled)]), track)
    assert [(p.row, p.column) for p in report.problems] == [(2, "C: Name")]
    assert "Umlaute sind falsch kodiert" in report.problems[0].message


def test_a_forced_encoding_that_does_not_fit_is_reported(world: Any, procedure: Procedure, track: Any) -> None:
    content = csv_bytes([row(), row(), row(name="Jörg")], encoding="cp1252")
    report = refused(world, content, track, encoding="utf-8", mapping={"text": 0, "received_at": 1})
    assert messages_of(report) == [(None, "", "Die Datei ist nicht in UTF-8 kodiert (ungültiges Zeichen in Zeile 1). "
                                    "Wählen Sie eine andere Zeichenkodierung oder speichern Sie die Datei als "
                                    "„CSV UTF-8“.")]  # fmt: skip


def test_an_unknown_encoding_is_reported(world: Any, procedure: Procedure, track: Any) -> None:
    content = csv_bytes([row()], encoding="utf-8") + "Ärger".encode("utf-16-le") + b"\x81;01.01.2026\r\n"
    report = dry(content.replace(b"\x00", b""), procedure, track, mapping={"text": 0, "received_at": 1})
    assert not report.ok
    assert "Zeichenkodierung der Datei ist unbekannt" in report.problems[0].message


def test_too_many_rows(world: Any, procedure: Procedure, track: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "MAX_ROWS", 10)
    report = refused(world, csv_bytes([row()] * 11), track)
    assert messages_of(report)[-1] == (None, "", "Die Datei enthält mehr als 10 Zeilen. Bitte teilen Sie sie in "
                                        "mehrere Dateien auf.")  # fmt: skip
    report = refused(world, xlsx_bytes([row()] * 11), track, name="liste.xlsx")
    assert "mehr als 10 Zeilen" in report.problems[-1].message
    assert run_import(world, csv_bytes([row()] * 10), track).count == 10


def test_the_row_limit_is_documented_and_sane() -> None:
    assert importing.MAX_ROWS == 50_000 and importing.MAX_FILE_BYTES == 20 * 1024 * 1024


def test_other_file_types_are_refused_by_content() -> None:
    with pytest.raises(importing.ImportFileError, match="alten Excel-Format"):
        stored(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "liste.xlsx")
    with pytest.raises(importing.ImportFileError, match="weder eine CSV-Datei noch eine Excel-Datei"):
        stored(b"%PDF-1.4 ...", "liste.csv")
    with pytest.raises(importing.ImportFileError, match="Die Datei ist leer"):
        stored(b"", "liste.csv")


def test_a_broken_xlsx_is_reported(world: Any, procedure: Procedure, track: Any) -> None:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hallo.txt", "kein Excel")
    report = dry(out.getvalue(), procedure, track, name="liste.xlsx", mapping={"text": 0, "received_at": 1})
    assert messages_of(report) == [(None, "", "Die Excel-Datei ist beschädigt oder kein XLSX und kann nicht gelesen "
                                    "werden.")]  # fmt: skip


def test_header_only_is_reported(world: Any, procedure: Procedure, track: Any) -> None:
    report = refused(world, csv_bytes([]), track)
    assert messages_of(report) == [(None, "", "Die Datei enthält keine Stellungnahmen (nur die Kopfzeile).")]


def test_invalid_email_and_overlong_fields(world: Any, procedure: Procedure, track: Any) -> None:
    report = refused(world, csv_bytes([row(email="keine-adresse"), row(plz="1234567890123")]), track)
    assert messages_of(report) == [
        (2, "H: E-Mail", "„keine-adresse“ ist keine gültige E-Mail-Adresse."),
        (3, "F: PLZ", "Der Wert ist zu lang (13 Zeichen, höchstens 10)."),
    ]


def test_a_problem_in_row_499_imports_nothing(world: Any, procedure: Procedure, track: Any) -> None:
    rows = [row(f"Stellungnahme Nummer {n}") for n in range(500)]
    rows[497] = row("")  # row 499 of the sheet (row 1 is the header)
    report = refused(world, xlsx_bytes(rows), track, name="liste.xlsx")
    assert [(p.row, p.message) for p in report.problems] == [(499, "Der Text der Stellungnahme ist leer.")]
    procedure.refresh_from_db()
    assert procedure.statement_counter == 0 and not AuditEntry.objects.filter(action="statement.import").exists()


def test_a_failure_while_writing_rolls_everything_back(
    world: Any, procedure: Procedure, track: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "BATCH_SIZE", 100)
    real_save = importing._save
    calls = []

    def failing_save(batch: list[Statement]) -> list[Statement]:
        calls.append(len(batch))
        if len(calls) == 3:
            raise RuntimeError("database gone")
        return real_save(batch)

    monkeypatch.setattr(importing, "_save", failing_save)
    with pytest.raises(RuntimeError):
        run_import(world, csv_bytes([row(f"Text {n}") for n in range(250)]), track)
    assert calls == [100, 100, 50]
    assert Statement.objects.count() == 0
    procedure.refresh_from_db()
    assert procedure.statement_counter == 0


def test_every_problem_is_listed_by_row(world: Any, procedure: Procedure, track: Any) -> None:
    rows = [row(), row(""), row(received="morgen"), row(name="=1+1", received="01.01.2999")]
    report = refused(world, csv_bytes(rows), track)
    assert [(p.row, p.column) for p in report.problems] == [
        (3, "A: Stellungnahme"), (4, "B: Eingangsdatum"), (5, "B: Eingangsdatum"), (5, "C: Name")]  # fmt: skip
    assert report.problem_count == 4 and report.count == 1


# --- the size limit ----------------------------------------------------------------------------------------------


class GuardedBody(io.RawIOBase):
    """A request body that counts what the server reads of it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = min(len(buffer), 64 * 1024)
        buffer[:size] = b"x" * size
        self.read_bytes += size
        return size


def test_a_60_mb_file_is_refused_without_reading_it(world: Any, procedure: Procedure) -> None:
    client = world.client("case_worker")
    body = GuardedBody()
    response = client.request(**{
        "REQUEST_METHOD": "POST", "PATH_INFO": office(procedure, "eingang/import/"), "wsgi.input": body,
        "CONTENT_LENGTH": str(60 * 1024 * 1024), "CONTENT_TYPE": "multipart/form-data; boundary=grenze",
    })  # fmt: skip
    assert response.status_code == 413
    page = response.content.decode()
    assert "Die Datei ist zu groß (60,0\xa0MB). Erlaubt sind höchstens 20,0\xa0MB" in page
    assert body.read_bytes == 0
    assert Statement.objects.count() == 0


def test_a_file_over_the_limit_without_a_length_stops_reading_at_the_limit(world: Any, procedure: Procedure,
                                                                           track: Any) -> None:  # fmt: skip
    from mitwirken.formal.backoffice_import import _SizeLimit

    handler = _SizeLimit()
    handler.request = type("R", (), {})()
    from django.core.files.uploadhandler import StopUpload

    assert handler.receive_data_chunk(b"x" * 1024, importing.MAX_FILE_BYTES - 1024) == b"x" * 1024
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"x" * 1024, importing.MAX_FILE_BYTES - 1023)
    assert handler.request._import_too_large


def test_the_upload_form_refuses_a_large_file(world: Any, procedure: Procedure, track: Any) -> None:
    big = SimpleUploadedFile("liste.csv", b"a")
    big.size = 21 * 1024 * 1024
    with pytest.raises(importing.ImportFileError, match="zu groß"):
        importing.store_upload(big)


# --- the pages: mapping, session, permissions --------------------------------------------------------------------


def upload(client: Any, procedure: Procedure, track: Any, content: bytes, name: str = "liste.csv") -> Any:
    return client.post(office(procedure, "eingang/import/"), {"track": track.pk,
                       "upload": SimpleUploadedFile(name, content)}, follow=True)  # fmt: skip


def test_problems_are_shown_in_a_table_and_no_import_is_offered(world: Any, procedure: Procedure, track: Any) -> None:
    client = world.client("case_worker")
    page = upload(client, procedure, track, csv_bytes([row(), row("")])).content.decode()
    assert "Der Probelauf hat 1 Problem gefunden" in page
    assert '<td class="kern-table__cell">3</td>' in page and "Der Text der Stellungnahme ist leer." in page
    assert 'value="import"' not in page
    # Forcing the import anyway imports nothing.
    form = {f"column_{name}": str(index) for name, index in importing.guess_mapping(HEADER).items()}
    client.post(office(procedure, "eingang/import/pruefen/"), {**form, "action": "import"})
    assert Statement.objects.count() == 0


def test_changing_the_mapping_needs_a_new_dry_run(world: Any, procedure: Procedure, track: Any) -> None:
    client = world.client("case_worker")
    upload(client, procedure, track, csv_bytes([row()]))
    form = {f"column_{name}": str(index) for name, index in importing.guess_mapping(HEADER).items()}
    form["column_author_name"] = ""  # not what the dry run showed
    page = client.post(office(procedure, "eingang/import/pruefen/"), {**form, "action": "import"}).content.decode()
    assert "Die Zuordnung wurde geändert" in page
    assert Statement.objects.count() == 0
    client.post(office(procedure, "eingang/import/pruefen/"), {**form, "action": "import"})
    assert Statement.objects.get().author_name == ""


def test_missing_column_is_shown_next_to_the_mapping(world: Any, procedure: Procedure, track: Any) -> None:
    client = world.client("case_worker")
    page = upload(client, procedure, track, csv_bytes([["x", "y"]], header=["Spalte 1", "Spalte 2"])).content.decode()
    assert "Keine Spalte für „Text der Stellungnahme“ gewählt" in page
    assert "Keine Spalte für „Eingangsdatum“ gewählt" in page
    page = client.post(office(procedure, "eingang/import/pruefen/"),
                       {"column_text": "0", "column_received_at": "1", "action": "check"}).content.decode()  # fmt: skip
    assert "„y“ ist kein Datum" in page


def test_a_bad_file_type_is_refused_at_the_upload(world: Any, procedure: Procedure, track: Any) -> None:
    page = upload(world.client("case_worker"), procedure, track, b"%PDF-1.4", "liste.csv").content.decode()
    assert "weder eine CSV-Datei noch eine Excel-Datei" in page
    assert not default_storage.exists(importing.STORAGE_PREFIX) or not default_storage.listdir(
        importing.STORAGE_PREFIX)[1]  # fmt: skip


def test_cancel_removes_the_file(world: Any, procedure: Procedure, track: Any) -> None:
    client = world.client("case_worker")
    upload(client, procedure, track, csv_bytes([row()]))
    assert len(default_storage.listdir(importing.STORAGE_PREFIX)[1]) == 1
    response = client.post(office(procedure, "eingang/import/pruefen/"), {"action": "cancel"}, follow=True)
    assert "Der Import wurde abgebrochen" in response.content.decode()
    assert default_storage.listdir(importing.STORAGE_PREFIX)[1] == []


def test_the_file_belongs_to_the_session_that_uploaded_it(world: Any, procedure: Procedure, track: Any) -> None:
    upload(world.client("case_worker"), procedure, track, csv_bytes([row()]))
    other = world.client("org_admin")
    response = other.get(office(procedure, "eingang/import/pruefen/"))
    assert response.status_code == 302 and response.url.endswith("eingang/import/")
    # A session cannot be made to name another file of the storage.
    assert importing.StoredFile.from_session({"name": "../secret.csv", "kind": "csv", "original_name": "x"}) is None
    assert importing.StoredFile.from_session({"name": "formal-imports/x.csv"}) is None


def test_stale_files_are_removed(world: Any, procedure: Procedure, track: Any) -> None:
    import os

    old = stored(csv_bytes([row()]))
    path = default_storage.path(old.name)
    os.utime(path, (0, 0))
    stored(csv_bytes([row()]))
    assert not default_storage.exists(old.name)


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(world: Any, procedure: Procedure, track: Any, persona: str) -> None:
    client = world.client(persona)
    want = 200 if persona in STAFF else (302 if persona == "anonymous" else 404)
    assert client.get(office(procedure, "eingang/import/")).status_code == want
    response = upload(client, procedure, track, csv_bytes([row()]))
    if persona in STAFF:
        assert response.status_code == 200
        assert "Probelauf ohne Fehler" in response.content.decode()
        form = {f"column_{name}": str(index) for name, index in importing.guess_mapping(HEADER).items()}
        client.post(office(procedure, "eingang/import/pruefen/"), {**form, "action": "import"})
        assert Statement.objects.count() == 1
    else:
        assert response.status_code == 404 or response.redirect_chain[-1][0].startswith("/konto/login/")
        assert client.get(office(procedure, "eingang/import/pruefen/")).status_code == want
        assert Statement.objects.count() == 0
        assert not default_storage.exists(importing.STORAGE_PREFIX) or not default_storage.listdir(
            importing.STORAGE_PREFIX)[1]  # fmt: skip


@pytest.mark.parametrize("persona", ["citizen", "other_org_admin", "moderator"])
def test_the_service_checks_the_permission_itself(world: Any, procedure: Procedure, track: Any,
                                                  persona: str) -> None:  # fmt: skip
    with pytest.raises(PermissionDenied):
        run_import(world, csv_bytes([row()]), track, actor=world.personas[persona])
    assert Statement.objects.count() == 0


def test_another_organisations_procedure_is_not_found(world: Any, procedure: Procedure) -> None:
    client = world.client("other_org_admin")
    project = procedure.module.project
    url = f"/verwaltung/{world.other_organisation.slug}/projekte/{project.pk}/verfahren/{procedure.module.pk}/eingang/import/"
    assert client.get(url).status_code == 404


def test_the_inbox_links_to_the_import(world: Any, procedure: Procedure) -> None:
    page = world.client("case_worker").get(office(procedure, "eingang/")).content.decode()
    assert "Stellungnahmen importieren (CSV/XLSX)" in page and office(procedure, "eingang/import/") in page


# --- scale and the analysis hook ---------------------------------------------------------------------------------


def test_queries_do_not_grow_with_the_rows(world: Any, procedure: Procedure, track: Any) -> None:
    def queries(count: int) -> int:
        content = csv_bytes([row(f"Stellungnahme {n}") for n in range(count)])
        with CaptureQueriesContext(connection) as captured:
            run_import(world, content, track)
        return len(captured)

    small, large = queries(10), queries(500)
    # Bulk inserts and updates: on PostgreSQL one each per 500 statements; SQLite takes fewer rows per query.
    assert large - small <= (500 - 10) // 20, (small, large)
    assert Statement.objects.count() == 510
    assert Statement.objects.values("reference").distinct().count() == 510


calls: list[tuple[int, list[int]]] = []


def record_analysis(procedure: Procedure, statement_ids: list[int]) -> None:
    calls.append((procedure.pk, list(statement_ids)))


def test_the_analysis_is_asked_once_with_every_new_statement(
    world: Any, procedure: Procedure, track: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "ANALYSIS_HOOK", f"{__name__}.record_analysis")
    calls.clear()
    result = run_import(world, csv_bytes([row(), row(), row()]), track)
    assert calls == [(procedure.pk, result.statement_ids)]
    monkeypatch.setattr(importing, "ANALYSIS_HOOK", "mitwirken.formal.not_there.enqueue")
    assert run_import(world, csv_bytes([row()]), track).count == 1  # no analysis installed: imported all the same
