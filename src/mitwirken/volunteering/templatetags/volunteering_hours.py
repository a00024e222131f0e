"""``{{ value|hours }}``: hours as people write them (2,5 and 10, not 2,50 and 10,00)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def hours(value: Any) -> str:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return ""
    places = (
        0 if number == number.to_integral_value() else (1 if number * 10 == (number * 10).to_integral_value() else 2)
    )
    return number_format(number, decimal_pos=places)
