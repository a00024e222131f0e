"""Mängelmelder routing: the most specific responsible body for a point and a category."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from mitwirken.reports.models import CategoryTemplate, OrganisationCategory
from mitwirken.reports.routing import organisations_at, route

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def box(west, south, east, north, holes=()):
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring, *holes]}


@pytest.fixture
def region():
    kreis = OrganisationFactory(slug="kreis", boundary=box(7.0, 49.0, 8.0, 50.0))
    vg = OrganisationFactory(slug="vg", parent=kreis, boundary=box(7.2, 49.2, 7.6, 49.6))
    dorf = OrganisationFactory(slug="dorf", parent=vg, boundary=box(7.3, 49.3, 7.4, 49.4))
    road = CategoryTemplate.objects.create(code="strassenschaden", name="Straßenschaden")
    light = CategoryTemplate.objects.create(code="strassenbeleuchtung", name="Straßenbeleuchtung")
    play = CategoryTemplate.objects.create(code="spielplatz", name="Spielplatz")
    OrganisationCategory.objects.create(organisation=kreis, template=road)
    OrganisationCategory.objects.create(organisation=vg, template=light)
    OrganisationCategory.objects.create(organisation=dorf, template=play)
    return {"kreis": kreis, "vg": vg, "dorf": dorf, "road": road, "light": light, "play": play}


def test_nested_areas_are_ordered_most_specific_first(region):
    assert [o.slug for o in organisations_at(7.35, 49.35)] == ["dorf", "vg", "kreis"]


def test_category_at_the_lowest_level(region):
    assert route(lon=7.35, lat=49.35, category=region["play"]).organisation.slug == "dorf"


def test_category_not_at_the_lower_level_goes_up_the_chain(region):
    assert route(lon=7.35, lat=49.35, category=region["light"]).organisation.slug == "vg"
    assert route(lon=7.35, lat=49.35, category=region["road"]).organisation.slug == "kreis"


def test_parent_without_a_stored_boundary_still_handles_its_category(region):
    kreis = region["kreis"]
    kreis.boundary = None
    kreis.save()
    assert route(lon=7.35, lat=49.35, category=region["road"]).organisation.slug == "kreis"


def test_a_point_on_a_boundary_counts_as_inside(region):
    assert route(lon=7.3, lat=49.35, category=region["play"]).organisation.slug == "dorf"  # on the western edge


def test_a_point_outside_all_boundaries_gets_a_clear_message(region):
    with pytest.raises(ValidationError) as error:
        route(lon=12.0, lat=52.5, category=region["road"])
    assert "keine Verwaltung im Portal zuständig" in str(error.value)


def test_a_category_nobody_handles_there_gets_a_clear_message(region):
    other = CategoryTemplate.objects.create(code="gewaesser", name="Gewässer")
    with pytest.raises(ValidationError) as error:
        route(lon=7.35, lat=49.35, category=other)
    assert "Für „Gewässer“ ist an diesem Ort keine Verwaltung" in str(error.value)


def test_multipolygon_with_a_hole(region):
    lake_hole = [[7.82, 49.82], [7.88, 49.82], [7.88, 49.88], [7.82, 49.88], [7.82, 49.82]]
    twin = OrganisationFactory(slug="doppelgemeinde", parent=region["kreis"], boundary={
        "type": "MultiPolygon",
        "coordinates": [box(7.8, 49.8, 7.9, 49.9, holes=[lake_hole])["coordinates"], box(7.7, 49.1, 7.75, 49.15)["coordinates"]],
    })  # fmt: skip
    OrganisationCategory.objects.create(organisation=twin, template=region["light"])
    assert route(lon=7.81, lat=49.81, category=region["light"]).organisation == twin  # first part
    assert route(lon=7.72, lat=49.12, category=region["light"]).organisation == twin  # second part
    assert [o.slug for o in organisations_at(7.85, 49.85)] == ["kreis"]  # inside the hole: not the twin


def test_routing_reads_only_bounding_box_candidates(region, django_assert_max_num_queries):
    for index in range(40):  # unrelated organisations elsewhere do not add work
        OrganisationFactory(slug=f"fern-{index}", boundary=box(10 + index * 0.1, 52.0, 10.05 + index * 0.1, 52.05))
    with django_assert_max_num_queries(8):
        route(lon=7.35, lat=49.35, category=region["play"])


def test_routing_queries_do_not_grow_with_the_number_of_organisations(region):
    """Other towns elsewhere (each handling the category) must not add queries to a route."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert route(lon=7.35, lat=49.35, category=region["road"]).organisation.slug == "kreis"
        return len(captured)

    few = queries()
    for index in range(60):
        west = 9.0 + (index % 10) * 0.1
        town = OrganisationFactory(parent=region["kreis"], boundary=box(west, 51.0, west + 0.05, 51.05))
        OrganisationCategory.objects.create(organisation=town, template=region["road"])
    assert queries() == few
