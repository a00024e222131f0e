"""Reading many invitations at once: a list of addresses typed or pasted, or a CSV file with names and roles.

The parser only reads; ``services.invitations_bulk_create`` writes. Every problem names its line, so staff can
fix the source (often a spreadsheet) and try again.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .models import ParticipantRole

MAX_ROWS = 500
MAX_CSV_BYTES = 1024 * 1024

# What people write in the role column of their spreadsheets, lower-cased.
ROLE_WORDS = {
    ParticipantRole.PARTICIPANT: {"teilnehmend", "teilnehmende person", "teilnehmer", "teilnehmerin", "participant",
                                  "bürger", "buerger", "person"},
    ParticipantRole.AGENCY: {"töb", "toeb", "tob", "träger öffentlicher belange", "träger öffentlicher belange (töb)",
                             "agency", "behörde", "behoerde", "stelle"},
    ParticipantRole.MODERATOR: {"moderation", "moderator", "moderatorin"},
}  # fmt: skip
EMAIL_HEADERS = {"e-mail", "email", "e-mail-adresse", "mail", "adresse", "e-mail address"}
NAME_HEADERS = {"name", "stelle", "behörde", "organisation", "name oder stelle"}
ROLE_HEADERS = {"rolle", "role"}
# "Anna Beispiel <anna@example.org>" as mail programs copy addresses.
NAMED_ADDRESS = re.compile(r"^\s*\"?(?P<name>[^<>\"]*?)\"?\s*<(?P<email>[^<>]+)>\s*$")


@dataclass(frozen=True)
class InviteRow:
    line: int
    email: str
    name: str = ""
    role: str = ParticipantRole.PARTICIPANT


@dataclass(frozen=True)
class Refusal:
    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        return _("Zeile %(line)s (%(text)s): %(reason)s") % {
            "line": self.line,
            "text": self.text,
            "reason": self.reason,
        }


@dataclass
class ParsedRows:
    rows: list[InviteRow]
    refused: list[Refusal]


def parse_role(value: str, default: str) -> str | None:
    word = value.strip().lower()
    if not word:
        return default
    for role, words in ROLE_WORDS.items():
        if word in words or word == role:
            return str(role)
    return None


def _check_email(value: str) -> str | None:
    email = value.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        return None
    return email


def _row(line: int, text: str, email: str, name: str, role: str, default_role: str) -> InviteRow | Refusal:
    if not email.strip():
        return Refusal(line, text, _("Es fehlt die E-Mail-Adresse."))
    checked = _check_email(email)
    if checked is None:
        return Refusal(line, text, _("„%(value)s“ ist keine gültige E-Mail-Adresse.") % {"value": email.strip()})
    parsed_role = parse_role(role, default_role)
    if parsed_role is None:
        return Refusal(
            line, text,
            _("Die Rolle „%(value)s“ gibt es nicht. Möglich sind: Teilnehmende Person, TöB, Moderation.")
            % {"value": role.strip()},
        )  # fmt: skip
    return InviteRow(line=line, email=checked, name=name.strip()[:200], role=parsed_role)


def _collect(results: list[InviteRow | Refusal]) -> ParsedRows:
    parsed = ParsedRows(rows=[], refused=[])
    for result in results:
        (parsed.rows if isinstance(result, InviteRow) else parsed.refused).append(result)  # type: ignore[arg-type]
    if len(parsed.rows) > MAX_ROWS:
        raise ValidationError(
            _("Bitte laden Sie höchstens %(max)s Personen auf einmal ein; die Liste hat %(count)s.")
            % {"max": MAX_ROWS, "count": len(parsed.rows)}
        )
    return parsed


def parse_lines(text: str, *, default_role: str = ParticipantRole.PARTICIPANT) -> ParsedRows:
    """One invitation per line: an address, "Name <address>", or "address; Name; Rolle" (also with commas)."""
    results: list[InviteRow | Refusal] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        named = NAMED_ADDRESS.match(line)
        if named:
            results.append(_row(number, line, named["email"], named["name"], "", default_role))
            continue
        parts = [part.strip() for part in re.split(r"[;,\t]", line)]
        parts += [""] * (3 - len(parts))
        results.append(_row(number, line, parts[0], parts[1], parts[2], default_role))
    return _collect(results)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):  # Excel in Germany still saves CSV as Windows-1252
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("Die Datei ist keine lesbare CSV-Datei (Zeichensatz UTF-8 oder Windows-1252)."))


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if 0 <= index < len(cells) else ""


def parse_csv(upload: Any, *, default_role: str = ParticipantRole.PARTICIPANT) -> ParsedRows:
    """A CSV file with the columns E-Mail, Name, Rolle (a header row names them; without one, in this order)."""
    if upload.size > MAX_CSV_BYTES:
        raise ValidationError(_("Die CSV-Datei ist zu groß (höchstens 1 MB)."))
    upload.seek(0)
    raw = upload.read()
    if b"\x00" in raw:
        raise ValidationError(_("Die Datei ist keine CSV-Datei. Bitte speichern Sie die Tabelle als CSV."))
    text = _decode(raw)
    delimiter = ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    columns = {"email": 0, "name": 1, "role": 2}
    results: list[InviteRow | Refusal] = []
    try:
        for row in reader:
            number = reader.line_num
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            lowered = [cell.lower() for cell in cells]
            if number == 1 and any(cell in EMAIL_HEADERS for cell in lowered):
                columns = {"email": -1, "name": -1, "role": -1}
                for index, cell in enumerate(lowered):
                    for key, names in (("email", EMAIL_HEADERS), ("name", NAME_HEADERS), ("role", ROLE_HEADERS)):
                        if cell in names and columns[key] < 0:
                            columns[key] = index
                continue

            email, name, role = (_cell(cells, columns[key]) for key in ("email", "name", "role"))
            results.append(_row(number, delimiter.join(cells)[:120], email, name, role, default_role))
    except csv.Error as error:
        raise ValidationError(
            _("Die CSV-Datei ist in Zeile %(line)s nicht lesbar.") % {"line": reader.line_num}
        ) from error
    return _collect(results)
