from __future__ import annotations

from typing import Any

from django import template

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
