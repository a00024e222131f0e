"""Deadlines shown one way: the period tag at the edges of the last day and across the DST changes (Berlin)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from mitwirken.core.dates import berlin_day_start, end_of_last_day, format_period, last_day

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")

# The last Sundays of March and October 2026: the clocks go forward (23-hour day) and back (25-hour day).
SPRING, AUTUMN = date(2026, 3, 29), date(2026, 10, 25)


def render(source: str, **context: object) -> str:
    return Template("{% load portal %}" + source).render(Context(context)).strip()


@pytest.fixture(autouse=True)
def _german():
    with translation.override("de"):
        yield


def test_a_whole_day_period_reads_as_the_legal_wording():
    start, end = berlin_day_start(date(2026, 12, 1)), end_of_last_day(date(2026, 12, 31))
    text = render("{% period start end %}", start=start, end=end)
    assert text == "vom 1. Dezember 2026 bis einschließlich 31. Dezember 2026"
    assert "Januar" not in text and "00:00" not in text


def test_the_end_alone_and_the_start_alone():
    end = end_of_last_day(date(2026, 12, 31))
    assert render("{% period end=end %}", end=end) == "bis einschließlich 31. Dezember 2026"
    assert render("{% period start %}", start=berlin_day_start(date(2026, 12, 1))) == "ab 1. Dezember 2026"
    assert render("{% period None None %}") == ""


def test_an_end_at_another_time_shows_that_time_without_einschliesslich():
    start = datetime(2026, 12, 1, 10, 0, tzinfo=BERLIN)
    end = datetime(2026, 12, 31, 18, 0, tzinfo=BERLIN)
    assert format_period(start, end) == "vom 1. Dezember 2026, 10:00 Uhr bis 31. Dezember 2026, 18:00 Uhr"


def test_the_wording_is_berlin_time_whatever_the_stored_zone():
    # 23:00 UTC on 31 December is 00:00 on 1 January in Berlin: the end of 31 December.
    end = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert format_period(None, end) == "bis einschließlich 31. Dezember 2026"
    with timezone.override("UTC"):
        assert format_period(None, end) == "bis einschließlich 31. Dezember 2026"


def test_dates_are_whole_days():
    assert format_period(date(2026, 12, 1), date(2026, 12, 31)) == (
        "vom 1. Dezember 2026 bis einschließlich 31. Dezember 2026"
    )


def test_last_day_still_open_at_23_59_and_closed_at_midnight():
    from mitwirken.projects.models import Phase

    end = end_of_last_day(date(2026, 12, 31))
    phase = Phase(start=berlin_day_start(date(2026, 12, 1)), end=end)
    assert phase.is_active(datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=BERLIN))
    assert not phase.is_active(datetime(2027, 1, 1, 0, 0, tzinfo=BERLIN))
    assert last_day(end) == date(2026, 12, 31)
    assert format_period(phase.start, phase.end).endswith("bis einschließlich 31. Dezember 2026")


@pytest.mark.parametrize("day", [SPRING - timedelta(days=1), SPRING, AUTUMN - timedelta(days=1), AUTUMN])
def test_around_the_dst_changes_the_last_day_ends_at_berlin_midnight(day: date):
    end = end_of_last_day(day)
    local = end.astimezone(BERLIN)
    assert (local.date(), local.hour, local.minute) == (day + timedelta(days=1), 0, 0)
    assert last_day(end) == day
    assert format_period(None, end) == f"bis einschließlich {day.day}. {('März', 'Oktober')[day.month == 10]} 2026"
    # The last second of the last day is still inside, the first second of the next day is not.
    last_second = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=BERLIN)
    assert last_second < end <= last_second + timedelta(seconds=1)


def test_the_dst_days_are_23_and_25_hours_long():
    def hours(day: date) -> timedelta:
        return end_of_last_day(day).astimezone(UTC) - berlin_day_start(day).astimezone(UTC)

    assert hours(SPRING) == timedelta(hours=23) and hours(AUTUMN) == timedelta(hours=25)
    # Stored in UTC: the spring day ends at 22:00 UTC, the autumn day at 23:00 UTC.
    assert end_of_last_day(SPRING).astimezone(UTC).hour == 22
    assert end_of_last_day(AUTUMN).astimezone(UTC).hour == 23


def test_english_dates_read_like_english():
    with translation.override("en"):
        text = format_period(berlin_day_start(date(2026, 12, 1)), end_of_last_day(date(2026, 12, 31)))
        assert "1 December 2026" in text and "31 December 2026" in text
        assert render('{{ day|date:"DATE_FORMAT" }}', day=date(2027, 1, 1)) == "1 January 2027"


def test_appointments_name_their_weekday_in_each_language():
    # 23:30 UTC on 5 December is already Sunday in Berlin.
    moment = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)
    assert render("{{ moment|weekday_datetime }}", moment=moment) == "Sonntag, 6. Dezember 2026, 00:30"
    assert render("{{ day|weekday_date }}", day=date(2027, 1, 1)) == "Freitag, 1. Januar 2027"
    with translation.override("en"):
        assert render("{{ moment|weekday_datetime }}", moment=moment) == "Sunday, 6 December 2026, 00:30"
        assert render("{{ day|weekday_date }}", day=date(2027, 1, 1)) == "Friday, 1 January 2027"


def test_a_phase_form_takes_the_last_day_and_stores_the_exclusive_end():
    from mitwirken.projects.forms import PhaseForm
    from mitwirken.projects.models import Module, Phase

    form = PhaseForm(
        {"phase_type": "x", "name": "Beteiligung", "start": "2026-03-01T00:00", "end": "2026-03-29"},
        module=Module(module_type="information"),
    )
    form.fields["phase_type"].choices = [("x", "x")]  # type: ignore[attr-defined]
    assert form.is_valid(), form.errors
    assert form.cleaned_data["end"] == end_of_last_day(SPRING)
    phase = Phase(start=form.cleaned_data["start"], end=form.cleaned_data["end"])
    assert PhaseForm(instance=phase, module=Module(module_type="information")).initial["end"] == SPRING
