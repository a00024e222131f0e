"""XLSForm (ODK, KoboToolbox) → our questionnaire document (``exchange.py``), with a report of what did not fit.

pyxform reads the workbook (``survey``, ``choices``, ``settings``) into its JSON form; this module maps that onto
our types. Whatever has no counterpart (calculations, repeats, expressions we cannot read, choice filters, …) is
named in the report with its spreadsheet row, never dropped silently. Top-level groups become pages, questions
outside groups go to a page of their own. Our conditions may only name questions on earlier pages, so a question
whose ``relevant`` names a question of its own group starts a new page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import conditions
from .exchange import CODE, FORMAT, VERSION
from .models import QuestionType

MAX_BYTES = 5 * 1024 * 1024

# pyxform's (normalised) type → ours. Selects, text and numbers need a closer look (see _Converter._kind).
TYPES = {
    "select one": QuestionType.SINGLE, "select all that apply": QuestionType.MULTIPLE, "text": QuestionType.SHORT_TEXT,
    "integer": QuestionType.NUMBER, "decimal": QuestionType.NUMBER, "date": QuestionType.DATE,
    "note": QuestionType.INFO, "geopoint": QuestionType.LOCATION, "photo": QuestionType.FILE,
    "file": QuestionType.FILE, "rank": QuestionType.RANKING,
}  # fmt: skip
HANDLED_KEYS = {"type", "name", "label", "hint", "bind", "control", "choices", "itemset", "list_name", "parameters",
                "children", "choice_filter"}  # fmt: skip
HANDLED_BIND = {"required", "relevant", "constraint"}
COLUMN_OF_BIND = {"jr:constraintMsg": "constraint_message", "jr:requiredMsg": "required_message",
                  "readonly": "read_only", "calculate": "calculation"}  # fmt: skip


@dataclass
class Converted:
    document: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def convert(raw: bytes) -> Converted:
    """Our document for an XLSForm workbook, or a ValidationError when pyxform cannot read it."""
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    if len(raw) > MAX_BYTES:
        raise ValidationError(_("Die Datei ist zu groß (höchstens 5 MB)."))
    try:
        definition = get_xlsform(raw, file_type=".xlsx")
        form = workbook_to_json(definition, warnings=[])
    # pyxform reads untrusted spreadsheets; whatever it trips over must become a message, not a server error.
    except Exception as error:
        raise ValidationError(
            _("Die XLSForm-Datei kann nicht gelesen werden: %(detail)s") % {"detail": error}
        ) from None
    return _Converter(definition, form).run()


class Unreadable(Exception):
    """An expression we cannot express as a condition; the message says why."""


class _Converter:
    def __init__(self, definition: Any, form: Mapping[str, Any]) -> None:
        self.form = form
        self.rows: dict[str, int] = {}
        self.raw_types: dict[str, str] = {}
        self.raw_appearances: dict[str, list[str]] = {}
        for index, row in enumerate(definition.survey or []):
            if row.get("name"):
                self.rows.setdefault(str(row["name"]), index + 2)  # row 1 holds the column names
                self.raw_types.setdefault(str(row["name"]), str(row.get("type", "")))
                # pyxform turns table-list into field-list plus generated rows; the sheet still says what it was.
                self.raw_appearances.setdefault(str(row["name"]), str(row.get("appearance", "")).split())
        self.lists: dict[str, set[str]] = {}
        for row in definition.choices or []:
            if row.get("list_name") and row.get("name") is not None:
                self.lists.setdefault(str(row["list_name"]), set()).add(str(row["name"]))
        self.pages: list[dict[str, Any]] = []
        self.loose = False  # whether the current page takes questions outside groups
        self.codes: dict[str, str] = {}  # XLSForm name → our code
        self.kinds: dict[str, str] = {}  # our code → our type
        self.xls_types: dict[str, str] = {}  # XLSForm name → pyxform type
        self.page_of: dict[str, int] = {}  # our code → page index
        self.notes: list[str] = []

    def run(self) -> Converted:
        for element in self.form.get("children", []):
            self._top(element)
        pages = [page for page in self.pages if page["questions"]]
        document = {"format": FORMAT, "version": VERSION, "settings": {}, "pages": pages, "quotas": []}
        return Converted(document, self.notes)

    # --- report -----------------------------------------------------------------------------------------------

    def row(self, element: Mapping[str, Any]) -> str:
        return str(self.rows.get(str(element.get("name", "")), "?"))

    def skipped(self, element: Mapping[str, Any]) -> None:
        name = str(element.get("name", ""))
        self.notes.append(_("nicht übernommen: Zeile %(row)s, Typ „%(type)s“ („%(name)s“)")
                          % {"row": self.row(element), "type": self.raw_types.get(name) or element.get("type"),
                             "name": name})  # fmt: skip

    # --- structure --------------------------------------------------------------------------------------------

    def _top(self, element: Mapping[str, Any]) -> None:
        kind = element.get("type")
        if kind == "group" and element.get("name") == "meta" and "meta" not in self.rows:
            return  # pyxform adds the instance id itself; it is not part of the staff's form
        if kind == "group":
            self._group_page(element)
        elif kind == "repeat":
            self._repeat(element)
        else:
            if not self.loose:
                self._new_page("", "", {})
                self.loose = True
            self._question(element, {})

    def _new_page(self, title: str, description: str, condition: Mapping[str, Any]) -> None:
        self.pages.append({"title": title[:200], "description": description, "condition": dict(condition),
                           "questions": []})  # fmt: skip
        self.loose = False

    def _group_page(self, group: Mapping[str, Any]) -> None:
        condition = self._condition(group, own="")
        self._new_page(self._group_label(group), _pick(group.get("hint")), condition)
        if self._matrix(group, {}):
            return
        self._members(group.get("children", []), {})

    def _members(self, children: list[Mapping[str, Any]], inherited: Mapping[str, Any]) -> None:
        for element in children:
            kind = element.get("type")
            if kind == "repeat":
                self._repeat(element)
            elif kind == "group":
                self._nested(element, inherited)
            else:
                self._question(element, inherited)

    def _nested(self, group: Mapping[str, Any], inherited: Mapping[str, Any]) -> None:
        """A group inside a page: its questions join the page, its condition joins theirs."""
        condition = _both(inherited, self._condition(group, own=""))
        if self._matrix(group, condition):
            return
        self.notes.append(_("Zeile %(row)s: Die Untergruppe „%(name)s“ wird aufgelöst; ihre Fragen stehen auf der "
                            "Seite der äußeren Gruppe.") % {"row": self.row(group), "name": group.get("name")})  # fmt: skip
        self._members(group.get("children", []), condition)

    def _repeat(self, element: Mapping[str, Any]) -> None:
        count = sum(1 for _item in _leaves(element))
        self.notes.append(_("nicht übernommen: Zeile %(row)s, Wiederholungsgruppe „%(name)s“ mit %(count)d Fragen "
                            "(Wiederholungen gibt es in mitwirken nicht)")
                          % {"row": self.row(element), "name": element.get("name"), "count": count})  # fmt: skip

    def _place(self, question: dict[str, Any]) -> None:
        """Append to the current page; start a new one when the condition names a question on this page."""
        current = len(self.pages) - 1
        named = conditions.referenced(question["condition"])
        if any(self.page_of.get(code) == current for code in named):
            page = self.pages[current]
            self.pages.append({**page, "questions": []})
            self.notes.append(_("Seite geteilt: „%(code)s“ hängt von einer Frage derselben Gruppe ab und steht "
                                "deshalb auf einer neuen Seite.") % {"code": question["code"]})  # fmt: skip
            current += 1
        self.pages[current]["questions"].append(question)
        self.page_of[question["code"]] = current
        self.kinds[question["code"]] = question["type"]

    # --- questions --------------------------------------------------------------------------------------------

    def _question(self, element: Mapping[str, Any], inherited: Mapping[str, Any]) -> None:
        name = str(element.get("name", ""))
        if name not in self.rows:
            return  # pyxform's own additions: the or_other text field (ours is built in), table-list headers
        kind = self._kind(element)
        if kind is None:
            self.skipped(element)
            return
        code = self._code(element)
        question: dict[str, Any] = {
            "code": code, "type": kind, "text": (_pick(element.get("label")) or name)[:500],
            "help_text": _pick(element.get("hint")), "required": self._required(element) and kind != QuestionType.INFO,
            "config": {}, "options": [], "rows": [], "condition": {}, "publish": True,
        }  # fmt: skip
        if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.RANKING):
            self._choices(element, question)
        if kind == QuestionType.NUMBER:
            self._number(element, question)
        self._leftovers(element)
        question["condition"] = _both(inherited, self._condition(element, own=code))
        self.codes[name] = code
        self.xls_types[name] = str(element.get("type"))
        self._place(question)

    def _kind(self, element: Mapping[str, Any]) -> str | None:
        kind = TYPES.get(str(element.get("type")))
        if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.RANKING) and not element.get("choices"):
            return None  # choices from a file or an external list: nothing to offer
        if kind == QuestionType.SHORT_TEXT and "multiline" in _appearance(element):
            return QuestionType.LONG_TEXT
        return kind

    def _code(self, element: Mapping[str, Any]) -> str:
        name = str(element.get("name", ""))
        taken = set(self.codes.values())
        if CODE.match(name) and name not in taken:
            return name
        base = (slugify(name).replace("-", "_")[:34] or "frage").strip("_") or "frage"
        code, number = base, 1
        while code in taken:
            number += 1
            code = f"{base}_{number}"
        self.notes.append(_("Zeile %(row)s: Aus dem Namen „%(name)s“ wird das Kürzel „%(code)s“.")
                          % {"row": self.row(element), "name": name, "code": code})  # fmt: skip
        return code

    def _required(self, element: Mapping[str, Any]) -> bool:
        value = str(element.get("bind", {}).get("required", "")).strip()
        if value.lower() in ("", "no", "false", "false()"):
            return False
        if value.lower() in ("yes", "true", "true()"):
            return True
        self.notes.append(_("Pflicht nicht übernommen: Zeile %(row)s, „%(expression)s“ (nur „yes“ wird gelesen)")
                          % {"row": self.row(element), "expression": value})  # fmt: skip
        return False

    def _choices(self, element: Mapping[str, Any], question: dict[str, Any]) -> None:
        name = str(element.get("name", ""))
        listed = self.lists.get(str(element.get("list_name") or element.get("itemset") or ""))
        # pyxform adds an "other" choice to the shared list for or_other; ours is the "other" setting.
        with_other = self.raw_types.get(name, "").strip().endswith("or_other")
        question["options"] = [
            {"code": str(choice.get("name")), "label": _pick(choice.get("label")) or str(choice.get("name"))}
            for choice in element.get("choices", [])
            if listed is None or str(choice.get("name")) in listed
        ]  # fmt: skip
        if with_other and question["type"] != QuestionType.RANKING:
            question["config"]["other"] = True
        if "minimal" in _appearance(element) and question["type"] == QuestionType.SINGLE:
            question["config"]["display"] = "select"
        if str(element.get("parameters", {}).get("randomize", "")).lower() in ("true", "true()", "yes"):
            question["config"]["randomise"] = True
        if element.get("choice_filter"):
            self.notes.append(_("Auswahlfilter nicht übernommen: Zeile %(row)s, „%(expression)s“; alle Antworten "
                                "werden angeboten.")
                              % {"row": self.row(element), "expression": element["choice_filter"]})  # fmt: skip

    def _number(self, element: Mapping[str, Any], question: dict[str, Any]) -> None:
        integer = element.get("type") == "integer"
        if integer:
            question["config"]["step"] = 1
        constraint = str(element.get("bind", {}).get("constraint", "")).strip()
        if not constraint:
            return
        bounds = _bounds(constraint, integer)
        if bounds is None:
            self.notes.append(_("Prüfung nicht übernommen: Zeile %(row)s, „%(expression)s“")
                              % {"row": self.row(element), "expression": constraint})  # fmt: skip
            return
        question["config"].update(bounds)

    def _leftovers(self, element: Mapping[str, Any]) -> None:
        """Columns we do not read, named in the report."""
        columns = sorted(set(element) - HANDLED_KEYS)
        columns += sorted(COLUMN_OF_BIND.get(key, key) for key in set(element.get("bind", {})) - HANDLED_BIND)
        if element.get("type") not in ("integer", "decimal") and element.get("bind", {}).get("constraint"):
            columns.append("constraint")
        appearance = [
            word for word in _appearance(element) if word not in ("multiline", "minimal", "likert", "list-nolabel")
        ]
        if appearance:
            columns.append(f"appearance {' '.join(appearance)}")
        parameters = {key for key in element.get("parameters", {}) if key != "randomize"}
        columns += sorted(f"parameters {key}" for key in parameters)
        for column in columns:
            self.notes.append(_("nicht übernommen: Zeile %(row)s, Spalte „%(column)s“ („%(name)s“)")
                              % {"row": self.row(element), "column": column, "name": element.get("name")})  # fmt: skip

    def _group_label(self, group: Mapping[str, Any]) -> str:
        """A group's label; pyxform moves a table-list group's label into a generated note."""
        generated = [child for child in group.get("children", []) if str(child.get("name")) not in self.rows]
        note = next((_pick(child.get("label")) for child in generated if child.get("type") == "note"), "")
        return _pick(group.get("label")) or note

    # --- matrix -----------------------------------------------------------------------------------------------

    def _matrix(self, group: Mapping[str, Any], condition: Mapping[str, Any]) -> bool:
        """A table-list group of single choices from one list becomes a matrix question; False if it does not fit."""
        children = [child for child in group.get("children", []) if str(child.get("name")) in self.rows]
        fits = (
            "table-list" in self.raw_appearances.get(str(group.get("name")), []) and children
            and all(child.get("type") == "select one" and not child.get("bind", {}).get("relevant")
                    and not self.raw_types.get(str(child.get("name")), "").endswith("or_other") for child in children)
            and len({child.get("list_name") for child in children}) == 1
        )  # fmt: skip
        if not fits:
            return False
        first = children[0]
        listed = self.lists.get(str(first.get("list_name")))
        code = self._code(group)
        question = {
            "code": code, "type": QuestionType.MATRIX,
            "text": (self._group_label(group) or str(group.get("name")))[:500],
            "help_text": _pick(group.get("hint")),
            "required": any(self._required(child) for child in children), "config": {},
            "options": [{"code": str(c.get("name")), "label": _pick(c.get("label")) or str(c.get("name"))}
                        for c in first.get("choices", []) if listed is None or str(c.get("name")) in listed],
            "rows": [{"code": str(child.get("name"))[:40], "label": _pick(child.get("label")) or str(child.get("name"))}
                     for child in children],
            "condition": dict(condition), "publish": True,
        }  # fmt: skip
        self.notes.append(_("Zeile %(row)s: Die Gruppe „%(name)s“ (table-list) wird eine Matrixfrage; ihre Fragen sind "
                            "die Zeilen. Bedingungen auf diese Fragen werden nicht übernommen.")
                          % {"row": self.row(group), "name": group.get("name")})  # fmt: skip
        self.codes[str(group.get("name"))] = code
        self._place(question)
        return True

    # --- conditions -------------------------------------------------------------------------------------------

    def _condition(self, element: Mapping[str, Any], own: str) -> dict[str, Any]:
        """``relevant`` as our condition, or {} with a note when it cannot be expressed."""
        expression = str(element.get("bind", {}).get("relevant", "")).strip()
        if not expression:
            return {}
        try:
            condition = self._resolve(_Parser(expression).parse())
            conditions.check(condition, earlier=list(self.page_of), own=own)
        except (Unreadable, ValidationError) as error:
            reason = error.messages[0] if isinstance(error, ValidationError) else str(error)
            self.notes.append(_("Bedingung nicht übernommen: Zeile %(row)s, „%(expression)s“ (%(reason)s); es wird "
                                "immer gezeigt.") % {"row": self.row(element), "expression": expression,
                                                     "reason": reason})  # fmt: skip
            return {}
        return condition

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """XLSForm names → our codes; operators that depend on the question's type."""
        for group in conditions.GROUPS:
            if group in node:
                return {group: [self._resolve(part) for part in node[group]]}
        name = node["question"]
        code = self.codes.get(name)
        if code is None or code not in self.kinds or self.kinds[code] == QuestionType.MATRIX:
            raise Unreadable(_("„%(name)s“ wurde nicht übernommen oder kommt erst später") % {"name": name})
        rule = {**node, "question": code}
        if rule["op"] == "contains" and self.kinds[code] == QuestionType.SINGLE:
            rule["op"] = "equals"  # selected() on a single choice is a comparison
        if rule["op"] in ("ge", "le"):
            number = rule["value"]
            if self.xls_types.get(name) != "integer" or not re.fullmatch(r"-?\d+", number):
                raise Unreadable(_("„>=“ und „<=“ werden nur bei ganzen Zahlen übernommen"))
            rule["op"], rule["value"] = (
                ("gt", str(int(number) - 1)) if rule["op"] == "ge" else ("lt", str(int(number) + 1))
            )
        return rule


# --- small readers ------------------------------------------------------------------------------------------------


def _pick(value: Any) -> str:
    """The German text of a label or hint: ``label::German (de)`` before the default, else the first language."""
    if not value:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        for key, text in value.items():
            lowered = str(key).lower()
            if "(de)" in lowered or lowered in ("de", "deutsch") or lowered.startswith(("german", "deutsch")):
                return str(text).strip()
        return str(value.get("default") or next(iter(value.values()), "")).strip()
    return str(value).strip()


def _appearance(element: Mapping[str, Any]) -> list[str]:
    return str(element.get("control", {}).get("appearance", "")).split()


def _leaves(element: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for child in element.get("children", []):
        if child.get("children"):
            yield from _leaves(child)
        else:
            yield child


def _both(first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, Any]:
    if not first or not second:
        return dict(first or second)
    return {"all": [dict(first), dict(second)]}


_BOUND = re.compile(r"^\s*\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")


def _bounds(constraint: str, integer: bool) -> dict[str, Any] | None:
    """``. >= 0 and . <= 120`` → {"min": 0, "max": 120}; None for anything else."""
    bounds: dict[str, Any] = {}
    for part in re.split(r"\s+and\s+", constraint):
        match = _BOUND.match(part)
        if match is None:
            return None
        op, text = match.groups()
        number: int | float = int(text) if re.fullmatch(r"-?\d+", text) else float(text)
        if op in (">", "<"):
            if not integer or not isinstance(number, int):
                return None
            number, op = (number + 1, ">=") if op == ">" else (number - 1, "<=")
        bounds["min" if op == ">=" else "max"] = number
    if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
        return None
    return bounds


_TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{[^}]*\})|(?P<text>'[^']*'|\"[^\"]*\")|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<op>!=|>=|<=|=|>|<)|(?P<punct>[(),])|(?P<word>[A-Za-z_][\w:-]*))"
)
_SWAPPED = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "=": "=", "!=": "!="}


class _Parser:
    """The simple ``relevant`` forms: ``${q} = 'x'``, ``${q} != ''``, ``selected(${q}, 'x')``, ``${q} > n``,
    joined by ``and``/``or`` with parentheses. Produces rules with XLSForm names; ``_resolve`` maps them."""

    def __init__(self, expression: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        position, expression = 0, expression.strip()
        while position < len(expression):
            match = _TOKEN.match(expression, position)
            if match is None or match.end() == position:
                raise Unreadable(_("Ausdruck nicht lesbar"))
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            position = match.end()
        self.index = 0

    def parse(self) -> dict[str, Any]:
        node = self._any()
        if self.index != len(self.tokens):
            raise Unreadable(_("Ausdruck nicht lesbar"))
        return node

    def _peek(self) -> tuple[str, str]:
        return self.tokens[self.index] if self.index < len(self.tokens) else ("", "")

    def _take(self, kind: str, value: str | None = None) -> str:
        found = self._peek()
        if found[0] != kind or (value is not None and found[1] != value):
            raise Unreadable(_("Ausdruck nicht lesbar"))
        self.index += 1
        return found[1]

    def _joined(self, word: str, group: str, part: Any) -> dict[str, Any]:
        parts = [part()]
        while self._peek() == ("word", word):
            self.index += 1
            parts.append(part())
        if len(parts) == 1:
            return parts[0]  # type: ignore[no-any-return]
        return {group: [item for p in parts for item in p.get(group, [p])]}

    def _any(self) -> dict[str, Any]:
        return self._joined("or", "any", self._all)

    def _all(self) -> dict[str, Any]:
        return self._joined("and", "all", self._atom)

    def _atom(self) -> dict[str, Any]:
        kind, value = self._peek()
        if (kind, value) == ("punct", "("):
            self.index += 1
            node = self._any()
            self._take("punct", ")")
            return node
        if (kind, value) == ("word", "selected"):
            self.index += 1
            self._take("punct", "(")
            name = self._ref()
            self._take("punct", ",")
            wanted = self._literal()
            self._take("punct", ")")
            return {"question": name, "op": "contains", "value": wanted}
        if kind == "ref":
            name = self._ref()
            op = self._take("op")
            return _comparison(name, op, self._literal(), self.tokens[self.index - 1][0])
        if kind in ("text", "number"):
            literal = self._literal()
            literal_kind = self.tokens[self.index - 1][0]
            op = self._take("op")
            return _comparison(self._ref(), _SWAPPED[op], literal, literal_kind)
        raise Unreadable(_("Ausdruck nicht lesbar"))

    def _ref(self) -> str:
        return self._take("ref")[2:-1].strip()

    def _literal(self) -> str:
        kind, value = self._peek()
        if kind == "text":
            self.index += 1
            return value[1:-1]
        if kind == "number":
            self.index += 1
            return value
        raise Unreadable(_("Ausdruck nicht lesbar"))


def _comparison(name: str, op: str, value: str, literal_kind: str) -> dict[str, Any]:
    if op in ("=", "!=") and literal_kind == "text" and value == "":
        return {"question": name, "op": "not_answered" if op == "=" else "answered"}
    if op == "=":
        return {"question": name, "op": "equals", "value": value}
    if op == "!=":
        raise Unreadable(_("„ist ungleich“ gibt es in mitwirken nur als „ist beantwortet“ (!= '')"))
    if literal_kind != "number" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise Unreadable(_("„größer“ und „kleiner“ vergleichen nur Zahlen und Datumsangaben"))
    return {"question": name, "op": {">": "gt", "<": "lt", ">=": "ge", "<=": "le"}[op], "value": value}
