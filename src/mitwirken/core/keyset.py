"""Next and previous row of a filtered, ordered list without loading the list (keyset pagination).

A case worker walks through 50,000 statements one by one with the inbox filter kept. Counting the position
or loading every id would cost time per row; comparing against the current row's sort key costs one indexed
query in each direction, however long the list is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Neighbours:
    previous: Any
    next: Any


def _after(ordering: list[str], obj: models.Model, *, reverse: bool) -> Q:
    """Rows that come after ``obj`` in ``ordering`` (before it where ``reverse``): a lexicographic comparison."""
    condition = Q(pk__in=[])  # false
    equal = Q()
    for term in ordering:
        descending = term.startswith("-")
        name = term.lstrip("-")
        value = getattr(obj, "pk" if name == "pk" else name)
        greater = descending == reverse  # ascending and forward, or descending and backward
        condition |= equal & Q(**{f"{name}__{'gt' if greater else 'lt'}": value})
        equal &= Q(**{name: value})
    return condition


def neighbours(queryset: QuerySet[M], obj: M, ordering: list[str]) -> Neighbours:
    """The rows just before and after ``obj`` in ``queryset`` ordered by ``ordering``.

    ``ordering`` must end with a unique field (``pk`` or ``-id``) so that the order is total; ``obj`` need not
    match the filter (then its place in the order is still well defined). Two queries, each reading one row.
    """
    backwards = [term[1:] if term.startswith("-") else f"-{term}" for term in ordering]
    base = queryset.order_by()
    following = base.filter(_after(ordering, obj, reverse=False)).order_by(*ordering).first()
    preceding = base.filter(_after(ordering, obj, reverse=True)).order_by(*backwards).first()
    return Neighbours(previous=preceding, next=following)
