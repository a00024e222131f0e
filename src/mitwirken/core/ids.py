"""Ids that arrive as text (form fields, query strings, URL segments) become ints only through here.

``int(request.POST["x"])`` answers 500 for "abc", for "²" (``str.isdigit`` accepts it, ``int`` does not) and,
on the database, for numbers beyond its integer range. Every model's key is a ``BigAutoField`` (a signed
64-bit ``bigint``), so anything above ``MAX_ID`` cannot name a row: it is "not found", never an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import Http404

MAX_ID = 2**63 - 1  # bigint, the type of every primary key (DEFAULT_AUTO_FIELD = BigAutoField)
MAX_INT = 2**31 - 1  # PostgreSQL's integer, for IntegerField columns


def parse_id(value: Any) -> int | None:
    """The id in ``value`` (an int, or ASCII digits), or None if it cannot name a row."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def posted_id(data: Any, name: str) -> int:
    """An id from ``request.POST`` / ``request.GET``; a missing or malformed one is 404, like an unknown one."""
    number = parse_id(data.get(name))
    if number is None:
        raise Http404(f"{name}: keine gültige Kennung")
    return number


def parse_ids(values: Iterable[Any]) -> list[int]:
    """The valid ids among ``values`` (checkbox lists): malformed entries are dropped, never an error."""
    return [number for number in (parse_id(value) for value in values) if number is not None]


def parse_int(value: Any, *, default: int, minimum: int = -MAX_INT - 1, maximum: int = MAX_INT) -> int | None:
    """A bounded integer (ratings, zoom levels); None if malformed or out of range, ``default`` if empty."""
    if value in (None, ""):
        return default
    text = str(value).strip()
    sign, digits = (text[0], text[1:]) if text[:1] in "+-" else ("", text)
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 12:
        return None
    number = int(sign + digits)
    return number if minimum <= number <= maximum else None
