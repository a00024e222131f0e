"""What the Mängelmelder gives the portal: the response time and the staff's work overview, Mein Bereich.

Query counts follow ``test_reports_queries.py``: the same call at 10 and at 1,000 reports runs the same queries.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mitwirken.core.models import AuditEntry
from mitwirken.reports import contrib, services
from mitwirken.reports.models import (
    DEFAULT_RESPONSE_DAYS,
    CategoryTemplate,
    Report,
    ReportSettings,
    ReportStatus,
    ReportUpdate,
)

from .reports_fixtures import road_handled_by

pytestmark = pytest.mark.django_db

SMALL, LARGE = 10, 1000


@pytest.fixture
def road(world: Any) -> CategoryTemplate:
    return road_handled_by(world.organisation)


def add_reports(world: Any, road: CategoryTemplate, count: int, *, reporter: Any = None, **fields: Any) -> list[Report]:
    """Reports of every kind the overview counts: new without assignee, assigned, in progress, fixed; old and new."""
    now = timezone.now()
    staff = world.personas["case_worker"]
    start = Report.objects.count()
    reports = Report.objects.bulk_create(
        Report(
            organisation=world.organisation, category=road, lon=7.5, lat=49.5, description=f"Schlagloch Nummer {i}",
            status=[ReportStatus.OPEN, ReportStatus.OPEN, ReportStatus.IN_PROGRESS, ReportStatus.FIXED][i % 4],
            assignee=staff if i % 3 == 0 else None, reporter=reporter, created_at=now - timedelta(days=i % 9),
            updated_at=now - timedelta(days=i % 9), confirmed_at=now, **fields,
        )
        for i in range(start, start + count)
    )  # fmt: skip
    ReportUpdate.objects.bulk_create(
        ReportUpdate(report=report, status=report.status, organisation=world.organisation, message=f"Antwort {n}")
        for report in reports
        for n in range(4)
    )
    return reports


def expected(world: Any, days: int = DEFAULT_RESPONSE_DAYS) -> tuple[int, int]:
    reports = Report.objects.filter(organisation=world.organisation)
    new = reports.filter(status=ReportStatus.OPEN, assignee__isnull=True).count()
    return new, reports.overdue(days).count()


# --- response time --------------------------------------------------------------------------------------------


def test_without_settings_the_default_applies_and_reading_writes_nothing(world, road):
    assert ReportSettings.of(world.organisation).response_days == DEFAULT_RESPONSE_DAYS
    contrib.staff_work(world.personas["case_worker"], world.organisation)
    for persona, url in [("case_worker", "/verwaltung/musterkreis/meldungen/"),
                         ("org_admin", "/verwaltung/musterkreis/meldungen/kategorien/")]:  # fmt: skip
        assert world.client(persona).get(url).status_code == 200
    assert not ReportSettings.objects.exists()


def test_the_org_admin_sets_the_response_time_on_the_categories_page(world, road):
    response = world.client("org_admin").post(
        "/verwaltung/musterkreis/meldungen/kategorien/", {"action": "settings", "response_days": "3"}, follow=True
    )
    assert "Die Antwortfrist ist gespeichert." in response.content.decode()
    assert ReportSettings.of(world.organisation).response_days == 3
    entry = AuditEntry.objects.get(action="report_settings.change")
    assert (entry.actor, entry.changes) == (world.personas["org_admin"], {"response_days": [5, 3]})


@pytest.mark.parametrize("value", ["0", "91", "drei", ""])
def test_a_bad_response_time_is_refused_at_the_field(world, road, value):
    response = world.client("org_admin").post(
        "/verwaltung/musterkreis/meldungen/kategorien/", {"action": "settings", "response_days": value}
    )
    assert response.status_code == 200
    assert response.context["settings_form"].errors["response_days"]
    assert not ReportSettings.objects.exists()


@pytest.mark.parametrize("persona", ["case_worker", "other_org_admin", "citizen"])
def test_only_the_organisations_admin_sets_the_response_time(world, road, persona):
    user = world.personas[persona]
    with pytest.raises(PermissionDenied):
        services.report_settings_set(actor=user, organisation=world.organisation, response_days=2)
    response = world.client(persona).post(
        "/verwaltung/musterkreis/meldungen/kategorien/", {"action": "settings", "response_days": "2"}
    )
    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:  # not signed in with a second factor: sent to the login
        assert "/konto/" in response["Location"]
    assert not ReportSettings.objects.exists()


def test_the_service_refuses_a_response_time_out_of_range(world):
    with pytest.raises(ValidationError) as error:
        services.report_settings_set(actor=world.personas["org_admin"], organisation=world.organisation,
                                     response_days=0)  # fmt: skip
    assert error.value.message_dict == {"response_days": ["Die Antwortfrist muss zwischen 1 und 90 Tagen liegen."]}


def at_berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Europe/Berlin"))


def test_overdue_counts_whole_days_in_berlin_not_in_utc(world, road):
    """In at 00:30 Berlin on 1 March (23:30 UTC on 28 February): with five days, due until the end of 6 March
    Berlin time and overdue from 00:00 on 7 March, although in UTC days it would be overdue a day earlier."""
    came_in = at_berlin(2026, 3, 1, 0, 30)
    assert came_in.astimezone(UTC).day == 28
    report = Report.objects.create(organisation=world.organisation, category=road, lon=7.5, lat=49.5,
                                   description="Schlagloch", status=ReportStatus.OPEN, created_at=came_in,
                                   updated_at=came_in, confirmed_at=came_in)  # fmt: skip
    for moment, overdue in [
        (at_berlin(2026, 3, 6, 12, 0), False),
        (at_berlin(2026, 3, 6, 23, 59), False),
        (at_berlin(2026, 3, 7, 0, 0, 30), True),
    ]:
        assert (report in Report.objects.overdue(5, moment)) is overdue, moment
        with time_machine.travel(moment, tick=False):
            items = contrib.staff_work(world.personas["case_worker"], world.organisation)
            assert any("Antwortfrist" in str(item.label) for item in items) is overdue
    ReportSettings.objects.create(organisation=world.organisation, response_days=6)
    with time_machine.travel(at_berlin(2026, 3, 7, 12, 0), tick=False):
        assert not Report.objects.overdue(6).exists()
        assert not any("Antwortfrist" in str(i.label) for i in contrib.staff_work(world.personas["case_worker"],
                                                                                   world.organisation))  # fmt: skip


def test_a_reopened_or_forwarded_report_starts_its_response_time_again(world, road):
    long_ago = timezone.now() - timedelta(days=30)
    report = Report.objects.create(organisation=world.organisation, category=road, lon=7.5, lat=49.5,
                                   description="Schlagloch", status=ReportStatus.OPEN, created_at=long_ago,
                                   updated_at=timezone.now(), confirmed_at=long_ago)  # fmt: skip
    assert report not in Report.objects.overdue(DEFAULT_RESPONSE_DAYS)


# --- the staff's work overview --------------------------------------------------------------------------------


def test_staff_work_counts_new_and_overdue_and_links_to_the_same_lists(world, road):
    add_reports(world, road, 40)
    new, overdue = expected(world)
    assert new and overdue
    items = contrib.staff_work(world.personas["case_worker"], world.organisation)
    assert [(item.count, item.urgent) for item in items] == [(new, False), (overdue, True)]
    assert "Antwortfrist von 5 Tagen" in str(items[1].label)
    client = world.client("case_worker")
    for item in items:
        page = client.get(item.url)
        assert page.status_code == 200
        assert page.context["page"].paginator.count == item.count, item.url
    overdue_page = client.get(items[1].url).content.decode()
    assert overdue_page.count(">überfällig</span>") == overdue


def test_staff_work_is_only_for_the_organisations_staff(world, road):
    add_reports(world, road, 10)
    for persona in ("citizen", "other_org_admin", "agency"):
        assert contrib.staff_work(world.personas[persona], world.organisation) == []


def test_staff_work_runs_the_same_queries_at_10_and_1000_reports(world, road, django_assert_num_queries):
    from django.contrib.auth import get_user_model

    def fresh_staff() -> Any:  # roles are cached on the user object; each run loads them afresh
        return get_user_model().objects.get(pk=world.personas["case_worker"].pk)

    add_reports(world, road, SMALL)
    user = fresh_staff()
    with CaptureQueriesContext(connection) as small:
        assert contrib.staff_work(user, world.organisation)
    add_reports(world, road, LARGE - SMALL)
    user = fresh_staff()
    with django_assert_num_queries(len(small.captured_queries)):
        items = contrib.staff_work(user, world.organisation)
    assert [item.count for item in items] == list(expected(world))


# --- Mein Bereich ---------------------------------------------------------------------------------------------


def test_mein_bereich_lists_my_reports_with_status_answers_and_the_question(world, road):
    citizen = world.personas["citizen"]
    mine = add_reports(world, road, 4, reporter=citizen)
    add_reports(world, road, 3, reporter=world.personas["invited"])
    page = world.client("citizen").get("/konto/").content.decode()
    assert page.count("Meldung Nr. ") == 4
    assert "Antwort 3" in page and "Antwort 0" not in page  # the three latest answers only
    fixed = [report for report in mine if report.status == ReportStatus.FIXED]
    assert fixed and page.count("Ist das Problem behoben?") == len(fixed)
    assert f'action="/maengelmelder/{fixed[0].pk}/behoben/"' in page


def test_mein_bereich_runs_the_same_queries_at_10_and_1000_reports(world, road, django_assert_num_queries):
    citizen = world.personas["citizen"]
    add_reports(world, road, SMALL, reporter=citizen)
    client = world.client("citizen")
    with CaptureQueriesContext(connection) as small:
        assert client.get("/konto/").status_code == 200
    add_reports(world, road, LARGE - SMALL, reporter=citizen)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get("/konto/?meldungen=7")
    assert response.content.decode().count("Meldung Nr. ") == 10


# --- reads never write ----------------------------------------------------------------------------------------


def test_reading_the_maengelmelder_pages_writes_nothing(world, road):
    citizen = world.personas["citizen"]
    (report,) = add_reports(world, road, 1, reporter=citizen, fixed_at=timezone.now())
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.FIXED)
    pages = [
        ("anonymous", "/maengelmelder/"), ("anonymous", "/maengelmelder/liste/"),
        ("anonymous", f"/maengelmelder/{report.pk}/"), ("citizen", f"/maengelmelder/{report.pk}/"),
        ("citizen", f"/maengelmelder/{report.pk}/wieder-oeffnen/"), ("citizen", "/konto/"),
        ("anonymous", f"/maengelmelder/nachfrage/{report.confirm_token}/"),
        ("case_worker", "/verwaltung/musterkreis/meldungen/"),
        ("case_worker", f"/verwaltung/musterkreis/meldungen/{report.pk}/"),
        ("case_worker", "/verwaltung/musterkreis/meldungen/?status=open&overdue=1"),
        ("org_admin", "/verwaltung/musterkreis/meldungen/kategorien/"),
    ]  # fmt: skip
    for persona, url in pages:
        client = world.client(persona)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200, url
        writes = [q["sql"] for q in context.captured_queries
                  if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) and "reports_" in q["sql"]]  # fmt: skip
        assert writes == [], url


def test_the_overdue_inbox_runs_the_same_queries_at_10_and_1000_reports(world, road, django_assert_num_queries):
    url = "/verwaltung/musterkreis/meldungen/?status=open&overdue=1"
    client = world.client("case_worker")
    add_reports(world, road, SMALL)
    with CaptureQueriesContext(connection) as small:
        assert "überfällig</span>" in client.get(url).content.decode()
    add_reports(world, road, LARGE - SMALL)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.count == expected(world)[1]
