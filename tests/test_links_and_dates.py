"""Per-row shortcuts of the busy lists give exactly what Django gives: ``url_template`` against ``reverse()``, and the
Jinja2 ``date`` filter's strftime path against Django's ``date`` filter (in Berlin time, across the DST changes)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.template import defaultfilters
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]

from mitwirken.core import jinja
from mitwirken.core.links import url_template


@pytest.mark.parametrize("pk", [1, 42, 918273645, 10**12])
def test_url_template_is_reverse(pk: int) -> None:
    fixed = {"org_slug": "musterkreis", "project_pk": 7, "module_pk": 6}
    statement_url = url_template("backoffice:procedure_statement", "statement_pk", **fixed)
    assert statement_url(pk) == reverse("backoffice:procedure_statement", kwargs={**fixed, "statement_pk": pk})


def test_url_template_fills_several_keys_in_the_order_given() -> None:
    by_report_first = url_template("reports:photo", "pk", "photo_pk")
    by_photo_first = url_template("reports:photo", "photo_pk", "pk")
    expected = reverse("reports:photo", kwargs={"pk": 12, "photo_pk": 3456})
    assert by_report_first(12, 3456) == by_photo_first(3456, 12) == expected


def test_url_template_refuses_more_keys_than_it_has_stand_ins() -> None:
    with pytest.raises(ValueError):
        url_template("home", "a", "b", "c", "d")


MOMENTS = [
    datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # 01:59:59 CET, the last second before summer time
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # 03:00 CEST
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST, the first of the two
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 02:30 CET, the second
    datetime(2026, 12, 31, 23, 5, 7, tzinfo=UTC),  # already the next year in Berlin
    datetime(2027, 1, 4, 8, 0, tzinfo=UTC),
]


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("arg", ["d.m.Y H:i", "Y-m-d", "d.m.Y", "H:i", "H:i:s", "d.m.y", "j.", "l", "DATE_FORMAT"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_jinja_date_writes_what_django_writes(moment: datetime, arg: str, language: str) -> None:
    with translation.override(language):
        assert jinja.date(moment, arg) == defaultfilters.date(template_localtime(moment), arg)


def test_only_numbers_and_separators_take_the_strftime_path() -> None:
    assert jinja._strftime_format("d.m.Y H:i") == "%d.%m.%Y %H:%M"
    for named in ("l", "j.", "F", "DATE_FORMAT", "d. F Y", "T", ""):
        assert jinja._strftime_format(named) is None
