"""The demo base map (``MAP_TILE_URL=demo``): tiles drawn from the demo data, off unless configured."""

from __future__ import annotations

import io
import math

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, override_settings
from PIL import Image

from mitwirken.core import demo_tiles, maps
from mitwirken.core.addresses import normalise
from mitwirken.core.middleware import content_security_policy
from mitwirken.core.models import Address

from .test_maps import tile_settings

pytestmark = pytest.mark.django_db
Z = 17


def tile_of(lon: float, lat: float, z: int = Z) -> tuple[int, int, float, float]:
    """The tile holding a position, and the position's pixel inside it."""
    n = 2**z
    fx = (lon + 180) / 360 * n
    fy = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int(fx), int(fy), (fx % 1) * 256, (fy % 1) * 256


def add_street(name: str, lat: float, lons: list[float]) -> None:
    for number, lon in enumerate(lons, start=1):
        side = 0.00004 if number % 2 else -0.00004  # houses left and right of the street
        Address.objects.create(street=name, house_number=str(number), place="Teststadt", lat=lat + side, lon=lon,
                               street_key=normalise(name), number_key=str(number), place_key="teststadt")  # fmt: skip


def png(response: HttpResponse) -> Image.Image:
    return Image.open(io.BytesIO(response.content)).convert("RGB")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@override_settings(MITWIRKEN_TILE_URL="demo")
def test_a_tile_is_a_256_png_with_a_road_where_the_addresses_are(client: Client) -> None:
    lat, lons = 50.05, [7.6000 + i * 0.0001 for i in range(12)]
    add_street("Lindenallee", lat, lons)
    x, y, px, py = tile_of(7.6005, lat)
    response = client.get(f"/karte/demo/{Z}/{x}/{y}.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = png(response)
    assert image.size == (256, 256)
    road = image.getpixel((round(px), round(py)))
    assert road != demo_tiles.LAND, "the street's line runs between its houses"
    # Far from any house, the tile shows only land.
    empty_x, empty_y, *_ = tile_of(7.64, 50.09)
    assert png(client.get(f"/karte/demo/{Z}/{empty_x}/{empty_y}.png")).getcolors() == [(256 * 256, demo_tiles.LAND)]


@override_settings(MITWIRKEN_TILE_URL="demo")
def test_streets_are_drawn_only_where_their_houses_are(client: Client) -> None:
    add_street("Lindenallee", 50.05, [7.6000 + i * 0.0001 for i in range(12)])
    x, y, px, py = tile_of(7.6005, 50.0515)  # about 170 m north of the street, same tile column
    image = png(client.get(f"/karte/demo/{Z}/{x}/{y}.png"))
    assert image.getpixel((round(px), round(py))) == demo_tiles.LAND


@override_settings(MITWIRKEN_TILE_URL="demo")
def test_the_map_configuration_points_to_the_local_tiles_and_the_csp_needs_no_other_origin() -> None:
    tiles = maps.map_config()["tiles"]
    assert tiles["url"] == "/karte/demo/{z}/{x}/{y}.png"
    assert "img-src 'self' data:;" in content_security_policy()


@pytest.mark.parametrize("path", ["/karte/demo/1/2/0.png", "/karte/demo/3/0/8.png", "/karte/demo/25/0/0.png",
                                  "/karte/demo/-1/0/0.png", "/karte/demo/a/0/0.png"])  # fmt: skip
@override_settings(MITWIRKEN_TILE_URL="demo")
def test_a_tile_outside_the_world_is_not_found(client: Client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_off_unless_configured(client: Client) -> None:
    add_street("Lindenallee", 50.05, [7.6000 + i * 0.0001 for i in range(12)])
    x, y, *_ = tile_of(7.6005, 50.05)
    assert client.get(f"/karte/demo/{Z}/{x}/{y}.png").status_code == 404
    assert "/karte/demo/" not in str(maps.map_config()["tiles"])


def test_the_setting_demo_means_the_local_tiles_with_a_demo_attribution() -> None:
    url, attribution, _max_zoom = tile_settings(MAP_TILE_URL="demo")
    assert url == "demo"
    assert attribution == "Demo-Karte aus den Demodaten von mitwirken"
    assert tile_settings()[0] != "demo"
