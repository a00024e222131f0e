"""When a page or a question is shown: conditions on earlier answers, evaluated on the server only.

A condition is JSON, so it travels with the questionnaire's export::

    {}                                                   always shown
    {"question": "verkehrsmittel", "op": "equals", "value": "rad"}
    {"all": [rule, …]}  /  {"any": [rule, …]}            and / or, nested as deep as needed

Operators: ``equals``, ``one_of`` (value is a list), ``contains`` (an option among several chosen, or a
word in a text), ``gt`` / ``lt`` (numbers, scales, dates), ``answered``, ``not_answered``.

A rule may only name a question on an earlier page, so a questionnaire can never form a cycle and a page
is always decided by answers the server already has. A question the respondent was not shown counts as
not answered, whatever its stored value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

OPERATORS = {
    "equals": gettext_lazy("ist gleich"),
    "one_of": gettext_lazy("ist eines von"),
    "contains": gettext_lazy("enthält"),
    "gt": gettext_lazy("ist größer als"),
    "lt": gettext_lazy("ist kleiner als"),
    "answered": gettext_lazy("ist beantwortet"),
    "not_answered": gettext_lazy("ist nicht beantwortet"),
}
WITHOUT_VALUE = ("answered", "not_answered")
GROUPS = ("all", "any")
MAX_DEPTH = 5


def evaluate(condition: Mapping[str, Any] | None, value_of: Callable[[str], Any]) -> bool:
    """Whether ``condition`` holds, with ``value_of(code)`` giving the comparable answer (None: not answered)."""
    if not condition:
        return True
    for group, combine in (("all", all), ("any", any)):
        if group in condition:
            return combine(evaluate(part, value_of) for part in condition[group])
    return _rule(condition, value_of(condition["question"]))


def _rule(rule: Mapping[str, Any], answer: Any) -> bool:
    op, expected = rule["op"], rule.get("value")
    answered = answer not in (None, "", [], {})
    if op == "answered":
        return answered
    if op == "not_answered":
        return not answered
    if not answered:
        return False
    if op == "equals":
        return _same(answer, expected)
    if op == "one_of":
        wanted = [str(item) for item in (expected or [])]
        chosen = answer if isinstance(answer, list) else [answer]
        return any(str(item) in wanted for item in chosen)
    if op == "contains":
        if isinstance(answer, list):
            return str(expected) in [str(item) for item in answer]
        return str(expected).casefold() in str(answer).casefold()
    if op in ("gt", "lt"):
        left, right = _ordered(answer), _ordered(expected)
        if left is None or right is None or type(left) is not type(right):
            return False
        return left > right if op == "gt" else left < right  # type: ignore[operator]  # same type, checked above
    return False


def _same(answer: Any, expected: Any) -> bool:
    if isinstance(answer, list):
        return sorted(str(item) for item in answer) == sorted(str(item) for item in _as_list(expected))
    left, right = _ordered(answer), _ordered(expected)
    if left is not None and right is not None and type(left) is type(right):
        return left == right
    return str(answer) == str(expected)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _ordered(value: Any) -> Decimal | str | None:
    """Numbers compare as numbers, ISO dates as text (which orders them correctly).

    Only finite numbers: Decimal also reads "NaN", "sNaN" and "Infinity", and a NaN raises when ordered, so a
    respondent's text answer "sNaN" would otherwise break every page after it.
    """
    if isinstance(value, bool):
        return None
    text = str(value).strip()
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        number = None
    if number is not None:
        return number if number.is_finite() else None
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return text
    return None


def referenced(condition: Mapping[str, Any] | None) -> set[str]:
    """The question codes a condition names."""
    if not condition:
        return set()
    for group in GROUPS:
        if group in condition:
            return set().union(*(referenced(part) for part in condition[group]))
    return {str(condition.get("question", ""))}


def check(condition: Any, *, earlier: Iterable[str], own: str = "") -> dict[str, Any]:
    """A well-formed condition naming only ``earlier`` questions, or a ValidationError saying what is wrong.

    ``own`` is the code of the question the condition belongs to, so naming itself reads as the cycle it is.
    """
    if condition in (None, "", {}):
        return {}
    allowed = set(earlier)
    _check_node(condition, allowed, own, depth=0)
    return dict(condition)


def _check_node(node: Any, allowed: set[str], own: str, depth: int) -> None:
    if not isinstance(node, dict):
        raise ValidationError(_("Eine Bedingung muss ein Objekt sein."))
    if depth > MAX_DEPTH:
        raise ValidationError(_("Bedingungen dürfen höchstens %(depth)d Ebenen tief verschachtelt sein.")
                              % {"depth": MAX_DEPTH})  # fmt: skip
    groups = [group for group in GROUPS if group in node]
    if groups:
        parts = node[groups[0]]
        if len(groups) > 1 or not isinstance(parts, list) or not parts:
            raise ValidationError(_("Eine Gruppe braucht „all“ (und) oder „any“ (oder) mit mindestens einer Regel."))
        for part in parts:
            _check_node(part, allowed, own, depth + 1)
        return
    code, op = str(node.get("question", "")), node.get("op")
    if op not in OPERATORS:
        raise ValidationError(_("Unbekannter Vergleich „%(op)s“.") % {"op": op})
    if code and code == own:
        raise ValidationError(_("Eine Frage kann nicht von ihrer eigenen Antwort abhängen."))
    if code not in allowed:
        raise ValidationError(
            _("Die Bedingung bezieht sich auf „%(code)s“. Bedingungen dürfen sich nur auf Fragen früherer Seiten "
              "beziehen.") % {"code": code}
        )  # fmt: skip
    if op not in WITHOUT_VALUE and node.get("value") in (None, "", []):
        raise ValidationError(_("Bitte geben Sie den Vergleichswert an."))
    if op == "one_of" and not isinstance(node.get("value"), list):
        raise ValidationError(_("„ist eines von“ braucht eine Liste von Werten."))
    if op in ("gt", "lt") and _ordered(node.get("value")) is None:
        raise ValidationError(_("„größer“ und „kleiner“ vergleichen nur Zahlen oder Datumsangaben (JJJJ-MM-TT)."))


def describe(condition: Mapping[str, Any] | None, labels: Mapping[str, str]) -> str:
    """The condition in words, for the builder and the preview: "Verkehrsmittel ist gleich rad"."""
    if not condition:
        return ""
    for group, joiner in (("all", _(" und ")), ("any", _(" oder "))):
        if group in condition:
            parts = [describe(part, labels) for part in condition[group]]
            return joiner.join(f"({part})" if ("all" in sub or "any" in sub) else part
                               for part, sub in zip(parts, condition[group], strict=True))  # fmt: skip
    name = labels.get(condition.get("question", ""), condition.get("question", ""))
    op = str(OPERATORS.get(condition.get("op", ""), condition.get("op", "")))
    if condition.get("op") in WITHOUT_VALUE:
        return f"„{name}“ {op}"
    value = condition.get("value")
    shown = ", ".join(str(item) for item in value) if isinstance(value, list) else str(value)
    return f"„{name}“ {op} {shown}"
