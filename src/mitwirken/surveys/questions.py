"""One definition per question type: its settings, how an answer is read from a form and checked, how it
compares in conditions, and how it becomes ``Answer`` rows and export cells.

Answers between pages are kept in a draft as JSON, one value per question code:

=========== ==========================================  =====================================
type        draft value                                  compared in conditions as
=========== ==========================================  =====================================
single      {"choice": code, "other": text}              the option code
multiple    {"choices": [codes], "other": text}          the list of codes
short/long  text                                         the text
number      "12.5" (decimal as text)                     the number
date        "2026-12-24"                                 the ISO date
yes_no      "ja" / "nein"                                 "ja" / "nein"
scale       7                                            the number
matrix      {row code: option code}                      the dict (answered or not)
ranking     [codes, first first]                         the list
location    {"lat": 50.0, "lon": 8.2}                    answered or not
file        {"path": stored name, "name": original}      answered or not
=========== ==========================================  =====================================
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import QuestionType

OTHER = "_other"
MAX_SHORT_TEXT = 300
MAX_LONG_TEXT = 5_000
YES, NO = "ja", "nein"
SCALES = {"1-5": (1, 5), "1-10": (1, 10), "nps": (0, 10)}
SCALE_NAMES = {"1-5": gettext_lazy("1 bis 5"), "1-10": gettext_lazy("1 bis 10"),
               "nps": gettext_lazy("0 bis 10 (Weiterempfehlung, NPS)")}  # fmt: skip


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


def scale_range(config: Mapping[str, Any]) -> tuple[int, int]:
    return SCALES.get(str(config.get("scale", "1-5")), SCALES["1-5"])


def scale_choices(config: Mapping[str, Any]) -> list[Choice]:
    low, high = scale_range(config)
    return [Choice(str(value), str(value)) for value in range(low, high + 1)]


def yes_no_choices() -> list[Choice]:
    return [Choice(YES, _("Ja")), Choice(NO, _("Nein"))]


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _format_number(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- reading an answer ----------------------------------------------------------------------------------------


@dataclass
class Field:
    """What ``read`` needs of a question, independent of the ORM (the builder's preview uses it too)."""

    code: str
    type: str
    required: bool
    config: Mapping[str, Any]
    choices: Sequence[Choice] = ()  # options; for a matrix its scale
    rows: Sequence[Choice] = ()  # matrix rows

    @property
    def name(self) -> str:
        return f"q-{self.code}"


def read(
    field: Field, data: Mapping[str, Any], files: Mapping[str, Any] | None = None, *, enforce_required: bool = True
) -> Any:
    """The answer a form sent for ``field``, checked; ``None`` when not answered. Raises ValidationError.

    ``enforce_required=False`` is for keeping a half-done page (save for later, go back, move a ranking item):
    what was given must still be valid, but nothing is demanded yet.
    """
    reader = READERS[field.type]
    value = reader(field, data, files or {})
    if value in (None, "", [], {}) and field.required and enforce_required:
        raise ValidationError(_("Bitte beantworten Sie diese Frage."))
    return None if value in ("", [], {}) else value


def _text(field: Field, data: Mapping[str, Any], files: Mapping[str, Any]) -> str:
    from mitwirken.core.text import clean_text

    limit = int(field.config.get("max_length") or (MAX_LONG_TEXT if field.type == QuestionType.LONG_TEXT
                                                    else MAX_SHORT_TEXT))  # fmt: skip
    text = clean_text(str(data.get(field.name, "")))
    if len(text) > limit:
        raise ValidationError(_("Bitte antworten Sie mit höchstens %(max)d Zeichen (jetzt %(count)d).")
                              % {"max": limit, "count": len(text)})  # fmt: skip
    return text


def _codes(field: Field) -> set[str]:
    return {choice.code for choice in field.choices}


def _other_text(field: Field, data: Mapping[str, Any], chosen: bool) -> str:
    from mitwirken.core.text import clean_text

    text = clean_text(str(data.get(f"{field.name}-other", "")))
    if chosen and not text:
        raise ValidationError(_("Bitte beschreiben Sie „Sonstiges“ in dem Textfeld."))
    if len(text) > MAX_SHORT_TEXT:
        raise ValidationError(_("„Sonstiges“ darf höchstens %(max)d Zeichen lang sein.") % {"max": MAX_SHORT_TEXT})
    return text if chosen else ""


def _single(field: Field, data: Mapping[str, Any], files: Mapping[str, Any]) -> dict[str, str] | None:
    choice = str(data.get(field.name, "")).strip()
    if not choice:
        return None
    allowed = _codes(field) | ({OTHER} if field.config.get("other") else set())
    if choice not in allowed:
        raise ValidationError(_("Bitte wählen Sie eine der angebotenen Antworten."))
    return {"choice": choice, "other": _other_text(field, data, choice == OTHER)}


def _multiple(field: Field, data: Mapping[str, Any], files: Mapping[str, Any]) -> dict[str, Any] | None:
    chosen = [str(value) for value in _list(data, field.name)]
    allowed = _codes(field) | ({OTHER} if field.config.get("other") else set())
    if any(value not in allowed for value in chosen) or len(set(chosen)) != len(chosen):
        raise ValidationError(_("Bitte wählen Sie nur unter den angebotenen Antworten."))
    if not chosen:
        return None
    low, high = field.config.get("min"), field.config.get("max")
    if low and len(chosen) < int(low):
        raise ValidationError(_("Bitte wählen Sie mindestens %(min)d Antworten.") % {"min": int(low)})
    if high and len(chosen) > int(high):
        raise ValidationError(_("Bitte wählen Sie höchstens %(max)d Antworten.") % {"max": int(high)})
    order = [choice.code for choice in field.choices] + [OTHER]
    return {"choices": sorted(chosen, key=order.index), "other": _other_text(field, data, OTHER in chosen)}


def _list(data: Mapping[str, Any], name: str) -> list[Any]:
    getlist = getattr(data, "getlist", None)
    if getlist is not None:
        return [value for value in getlist(name) if value != ""]
    value = data.get(name)
    return [item for item in (value if isinstance(value, list) else [value]) if item not in (None, "")]


def _number(field: Field, data: Mapping[str, Any], files: Mapping[str, Any]) -> str | None:
    raw = str(data.get(field.name, "")).strip()
    if not raw:
        return None
    number = _decimal(raw)
    if number is None:
        raise ValidationError(_("Bitte geben Sie eine Zahl ein, z. B. 12 oder 3,5."))
    low, high, step = (_decimal(field.config.get(key)) for key in ("min", "max", "step"))
    unit = f" {field.config['unit']}" if field.config.get("unit") else ""
    if low is not None and number < low:
        raise ValidationError(
            _("Bitte geben Sie mindestens %(min)s%(unit)s an.") % {"min": _format_number(low), "unit": unit}
        )
    if high is not None and number > high:
        raise ValidationError(
            _("Bitte geben Sie höchstens %(max)s%(unit)s an.") % {"max": _format_number(high), "unit": unit}
        )
    if step and ((number - (low or 0)) % step) != 0:
        raise ValidationError(_("Bitte geben Sie ein Vielfaches von %(step)s an.") % {"step": _format_number(step)})
    if abs(number) >= Decimal("1e12"):
        raise ValidationError(_("Diese Zahl ist zu groß."))
    return _format_number(number.quantize(Decimal("0.000001")))


def _date(field: Field, data: Mapping[str, Any], files: Mapping[str, Any]) -> str | None:
    raw = str(data.get(field.name, "")).strip()
    if not raw:
        return None
    day = None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            day = datetime.datetime.strptime(raw, pattern).date()  # noqa: DTZ007 - a calendar day, no time
            break
        except ValueError:
            continue
    if day is None:
        raise ValidationError(_("Bitte geben Sie ein Datum im Format TT.MM.JJJJ ein."))
    low, high = field.config.get("min"), field.config.get("max")
    if low and day.isoformat() < str(low):
        raise ValidationError(_("Bitte wählen Sie ein Datum ab dem %(day)s.") % {"day": _german_day(str(low))})
    if high and day.isoformat() > str(high):
        raise ValidationError(_("Bitte wählen Sie ein Datum bis zum %(day)s.") % {"day": _german_day(str(high))})
    return day.isoformat()


def _german_day(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}.{month}.{year}"


def _yes_no(field: Field, data: Mapping[str, Any], files: Mapping[str, Any]) -> str | None:
    raw = str(data.get(field.name, "")).strip()
    if not raw:
        return None
    if raw not in (YES, NO):
        raise ValidationError(_("Bitte wählen Sie „Ja“ oder „Nein“."))
    return raw


def _scale(field: Field, data: Mapping[str, Any], files: Mapping[str, Any]) -> int | None:
    raw = str(data.get(field.name, "")).strip()
    if not raw:
        return None
    low, high = scale_range(field.config)
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValidationError(_("Bitte wählen Sie einen Wert von %(low)d bis %(high)d.") % {"low": low, "high": high})
    return int(raw)


def _matrix(field: Field, data: Mapping[str, Any], files: Mapping[str, Any]) -> dict[str, str] | None:
    allowed, answers, missing = _codes(field), {}, []
    for row in field.rows:
        value = str(data.get(f"{field.name}-{row.code}", "")).strip()
        if not value:
            missing.append(row.label)
            continue
        if value not in allowed:
            raise ValidationError(_("Bitte wählen Sie in jeder Zeile eine der angebotenen Antworten."))
        answers[row.code] = value
    if field.required and answers and missing:
        raise ValidationError(_("Bitte beantworten Sie auch: %(rows)s.") % {"rows": ", ".join(missing)})
    return answers or None


def _ranking(field: Field, data: Mapping[str, Any], files: Mapping[str, Any]) -> list[str] | None:
    """The order as sent: one hidden field per item, in the order the list shows (moved by up/down buttons)."""
    order = [str(value) for value in _list(data, field.name)]
    if not order:
        return None
    if sorted(order) != sorted(_codes(field)):
        raise ValidationError(_("Bitte bringen Sie alle Einträge in eine Reihenfolge."))
    if not data.get(f"{field.name}-ranked") and not field.required:
        return None  # shown but never touched: an optional ranking stays unanswered
    return order


def _location(field: Field, data: Mapping[str, Any], files: Mapping[str, Any]) -> dict[str, float] | None:
    lat_raw, lon_raw = (str(data.get(f"{field.name}-{part}", "")).strip() for part in ("lat", "lon"))
    if not lat_raw and not lon_raw:
        return None
    lat, lon = _decimal(lat_raw), _decimal(lon_raw)
    if lat is None or lon is None or not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise ValidationError(_("Bitte geben Sie Breite und Länge als Zahlen an, z. B. 49,99 und 8,27."))
    bounds = field.config.get("bounds")  # [west, south, east, north] of the project area
    if bounds and not (bounds[0] <= float(lon) <= bounds[2] and bounds[1] <= float(lat) <= bounds[3]):
        raise ValidationError(_("Dieser Ort liegt außerhalb des Projektgebiets."))
    return {"lat": float(lat), "lon": float(lon)}


def _file(field: Field, data: Mapping[str, Any], files: Mapping[str, Any]) -> Any:
    upload = files.get(field.name)
    if upload is None:
        kept = data.get(f"{field.name}-kept")  # an earlier page visit's upload, kept in the draft
        return kept if isinstance(kept, dict) else None
    return upload  # checked and stored by the service, which knows where drafts keep files


def _nothing(field: Field, data: Mapping[str, Any], files: Mapping[str, Any]) -> None:
    return None


READERS: dict[str, Any] = {
    QuestionType.SINGLE: _single, QuestionType.MULTIPLE: _multiple, QuestionType.SHORT_TEXT: _text,
    QuestionType.LONG_TEXT: _text, QuestionType.NUMBER: _number, QuestionType.DATE: _date,
    QuestionType.YES_NO: _yes_no, QuestionType.SCALE: _scale, QuestionType.MATRIX: _matrix,
    QuestionType.RANKING: _ranking, QuestionType.LOCATION: _location, QuestionType.FILE: _file,
    QuestionType.INFO: _nothing,
}  # fmt: skip


# --- using an answer ------------------------------------------------------------------------------------------


def comparable(question_type: str, value: Any) -> Any:
    """The value conditions compare (see the table above)."""
    if value is None:
        return None
    if question_type == QuestionType.SINGLE:
        return value.get("choice")
    if question_type == QuestionType.MULTIPLE:
        return list(value.get("choices", []))
    return value


def answer_rows(question_type: str, value: Any) -> list[dict[str, Any]]:
    """The ``Answer`` columns of one answer, one dict per row."""
    if value is None:
        return []
    if question_type == QuestionType.SINGLE:
        return [{"choice": value["choice"], "text": value.get("other", "")}]
    if question_type == QuestionType.MULTIPLE:
        return [{"choice": code, "text": value.get("other", "") if code == OTHER else ""}
                for code in value["choices"]]  # fmt: skip
    if question_type in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        return [{"text": value}]
    if question_type == QuestionType.NUMBER:
        return [{"number": Decimal(value)}]
    if question_type == QuestionType.DATE:
        return [{"date": datetime.date.fromisoformat(value)}]
    if question_type in (QuestionType.YES_NO, QuestionType.SCALE):
        return [{"choice": str(value), "number": Decimal(value) if question_type == QuestionType.SCALE else None}]
    if question_type == QuestionType.MATRIX:
        return [{"row": row, "choice": choice} for row, choice in value.items()]
    if question_type == QuestionType.RANKING:
        return [{"choice": code, "number": Decimal(rank)} for rank, code in enumerate(value, start=1)]
    if question_type == QuestionType.LOCATION:
        return [{"lat": value["lat"], "lon": value["lon"]}]
    if question_type == QuestionType.FILE:
        return [{"file": value["path"], "text": value.get("name", "")}]
    return []


def still_valid(field: Field, value: Any) -> bool:
    """Whether an answer kept in a draft still fits the question, which staff may have changed meanwhile
    (an option removed with their explicit confirmation). Answers that no longer fit are not submitted."""
    codes = {choice.code for choice in field.choices} | ({OTHER} if field.config.get("other") else set())
    if field.type in (QuestionType.SINGLE, QuestionType.YES_NO, QuestionType.SCALE):
        return str(value.get("choice") if isinstance(value, dict) else value) in codes
    if field.type == QuestionType.MULTIPLE:
        return set(value.get("choices", [])) <= codes
    if field.type == QuestionType.MATRIX:
        rows = {row.code for row in field.rows}
        return all(row in rows and choice in codes for row, choice in value.items())
    if field.type == QuestionType.RANKING:
        return sorted(value) == sorted(choice.code for choice in field.choices)
    return True


def has_answer(question_type: str) -> bool:
    return question_type != QuestionType.INFO
