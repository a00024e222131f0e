from __future__ import annotations

from typing import Any

from django import template
from django.utils import formats
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

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

    Up to 500 places: three localised numbers each in a template loop were half the results page's time.
    """
    separator = formats.get_format("DECIMAL_SEPARATOR")
    return format_html_join(
        "",
        '<tr class="kern-table__row"><th class="kern-table__cell" scope="row">{}</th>'
        '<td class="kern-table__cell survey-num">{}</td><td class="kern-table__cell survey-num">{}</td></tr>',
        ((number, str(point["lat"]).replace(".", separator), str(point["lon"]).replace(".", separator))
         for number, point in enumerate(points, start=1)),
    )  # fmt: skip
