"""Statements imported from a CSV or XLSX file into a track of a formal procedure (issue 18).

Letters digitised elsewhere, or a list another authority hands over, become ordinary statements that staff
recorded (``Channel.IMPORT``): the same references, fingerprints, digests, late flag and audit trail as
``services.statement_record``. The import is all or nothing: the file is read twice, once to list every problem
by row (the dry run, also the check before anything is written) and once to write, in batches, inside one
transaction. Neither pass holds the whole file in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import IO, Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitwirken.core.audit import log_action
from mitwirken.core.permissions import require
from mitwirken.core.text import clean_text
from mitwirken.core.uploads import check_zip

from . import transport
from .models import Channel, Procedure, Statement, StatementAttachment, Track
from .services import statement_digest

BERLIN = ZoneInfo("Europe/Berlin")
# A list of 50,000 statements of 2,000 characters is about 100 MB as text; a handed-over list is rarely more than a
# few thousand rows. Larger lists are split, which also keeps one import's transaction short.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 100
MAX_PROBLEMS_LISTED = 1000
PREVIEW_ROWS = 5
BATCH_SIZE = 500
STORAGE_PREFIX = "formal-imports"  # in the default storage, which is never served from a public URL
STALE_AFTER = timedelta(hours=24)

# The analysis of new statements (their place among the mass objections, issue 18), called as the services that
# create statements call it: inside the transaction, one call with every new id, enqueued after the commit.
# Looked up when an import runs, so the import works the same where the analysis is not installed.
ANALYSIS_HOOK = "mitwirken.formal.grouping.enqueue_analysis"


class Field:
    TEXT = "text"
    RECEIVED_AT = "received_at"
    AUTHOR_NAME = "author_name"
    ORGANISATION_NAME = "organisation_name"
    STREET = "street"
    POSTAL_CODE = "postal_code"
    CITY = "city"
    EMAIL = "email"


# (field, label, required, maximum length, header names that suggest it, normalised: lower case, letters only)
FIELDS: list[tuple[str, Any, bool, int | None, tuple[str, ...]]] = [
    (Field.TEXT, gettext_lazy("Text der Stellungnahme"), True, None,
     ("stellungnahme", "text", "stellungnahmetext", "einwendung", "einwendungen", "inhalt", "anregung", "anregungen",
      "bemerkung", "bemerkungen", "anmerkung", "hinweis", "statement", "comment")),
    (Field.RECEIVED_AT, gettext_lazy("Eingangsdatum"), True, None,
     ("eingangsdatum", "eingang", "eingegangenam", "posteingang", "eingangsstempel", "datum", "date", "receivedat",
      "received")),
    (Field.AUTHOR_NAME, gettext_lazy("Name"), False, 150,
     ("name", "vorundnachname", "nameabsender", "absender", "absenderin", "einreicher", "einreicherin", "verfasser",
      "verfasserin", "author", "authorname")),
    (Field.ORGANISATION_NAME, gettext_lazy("Organisation / Behörde"), False, 200,
     ("organisation", "organisationbehoerde", "organisation/behoerde", "behoerde", "firma", "verband", "institution",
      "traeger", "organization")),
    (Field.STREET, gettext_lazy("Straße und Hausnummer"), False, 150,
     ("strasse", "strasseundhausnummer", "strassehausnummer", "anschrift", "adresse", "street")),
    (Field.POSTAL_CODE, gettext_lazy("Postleitzahl"), False, 10, ("plz", "postleitzahl", "postalcode", "zip")),
    (Field.CITY, gettext_lazy("Ort"), False, 100, ("ort", "wohnort", "stadt", "gemeinde", "city")),
    (Field.EMAIL, gettext_lazy("E-Mail-Adresse"), False, 254, ("email", "emailadresse", "mail", "mailadresse")),
]  # fmt: skip
FIELD_LABELS = {name: label for name, label, *_rest in FIELDS}
REQUIRED = [name for name, _label, required, *_rest in FIELDS if required]

ENCODING_AUTO = "auto"
ENCODINGS = {
    ENCODING_AUTO: gettext_lazy("automatisch erkennen"),
    "utf-8": gettext_lazy("UTF-8"),
    "cp1252": gettext_lazy("Windows-1252 (ANSI, Latin-1)"),
}
ENCODING_NAMES = {
    "utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "cp1252": "Windows-1252 (ANSI, Latin-1)",
}  # fmt: skip
DELIMITER_NAMES = {";": gettext_lazy("Semikolon"), ",": gettext_lazy("Komma"), "\t": gettext_lazy("Tabulator")}

# What spreadsheet programs run as a formula when a cell starts with it. A leading minus or plus is also a
# negative number or a bullet point ("- Lärm"), so those count only when a function or a cell reference follows.
_FORMULA = re.compile(
    r"^\s*(=.|@\s*[A-Za-z_][\w.]*\s*\(|[+\-@]\s*(?:[A-Za-z_][\w.]*\s*\(|\$?[A-Za-z]{1,3}\$?\d+\b|[\w.]*\|))", re.DOTALL
)
# UTF-8 read as Windows-1252 somewhere before the file reached us: "Ã¤" for "ä" and so on.
_MOJIBAKE = re.compile(r"Ã[¤¶¼„–œŸ©¨]|â€[žœ“”™]")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*Uhr)?)?$")


class ImportFileError(Exception):
    """A problem with the file as a whole (not one row): unreadable, wrong encoding, no header, too large."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    row: int | None  # the row as a spreadsheet program numbers it (the header is row 1); None: the whole file
    column: str  # "C (Eingangsdatum)" or ""
    message: str


@dataclass
class Report:
    """The dry run: what an import would create, and every problem by row."""

    count: int = 0
    late: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    encoding: str = ""
    delimiter: str = ""

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_LISTED:
            self.problems.append(problem)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0 and self.count > 0

    @property
    def more_problems(self) -> int:
        return self.problem_count - len(self.problems)

    @property
    def encoding_name(self) -> str:
        return ENCODING_NAMES.get(self.encoding, self.encoding)

    @property
    def delimiter_name(self) -> str:
        return str(DELIMITER_NAMES.get(self.delimiter, self.delimiter))


class ImportRefused(ValidationError):
    def __init__(self, report: Report) -> None:
        super().__init__(_("Die Datei enthält Fehler; es wurde nichts importiert."))
        self.report = report


@dataclass(frozen=True)
class ImportResult:
    count: int
    late: int
    first_reference: str
    last_reference: str
    statement_ids: list[int]


# --- the stored upload -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredFile:
    """An uploaded file between the steps, in the default storage under a random name only the session knows."""

    name: str  # storage name
    kind: str  # "csv" or "xlsx"
    original_name: str

    def open(self) -> IO[bytes]:
        return default_storage.open(self.name, "rb")

    def as_session(self) -> dict[str, str]:
        return {"name": self.name, "kind": self.kind, "original_name": self.original_name}

    @classmethod
    def from_session(cls, data: Any) -> StoredFile | None:
        try:
            stored = cls(name=str(data["name"]), kind=str(data["kind"]), original_name=str(data["original_name"]))
        except (KeyError, TypeError):
            return None
        # Only names this module made: a tampered session can never point at another file.
        if not re.fullmatch(rf"{STORAGE_PREFIX}/[A-Za-z0-9_-]{{20,}}\.(csv|xlsx)", stored.name):
            return None
        return stored if default_storage.exists(stored.name) else None

    def discard(self) -> None:
        default_storage.delete(self.name)


def too_large_message(size: int | None = None) -> str:
    if size:
        return _(
            "Die Datei ist zu groß (%(size)s). Erlaubt sind höchstens %(limit)s; bitte teilen Sie die Liste auf."
        ) % {"size": filesizeformat(size), "limit": filesizeformat(MAX_FILE_BYTES)}
    return _("Die Datei ist zu groß. Erlaubt sind höchstens %(limit)s; bitte teilen Sie die Liste auf.") % {
        "limit": filesizeformat(MAX_FILE_BYTES)
    }


def sniff_kind(head: bytes) -> str:
    """CSV or XLSX, told by the content, not by the file name."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("Dies ist eine Datei im alten Excel-Format (XLS). Bitte speichern Sie sie als XLSX oder CSV.")
        )
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8", b"GIF8")) or (
        b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
    ):
        raise ImportFileError(_("Die Datei ist weder eine CSV-Datei noch eine Excel-Datei (XLSX)."))
    return "csv"


def store_upload(upload: Any) -> StoredFile:
    """Check size and type, then keep the file for the next steps."""
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise ImportFileError(too_large_message(upload.size))
    if not upload.size:
        raise ImportFileError(_("Die Datei ist leer."))
    upload.seek(0)
    kind = sniff_kind(upload.read(8))
    upload.seek(0)
    if kind == "xlsx":
        try:
            check_zip(upload)
        except ValidationError as error:
            raise ImportFileError(" ".join(error.messages)) from None
    _remove_stale()
    name = default_storage.save(f"{STORAGE_PREFIX}/{secrets.token_urlsafe(24)}.{kind}", File(upload))
    return StoredFile(name=name, kind=kind, original_name=str(getattr(upload, "name", ""))[:200])


def _remove_stale() -> None:
    """Files of imports that were started and never finished or cancelled are removed after a day."""
    try:
        _dirs, files = default_storage.listdir(STORAGE_PREFIX)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    limit = timezone.now() - STALE_AFTER
    for name in files:
        path = f"{STORAGE_PREFIX}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError, OSError):
            continue


# --- reading the table -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    value: Any
    formula: bool = False


class Table:
    """The rows of an uploaded file: a header and then data rows, numbered as a spreadsheet program shows them."""

    def __init__(self, stored: StoredFile, encoding: str = ENCODING_AUTO) -> None:
        self.stored = stored
        self.requested_encoding = encoding
        self.encoding = ""
        self.delimiter = ""
        self.headers: list[str] = []
        if stored.kind == "csv":
            self.encoding = self._detect_encoding()
            self.delimiter = self._detect_delimiter()
        with self._rows() as rows:
            first = next(rows, None)
        if first is None or not any(_text(cell.value) for cell in first[1]):
            raise ImportFileError(_("Die erste Zeile der Datei muss die Spaltenüberschriften enthalten; sie ist leer."))
        self.headers = [_text(cell.value) for cell in first[1]][:MAX_COLUMNS]
        while self.headers and not self.headers[-1]:
            self.headers.pop()

    def columns(self) -> list[tuple[int, str]]:
        return [(index, column_label(index, header)) for index, header in enumerate(self.headers)]

    def data_rows(self) -> Iterator[tuple[int, list[Cell]]]:
        with self._rows() as rows:
            next(rows, None)
            yield from rows

    # CSV

    def _detect_encoding(self) -> str:
        with self.stored.open() as handle:
            head = handle.read(4)
            if head.startswith(codecs.BOM_UTF8):
                if self.requested_encoding == "cp1252":
                    raise ImportFileError(_("Die Datei ist als UTF-8 gekennzeichnet (BOM), nicht als Windows-1252."))
                return "utf-8-sig"
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return "utf-16"
            candidates = ["utf-8", "cp1252"] if self.requested_encoding == ENCODING_AUTO else [self.requested_encoding]
            for encoding in candidates:
                handle.seek(0)
                failure = _decode_failure(handle, encoding)
                if failure is None:
                    return encoding
                if len(candidates) == 1:
                    raise ImportFileError(
                        _("Die Datei ist nicht in %(encoding)s kodiert (ungültiges Zeichen in Zeile %(line)s). "
                          "Wählen Sie eine andere Zeichenkodierung oder speichern Sie die Datei als „CSV UTF-8“.")
                        % {"encoding": ENCODING_NAMES[encoding], "line": failure}
                    )  # fmt: skip
        raise ImportFileError(
            _("Die Zeichenkodierung der Datei ist unbekannt (weder UTF-8 noch Windows-1252). Bitte speichern Sie "
              "sie als „CSV UTF-8 (durch Trennzeichen getrennt)“.")
        )  # fmt: skip

    def _detect_delimiter(self) -> str:
        # The header line decides: German Excel writes ";", most other programs ",". Quoted parts do not count.
        with self._text() as text:
            header = text.readline()
        unquoted = re.sub(r'"[^"]*"', "", header)
        counts = {delimiter: unquoted.count(delimiter) for delimiter in (";", ",", "\t")}
        best = max(counts, key=lambda delimiter: counts[delimiter])
        return best if counts[best] else ";"

    def _text(self) -> Any:
        return io.TextIOWrapper(self.stored.open(), encoding=self.encoding, newline="")

    # Both

    def _rows(self) -> Any:
        table = self

        class Rows:
            def __enter__(self) -> Iterator[tuple[int, list[Cell]]]:
                if table.stored.kind == "xlsx":
                    self.handle: Any = table.stored.open()
                    self.iterator = _xlsx_rows(self.handle)
                else:
                    self.handle = table._text()
                    self.iterator = _csv_rows(self.handle, table.delimiter)
                return self.iterator

            def __exit__(self, *exc: object) -> None:
                close = getattr(self.iterator, "close", None)
                if close is not None:
                    close()
                self.handle.close()

        return Rows()


def _decode_failure(handle: IO[bytes], encoding: str) -> int | None:
    """The line of the first byte that is not ``encoding``, or None; read in pieces, nothing kept."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    line = 1
    while chunk := handle.read(1024 * 1024):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            return line + chunk[: error.start].count(b"\n")
        line += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return line
    return None


def _csv_rows(text: IO[str], delimiter: str) -> Iterator[tuple[int, list[Cell]]]:
    reader = csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    number = 0
    try:
        for record in reader:
            number += 1
            yield number, [Cell(value) for value in record[:MAX_COLUMNS]]
    except csv.Error:
        raise ImportFileError(
            _("Zeile %(row)s der CSV-Datei kann nicht gelesen werden (eine Zelle ist zu lang oder ein "
              "Anführungszeichen ist nicht geschlossen).") % {"row": number + 1}
        ) from None  # fmt: skip


def _xlsx_rows(handle: IO[bytes]) -> Iterator[tuple[int, list[Cell]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a broken file; none of them is the user's business
        raise ImportFileError(
            _("Die Excel-Datei ist beschädigt oder kein XLSX und kann nicht gelesen werden.")
        ) from None
    try:
        sheet = workbook.worksheets[0]
        # Some programs declare a million rows: bounded by the row limit (header + rows + one to notice more).
        rows = sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS)
        for number, row in enumerate(rows, start=1):
            yield number, [Cell(cell.value, formula=cell.data_type == "f") for cell in row]
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(_("Die Excel-Datei ist beschädigt und kann nicht gelesen werden.")) from None
    finally:
        workbook.close()


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_label(index: int, header: str) -> str:
    return f"{column_letter(index)}: {header}" if header else column_letter(index)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()


UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _normalise_header(header: str) -> str:
    header = header.lower().translate(UMLAUTS)
    return re.sub(r"[^a-z]", "", header)


def guess_mapping(headers: list[str]) -> dict[str, int | None]:
    """Which column holds which field, from the header names; each column is used once, exact names first."""
    normalised = [_normalise_header(header) for header in headers]
    mapping: dict[str, int | None] = {name: None for name, *_rest in FIELDS}
    used: set[int] = set()
    for exact in (True, False):
        for name, _label, _required, _length, names in FIELDS:
            if mapping[name] is not None:
                continue
            for candidate in (_normalise_header(n) for n in names):
                found = next((i for i, h in enumerate(normalised) if i not in used and h and (
                    h == candidate if exact else (len(candidate) >= 4 and h.startswith(candidate)))), None)  # fmt: skip
                if found is not None:
                    mapping[name] = found
                    used.add(found)
                    break
    return mapping


# --- checking the rows -------------------------------------------------------------------------------------------


def parse_received(value: Any) -> datetime | None:
    """A moment of receipt from a cell: a spreadsheet date, TT.MM.JJJJ [HH:MM], or ISO 8601; local time is Berlin's."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        text = _text(value)
        match = _GERMAN_DATE.match(text)
        try:
            if match:
                day, month, year, hour, minute, second = match.groups()
                moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                                  int(second or 0), tzinfo=BERLIN)  # fmt: skip
            elif re.match(r"^\d{4}-\d{2}-\d{2}", text):
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            else:
                return None
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BERLIN)
    # Stored and certified (``statement_digest``) in UTC, as the database gives it back.
    return moment.astimezone(UTC)


def _check_row(
    number: int, cells: list[Cell], mapping: dict[str, int | None], headers: list[str], max_length: int, now: datetime
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The statement's values from one row, or the row's problems."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}

    def where(index: int) -> str:
        return column_label(index, headers[index] if index < len(headers) else "")

    for name, label, _required, max_chars, _names in FIELDS:
        index = mapping.get(name)
        cell = cells[index] if index is not None and index < len(cells) else Cell(None)
        column = where(index) if index is not None else str(label)
        if cell.formula or (isinstance(cell.value, str) and _FORMULA.match(cell.value)):
            problems.append(Problem(number, column, _(
                "Die Zelle enthält eine Formel („%(value)s“). Formeln werden nicht importiert; bitte speichern Sie "
                "die Werte statt der Formeln.") % {"value": _excerpt(_text(cell.value))}))  # fmt: skip
            continue
        if name == Field.RECEIVED_AT:
            if not _text(cell.value):
                problems.append(Problem(number, column, _("Das Eingangsdatum fehlt.")))
                continue
            received = parse_received(cell.value)
            if received is None:
                problems.append(Problem(number, column, _(
                    "„%(value)s“ ist kein Datum. Erwartet wird TT.MM.JJJJ, TT.MM.JJJJ HH:MM oder JJJJ-MM-TT."
                ) % {"value": _excerpt(_text(cell.value))}))  # fmt: skip
            elif received > now:
                problems.append(Problem(number, column, _("Das Eingangsdatum %(date)s liegt in der Zukunft.")
                                        % {"date": _text(cell.value)}))  # fmt: skip
            else:
                values[name] = received
            continue
        text = clean_text(_text(cell.value))
        if name == Field.POSTAL_CODE and isinstance(cell.value, (int, float)) and len(text) == 4:
            text = text.zfill(5)  # spreadsheets drop the leading zero of 01067 Dresden
        if _MOJIBAKE.search(text):
            problems.append(Problem(number, column, _(
                "Die Umlaute sind falsch kodiert („%(value)s“). Die Datei wurde vermutlich schon einmal mit falscher "
                "Zeichenkodierung gespeichert; bitte korrigieren Sie sie und speichern Sie sie als UTF-8."
            ) % {"value": _excerpt(text)}))  # fmt: skip
            continue
        if name == Field.TEXT:
            if not text:
                problems.append(Problem(number, column, _("Der Text der Stellungnahme ist leer.")))
            elif len(text) > max_length:
                problems.append(Problem(number, column, _(
                    "Der Text ist zu lang (%(length)s Zeichen). In diesem Verfahren sind höchstens %(limit)s Zeichen "
                    "erlaubt.") % {"length": len(text), "limit": max_length}))  # fmt: skip
            else:
                values[name] = text
            continue
        if max_chars is not None and len(text) > max_chars:
            problems.append(Problem(number, column, _("Der Wert ist zu lang (%(length)s Zeichen, höchstens %(limit)s).")
                                    % {"length": len(text), "limit": max_chars}))  # fmt: skip
            continue
        if name == Field.EMAIL and text:
            try:
                validate_email(text)
            except ValidationError:
                problems.append(Problem(number, column, _("„%(value)s“ ist keine gültige E-Mail-Adresse.")
                                        % {"value": _excerpt(text)}))  # fmt: skip
                continue
        values[name] = text
    return (None if problems else values), problems


def _excerpt(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def mapping_problems(mapping: dict[str, int | None], headers: list[str]) -> list[Problem]:
    problems = []
    for name in REQUIRED:
        if mapping.get(name) is None:
            problems.append(Problem(None, str(FIELD_LABELS[name]), _(
                "Keine Spalte für „%(field)s“ gewählt. Diese Angabe ist Pflicht; wählen Sie die Spalte aus oder "
                "ergänzen Sie sie in der Datei.") % {"field": FIELD_LABELS[name]}))  # fmt: skip
    chosen = [index for index in mapping.values() if index is not None]
    for index in chosen:
        if index >= len(headers):
            problems.append(Problem(None, column_letter(index), _("Diese Spalte gibt es in der Datei nicht.")))
    for index in sorted({index for index in chosen if chosen.count(index) > 1}):
        problems.append(Problem(None, column_label(index, headers[index] if index < len(headers) else ""),
                                _("Diese Spalte ist mehreren Angaben zugeordnet.")))  # fmt: skip
    return problems


def _rows_checked(
    table: Table, mapping: dict[str, int | None], procedure: Procedure, report: Report, now: datetime
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The good rows' values; every problem goes into ``report``. Empty rows are skipped."""
    seen = 0
    for number, cells in table.data_rows():
        if not any(_text(cell.value) for cell in cells):
            continue
        seen += 1
        if seen > MAX_ROWS:
            report.add(Problem(None, "", _(
                "Die Datei enthält mehr als %(limit)s Zeilen. Bitte teilen Sie sie in mehrere Dateien auf."
            ) % {"limit": f"{MAX_ROWS:,}".replace(",", ".")}))  # fmt: skip
            return
        values, problems = _check_row(number, cells, mapping, table.headers, procedure.max_text_length, now)
        for problem in problems:
            report.add(problem)
        if values is not None:
            report.count += 1
            yield number, values


def dry_run(
    *, stored: StoredFile, mapping: dict[str, int | None], procedure: Procedure, track: Track,
    encoding: str = ENCODING_AUTO, now: datetime | None = None,
) -> Report:  # fmt: skip
    """Read the whole file as the import would, write nothing: the count, the first rows, every problem by row."""
    now = now or timezone.now()
    report = Report()
    try:
        table = Table(stored, encoding)
    except ImportFileError as error:
        report.add(Problem(None, "", error.message))
        return report
    report.encoding, report.delimiter = table.encoding, table.delimiter
    for problem in mapping_problems(mapping, table.headers):
        report.add(problem)
    if report.problem_count:
        return report
    try:
        for number, values in _rows_checked(table, mapping, procedure, report, now):
            if values["received_at"] >= track.end:
                report.late += 1
            if len(report.preview) < PREVIEW_ROWS:
                report.preview.append({"row": number, **values, "late": values["received_at"] >= track.end})
    except ImportFileError as error:
        report.add(Problem(None, "", error.message))
    if not report.problem_count and not report.count:
        report.add(Problem(None, "", _("Die Datei enthält keine Stellungnahmen (nur die Kopfzeile).")))
    return report


# --- the import --------------------------------------------------------------------------------------------------


def statements_import(
    *, actor: Any, track: Track, stored: StoredFile, mapping: dict[str, int | None], encoding: str = ENCODING_AUTO
) -> ImportResult:
    """Create a statement for every row, or none: any problem raises ``ImportRefused`` with the dry run's report."""
    procedure = track.round.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    now = timezone.now()
    report = dry_run(stored=stored, mapping=mapping, procedure=procedure, track=track, encoding=encoding, now=now)
    if not report.ok:
        raise ImportRefused(report)
    with transaction.atomic():
        # One update reserves every number at once. It locks the procedure's counter row until the commit, as
        # ``services._next_reference`` does for a single statement, so concurrent statements never share a number.
        Procedure.objects.filter(pk=procedure.pk).update(statement_counter=F("statement_counter") + report.count)
        counter = Procedure.objects.values_list("statement_counter", flat=True).get(pk=procedure.pk)
        numbers = iter(range(counter - report.count + 1, counter + 1))
        created: list[Statement] = []
        batch: list[Statement] = []
        second = Report()
        for _number, values in _rows_checked(Table(stored, encoding), mapping, procedure, second, now):
            batch.append(_statement(procedure, track, actor, values, next(numbers)))
            if len(batch) >= BATCH_SIZE:
                created += _save(batch)
                batch = []
        if batch:
            created += _save(batch)
        if second.problem_count or len(created) != report.count:  # the stored file cannot change; be sure anyway
            raise ImportRefused(second)
        late = sum(1 for statement in created if statement.late)
        log_action(actor=actor, action="statement.import", obj=procedure,
                   organisation=procedure.module.project.organisation,
                   changes={"count": len(created), "late": late, "track": track.pk, "channel": Channel.IMPORT,
                            "file": stored.original_name,
                            "references": [created[0].reference, created[-1].reference]})  # fmt: skip
        # A partner's endpoint gets each statement's 0701, as for statements recorded one by one; asked once here
        # rather than once per statement, since most organisations have none.
        if transport.active_endpoint(procedure.module.project.organisation_id) is not None:
            for statement in created:
                transport.statement_received(statement)
        ids = [statement.pk for statement in created]
        analysis_after_import(procedure, ids)
    return ImportResult(len(created), late, created[0].reference, created[-1].reference, ids)


def _reference(procedure: Procedure, received_at: datetime, counter: int) -> str:
    # The format of ``services._next_reference``; tests compare an imported and a recorded reference.
    year = timezone.localtime(received_at).year
    return f"{procedure.reference_prefix}-{year}-{procedure.rules.abbreviation}-{counter:06d}"


def _statement(procedure: Procedure, track: Track, actor: Any, values: dict[str, Any], counter: int) -> Statement:
    received_at = values["received_at"]
    return Statement(
        procedure=procedure, track=track, author_name=values.get("author_name", ""),
        organisation_name=values.get("organisation_name", ""), street=values.get("street", ""),
        postal_code=values.get("postal_code", ""), city=values.get("city", ""), email=values.get("email", ""),
        text=values["text"], channel=Channel.IMPORT, received_at=received_at, late=received_at >= track.end,
        recorded_by=actor, reference=_reference(procedure, received_at, counter), content_sha256="",
    )  # fmt: skip


def _save(batch: list[Statement]) -> list[Statement]:
    created = Statement.objects.bulk_create(batch)
    for statement in created:
        # New statements have no attachments; saves the digest a query per statement.
        statement._prefetched_objects_cache = {"attachments": StatementAttachment.objects.none()}  # type: ignore[attr-defined]
        statement.content_sha256 = statement_digest(statement)
    Statement.objects.bulk_update(created, ["content_sha256"])
    return created


def analysis_after_import(procedure: Procedure, statement_ids: list[int]) -> None:
    """Hand the new statements to the analysis, if the portal has one (``ANALYSIS_HOOK``)."""
    try:
        enqueue = import_string(ANALYSIS_HOOK)
    except ImportError:
        return
    enqueue(procedure, statement_ids)


# --- forms -------------------------------------------------------------------------------------------------------


class UploadForm(forms.Form):
    track = forms.ModelChoiceField(label=gettext_lazy("Beteiligungsschritt"), queryset=Track.objects.none(),
                                   help_text=gettext_lazy("In diesen Schritt werden die Stellungnahmen übernommen."))  # fmt: skip
    upload = forms.FileField(
        label=gettext_lazy("Datei (CSV oder XLSX)"),
        help_text=gettext_lazy(
            "Erste Zeile: Spaltenüberschriften. Pflicht sind eine Spalte mit dem Text und eine mit dem Eingangsdatum. "
            "Höchstens 20 MB und 50.000 Zeilen; CSV in UTF-8 oder Windows-1252, getrennt durch Semikolon oder Komma."
        ),
    )

    def __init__(self, *args: Any, procedure: Procedure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tracks = Track.objects.with_phase().filter(round__procedure=procedure)  # type: ignore[attr-defined]
        track_field = cast(forms.ModelChoiceField, self.fields["track"])
        track_field.queryset = tracks
        if len(tracks) == 1:
            track_field.initial = tracks[0].pk


class MappingForm(forms.Form):
    """Which file column is which field; the encoding only for CSV files."""

    def __init__(self, *args: Any, table: Table | None, kind: str, initial_mapping: dict[str, int | None],
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        columns = table.columns() if table is not None else []
        choices = [("", _("– nicht übernehmen –")), *((str(index), label) for index, label in columns)]
        for name, label, required, _length, _names in FIELDS:
            index = initial_mapping.get(name)
            column = forms.ChoiceField(label=label, choices=choices, required=False,
                                       initial="" if index is None else str(index))  # fmt: skip
            # Required for the import, not for the form: a missing column is a problem of the dry run, listed
            # with the others, and the label must not say "optional".
            column.mandatory_on_submit = required  # type: ignore[attr-defined]
            self.fields[f"column_{name}"] = column
        if kind == "csv":
            self.fields["encoding"] = forms.ChoiceField(
                label=_("Zeichenkodierung"), choices=list(ENCODINGS.items()), initial=ENCODING_AUTO, required=False,
                help_text=_("Automatisch: UTF-8 (mit oder ohne BOM), sonst Windows-1252. Prüfen Sie die Umlaute in der "
                            "Vorschau."),
            )  # fmt: skip

    def mapping(self) -> dict[str, int | None]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        result: dict[str, int | None] = {}
        for name, *_rest in FIELDS:
            raw = data.get(f"column_{name}") if data else self.fields[f"column_{name}"].initial
            result[name] = int(raw) if raw not in (None, "") and str(raw).isdigit() else None
        return result

    def encoding(self) -> str:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        chosen = data.get("encoding") or ENCODING_AUTO
        return chosen if chosen in ENCODINGS else ENCODING_AUTO
