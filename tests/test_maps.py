"""The base map setting, the CSP for its tiles, the one map configuration and the places and search endpoints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory

from mitwirken.core import maps, plugins
from mitwirken.core.middleware import content_security_policy
from mitwirken.reports.models import Place

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_SCRIPT = """
import json
from mitwirken import settings
print(json.dumps([settings.MITWIRKEN_TILE_URL, settings.MITWIRKEN_TILE_ATTRIBUTION, settings.MITWIRKEN_TILE_MAX_ZOOM]))
"""


def tile_settings(**env: str) -> list[Any]:
    """The tile settings as a fresh process with ``env`` reads them (settings are read once, at start)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MAP_TILE")}
    environment.update(MITWIRKEN_ENV="test", PYTHONPATH=str(ROOT / "src"), **env)
    result = subprocess.run([sys.executable, "-c", SETTINGS_SCRIPT], capture_output=True, text=True,
                            env=environment, cwd=ROOT, timeout=60, check=True)  # fmt: skip
    return list(json.loads(result.stdout))


def test_the_default_base_map_is_basemap_de_with_its_attribution() -> None:
    url, attribution, max_zoom = tile_settings()
    assert url.startswith("https://sgx.geodatenzentrum.de/wmts_basemapde/tile/1.0.0/de_basemapde_web_raster_farbe/")
    assert url.endswith("/GLOBAL_WEBMERCATOR/{z}/{y}/{x}.png")
    assert attribution.startswith("© GeoBasis-DE / BKG (20") and attribution.endswith(") CC BY 4.0")
    assert max_zoom == 18


def test_another_tile_source_is_configured_by_environment() -> None:
    url, attribution, max_zoom = tile_settings(
        MAP_TILE_URL="https://karten.land.example/tiles/{z}/{x}/{y}.png",
        MAP_TILE_ATTRIBUTION="© Landesamt", MAP_TILE_MAX_ZOOM="20",
    )  # fmt: skip
    assert (url, attribution, max_zoom) == ("https://karten.land.example/tiles/{z}/{x}/{y}.png", "© Landesamt", 20)


@pytest.mark.parametrize("off", ["off", "OFF", "aus", "none"])
def test_the_base_map_can_be_switched_off(off: str) -> None:
    url, attribution, _zoom = tile_settings(MAP_TILE_URL=off)
    assert url == "" and attribution == ""


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        (
            "https://sgx.geodatenzentrum.de/wmts_basemapde/tile/1.0.0/x/{z}/{y}/{x}.png",
            "https://sgx.geodatenzentrum.de",
        ),
        ("https://{s}.tiles.land.example:8443/{z}/{x}/{y}.png", "https://*.tiles.land.example:8443"),
        ("/kacheln/{z}/{x}/{y}.png", ""),
        ("javascript:alert(1)", ""),
    ],
)
def test_tile_origin(url: str, origin: str) -> None:
    assert maps.tile_origin(url) == origin


def test_the_csp_allows_exactly_the_configured_tile_host(settings: Any) -> None:
    settings.MITWIRKEN_TILE_URL = "https://karten.land.example/wmts/{z}/{y}/{x}.png"
    policy = content_security_policy()
    assert "img-src 'self' data: https://karten.land.example;" in policy
    assert "geodatenzentrum" not in policy
    settings.MITWIRKEN_TILE_URL = ""
    assert "img-src 'self' data:;" in content_security_policy()


def test_the_default_csp_allows_basemap_de() -> None:
    assert "img-src 'self' data: https://sgx.geodatenzentrum.de;" in content_security_policy()


def test_map_head_writes_the_configuration_once_per_page(settings: Any) -> None:
    settings.MITWIRKEN_TILE_URL = "https://karten.land.example/{z}/{x}/{y}.png"
    settings.MITWIRKEN_TILE_ATTRIBUTION = "© Land <Kataster>"
    template = Template(
        '{% include "includes/map_assets.html" %}{% include "includes/map_assets.html" with draw=True %}'
    )
    html = template.render(Context({"request": RequestFactory().get("/")}))
    assert html.count('id="map-config"') == 1 and html.count("js/maps.js") == 1
    assert html.count("leaflet-geoman.min.js") == 1 and html.count("leaflet.js") == 1
    # Deferred scripts run in order: Geoman extends Leaflet; maps.js starts on DOMContentLoaded, after both.
    assert html.index("leaflet.js") < html.index("leaflet-geoman.min.js")
    config = json.loads(html.split('id="map-config" type="application/json">')[1].split("</script>")[0])
    assert config["tiles"] == {"url": settings.MITWIRKEN_TILE_URL, "attribution": "© Land <Kataster>", "maxZoom": 18}
    assert config["text"]["offline"].startswith("Die Hintergrundkarte ist gerade nicht erreichbar;")


def test_without_a_tile_source_the_configuration_has_none(settings: Any) -> None:
    settings.MITWIRKEN_TILE_URL = ""
    assert maps.map_config()["tiles"] is None


def test_no_view_passes_tile_settings_any_more() -> None:
    sources = [path for path in (ROOT / "src" / "mitwirken").rglob("*") if path.suffix in (".py", ".html")]
    offenders = [
        str(path) for path in sources
        if (path.name not in ("settings.py", "maps.py", "middleware.py") and "TILE_URL" in path.read_text())
        or "data-tile-url" in path.read_text()
    ]  # fmt: skip
    assert offenders == []


@pytest.mark.django_db
def test_places_come_from_the_gazetteer_inside_the_box(client: Client) -> None:
    Place.objects.create(name="Hauptstraße", municipality="Nordheim", postal_code="55555", lon=7.61, lat=50.06)
    Place.objects.create(name="Bahnhofstraße", municipality="Südheim", postal_code="55556", lon=7.90, lat=50.30)
    response = client.get("/karte/orte/", {"bbox": "7.5,50.0,7.7,50.1"})
    assert response.status_code == 200
    assert response.json() == {"places": [{"name": "Hauptstraße", "lat": 50.06, "lon": 7.61}]}


@pytest.mark.django_db
def test_places_query_count_does_not_grow(client: Client, django_assert_max_num_queries: Any) -> None:
    for number in range(30):
        Place.objects.create(name=f"Weg {number}", municipality="Nordheim", lon=7.6 + number / 1000, lat=50.05)
    with django_assert_max_num_queries(len([p for p in plugins.all_plugins() if p.map_places])):
        assert len(client.get("/karte/orte/", {"bbox": "7.5,50.0,7.7,50.1"}).json()["places"]) == 30


@pytest.mark.django_db
@pytest.mark.parametrize("bbox", ["", "a,b,c,d", "7.7,50,7.5,50.1", "1,2,3", "nan,50,7.7,50.1", "0,0,200,10"])
def test_places_refuse_a_bad_box_in_german(client: Client, bbox: str) -> None:
    response = client.get("/karte/orte/", {"bbox": bbox})
    assert response.status_code == 400 and "bbox" in response.json()["error"]


@pytest.mark.django_db
def test_a_box_too_wide_for_labels_gets_none(client: Client) -> None:
    Place.objects.create(name="Hauptstraße", municipality="Nordheim", lon=7.61, lat=50.06)
    assert client.get("/karte/orte/", {"bbox": "6,49,9,51"}).json() == {"places": []}


@pytest.mark.django_db
def test_locate_finds_a_place_or_explains(client: Client) -> None:
    Place.objects.create(name="Hauptstraße", municipality="Nordheim", postal_code="55555", lon=7.61, lat=50.06)
    assert client.get("/karte/ort-suchen/", {"q": "Hauptstraße"}).json() == {"lat": 50.06, "lon": 7.61}
    assert client.get("/karte/ort-suchen/", {"q": "50,1; 7,5"}).json() == {"lat": 50.1, "lon": 7.5}
    unknown = client.get("/karte/ort-suchen/", {"q": "Nirgendwo"})
    assert unknown.status_code == 400 and "Koordinaten" in unknown.json()["error"]
