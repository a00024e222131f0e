"""A questionnaire's structure as a JSON document of our own (``docs/survey-schema.md``): export, validation, import.

The document carries settings, pages, questions, options, matrix rows, conditions and quotas, but no ids, no
responses and no images, so a survey can be copied into another organisation. Answer sets travel inline, named:
the importing organisation's set of that name is reused when its options are identical.

Import validates the whole document first and reports every problem with its place („Seite 2, Frage „alter“: …“);
only a valid document is written, in one transaction, through the building services (permission and condition
checks run there once more).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action
from mitwirken.core.permissions import require

from . import conditions, questions, results
from .models import CHOICE_TYPES, Access, Anonymity, AnswerSet, Option, Page, Question, QuestionType, Quota, Survey
from .services import building

FORMAT = "mitwirken-umfrage"
VERSION = 1
MAX_BYTES = 1024 * 1024
MAX_NESTING = 32  # a valid document nests about 20 deep (conditions included)
MAX_PAGES = 200
MAX_QUESTIONS = 1000
MAX_OPTIONS = 500
CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")

SETTINGS = ("access", "anonymity", "intro", "completion_text", "link_results")
PAGE_KEYS = {"title", "description", "condition", "questions"}
QUESTION_KEYS = {"code", "type", "text", "help_text", "required", "config", "options", "rows", "condition", "publish",
                 "answer_set"}  # fmt: skip
QUOTA_KEYS = {"question", "option", "limit"}


# --- export ---------------------------------------------------------------------------------------------------


def export(survey: Survey) -> dict[str, Any]:
    """The survey's structure as a document; ids, images and anything about responses stay behind."""
    pages = Page.objects.filter(survey=survey).order_by("position", "id")
    questions_of = _questions_by_page(survey)
    return {
        "format": FORMAT,
        "version": VERSION,
        "settings": {field: getattr(survey, field) for field in SETTINGS},
        "pages": [
            {
                "title": page.title,
                "description": page.description,
                "condition": page.condition or {},
                "questions": [_question_out(question) for question in questions_of.get(page.pk, [])],
            }
            for page in pages
        ],
        "quotas": [
            {
                "question": quota.question.code if quota.question else None,
                "option": quota.option_code,
                "limit": quota.limit,
            }
            for quota in Quota.objects.filter(survey=survey).select_related("question").order_by("id")
        ],
    }


def _questions_by_page(survey: Survey) -> dict[int, list[Question]]:
    found: dict[int, list[Question]] = {}
    listed = (Question.objects.filter(survey=survey).select_related("answer_set")
              .prefetch_related("options", "rows", "answer_set__options").order_by("position", "id"))  # fmt: skip
    for question in listed:
        found.setdefault(question.page_id, []).append(question)
    return found


def _question_out(question: Question) -> dict[str, Any]:
    source = question.answer_set.options.all() if question.answer_set else question.options.all()
    out: dict[str, Any] = {
        "code": question.code, "type": question.type, "text": question.text, "help_text": question.help_text,
        "required": question.required, "config": question.config or {},
        "options": [{"code": option.code, "label": option.label}
                    for option in sorted(source, key=lambda option: (option.position, option.pk))],
        "rows": [{"code": row.code, "label": row.label} for row in question.rows.all()],
        "condition": question.condition or {}, "publish": question.publish,
    }  # fmt: skip
    if question.answer_set:
        out["answer_set"] = question.answer_set.name
    return out


def dumps(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# --- reading a file -------------------------------------------------------------------------------------------


def parse(raw: bytes) -> Any:
    """The JSON in ``raw``, or a ValidationError saying in German why it cannot be read."""
    if len(raw) > MAX_BYTES:
        raise ValidationError(_("Die Datei ist zu groß (höchstens 1 MB)."))
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValidationError(_("Die Datei ist keine Textdatei in UTF-8 und damit kein JSON.")) from None
    except RecursionError:
        raise ValidationError(_("Die Datei ist zu tief verschachtelt.")) from None
    except ValueError as error:
        raise ValidationError(_("Die Datei ist kein gültiges JSON (%(detail)s).") % {"detail": error}) from None
    if _depth(document) > MAX_NESTING:
        raise ValidationError(_("Die Datei ist zu tief verschachtelt."))
    return document


def _depth(value: Any) -> int:
    """How deep lists and objects nest, counted without recursion (the input is untrusted)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_NESTING:
                return level
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


# --- validation -----------------------------------------------------------------------------------------------


def validate(document: Any) -> list[str]:
    """Every problem of ``document``, each with its place; an empty list means it can be imported."""
    return _Validator().run(document)


def _is_text(value: Any, limit: int | None = None) -> bool:
    return isinstance(value, str) and (limit is None or len(value) <= limit)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _count(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return _("muss eine ganze Zahl ab 0 sein")
    return None


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else _("muss true oder false sein")


def _label(value: Any) -> str | None:
    return None if _is_text(value, 100) else _("muss ein Text mit höchstens 100 Zeichen sein")


def _numeric(value: Any) -> str | None:
    return None if _number(value) is not None else _("muss eine Zahl sein")


def _positive(value: Any) -> str | None:
    number = _number(value)
    return None if number is not None and number > 0 else _("muss eine Zahl größer als 0 sein")


def _day(value: Any) -> str | None:
    try:
        datetime.date.fromisoformat(str(value))
    except ValueError:
        return _("muss ein Datum im Format JJJJ-MM-TT sein")
    return None if isinstance(value, str) and len(value) == 10 else _("muss ein Datum im Format JJJJ-MM-TT sein")


def _length_up_to(limit: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
            return _("muss eine ganze Zahl von 1 bis %(max)d sein") % {"max": limit}
        return None

    return check


def _one_of(*allowed: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return (
            None if value in allowed else _("muss einer dieser Werte sein: %(values)s") % {"values": ", ".join(allowed)}
        )

    return check


_CHOICE_CONFIG = {"other": _flag, "other_label": _label, "randomise": _flag}
# The settings each type knows (see ``questions.py``). A key the builder adds must be added here too.
CONFIG: dict[str, dict[str, Callable[[Any], str | None]]] = {
    QuestionType.SINGLE: {**_CHOICE_CONFIG, "display": _one_of("radio", "select")},
    QuestionType.MULTIPLE: {**_CHOICE_CONFIG, "min": _count, "max": _count},
    QuestionType.SHORT_TEXT: {"max_length": _length_up_to(questions.MAX_SHORT_TEXT)},
    QuestionType.LONG_TEXT: {"max_length": _length_up_to(questions.MAX_LONG_TEXT)},
    QuestionType.NUMBER: {"min": _numeric, "max": _numeric, "step": _positive, "unit": _label},
    QuestionType.DATE: {"min": _day, "max": _day},
    QuestionType.YES_NO: {},
    QuestionType.SCALE: {"scale": _one_of(*questions.SCALES), "low_label": _label, "high_label": _label},
    QuestionType.MATRIX: {"randomise": _flag},
    QuestionType.RANKING: {"randomise": _flag},
    QuestionType.LOCATION: {},
    QuestionType.FILE: {},
    QuestionType.INFO: {},
}


class _Validator:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.codes: dict[str, int] = {}  # question code → page index
        self.types: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self.answer_sets: dict[str, list[tuple[str, str]]] = {}
        self.later: set[str] = set()  # every code of the file (see run)

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def run(self, document: Any) -> list[str]:
        if not isinstance(document, dict):
            return [_("Die Datei enthält kein JSON-Objekt, sondern %(kind)s.") % {"kind": type(document).__name__}]
        if document.get("format") != FORMAT:
            return [_("Das ist keine Umfrage-Struktur von mitwirken (erwartet: „format“: „%(format)s“).")
                    % {"format": FORMAT}]  # fmt: skip
        if document.get("version") != VERSION:
            return [_("Version %(version)s dieses Formats wird nicht unterstützt; gelesen wird Version %(ours)d.")
                    % {"version": document.get("version"), "ours": VERSION}]  # fmt: skip
        self._unknown_keys("", document, {"format", "version", "settings", "pages", "quotas"})
        self._settings(document.get("settings", {}))
        pages = document.get("pages")
        if not isinstance(pages, list) or not pages:
            self.problem("", _("Die Datei enthält keine Seiten („pages“)."))
        elif len(pages) > MAX_PAGES:
            self.problem("", _("Höchstens %(max)d Seiten sind möglich.") % {"max": MAX_PAGES})
        else:
            # Codes anywhere in the file, so a condition naming a later question is told apart from a typo.
            self.later = {str(q.get("code")) for page in pages for q in _listed(page) if isinstance(q, dict)}
            for index, page in enumerate(pages):
                self._page(index, page)
            if len(self.codes) > MAX_QUESTIONS:
                self.problem("", _("Höchstens %(max)d Fragen sind möglich.") % {"max": MAX_QUESTIONS})
        self._quotas(document.get("quotas", []))
        return self.problems

    def _unknown_keys(self, where: str, node: Mapping[str, Any], known: set[str]) -> None:
        for key in sorted(set(node) - known):
            self.problem(where, _("Das Feld „%(key)s“ ist unbekannt.") % {"key": key})

    def _settings(self, settings: Any) -> None:
        where = _("Einstellungen")
        if not isinstance(settings, dict):
            self.problem(where, _("„settings“ muss ein Objekt sein."))
            return
        self._unknown_keys(where, settings, set(SETTINGS))
        if "access" in settings and settings["access"] not in Access.values:
            self.problem(where, _("Unbekannter Zugang „%(value)s“.") % {"value": settings["access"]})
        if "anonymity" in settings and settings["anonymity"] not in Anonymity.values:
            self.problem(where, _("Unbekannte Anonymität „%(value)s“.") % {"value": settings["anonymity"]})
        for key in ("intro", "completion_text"):
            if key in settings and not _is_text(settings[key], 20_000):
                self.problem(where, _("„%(key)s“ muss ein Text sein.") % {"key": key})
        if "link_results" in settings and not isinstance(settings["link_results"], bool):
            self.problem(where, _("„link_results“ muss true oder false sein."))

    # --- pages and questions ----------------------------------------------------------------------------------

    def _page(self, index: int, page: Any) -> None:
        where = _("Seite %(number)d") % {"number": index + 1}
        if not isinstance(page, dict):
            self.problem(where, _("Eine Seite muss ein Objekt sein."))
            return
        self._unknown_keys(where, page, PAGE_KEYS)
        if not _is_text(page.get("title", ""), 200):
            self.problem(where, _("Der Titel muss ein Text mit höchstens 200 Zeichen sein."))
        if not _is_text(page.get("description", "")):
            self.problem(where, _("Die Beschreibung muss ein Text sein."))
        earlier = [code for code, page_index in self.codes.items() if page_index < index]
        self._condition(where, page.get("condition", {}), earlier, own="")
        items = page.get("questions", [])
        if not isinstance(items, list):
            self.problem(where, _("„questions“ muss eine Liste sein."))
            return
        for number, question in enumerate(items, start=1):
            self._question(where, index, number, question, earlier)

    def _question(self, page_where: str, page_index: int, number: int, question: Any, earlier: list[str]) -> None:
        if not isinstance(question, dict):
            self.problem(page_where, _("Frage %(number)d muss ein Objekt sein.") % {"number": number})
            return
        code = question.get("code")
        where = f"{page_where}, " + (_("Frage „%(code)s“") % {"code": code} if isinstance(code, str) and code
                                     else _("Frage %(number)d") % {"number": number})  # fmt: skip
        self._unknown_keys(where, question, QUESTION_KEYS)
        kind = question.get("type")
        if kind not in QuestionType.values:
            self.problem(where, _("Unbekannter Fragetyp „%(type)s“.") % {"type": kind})
            kind = None
        code_ok = self._code(where, code)
        if not _is_text(question.get("text"), 500) or not str(question.get("text", "")).strip():
            self.problem(where, _("Der Fragetext fehlt oder ist länger als 500 Zeichen."))
        if not _is_text(question.get("help_text", "")):
            self.problem(where, _("Der Hinweis muss ein Text sein."))
        for key in ("required", "publish"):
            if key in question and not isinstance(question[key], bool):
                self.problem(where, _("„%(key)s“ muss true oder false sein.") % {"key": key})
        # Conditions name questions before this page, never this one (checked before it is registered).
        self._condition(where, question.get("condition", {}), earlier, own=str(code) if code_ok else "")
        if kind is not None:
            options = self._choices(where, kind, question)
            self._config(where, kind, question.get("config", {}), options)
            if code_ok:
                self.types[str(code)] = kind
                self.options[str(code)] = options
        if code_ok:
            self.codes[str(code)] = page_index

    def _code(self, where: str, code: Any) -> bool:
        if not isinstance(code, str) or not CODE.match(code):
            self.problem(where, _("Das Kürzel fehlt oder ist ungültig (1–40 Zeichen: Buchstaben ohne Umlaute, "
                                  "Ziffern, _ und -)."))  # fmt: skip
            return False
        if code in self.codes:
            self.problem(where, _("Das Kürzel „%(code)s“ kommt mehrfach vor.") % {"code": code})
            return False
        return True

    def _choices(self, where: str, kind: str, question: Mapping[str, Any]) -> list[str]:
        options, rows = question.get("options", []), question.get("rows", [])
        if kind not in CHOICE_TYPES:
            if options:
                self.problem(where, _("Dieser Fragetyp hat keine Antwortmöglichkeiten („options“)."))
            if "answer_set" in question:
                self.problem(where, _("Dieser Fragetyp kann keine Antwortliste verwenden."))
        else:
            self._list_of_pairs(where, options, _("Antwort"), minimum=2, missing=_(
                "Bitte geben Sie mindestens zwei Antwortmöglichkeiten an („options“)."))  # fmt: skip
            if "answer_set" in question:
                self._answer_set(where, question.get("answer_set"), options)
        if kind == QuestionType.MATRIX:
            self._list_of_pairs(where, rows, _("Zeile"), minimum=1,
                                missing=_("Bitte geben Sie die Zeilen der Matrix an („rows“)."))  # fmt: skip
        elif rows:
            self.problem(where, _("Nur Matrixfragen haben Zeilen („rows“)."))
        if isinstance(options, list):
            return [str(item.get("code")) for item in options if isinstance(item, dict)]
        return []

    def _list_of_pairs(self, where: str, items: Any, noun: str, *, minimum: int, missing: str) -> None:
        if not isinstance(items, list) or len(items) < minimum:
            self.problem(where, missing)
            return
        if len(items) > MAX_OPTIONS:
            self.problem(where, _("Höchstens %(max)d Einträge sind möglich.") % {"max": MAX_OPTIONS})
            return
        seen: set[str] = set()
        for number, item in enumerate(items, start=1):
            place = f"{where}, {noun} {number}"
            if not isinstance(item, dict) or set(item) != {"code", "label"}:
                self.problem(place, _("Erwartet wird ein Objekt mit „code“ und „label“."))
                continue
            code, label = item["code"], item["label"]
            if not _is_text(code, 40) or not code.strip() or code == questions.OTHER:
                self.problem(place, _("Der Code fehlt, ist länger als 40 Zeichen oder lautet „_other“."))
            elif code in seen:
                self.problem(place, _("Der Code „%(code)s“ kommt mehrfach vor.") % {"code": code})
            else:
                seen.add(code)
            if not _is_text(label, 300) or not label.strip():
                self.problem(place, _("Die Beschriftung fehlt oder ist länger als 300 Zeichen."))

    def _answer_set(self, where: str, name: Any, options: Any) -> None:
        if not _is_text(name, 120) or not name.strip():
            self.problem(where, _("Der Name der Antwortliste fehlt oder ist länger als 120 Zeichen."))
            return
        pairs = [(str(item.get("code")), str(item.get("label"))) for item in options if isinstance(item, dict)]
        known = self.answer_sets.setdefault(name, pairs)
        if known != pairs:
            self.problem(where, _("Die Antwortliste „%(name)s“ hat hier andere Antworten als bei einer früheren "
                                  "Frage.") % {"name": name})  # fmt: skip

    def _config(self, where: str, kind: str, config: Any, options: list[str]) -> None:
        if not isinstance(config, dict):
            self.problem(where, _("„config“ muss ein Objekt sein."))
            return
        rules = CONFIG[kind]
        for key, value in config.items():
            check = rules.get(key)
            if check is None:
                self.problem(where, _("Die Einstellung „%(key)s“ gibt es für diesen Fragetyp nicht.") % {"key": key})
            elif (message := check(value)) is not None:
                self.problem(where, _("Die Einstellung „%(key)s“ %(message)s.") % {"key": key, "message": message})
        self._config_ranges(where, kind, config, options)

    def _config_ranges(self, where: str, kind: str, config: Mapping[str, Any], options: list[str]) -> None:
        low, high = config.get("min"), config.get("max")
        if kind == QuestionType.DATE and _day(low) is None and _day(high) is None and str(low) > str(high):
            self.problem(where, _("Das früheste Datum (min) liegt nach dem spätesten (max)."))
        if kind in (QuestionType.NUMBER, QuestionType.MULTIPLE):
            low_number, high_number = _number(low), _number(high)
            if low_number is not None and high_number is not None and low_number > high_number:
                self.problem(where, _("Der kleinste Wert (min) ist größer als der größte (max)."))
        if kind == QuestionType.MULTIPLE and _count(high) is None and high:
            offered = len(options) + (1 if config.get("other") else 0)
            if high > offered:
                self.problem(where, _("„max“ (%(max)d) ist größer als die Zahl der Antworten (%(count)d).")
                             % {"max": high, "count": offered})  # fmt: skip

    def _condition(self, where: str, condition: Any, earlier: list[str], own: str) -> None:
        if condition in (None, {}):
            return
        if isinstance(condition, dict):
            for code in sorted(conditions.referenced(condition) if _walkable(condition) else set()):
                if code == own:
                    continue  # conditions.check says it better
                if code not in self.codes and code in self.later:
                    self.problem(where, _("Die Bedingung nennt „%(code)s“, eine Frage, die erst später kommt; "
                                          "Bedingungen dürfen sich nur auf Fragen früherer Seiten beziehen.")
                                 % {"code": code})  # fmt: skip
                    return
                if code not in self.codes:
                    self.problem(where, _("Die Bedingung nennt die unbekannte Frage „%(code)s“.") % {"code": code})
                    return
                if code not in earlier:
                    self.problem(where, _("Die Bedingung nennt „%(code)s“ auf derselben Seite; Bedingungen dürfen "
                                          "sich nur auf Fragen früherer Seiten beziehen.") % {"code": code})  # fmt: skip
                    return
        try:
            conditions.check(condition, earlier=earlier, own=own)
        except ValidationError as error:
            for message in error.messages:
                self.problem(where, message)

    # --- quotas -----------------------------------------------------------------------------------------------

    def _quotas(self, quotas: Any) -> None:
        if not isinstance(quotas, list):
            self.problem(_("Quoten"), _("„quotas“ muss eine Liste sein."))
            return
        seen: set[tuple[Any, Any]] = set()
        for number, quota in enumerate(quotas, start=1):
            where = _("Quote %(number)d") % {"number": number}
            if not isinstance(quota, dict):
                self.problem(where, _("Eine Quote muss ein Objekt sein."))
                continue
            self._unknown_keys(where, quota, QUOTA_KEYS)
            limit, code, option = quota.get("limit"), quota.get("question"), quota.get("option", "")
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
                self.problem(where, _("„limit“ muss eine ganze Zahl ab 1 sein."))
            if code is None:
                if option:
                    self.problem(where, _("Eine Gesamtquote hat keine Antwort („option“)."))
            elif self.types.get(code) != QuestionType.SINGLE:
                self.problem(where, _("Quoten gibt es nur für Einfachauswahl-Fragen; „%(code)s“ ist keine.")
                             % {"code": code})  # fmt: skip
            elif option not in self.options.get(code, []):
                self.problem(where, _("„%(option)s“ ist keine Antwort der Frage „%(code)s“.")
                             % {"option": option, "code": code})  # fmt: skip
            if (code, option) in seen:
                self.problem(where, _("Diese Quote kommt mehrfach vor."))
            seen.add((code, option))


def _listed(page: Any) -> list[Any]:
    questions_of_page = page.get("questions") if isinstance(page, dict) else None
    return questions_of_page if isinstance(questions_of_page, list) else []


def _walkable(condition: Mapping[str, Any]) -> bool:
    """Whether ``conditions.referenced`` can walk it; a malformed one is left to ``conditions.check``'s message."""
    for group in conditions.GROUPS:
        if group in condition:
            parts = condition[group]
            return isinstance(parts, list) and all(isinstance(part, dict) and _walkable(part) for part in parts)
    return isinstance(condition.get("question", ""), str)


# --- import ---------------------------------------------------------------------------------------------------


@dataclass
class Imported:
    pages: int
    questions: int
    answer_sets_created: list[str]


def refusal(survey: Survey) -> str:
    """Why nothing may be imported into ``survey`` now, or ""."""
    if survey.responses.exists():
        return _("Diese Umfrage hat schon Antworten. Ihre Struktur kann nicht mehr ersetzt werden; legen Sie für den "
                 "Import eine neue Umfrage an.")  # fmt: skip
    return ""


def import_structure(*, actor: Any, survey: Survey, document: Any) -> Imported:
    """Replace the (empty or unanswered) survey's structure with ``document``; all or nothing."""
    require(actor, "surveys.manage", survey.module)
    given = survey
    with transaction.atomic():
        module = survey.module
        survey = Survey.objects.select_for_update().get(pk=survey.pk)  # no response may slip in meanwhile
        survey.module = module
        if reason := refusal(survey):
            raise ValidationError(reason)
        if problems := validate(document):
            raise ValidationError(problems)
        _clear(survey)
        building.settings_update(actor=actor, survey=survey, **document.get("settings", {}))
        answer_sets, created = _answer_sets(survey, document["pages"])
        count = 0
        for page in document["pages"]:
            count += _page_in(actor, survey, page, answer_sets)
        for quota in document.get("quotas", []):
            question = survey.questions.get(code=quota["question"]) if quota.get("question") else None
            building.quota_set(actor=actor, survey=survey, limit=quota["limit"], question=question,
                               option_code=quota.get("option", "") if question else "")  # fmt: skip
        log_action(actor=actor, action="survey.import", obj=survey, organisation=module.project.organisation,
                   changes={"pages": len(document["pages"]), "questions": count, "answer_sets": created})  # fmt: skip
    given.refresh_from_db(fields=list(SETTINGS))  # the caller's object shows the imported settings
    return Imported(len(document["pages"]), count, created)


def _clear(survey: Survey) -> None:
    """Remove the old structure. Drafts answered the old questions, so they go too (there are no responses)."""
    survey.quotas.all().delete()
    survey.pages.all().delete()  # questions, options and rows go with their pages
    survey.drafts.all().delete()
    results.changed(survey)


def _page_in(actor: Any, survey: Survey, page: Mapping[str, Any], answer_sets: Mapping[str, AnswerSet]) -> int:
    created = building.page_add(actor=actor, survey=survey, title=page.get("title", ""),
                                description=page.get("description", ""), condition=page.get("condition") or {})  # fmt: skip
    for item in page.get("questions", []):
        question = building.question_add(
            actor=actor, page=created, type=item["type"], text=item["text"], code=item["code"],
            required=item.get("required", False), help_text=item.get("help_text", ""), config=item.get("config") or {},
            options=[(option["code"], option["label"]) for option in item.get("options", [])],
            rows=[(row["code"], row["label"]) for row in item.get("rows", [])],
            condition=item.get("condition") or {}, publish=item.get("publish", True),
        )  # fmt: skip
        if item.get("answer_set"):
            _attach(question, answer_sets[item["answer_set"]])
    return len(page.get("questions", []))


def _attach(question: Question, answer_set: AnswerSet) -> None:
    # question_add has no answer-set parameter: the options it wrote (and checked) give way to the shared set.
    question.options.all().delete()
    question.answer_set = answer_set
    question.save(update_fields=["answer_set"])


def _answer_sets(survey: Survey, pages: list[Mapping[str, Any]]) -> tuple[dict[str, AnswerSet], list[str]]:
    """The organisation's answer set for each name in the document: reused when identical, else created."""
    organisation = survey.module.project.organisation
    wanted: dict[str, list[tuple[str, str]]] = {}
    for page in pages:
        for item in page.get("questions", []):
            if item.get("answer_set"):
                wanted.setdefault(item["answer_set"], [(o["code"], o["label"]) for o in item["options"]])
    found, created = {}, []
    existing = {s.name: s for s in AnswerSet.objects.filter(organisation=organisation).prefetch_related("options")}
    for name, pairs in wanted.items():
        same = existing.get(name)
        if same is not None and [(o.code, o.label) for o in same.options.all()] == pairs:
            found[name] = same
            continue
        fresh = AnswerSet.objects.create(organisation=organisation, name=_free_name(name, existing))
        Option.objects.bulk_create(Option(answer_set=fresh, position=index, code=code, label=label)
                                   for index, (code, label) in enumerate(pairs))  # fmt: skip
        existing[fresh.name] = fresh
        found[name] = fresh
        created.append(fresh.name)
    return found, created


def _free_name(name: str, taken: Mapping[str, Any]) -> str:
    if name not in taken:
        return name
    number = 2
    while (candidate := f"{name[:110]} ({number})") in taken:
        number += 1
    return candidate
