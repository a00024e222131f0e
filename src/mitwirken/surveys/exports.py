"""Responses as a table: one row per response, one column per answer value; CSV, XLSX and an SPSS package.

Rows are built by walking two cursors side by side, the responses and their ``Answer`` rows, both ordered by
response id and read in chunks, so memory stays bounded at any number of responses. Every cell goes through
``core.exports.safe_cell`` (no spreadsheet formulas from answers).

Columns (``layout``):

- ``id``, ``datum`` (the day of submission; the schema keeps no time), then for identified surveys ``name`` and
  ``email`` (of the account or the personal code), for pseudonymous ones ``pseudonym``;
- single choice and yes/no: the option's code and its label (``<q>``, ``<q>_text``), "Sonstiges" in
  ``<q>_other``; scale: the value; multiple choice: a 0/1 column per option (empty when the question was not
  answered) and ``<q>_other``; matrix: a column per row; ranking: a column per item with its rank;
  number, date, texts, file (its original name); location: ``<q>_lat`` and ``<q>_lon``.

The SPSS variant is for analysis: codes only, numeric wherever the value is (option codes become numbers, see
``numeric_codes``), without free texts and without names; a zip with ``data.csv``, ``codebook.csv`` and
``import.sps`` (GET DATA, VARIABLE LABELS, VALUE LABELS).
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _

from mitwirken.accounts.assurance_records import identity_text
from mitwirken.core.exports import safe_cell

from . import questions
from .models import Anonymity, Answer, Question, QuestionType, Response, Survey
from .questionnaire import Questionnaire

CHUNK = 2_000
ANSWER_FIELDS = ("response_id", "question_id", "row", "choice", "number", "text", "date", "lat", "lon")
IDENTITY_FIELDS = {
    Anonymity.IDENTIFIED: ("identity__user__real_name", "identity__user__display_name", "identity__user__email",
                           "identity__token__name", "identity__token__email"),
    Anonymity.PSEUDONYMOUS: ("identity__pseudonym",),
    Anonymity.ANONYMOUS: (),
}  # fmt: skip


@dataclass
class Column:
    name: str  # the variable name (question code, option or row code appended)
    label: str  # the header of the human table, the variable label in SPSS
    numeric: bool = False
    values: dict[Any, str] = field(default_factory=dict)  # value labels (SPSS and codebook)
    width: int = 8  # SPSS format width


@dataclass
class Slot:
    """Where one question's answers go in a row, and how an ``Answer`` row becomes cells."""

    question: Question
    first: int  # index of the question's first column
    index: dict[str, int] = field(default_factory=dict)  # option/row code → column index (multiple, matrix, ranking)
    labels: dict[str, str] = field(default_factory=dict)  # option code → label
    codes: dict[str, int] = field(default_factory=dict)  # option code → number (SPSS)
    other: int | None = None  # column of the "Sonstiges" text


class Layout:
    def __init__(self, survey: Survey, questionnaire: Questionnaire, *, spss: bool = False) -> None:
        self.survey = survey
        self.spss = spss
        self.identity = () if spss else IDENTITY_FIELDS[survey.anonymity]  # type: ignore[index]
        self.columns: list[Column] = [Column("id", _("Antwortbogen"), numeric=True, width=12),
                                      Column("datum", _("Abgeschickt am"), width=10)]  # fmt: skip
        if survey.anonymity == Anonymity.IDENTIFIED and not spss:
            self.columns += [Column("name", _("Name")), Column("email", _("E-Mail-Adresse"))]
        elif survey.anonymity == Anonymity.PSEUDONYMOUS and not spss:
            self.columns.append(Column("pseudonym", _("Pseudonym")))
        self.slots: dict[int, Slot] = {}
        self.flag_slots: list[Slot] = []
        for question in questionnaire.questions:
            if questions.has_answer(question.type) and not (spss and question.type in SPSS_SKIPPED):
                self._add(questionnaire, question)
        # How sure the portal is that a distinct real person answered (BundID trust level), at the end so the
        # question columns keep their places; never who (no subject, no bPK).
        self.login_columns = not spss
        if self.login_columns:
            self.columns += [Column("vertrauensniveau", _("Vertrauensniveau der Anmeldung"), numeric=True, width=1),
                             Column("identitaet", _("Identität"))]  # fmt: skip
        self.width = len(self.columns)

    # --- columns ----------------------------------------------------------------------------------------------

    def _add(self, questionnaire: Questionnaire, question: Question) -> None:
        slot = Slot(question, len(self.columns))
        self.slots[question.pk] = slot
        code, kind = variable(question.code), question.type
        item = questionnaire.item(question).field
        choices = list(item.choices)
        slot.labels = {choice.code: choice.label for choice in choices} | {questions.OTHER: _("Sonstiges")}
        other = bool(question.config.get("other")) and kind in (QuestionType.SINGLE, QuestionType.MULTIPLE)
        all_codes = [choice.code for choice in choices] + ([questions.OTHER] if other else [])
        slot.codes = numeric_codes(all_codes)
        value_labels = {slot.codes[c]: slot.labels[c] for c in all_codes}
        if kind in (QuestionType.SINGLE, QuestionType.YES_NO):
            self.columns.append(Column(code, question.text, numeric=self.spss, values=value_labels))
            if not self.spss:
                self.columns.append(Column(f"{code}_text", f"{question.text} ({_('Beschriftung')})"))
        elif kind == QuestionType.SCALE:
            self.columns.append(Column(code, question.text, numeric=True, width=4))
        elif kind == QuestionType.MULTIPLE:
            self.flag_slots.append(slot)
            for choice in choices + ([questions.Choice(questions.OTHER, _("Sonstiges"))] if other else []):
                slot.index[choice.code] = len(self.columns)
                self.columns.append(Column(f"{code}_{variable(choice.code, 'o')}", f"{question.text}: {choice.label}",
                                           numeric=True, values={0: _("nicht gewählt"), 1: _("gewählt")}, width=1))  # fmt: skip
        elif kind == QuestionType.MATRIX:
            for row in item.rows:
                slot.index[row.code] = len(self.columns)
                self.columns.append(Column(f"{code}_{variable(row.code, 'r')}", f"{question.text}: {row.label}",
                                           numeric=self.spss, values=value_labels))  # fmt: skip
        elif kind == QuestionType.RANKING:
            for choice in choices:
                slot.index[choice.code] = len(self.columns)
                self.columns.append(Column(f"{code}_{variable(choice.code, 'o')}",
                                           f"{question.text}: {choice.label} ({_('Rang')})", numeric=True, width=3))  # fmt: skip
        elif kind == QuestionType.NUMBER:
            self.columns.append(Column(code, question.text, numeric=True, width=18))
        elif kind == QuestionType.LOCATION:
            self.columns += [Column(f"{code}_lat", f"{question.text} ({_('Breite')})", numeric=True, width=12),
                             Column(f"{code}_lon", f"{question.text} ({_('Länge')})", numeric=True, width=12)]  # fmt: skip
        else:  # texts, date, file (its original name)
            self.columns.append(Column(code, question.text, width=10 if kind == QuestionType.DATE else 255))
        if other and not self.spss:
            slot.other = len(self.columns)
            self.columns.append(Column(f"{code}_other", f"{question.text}: {_('Sonstiges')} ({_('Text')})"))

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def labels(self) -> list[str]:
        return [column.label for column in self.columns]

    # --- rows -------------------------------------------------------------------------------------------------

    def start(self, response: tuple[Any, ...]) -> list[Any]:
        row: list[Any] = [""] * self.width
        row[0], row[1] = response[0], response[1].isoformat()
        if self.survey.anonymity == Anonymity.IDENTIFIED and not self.spss:
            real_name, display_name, email, token_name, token_email = response[2:7]
            row[2] = real_name or display_name or token_name or ""
            row[3] = email or token_email or ""
        elif self.survey.anonymity == Anonymity.PSEUDONYMOUS and not self.spss:
            row[2] = response[2] or ""
        if self.login_columns:
            row[-2], row[-1] = response[-2], identity_text(response[-2], response[-1])
        return row

    def put(self, row: list[Any], answer: tuple[Any, ...]) -> None:
        _response, question_id, matrix_row, choice, number, text, date, lat, lon = answer
        slot = self.slots.get(question_id)
        if slot is None:
            return
        kind, first = slot.question.type, slot.first
        if kind in (QuestionType.SINGLE, QuestionType.YES_NO):
            row[first] = slot.codes.get(choice, choice) if self.spss else choice
            if not self.spss:
                row[first + 1] = slot.labels.get(choice, choice)
        elif kind == QuestionType.SCALE:
            row[first] = int(choice) if choice.isdigit() else choice
        elif kind == QuestionType.MULTIPLE:
            if choice in slot.index:
                row[slot.index[choice]] = 1
        elif kind == QuestionType.MATRIX:
            if matrix_row in slot.index:
                row[slot.index[matrix_row]] = (
                    slot.codes.get(choice, choice) if self.spss else slot.labels.get(choice, choice)
                )
        elif kind == QuestionType.RANKING:
            if choice in slot.index and number is not None:
                row[slot.index[choice]] = int(number)
        elif kind == QuestionType.NUMBER:
            row[first] = plain_number(number)
        elif kind == QuestionType.DATE:
            row[first] = date.isoformat() if date else ""
        elif kind == QuestionType.LOCATION:
            row[first], row[first + 1] = lat if lat is not None else "", lon if lon is not None else ""
        else:
            row[first] = text
        if slot.other is not None and choice == questions.OTHER:
            row[slot.other] = text

    def finish(self, row: list[Any]) -> list[Any]:
        """A multiple choice that was answered gets 0 for every option not chosen; unanswered stays empty."""
        for slot in self.flag_slots:
            columns = slot.index.values()
            if any(row[index] == 1 for index in columns):
                for index in columns:
                    if row[index] == "":
                        row[index] = 0
        return row

    def rows(self) -> Iterator[list[Any]]:
        """Every response as a row: responses and answers, both in response order, merged as they stream."""
        responses = (
            Response.objects.filter(survey=self.survey).order_by("pk")
            .values_list("pk", "submitted_on", *self.identity, "assurance_level", "identity_provider")
            .iterator(chunk_size=CHUNK)
        )  # fmt: skip
        answers = (
            Answer.objects.filter(question_id__in=list(self.slots)).order_by("response_id", "pk")
            .values_list(*ANSWER_FIELDS).iterator(chunk_size=CHUNK)
        )  # fmt: skip
        pending = next(answers, None)
        for response in responses:
            row = self.start(response)
            while pending is not None and pending[0] < response[0]:
                pending = next(answers, None)  # cannot happen (answers belong to a response); never stall on it
            while pending is not None and pending[0] == response[0]:
                self.put(row, pending)
                pending = next(answers, None)
            yield self.finish(row)


SPSS_SKIPPED = (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT, QuestionType.FILE)
_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9_]")


def variable(code: str, prefix: str = "v") -> str:
    """A variable name SPSS, R and Stata accept: letters, digits and underscores, starting with a letter."""
    name = _NOT_IN_NAME.sub("_", code)
    return name if name[:1].isalpha() else f"{prefix}_{name}"


def numeric_codes(codes: list[str]) -> dict[str, int]:
    """Option codes as numbers: kept where every code is a whole number (scales, 1–5), else 1, 2, 3 … in order.

    "Sonstiges" gets the next free number. The codebook names each number with its code and label.
    """
    plain = [code for code in codes if code != questions.OTHER]
    if plain and all(code.isdigit() for code in plain):
        mapping = {code: int(code) for code in plain}
    else:
        mapping = {code: position for position, code in enumerate(plain, start=1)}
    if questions.OTHER in codes:
        mapping[questions.OTHER] = max(mapping.values(), default=0) + 1
    return mapping


def plain_number(number: Decimal | None) -> Any:
    """A whole number as int, else a float: spreadsheets read both as numbers."""
    if number is None:
        return ""
    return int(number) if number == number.to_integral_value() else float(number)


def human_header(layout: Layout) -> list[str]:
    """The first row of CSV and XLSX: the variable name and, after it, the question, so both are at hand."""
    return [f"{column.name}: {column.label}" if column.label != column.name else column.name
            for column in layout.columns]  # fmt: skip


# --- SPSS -----------------------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def _spss_lines(layout: Layout) -> Iterator[str]:
    """``data.csv``: comma-separated, no BOM (SPSS's GET DATA reads it as UTF-8), formula-safe cells."""
    writer = csv.writer(_Echo(), delimiter=",", lineterminator="\r\n")
    yield writer.writerow(layout.header)
    for row in layout.rows():
        yield writer.writerow([safe_cell(value) for value in row])


def codebook_lines(layout: Layout) -> Iterator[list[Any]]:
    yield ["variable", "label", "value", "value_label"]
    for column in layout.columns:
        yield [column.name, column.label, "", ""]
        for value, label in column.values.items():
            yield [column.name, "", value, label]


def _quoted(text: str, limit: int = 250) -> str:
    """A label in SPSS syntax: quotes doubled, one line, within SPSS's label lengths (bytes, so cut by characters
    well below them)."""
    return "'" + str(safe_cell(text))[:limit].replace("'", "''").replace("\n", " ") + "'"


def syntax(layout: Layout) -> str:
    """``import.sps``: reads ``data.csv`` and labels variables and values."""
    formats = []
    for column in layout.columns:
        if column.numeric:
            decimals = 6 if column.width >= 12 and column.name != "id" else 0
            formats.append(f"  {column.name} F{max(column.width, 1)}.{decimals}")
        else:
            formats.append(f"  {column.name} A{column.width}")
    lines = [
        "* Umfrage: Daten einlesen und beschriften (SPSS-Syntax, UTF-8).",
        "SET UNICODE=ON.",
        "GET DATA /TYPE=TXT /FILE='data.csv' /ENCODING='UTF8' /DELIMITERS=',' /QUALIFIER='\"'",
        "  /ARRANGEMENT=DELIMITED /FIRSTCASE=2 /VARIABLES=",
        *formats,
        ".",
        "VARIABLE LABELS",
        " /".join(f"  {column.name} {_quoted(column.label)}" for column in layout.columns) + ".",
    ]
    labelled = [column for column in layout.columns if column.values]
    if labelled:
        lines.append("VALUE LABELS")
        lines.append(
            " /".join(
                f"  {column.name} "
                + " ".join(f"{value} {_quoted(label, 60)}" for value, label in column.values.items())
                for column in labelled
            )
            + "."
        )
    lines.append("EXECUTE.")
    return "\r\n".join(lines) + "\r\n"


def spss_zip(layout: Layout) -> IO[bytes]:
    """The SPSS package in a temporary file; ``data.csv`` is written into the zip as the rows stream."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("data.csv", "w") as data:
            for line in _spss_lines(layout):
                data.write(line.encode("utf-8"))
        book = io.StringIO()
        writer = csv.writer(book, delimiter=",", lineterminator="\r\n")
        for entry in codebook_lines(layout):
            writer.writerow([safe_cell(value) for value in entry])
        archive.writestr("codebook.csv", book.getvalue().encode("utf-8"))
        archive.writestr("import.sps", syntax(layout).encode("utf-8"))
    target.seek(0)
    return target
