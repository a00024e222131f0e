"""KeysFirstPaginator (issue #15): the same pages as Django's paginator, in the same order, with annotations and
related rows, in two queries a page however deep the page is."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mitwirken.core.pagination import KeysFirstPaginator
from mitwirken.formal.models import Statement

from .staff_fixtures import many_statements
from .test_fulltext_search import procedure  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_every_page_equals_djangos_in_order_with_annotations(procedure: Any) -> None:  # noqa: F811
    many_statements(Statement.objects.get(procedure=procedure), 52, late_every=4)
    rows = Statement.objects.filter(procedure=procedure).for_inbox().order_by("late", "-received_at", "-id")
    plain, keys_first = Paginator(rows, 10, orphans=3), KeysFirstPaginator(rows, 10, orphans=3)
    assert keys_first.num_pages == plain.num_pages == 5  # 53 rows: the last 3 join the fifth page
    for number in plain.page_range:
        expected = list(plain.page(number))
        with CaptureQueriesContext(connection) as context:
            page = keys_first.page(number)
            got = [(row.pk, row.attachment_count, row.track.round.number) for row in page]
        assert got == [(row.pk, row.attachment_count, row.track.round.number) for row in expected]
        assert len(context.captured_queries) == 2  # the keys, then the rows with their joins
    assert list(keys_first.get_page("999")) == list(plain.page(5))  # get_page's fallbacks still apply
