"""The map's pre-counted grid (MapCell, PostgreSQL): after every kind of write it equals the live GROUP BY.

The triggers sit on the report table, so each test writes through a different path (``save()``,
``bulk_create()``, ``QuerySet.update()``, ``bulk_update()``, services, deletes) and then compares every
aggregated level over boxes around the reports, for the unfiltered map and each public filter.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F

from mitwirken.reports import mapdata
from mitwirken.reports.models import OPEN_STATUSES, PUBLIC_STATUSES, MapCell, Report, ReportStatus
from mitwirken.reports.services import handling

from .reports_fixtures import DORF_POINT, KREIS_POINT, VG_POINT, Region, build_region, make_report

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="MapCell is kept on PostgreSQL only")

# 7.5 and 49.98046875 are grid lines down to level 10 (cells of 0.05859375°): a report there lies on the edge
# of a box ending or starting at that line, which must count it exactly as the live query does.
ON_GRID_LINE = (7.5, 49.98046875)
BOXES = [(6.9, 48.9, 8.1, 50.1), (7.3, 49.3, 7.5, 49.98046875), (7.5, 49.98046875, 7.9, 50.1)]


@pytest.fixture
def region(db: Any) -> Region:
    return build_region()


def snapped(box: tuple[float, float, float, float], size: float) -> tuple[float, float, float, float]:
    west, south, east, north = box
    return (
        math.floor(west / size) * size,
        math.floor(south / size) * size,
        math.ceil(east / size) * size,
        math.ceil(north / size) * size,
    )


def assert_counts_match_live(region: Region) -> None:
    assert not MapCell.objects.filter(reports__lte=0).exists()
    filter_sets: list[dict[str, Any]] = [
        {"status__in": PUBLIC_STATUSES},
        {"status__in": OPEN_STATUSES},
        {"status__in": [ReportStatus.FIXED]},
        {"status__in": PUBLIC_STATUSES, "category_id": region.road.pk},
        {"status__in": PUBLIC_STATUSES, "organisation_id": region.vg.pk},
    ]
    for level in mapdata.AGGREGATE_LEVELS:
        size = 60 / 2**level
        for box in BOXES:
            west, south, east, north = snapped(box, size)
            for filters in filter_sets:
                where = f"level {level}, box {box}, {filters}"
                live = {
                    (int(row["cell_x"]), int(row["cell_y"])): row
                    for row in mapdata.live_cells(filters, size=size, west=west, south=south, east=east, north=north)
                }
                counted = {
                    (row["cell_x"], row["cell_y"]): row
                    for row in mapdata.counted_cells(
                        filters, level=level, west=west, south=south, east=east, north=north
                    )
                }
                assert counted.keys() == live.keys(), where
                for cell, row in live.items():
                    assert counted[cell]["count"] == row["count"], where
                    assert counted[cell]["mean_lon"] == pytest.approx(row["mean_lon"], abs=1e-9), where
                    assert counted[cell]["mean_lat"] == pytest.approx(row["mean_lat"], abs=1e-9), where
                    if row["count"] == 1:
                        assert counted[cell]["first_id"] == row["first_id"], where


def some_reports(region: Region) -> list[Report]:
    return [
        make_report(region, point=DORF_POINT),
        make_report(region, point=DORF_POINT, status=ReportStatus.IN_PROGRESS),
        make_report(region, category=region.light, point=VG_POINT),
        make_report(region, point=KREIS_POINT, status=ReportStatus.FIXED),
        make_report(region, point=ON_GRID_LINE),
        make_report(region, point=(7.5, 49.7)),  # on a vertical grid line only
        make_report(region, point=DORF_POINT, status=ReportStatus.UNCONFIRMED),  # not public: in no filter
    ]


@postgresql_only
def test_counts_after_create_and_bulk_create(region):
    some_reports(region)
    template = make_report(region, point=VG_POINT)
    Report.objects.bulk_create(
        Report(
            organisation=template.organisation, category=template.category, description="Schlagloch",
            lon=7.0 + i / 100, lat=49.0 + i / 70, status=PUBLIC_STATUSES[i % len(PUBLIC_STATUSES)],
        )
        for i in range(70)
    )  # fmt: skip
    assert_counts_match_live(region)


@postgresql_only
def test_counts_after_status_changes(region):
    reports = some_reports(region)
    staff = region.people["kreis_staff"]
    handling.report_change_status(actor=staff, report=reports[0], status=ReportStatus.IN_PROGRESS)
    Report.objects.filter(pk=reports[1].pk).update(status=ReportStatus.FIXED)
    Report.objects.filter(status=ReportStatus.UNCONFIRMED).update(status=ReportStatus.OPEN)  # confirmation
    assert_counts_match_live(region)


@postgresql_only
def test_counts_after_moves_and_reassignment(region):
    reports = some_reports(region)
    reports[0].lon, reports[0].lat = ON_GRID_LINE
    reports[0].save()
    Report.objects.filter(pk__in=[reports[2].pk, reports[3].pk]).update(lon=F("lon") + 0.01, lat=F("lat") - 0.2)
    Report.objects.filter(pk=reports[4].pk).update(category=region.light, organisation=region.vg)
    reports[5].lat = 49.1
    Report.objects.bulk_update([reports[5]], ["lat"])
    assert_counts_match_live(region)


@postgresql_only
def test_counts_after_deletes(region):
    reports = some_reports(region)
    reports[0].delete()
    Report.objects.filter(pk__in=[reports[4].pk, reports[5].pk]).delete()
    assert_counts_match_live(region)
    Report.objects.all().delete()
    assert not MapCell.objects.exists()


@postgresql_only
def test_a_save_that_moves_nothing_leaves_the_counts_alone(region):
    report = some_reports(region)[0]
    before = list(MapCell.objects.order_by("pk").values())
    report.description = "Anders beschrieben"
    report.supporters_count = 3
    report.save()
    assert list(MapCell.objects.order_by("pk").values()) == before


def test_map_answer_equals_the_live_grouping(region, monkeypatch):
    """The whole answer, with a hidden single report (placeholder category), is the same whichever way the cells
    were counted; on SQLite both ways are live."""
    reports = some_reports(region)
    handling.report_hide(actor=region.people["vg_staff"], report=reports[2], reason="Beleidigung")
    Report.objects.filter(pk=reports[3].pk).update(status=ReportStatus.REJECTED)
    filters = {"status__in": PUBLIC_STATUSES}

    def answer(zoom: int) -> dict[str, Any]:
        cache.clear()
        return mapdata.clusters(filters, west=7.0, south=49.0, east=8.0, north=50.0, zoom=zoom)

    counted = {zoom: answer(zoom) for zoom in (6, 9, 12)}
    monkeypatch.setattr(mapdata, "AGGREGATE_LEVELS", range(0))
    for zoom, data in counted.items():
        live = answer(zoom)
        key = lambda cluster: (cluster["lon"], cluster["lat"])  # noqa: E731
        assert sorted(data["clusters"], key=key) == sorted(live["clusters"], key=key), zoom
    hidden = [cluster for cluster in counted[12]["clusters"] if cluster.get("id") == reports[2].pk]
    assert hidden == [{"lon": VG_POINT[0], "lat": VG_POINT[1], "count": 1, "id": reports[2].pk,
                       "status": ReportStatus.OPEN, "category": ""}]  # fmt: skip


@postgresql_only
def test_recounting_after_a_restore_without_triggers_puts_the_grid_right(region):
    from django.core.management import call_command

    some_reports(region)
    with connection.cursor() as cursor:  # what a restore with triggers disabled leaves behind
        cursor.execute("SET session_replication_role = replica")
        Report.objects.filter(status=ReportStatus.OPEN).update(status=ReportStatus.FIXED)
        cursor.execute("SET session_replication_role = DEFAULT")
    with pytest.raises(AssertionError):
        assert_counts_match_live(region)
    call_command("recount_map_cells")
    assert_counts_match_live(region)


def test_recounting_is_refused_where_nothing_is_counted_ahead(db):
    from django.core.management import CommandError, call_command

    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL counts ahead")
    with pytest.raises(CommandError, match="Nur für PostgreSQL"):
        call_command("recount_map_cells")
