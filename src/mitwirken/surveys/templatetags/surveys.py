from __future__ import annotations

from typing import Any

from django import template
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def answer_choice(value: Any) -> str:
    """The chosen code of a single-choice or yes/no answer as kept in a draft."""
    if isinstance(value, dict):
        return str(value.get("choice", ""))
    return "" if value is None else str(value)


@register.filter
def matrix_value(value: Any, row: str) -> str:
    return str(value.get(row, "")) if isinstance(value, dict) else ""


@register.filter
def ranking_order(item: Any) -> list[Any]:
    """A ranking's items in the respondent's current order (their answer, else the shown order)."""
    choices = list(item.field.choices)
    if isinstance(item.value, list):
        position = {code: index for index, code in enumerate(item.value)}
        choices.sort(key=lambda choice: position.get(choice.code, len(position)))
    return choices


@register.filter
def point_rows(points: list[dict[str, Any]]) -> SafeString:
    """The rows of the table of places under a results map, with the decimal separator of the language.

    Up to 500 places: three localised numbers each in a template loop were half the results page's time. The cells
    hold numbers only (``float``/``int``), so there is nothing to escape.
    """
    separator = formats.get_format("DECIMAL_SEPARATOR")
    return mark_safe("".join(
        f'<tr class="kern-table__row"><th class="kern-table__cell" scope="row">{number}</th>'
        f'<td class="kern-table__cell survey-num">{str(float(point["lat"])).replace(".", separator)}</td>'
        f'<td class="kern-table__cell survey-num">{str(float(point["lon"])).replace(".", separator)}</td></tr>'
        for number, point in enumerate(points, start=1)
    ))  # fmt: skip
