"""Pagination that stays fast on deep pages of big lists.

Django's paginator reads a page as ``ORDER BY … LIMIT 50 OFFSET 9950``: the database builds 10,000 full rows, with
their joins and subqueries, to throw 9,950 of them away. :class:`KeysFirstPaginator` asks for the page's primary keys
first (a narrow query that an index on the filter and the order answers by itself), then loads just those rows with
everything the list shows. Two cheap queries instead of one expensive one, on every page; the count is Django's.
:class:`CountedPaginator` is told its count where it was read already, with other figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet


class KeysFirstPaginator(Paginator):
    """A paginator over an ordered QuerySet that reads each page by its primary keys (a "deferred join").

    ``count``, where the caller knows it (counted ahead), spares counting the list.
    """

    object_list: QuerySet[Any]

    def __init__(self, object_list: Any, per_page: int, *, count: int | None = None, **options: Any) -> None:
        super().__init__(object_list, per_page, **options)
        if count is not None:
            self.__dict__["count"] = count  # ``count`` is a cached property; this is its value

    def page(self, number: Any) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=keys).order_by()}
        return Page([rows[key] for key in keys if key in rows], number, self)


class CountedPaginator(Paginator):
    """A paginator whose count is given, not read: for lists counted together with other figures."""

    def __init__(self, object_list: Any, per_page: int, *, count: int, **options: Any) -> None:
        super().__init__(object_list, per_page, **options)
        self.__dict__["count"] = count  # ``count`` is a cached property; this is its value


def counts_of(lists: Mapping[str, QuerySet[Any] | Sequence[Any]]) -> dict[str, int]:
    """How many rows each list has, all QuerySets counted in one query (``SELECT (SELECT COUNT(*) FROM (…)), …``).

    For a page of many small lists (Mein Bereich has one per kind of thing a person did): one round trip instead
    of one per list. Each list is counted as its own query would return it, with its joins, DISTINCT and
    annotations, so the count is the one its paginator would read.
    """
    counts = {key: len(rows) for key, rows in lists.items() if not isinstance(rows, QuerySet)}
    querysets = [(key, rows) for key, rows in lists.items() if isinstance(rows, QuerySet)]
    if not querysets:
        return counts
    parts: list[str] = []
    params: list[Any] = []
    for number, (_key, rows) in enumerate(querysets):
        sql, values = rows.order_by().values("pk").query.sql_with_params()
        alias = connection.ops.quote_name(f"list_{number}")
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS {alias})")  # noqa: S608  # Django's SQL, values as params
        params.extend(values)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return counts | {key: row[index] for index, (key, _rows) in enumerate(querysets)}
