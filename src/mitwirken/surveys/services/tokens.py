"""Personal access codes of a survey: importing a list of people, codes for paper letters, invitations,
reminders and revoking.

An uploaded list is read completely before anything is saved: one bad line refuses the whole file with every
problem named by its line number, so staff fix the file and upload it again instead of hunting for the half
that went in.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action
from mitwirken.core.permissions import require
from mitwirken.core.text import clean_text

from ..models import Access, Survey, Token
from ..tasks import INVITATION, MAX_REMINDERS, recipients, send_invitations
from .responding import discard

MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 10_000
MAX_CODES = 10_000
MAX_COLUMNS = 20
MAX_CELL = 200
MAX_LISTED_PROBLEMS = 30
# Printed codes are typed by hand: no 0/O, 1/I/L; grouped like the project's access codes.
PAPER_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
EMAIL_HEADERS = {"email", "e-mail", "emailadresse", "e-mail-adresse", "mail", "mailadresse"}
NAME_HEADERS = {"name", "vollständiger name", "anrede und name"}


@dataclass
class Person:
    line: int
    email: str
    name: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportResult:
    created: int
    duplicates: list[str]


# --- reading a list -----------------------------------------------------------------------------------------


def _text_of(raw: bytes) -> str:
    """The file as text: UTF-8 (with or without BOM), else Windows-1252, which older Excel writes in Germany."""
    not_csv = ValidationError(_("Die Datei ist keine CSV-Datei. Bitte speichern Sie die Liste in Excel oder "
                                "LibreOffice als „CSV (Trennzeichen-getrennt)“."))  # fmt: skip
    if b"\x00" in raw[:8192] or filetype.guess(raw[:8192]) is not None:
        raise not_csv  # a workbook, a PDF, an image: a known binary format
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise not_csv from None


def _delimiter(header_line: str) -> str:
    """German Excel separates with ";", others with ","; the header row tells which."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in (";", ",", "\t")}
    return max(counts, key=lambda delimiter: counts[delimiter]) if any(counts.values()) else ";"


def _columns(header: list[str]) -> tuple[int, int | None, list[tuple[int, str]]]:
    """Positions of the e-mail column, the name column and the further attribute columns."""
    names = [clean_text(cell).strip() for cell in header]
    keys = [name.casefold().replace(" ", "").replace("_", "-") for name in names]
    email = next((index for index, key in enumerate(keys) if key in EMAIL_HEADERS), None)
    if email is None:
        raise ValidationError(_("Die erste Zeile muss die Spaltennamen enthalten, darunter eine Spalte „E-Mail“."))
    name = next((index for index, key in enumerate(names) if key.casefold() in NAME_HEADERS), None)
    if len(names) > MAX_COLUMNS:
        raise ValidationError(_("Die Liste hat mehr als %(max)d Spalten.") % {"max": MAX_COLUMNS})
    attributes = [(index, names[index][:40]) for index in range(len(names))
                  if index not in (email, name) and names[index]]  # fmt: skip
    return email, name, attributes


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return clean_text(row[index]).strip()[:MAX_CELL]


def read_list(raw: bytes, taken: set[str]) -> tuple[list[Person], list[str], list[str]]:
    """People, problems and skipped duplicates of an uploaded list; ``taken`` holds addresses already invited."""
    text = _text_of(raw)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ValidationError(_("Die Datei ist leer."))
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=_delimiter(lines[0])))
    except csv.Error:
        raise ValidationError(_("Die Datei ist keine lesbare CSV-Datei.")) from None
    email_at, name_at, attributes_at = _columns(rows[0])
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise ValidationError(_("Bitte laden Sie höchstens %(max)s Zeilen auf einmal hoch.")
                              % {"max": f"{MAX_IMPORT_ROWS:,}".replace(",", ".")})  # fmt: skip
    people, problems, duplicates = [], [], []
    seen = {address.casefold() for address in taken}
    for line, row in _numbered(rows):
        email = _cell(row, email_at)
        if not email:
            problems.append(_("Zeile %(line)d: Die E-Mail-Adresse fehlt.") % {"line": line})
            continue
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("Zeile %(line)d: „%(email)s“ ist keine gültige E-Mail-Adresse.")
                            % {"line": line, "email": email})  # fmt: skip
            continue
        if email.casefold() in seen:
            duplicates.append(_("Zeile %(line)d: %(email)s steht schon in der Liste.") % {"line": line, "email": email})
            continue
        seen.add(email.casefold())
        attributes = {name: value for index, name in attributes_at if (value := _cell(row, index))}
        people.append(Person(line, email, _cell(row, name_at), attributes))
    return people, problems, duplicates


def _numbered(rows: list[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """Rows after the header with the line number a spreadsheet shows; empty rows are skipped."""
    for number, row in enumerate(rows[1:], start=2):
        if any(cell.strip() for cell in row):
            yield number, row


def _listed(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_LISTED_PROBLEMS:
        return problems
    rest = len(problems) - MAX_LISTED_PROBLEMS
    return [*problems[:MAX_LISTED_PROBLEMS], _("… und %(count)d weitere Zeilen.") % {"count": rest}]


# --- writes -------------------------------------------------------------------------------------------------


def tokens_import(*, actor: Any, survey: Survey, upload: UploadedFile) -> ImportResult:
    """One token per person of the list, or none at all when a line is wrong."""
    require(actor, "surveys.manage", survey.module)
    if upload.size is not None and upload.size > MAX_CSV_BYTES:
        raise ValidationError({"file": _("Die Datei ist zu groß. Erlaubt sind höchstens %(mb)d MB.")
                                       % {"mb": MAX_CSV_BYTES // (1024 * 1024)}})  # fmt: skip
    raw = upload.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        raise ValidationError({"file": _("Die Datei ist zu groß. Erlaubt sind höchstens %(mb)d MB.")
                                       % {"mb": MAX_CSV_BYTES // (1024 * 1024)}})  # fmt: skip
    taken = set(Token.objects.filter(survey=survey).exclude(email="").values_list("email", flat=True))
    try:
        people, problems, duplicates = read_list(raw, taken)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    if problems:
        raise ValidationError({"file": _listed(problems)})
    if not people:
        raise ValidationError({"file": _("Die Liste enthält keine neuen E-Mail-Adressen.")})
    with transaction.atomic():
        Token.objects.bulk_create(
            (Token(survey=survey, email=person.email, name=person.name, attributes=person.attributes)
             for person in people), batch_size=1000,
        )  # fmt: skip
        log_action(actor=actor, action="survey.tokens_import", obj=survey,
                   organisation=survey.module.project.organisation,
                   changes={"count": len(people), "duplicates": len(duplicates)})  # fmt: skip
    return ImportResult(len(people), _listed(duplicates))


def paper_code() -> str:
    raw = "".join(secrets.choice(PAPER_ALPHABET) for _index in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def codes_generate(*, actor: Any, survey: Survey, count: int) -> int:
    """``count`` tokens without an address, for letters."""
    require(actor, "surveys.manage", survey.module)
    if not 1 <= count <= MAX_CODES:
        raise ValidationError({"count": _("Bitte zwischen 1 und %(max)s Codes auf einmal erzeugen.")
                                        % {"max": f"{MAX_CODES:,}".replace(",", ".")}})  # fmt: skip
    with transaction.atomic():
        remaining = count
        while remaining:
            wanted = {paper_code() for _index in range(min(remaining, 1000))}
            # Codes are unique across the portal; a collision is rare but must not fail the batch.
            wanted -= set(Token.objects.filter(code__in=wanted).values_list("code", flat=True))
            Token.objects.bulk_create(Token(survey=survey, code=code) for code in wanted)
            remaining -= len(wanted)
        log_action(actor=actor, action="survey.codes_generate", obj=survey,
                   organisation=survey.module.project.organisation, changes={"count": count})  # fmt: skip
    return count


def _require_token_survey(survey: Survey) -> None:
    if survey.access != Access.TOKEN:
        raise ValidationError(_("Einladungen gibt es nur, wenn die Umfrage auf persönliche Zugangscodes "
                                "eingestellt ist (Zugang „Mit persönlichem Zugangscode“)."))  # fmt: skip


def invitations_send(*, actor: Any, survey: Survey) -> int:
    """Queue the invitation of every token with an address that has none yet; answers how many."""
    require(actor, "surveys.manage", survey.module)
    _require_token_survey(survey)
    count = recipients(survey, INVITATION).count()
    if not count:
        raise ValidationError(_("Alle Zugangscodes mit E-Mail-Adresse sind bereits eingeladen."))
    with transaction.atomic():
        send_invitations.enqueue(survey.pk, INVITATION, 0)
        log_action(actor=actor, action="survey.invitations_send", obj=survey,
                   organisation=survey.module.project.organisation, changes={"count": count})  # fmt: skip
    return count


def reminders_send(*, actor: Any, survey: Survey) -> int:
    """Queue the next reminder round (at most two) to invited people whose code is unused; answers how many."""
    require(actor, "surveys.manage", survey.module)
    _require_token_survey(survey)
    if survey.reminders_sent >= MAX_REMINDERS:
        raise ValidationError(_("Es wurden bereits zwei Erinnerungen verschickt. Eine dritte ist nicht vorgesehen."))
    count = recipients(survey, survey.reminders_sent + 1).count()
    if not count:
        raise ValidationError(_("Niemand ist zu erinnern: Alle eingeladenen Personen haben schon geantwortet "
                                "oder es wurde noch niemand eingeladen."))  # fmt: skip
    with transaction.atomic():
        # Conditional, so two clicks at once cannot start a third round.
        if not Survey.objects.filter(pk=survey.pk, reminders_sent=survey.reminders_sent).update(
            reminders_sent=F("reminders_sent") + 1
        ):
            raise ValidationError(_("Die Erinnerung wurde gerade schon verschickt."))
        survey.reminders_sent += 1
        send_invitations.enqueue(survey.pk, survey.reminders_sent, 0)
        log_action(actor=actor, action="survey.reminders_send", obj=survey,
                   organisation=survey.module.project.organisation,
                   changes={"round": survey.reminders_sent, "count": count})  # fmt: skip
    return count


def token_revoke(*, actor: Any, token: Token) -> None:
    """Delete an unused code (and a draft begun with it); a used one stays, it records that someone answered."""
    require(actor, "surveys.manage", token.survey.module)
    if token.used:
        raise ValidationError(_("Mit diesem Zugangscode wurde bereits geantwortet; er kann nicht gelöscht werden."))
    with transaction.atomic():
        discard(getattr(token, "draft", None))
        log_action(actor=actor, action="survey.token_revoke", obj=token.survey,
                   organisation=token.survey.module.project.organisation,
                   changes={"token": token.email or token.code[:4]})  # fmt: skip
        token.delete()
