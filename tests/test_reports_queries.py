"""Mängelmelder pages run the same number of queries at 10 and at 1,000 reports.

Like ``test_query_counts.py``: the page is requested once with few rows and once with many, and the number of
database queries must not change. The map data are cached for 30 seconds, so the cache is cleared before each
request; otherwise the second request would be answered from the cache without any query and hide a regression.
"""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mitwirken.reports import mapdata
from mitwirken.reports.models import (
    CategoryTemplate,
    InternalNote,
    OrganisationCategory,
    Report,
    ReportPhoto,
    ReportStatus,
    ReportUpdate,
    Supporter,
)

from .factories import OrganisationFactory, UserFactory
from .reports_fixtures import box

pytestmark = pytest.mark.django_db

# All generated reports lie in this box. At zoom 19 the grid is as fine as ``mapdata`` allows for a box this
# large (about 38 × 38 cells), so every report gets a cell of its own: the map answer is 1,000 single pins.
BBOX = (7.0, 49.0, 7.55, 49.55)
LOW_ZOOM = 8
HIGH_ZOOM = 19
SMALL, LARGE = 10, 1000


@pytest.fixture
def setup(world):
    """The world's organisation handles two categories in an area around BBOX, with a sub-area for the filter."""
    organisation = world.organisation
    organisation.boundary = box(6.5, 48.5, 8.5, 50.5)
    organisation.save()
    OrganisationFactory(slug="vg-innen", name="VG Innen", parent=organisation, boundary=box(6.9, 48.9, 7.3, 49.3))
    road = CategoryTemplate.objects.create(code="strassenschaden", name="Straßenschaden")
    light = CategoryTemplate.objects.create(code="strassenbeleuchtung", name="Straßenbeleuchtung")
    OrganisationCategory.objects.create(organisation=organisation, template=road, forward_email="s@example.org")
    OrganisationCategory.objects.create(organisation=organisation, template=light)
    return world, [road, light]


def single_cells() -> list[tuple[float, float]]:
    """The centres of the high-zoom grid cells inside BBOX, one report per cell."""
    west, south, east, north = BBOX
    size = mapdata.cell_size(HIGH_ZOOM, *BBOX)
    first_x, first_y = math.ceil(west / size), math.ceil(south / size)
    columns = math.floor(east / size) - first_x
    rows = math.floor(north / size) - first_y
    assert columns * rows >= LARGE, "the grid must have a cell for every report"
    return [((first_x + x + 0.5) * size, (first_y + y + 0.5) * size) for y in range(rows) for x in range(columns)]


def add_reports(world, categories, count):
    """``count`` open and in-progress reports, bulk-inserted, each with a history line and some with photos,
    an assignee, supporters or a hidden flag, so every relation a page might follow is filled."""
    start = Report.objects.count()
    cells = single_cells()
    now = timezone.now()
    staff = world.personas["case_worker"]
    reports = Report.objects.bulk_create(
        Report(
            organisation=world.organisation, category=categories[i % 2], lon=cells[i][0], lat=cells[i][1],
            description=f"Schlagloch Nummer {i}", address=f"Hauptstraße {i}",
            status=ReportStatus.OPEN if i % 3 else ReportStatus.IN_PROGRESS,
            email=f"melder{i}@example.org", name=f"Person {i}", publish_name=bool(i % 2),
            assignee=staff if i % 2 else None, hidden=i % 7 == 0, hidden_reason="Beleidigung" if i % 7 == 0 else "",
            supporters_count=i % 4, created_at=now - timedelta(minutes=i), confirmed_at=now - timedelta(minutes=i),
            updated_at=now,
        )
        for i in range(start, start + count)
    )  # fmt: skip
    ReportUpdate.objects.bulk_create(
        ReportUpdate(report=r, status=ReportStatus.OPEN, organisation=world.organisation, message="Eingegangen.")
        for r in reports
    )
    ReportPhoto.objects.bulk_create(
        ReportPhoto(report=r, image=f"reports/2024/01/foto-{r.pk}.jpg", hidden=r.pk % 5 == 0)
        for r in reports
        if r.pk % 3 == 0
    )
    return reports


def count_queries(client, url, *, shows_reports=False):
    cache.clear()  # the map answer is cached; a cached answer runs no query at all
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    if shows_reports:  # an empty page would be constant for the wrong reason
        shown = (
            response.json()["clusters"]
            if "json" in response["Content-Type"]
            else "Schlagloch Nummer" in response.content.decode()
        )
        assert shown, f"{url} shows no report"
    return len(context.captured_queries)


def query_counts(world, categories, persona, url):
    """Queries for ``url`` with SMALL and with LARGE reports; the page must show reports both times."""
    add_reports(world, categories, SMALL)
    client = world.client(persona)
    url = url.format(road=categories[0].pk, light=categories[1].pk, organisation=world.organisation.pk)
    small = count_queries(client, url, shows_reports=True)
    add_reports(world, categories, LARGE - SMALL)
    return small, count_queries(client, url, shows_reports=True)


PUBLIC_LISTS = [
    ("anonymous", "/maengelmelder/"),
    ("anonymous", "/maengelmelder/liste/"),
    ("anonymous", "/maengelmelder/liste/?seite=3"),
    ("anonymous", "/maengelmelder/liste/?category={road}&status=open&organisation={organisation}"),
    ("citizen", "/maengelmelder/liste/?status=in_progress"),
]


@pytest.mark.parametrize(("persona", "url"), PUBLIC_LISTS)
def test_public_lists_have_constant_query_counts(setup, persona, url):
    world, categories = setup
    small, large = query_counts(world, categories, persona, url)
    assert large == small


def map_url(zoom, **filters):
    query = "".join(f"&{name}={value}" for name, value in filters.items())
    return f"/maengelmelder/karte.json?bbox={','.join(str(c) for c in BBOX)}&zoom={zoom}{query}"


@pytest.mark.parametrize("zoom", [LOW_ZOOM, HIGH_ZOOM])
def test_map_data_has_constant_query_count(setup, zoom):
    world, categories = setup
    small, large = query_counts(world, categories, "anonymous", map_url(zoom))
    assert large == small


def test_map_data_at_high_zoom_are_single_pins_and_at_low_zoom_clusters(setup):
    """The scenario the query counts rely on: at zoom 19 every report is its own pin, at zoom 8 they cluster."""
    world, categories = setup
    add_reports(world, categories, LARGE)
    client = world.client("anonymous")
    cache.clear()
    singles = client.get(map_url(HIGH_ZOOM)).json()["clusters"]
    assert len(singles) == LARGE
    assert all(cluster["count"] == 1 and "id" in cluster for cluster in singles)
    cache.clear()
    clusters = client.get(map_url(LOW_ZOOM)).json()["clusters"]
    assert len(clusters) < 20
    assert sum(cluster["count"] for cluster in clusters) == LARGE


def test_map_data_with_filters_has_constant_query_count(setup):
    world, categories = setup
    url = map_url(HIGH_ZOOM, category="{road}", status="open", organisation="{organisation}")
    small, large = query_counts(world, categories, "anonymous", url)
    assert large == small


BACKOFFICE_LISTS = [
    ("case_worker", "/verwaltung/musterkreis/meldungen/"),
    ("case_worker", "/verwaltung/musterkreis/meldungen/?status=all&seite=2"),
    ("case_worker", "/verwaltung/musterkreis/meldungen/?assignee=me&category={light}"),
    ("org_admin", "/verwaltung/musterkreis/meldungen/?q=Schlagloch&older_than=0"),
    ("org_admin", "/verwaltung/musterkreis/meldungen/?assignee=none&status=open"),
]


@pytest.mark.parametrize(("persona", "url"), BACKOFFICE_LISTS)
def test_backoffice_inbox_has_constant_query_count(setup, persona, url):
    world, categories = setup
    small, large = query_counts(world, categories, persona, url)
    assert large == small


def test_backoffice_inbox_area_filter_has_constant_query_count(setup):
    world, categories = setup
    from mitwirken.organisations.models import Organisation

    area = Organisation.objects.get(slug="vg-innen")
    url = f"/verwaltung/musterkreis/meldungen/?area={area.pk}"
    small, large = query_counts(world, categories, "case_worker", url)
    assert large == small


def test_backoffice_inbox_does_not_grow_with_staff(setup):
    """The assignee choices list all staff: one query, however many there are."""
    world, categories = setup
    from mitwirken.organisations.models import OrganisationMembership

    add_reports(world, categories, SMALL)
    client = world.client("case_worker")
    url = "/verwaltung/musterkreis/meldungen/"
    small = count_queries(client, url)
    users = UserFactory.create_batch(30)
    OrganisationMembership.objects.bulk_create(
        OrganisationMembership(organisation=world.organisation, user=user, role="staff") for user in users
    )
    Report.objects.filter(organisation=world.organisation).update(assignee=users[0])
    assert count_queries(client, url) == small


# --- one report with a long history ---------------------------------------------------------------------------


def grow_history(world, report, *, updates, photos, supporters=0, notes=0):
    staff = world.personas["case_worker"]
    now = timezone.now()
    ReportUpdate.objects.bulk_create(
        ReportUpdate(report=report, status=ReportStatus.IN_PROGRESS if i % 2 else ReportStatus.OPEN,
                     organisation=world.organisation if i % 3 else world.other_organisation,
                     author=staff if i % 2 else None, message=f"Zwischenstand {i}", created_at=now + timedelta(seconds=i))
        for i in range(updates)
    )  # fmt: skip
    start = report.photos.count()
    ReportPhoto.objects.bulk_create(
        ReportPhoto(report=report, image=f"reports/2024/01/r{report.pk}-{i}.jpg", position=i, hidden=i == 1,
                    hidden_reason="Kennzeichen zu sehen" if i == 1 else "")
        for i in range(start, start + photos)
    )  # fmt: skip
    users = UserFactory.create_batch(supporters)
    Supporter.objects.bulk_create(Supporter(report=report, user=user) for user in users)
    InternalNote.objects.bulk_create(
        InternalNote(report=report, author=staff, text=f"Notiz {i}", created_at=now) for i in range(notes)
    )


DETAIL_PAGES = [
    ("anonymous", "/maengelmelder/{pk}/"),
    ("citizen", "/maengelmelder/{pk}/"),
    ("case_worker", "/maengelmelder/{pk}/"),
    ("case_worker", "/verwaltung/musterkreis/meldungen/{pk}/"),
]


@pytest.mark.parametrize(("persona", "url"), DETAIL_PAGES)
def test_report_pages_are_constant_in_history_photos_and_notes(setup, persona, url):
    world, categories = setup
    report = add_reports(world, categories, 2)[1]  # open, not hidden
    original = add_reports(world, categories, 1)[0]
    Report.objects.filter(pk=report.pk).update(duplicate_of=original)
    grow_history(world, report, updates=2, photos=1, supporters=1, notes=1)
    client = world.client(persona)
    url = url.format(pk=report.pk)
    small = count_queries(client, url)
    grow_history(world, report, updates=60, photos=4, supporters=40, notes=30)
    large = count_queries(client, url)
    assert large == small
    response = client.get(url)
    assert response.content.decode().count("Zwischenstand") == 62


def test_report_page_is_constant_in_number_of_reports(setup):
    world, categories = setup
    report = add_reports(world, categories, SMALL)[1]
    client = world.client("anonymous")
    small = count_queries(client, f"/maengelmelder/{report.pk}/")
    add_reports(world, categories, LARGE - SMALL)
    assert count_queries(client, f"/maengelmelder/{report.pk}/") == small


def test_report_form_step_two_is_constant_in_nearby_reports(setup):
    """Step 2 lists open reports of the same kind within 50 m: one query, however many there are."""
    world, categories = setup
    road = categories[0]
    lon, lat = 7.2, 49.2
    now = timezone.now()

    def near(count, offset):
        Report.objects.bulk_create(
            Report(organisation=world.organisation, category=road, lon=lon + (offset + i) * 1e-6, lat=lat,
                   description=f"In der Nähe {i}", status=ReportStatus.OPEN, created_at=now, updated_at=now,
                   confirmed_at=now)
            for i in range(count)
        )  # fmt: skip

    url = f"/maengelmelder/melden/angaben/?lon={lon}&lat={lat}&category={road.code}"
    client = world.client("citizen")
    near(2, 0)
    small = count_queries(client, url)
    near(40, 2)
    assert count_queries(client, url) == small
