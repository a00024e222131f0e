"""The address register: normalising and parsing, the CSV import, locate/suggest/nearest_address, the suggestion
endpoint, the location display and the remote geocoder against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from mitwirken.core import addresses, geo, remote_geocoder
from mitwirken.core.addresses import normalise, parse
from mitwirken.core.geo import distance_m
from mitwirken.core.models import Address

pytestmark = pytest.mark.django_db

CSV = """strasse;hausnummer;plz;ort;lat;lon
Hauptstraße;25;55487;Beispielhausen;50.0502;7.6015
Hauptstraße;25a;55487;Beispielhausen;50.0503;7.6016
Hauptstraße;3;55487;Beispielhausen;50.0499;7.5995
Hauptstraße;25;55490;Nordheim;50.0820;7.5050
Am Mühlbach;7;55487;Beispielhausen;50.0431;7.5905
"""


@pytest.fixture
def register() -> None:
    addresses.import_text(CSV)


# --- normalising and parsing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Hauptstraße", "hauptstrasse"),
        ("HAUPTSTRASSE", "hauptstrasse"),
        ("Hauptstr.", "hauptstrasse"),
        ("Mainzer Str. ", "mainzer strasse"),
        ("Äußere  Mühlen-Gasse", "aeussere muehlen gasse"),
        ("Rue de l'Église", "rue de l eglise"),
    ],
)
def test_normalise_makes_spellings_of_one_street_equal(typed: str, key: str) -> None:
    assert normalise(typed) == key


@pytest.mark.parametrize(
    ("typed", "street", "number", "postal_code", "place"),
    [
        ("Hauptstraße 25, Beispielhausen", "hauptstrasse", "25", "", "beispielhausen"),
        ("Hauptstr. 25 a, 55487 Beispielhausen", "hauptstrasse", "25a", "55487", "beispielhausen"),
        ("hauptstrasse 25 55487 beispielhausen", "hauptstrasse", "25", "55487", "beispielhausen"),
        ("Am Mühlbach 7", "am muehlbach", "7", "", ""),
        ("Hauptstraße 25, 554", "hauptstrasse", "25", "554", ""),
        ("Hauptstr", "hauptstrasse", "", "", ""),
        ("55487 Beispielhausen", "", "", "55487", "beispielhausen"),
    ],
)
def test_parse_splits_street_number_postcode_and_place(
    typed: str, street: str, number: str, postal_code: str, place: str
) -> None:
    query = parse(typed)
    assert (query.street, query.number, query.postal_code, query.place) == (street, number, postal_code, place)


def snyder_forward(lat: float, lon: float) -> tuple[float, float]:
    """(easting, northing) in UTM zone 32 on GRS80 by Snyder's series (USGS Professional Paper 1395), an
    independent method to check Krüger's inverse series against."""
    a, f, k0 = 6_378_137.0, 1 / 298.257222101, 0.9996
    e2 = f * (2 - f)
    ep2 = e2 / (1 - e2)
    phi, lam = math.radians(lat), math.radians(lon - 9)
    n = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    t, c, big_a = math.tan(phi) ** 2, ep2 * math.cos(phi) ** 2, lam * math.cos(phi)
    m = a * ((1 - e2 / 4 - 3 * e2**2 / 64 - 5 * e2**3 / 256) * phi
             - (3 * e2 / 8 + 3 * e2**2 / 32 + 45 * e2**3 / 1024) * math.sin(2 * phi)
             + (15 * e2**2 / 256 + 45 * e2**3 / 1024) * math.sin(4 * phi) - (35 * e2**3 / 3072) * math.sin(6 * phi))  # fmt: skip
    x = k0 * n * (big_a + (1 - t + c) * big_a**3 / 6 + (5 - 18 * t + t**2 + 72 * c - 58 * ep2) * big_a**5 / 120)
    y = k0 * (m + n * math.tan(phi) * (big_a**2 / 2 + (5 - t + 9 * c + 4 * c**2) * big_a**4 / 24
                                        + (61 - 58 * t + t**2 + 600 * c - 330 * ep2) * big_a**6 / 720))  # fmt: skip
    return 500_000 + x, y


@pytest.mark.parametrize(("lat", "lon"), [(50.0502, 7.6015), (49.9989, 8.2742), (47.5, 6.0), (54.8, 10.9)])
def test_utm32_coordinates_become_wgs84(lat: float, lon: float) -> None:
    assert addresses.utm_to_wgs84(500_000, 0) == pytest.approx((0, 9), abs=1e-9)  # the zone's origin
    east, north = snyder_forward(lat, lon)
    found_lat, found_lon = addresses.utm_to_wgs84(east, north)
    assert distance_m(found_lon, found_lat, lon, lat) < 0.01  # the two methods agree to the centimetre


# --- the import ------------------------------------------------------------------------------------------------------


def test_import_reports_bad_rows_by_line_and_imports_the_rest(tmp_path: Path) -> None:
    source = tmp_path / "adressen.csv"
    source.write_text(
        "Straße;HNR;PLZ;Gemeinde;Ostwert;Nordwert\n"
        "Hauptstraße;25;55487;Beispielhausen;412345,0;5545678,0\n"
        ";4;55487;Beispielhausen;412345;5545678\n"  # line 3: no street
        "Hauptstraße;vier;55487;Beispielhausen;412345;5545678\n"  # line 4: no number
        "Hauptstraße;5;5548;Beispielhausen;412345;5545678\n"  # line 5: four-digit postcode
        "Hauptstraße;6;55487;Beispielhausen;abc;5545678\n"  # line 6: no coordinates
        "Hauptstraße;7;55487;Beispielhausen;100;100\n"  # line 7: far from Germany
        "Hauptstraße;8 b;55487;Beispielhausen;412355;5545688\n",
        encoding="utf-8",
    )
    out, err = StringIO(), StringIO()
    call_command("import_addresses", str(source), stdout=out, stderr=err)
    assert sorted(Address.objects.values_list("house_number", flat=True)) == ["25", "8 b"]
    for line in (3, 4, 5, 6, 7):
        assert f"Zeile {line}:" in err.getvalue()
    assert "Zeile 2:" not in err.getvalue() and "Zeile 8:" not in err.getvalue()
    assert "2 neu" in out.getvalue()
    found = Address.objects.get(house_number="25")
    assert (found.lat, found.lon) == pytest.approx(addresses.utm_to_wgs84(412_345, 5_545_678))


def test_import_updates_the_same_address_and_replace_removes_the_others(register: None) -> None:
    result = addresses.import_text(
        "street,housenumber,postcode,city,lat,lon\nHauptstraße,25,55487,Beispielhausen,50.06,7.61\n"
    )
    assert (result.created, result.updated) == (0, 1)
    assert Address.objects.count() == 5
    assert Address.objects.get(place="Beispielhausen", house_number="25").lat == 50.06
    again = addresses.import_text(CSV)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 4)
    replaced = addresses.import_text(
        "plz;ort;strasse;hnr;lat;lon\n55490;Nordheim;Waldstraße;1;50.09;7.51\n", replace=True
    )
    assert (replaced.created, replaced.deleted) == (1, 5)
    assert list(Address.objects.values_list("street", flat=True)) == ["Waldstraße"]


def test_import_refuses_a_file_without_the_needed_columns() -> None:
    with pytest.raises(ValidationError, match="Kopfzeile"):
        addresses.import_text("name;wert\nx;1\n")
    assert not Address.objects.exists()


# --- locate, suggest, nearest_address -------------------------------------------------------------------------------


def test_locate_finds_house_numbers_in_any_usual_spelling(register: None) -> None:
    expected = (50.0502, 7.6015)
    for typed in (
        "Hauptstraße 25, Beispielhausen",
        "hauptstr. 25, 55487 beispielhausen",
        "HAUPTSTRASSE 25 55487",
        "Hauptstraße 25, 55487 Beispielhausen",
    ):
        assert geo.locate(typed) == pytest.approx(expected), typed
    assert geo.locate("Hauptstraße 25a, Beispielhausen") == pytest.approx((50.0503, 7.6016))
    assert geo.locate("Am Muehlbach 7, Beispielhausen") == pytest.approx((50.0431, 7.5905))


def test_locate_asks_for_the_place_where_the_address_exists_twice(register: None) -> None:
    with pytest.raises(ValidationError) as error:
        geo.locate("Hauptstraße 25")
    assert "gibt es mehrfach" in error.value.messages[0]
    assert geo.locate("Hauptstraße 25, Nordheim") == pytest.approx((50.0820, 7.5050))


def test_locate_falls_back_to_the_gazetteer_and_says_when_nothing_knows_the_text(register: None) -> None:
    from mitwirken.reports.models import Place

    Place.objects.create(name="Lindenweg", municipality="Beispielhausen", postal_code="55487", lon=7.61, lat=50.05)
    assert geo.locate("Lindenweg, Beispielhausen") == pytest.approx((50.05, 7.61))
    with pytest.raises(ValidationError, match="kennen wir nicht"):
        geo.locate("Gibtsnichtweg 4, Nirgendwo")


def test_suggest_narrows_with_every_keystroke(register: None) -> None:
    labels = lambda text: [address.label for address in addresses.suggest(text)]  # noqa: E731
    assert labels("Ha") == []  # too short to be useful
    assert len(labels("Hauptstr")) == 4
    assert labels("Hauptstraße 25") == [
        "Hauptstraße 25, 55487 Beispielhausen",
        "Hauptstraße 25a, 55487 Beispielhausen",
        "Hauptstraße 25, 55490 Nordheim",
    ]
    assert labels("Hauptstraße 25, B") == ["Hauptstraße 25, 55487 Beispielhausen"]
    assert labels("hauptstrasse 25, 5549") == ["Hauptstraße 25, 55490 Nordheim"]
    assert labels("Am Mühl") == labels("am muehl") == ["Am Mühlbach 7, 55487 Beispielhausen"]
    assert len(addresses.suggest("Hauptstr", limit=2)) == 2


def test_nearest_address_within_150_metres(register: None) -> None:
    found = addresses.nearest_address(50.05021, 7.60151)
    assert found is not None and found.label == "Hauptstraße 25, 55487 Beispielhausen"
    # 0.0012° of latitude is about 133 m from Am Mühlbach 7, still inside; 0.002° (222 m) is not.
    assert addresses.nearest_address(50.0431 + 0.0012, 7.5905) is not None
    assert addresses.nearest_address(50.0431 + 0.002, 7.5905) is None
    assert addresses.nearest_address(float("nan"), 7.6) is None


# --- the endpoint ----------------------------------------------------------------------------------------------------


def test_suggestion_endpoint_answers_json_without_an_account_in_one_query(client: Any, register: None) -> None:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/adressen/vorschlaege/", {"q": "Hauptstraße 25, Beisp"})
    assert response.status_code == 200
    assert response.json() == {
        "results": [{"label": "Hauptstraße 25, 55487 Beispielhausen", "lat": 50.0502, "lon": 7.6015}]
    }
    assert len(captured.captured_queries) == 1
    addresses.import_text(
        "strasse;hnr;plz;ort;lat;lon\n"
        + "".join(f"Hauptstraße;{number};55487;Beispielhausen;50.05;7.60\n" for number in range(100, 400))
    )
    with CaptureQueriesContext(connection) as captured:
        many = client.get("/adressen/vorschlaege/", {"q": "Hauptstr", "limit": "500"})
    assert len(many.json()["results"]) == 20  # the limit is capped
    assert len(captured.captured_queries) == 1  # the same with 300 more rows
    assert client.get("/adressen/vorschlaege/", {"q": "x", "limit": "abc"}).json() == {"results": []}


def test_suggestion_endpoint_is_throttled_per_address(
    client: Any, register: None, monkeypatch: Any, clock_stands_still: None
) -> None:
    from mitwirken.core import views

    monkeypatch.setattr(views, "SUGGESTION_RATE", "3/m")
    answers = [client.get("/adressen/vorschlaege/", {"q": "Hauptstr"}).status_code for _ in range(5)]
    assert answers[:3] == [200, 200, 200] and answers[3:] == [429, 429]
    assert "Zu viele Anfragen" in client.get("/adressen/vorschlaege/", {"q": "Hauptstr"}).json()["error"]


# --- the location display -----------------------------------------------------------------------------------------


def render_location(lat: Any, lon: Any, **options: Any) -> str:
    arguments = " ".join(f"{key}=option_{key}" for key in options)
    template = Template("{% load locations %}{% location lat lon " + arguments + " %}")
    return template.render(Context({"lat": lat, "lon": lon, **{f"option_{k}": v for k, v in options.items()}}))


def test_location_shows_map_and_nearest_address_never_bare_coordinates(register: None) -> None:
    html = render_location(50.0502, 7.6015)
    assert "Hauptstraße 25, 55487 Beispielhausen" in html and "In der Nähe" not in html
    assert 'data-points-map="location-1-points"' in html and 'id="location-1-points"' in html
    assert "Breite" not in html and "<details" in html  # coordinates only folded away, for experts
    near = render_location(50.0506, 7.6015)  # about 45 m north
    assert "In der Nähe von Hauptstraße 25" in near
    nowhere = render_location(50.5, 7.0)
    assert "keine Adresse in der Nähe bekannt" in nowhere
    given = render_location(50.0502, 7.6015, label="Vor dem Rathaus")
    assert "Vor dem Rathaus" in given and "Hauptstraße" not in given
    assert "data-points-map" not in render_location(50.0502, 7.6015, map=False)
    assert render_location(None, None).strip() == ""


# --- the remote geocoder against a real HTTP server ----------------------------------------------------------------


class FakeGeocoder(BaseHTTPRequestHandler):
    mode = "nominatim"
    requests: list[str] = []

    def do_GET(self) -> None:  # the http.server API names it so
        FakeGeocoder.requests.append(self.path)
        query = parse_qs(urlparse(self.path).query)
        text = (query.get("q") or query.get("query") or [""])[0]
        if self.mode == "slow":
            time.sleep(3)
        if self.mode == "broken":
            body = b"<html>502</html>"
        elif "Unbekannt" in text:
            body = b"[]" if self.mode == "nominatim" else b'{"type": "FeatureCollection", "features": []}'
        elif self.mode == "bkg":
            body = json.dumps({"type": "FeatureCollection", "features": [
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [8.2473, 49.9929]},
                 "properties": {"text": text}}]}).encode()  # fmt: skip
        else:
            body = json.dumps([{"lat": "49.9929", "lon": "8.2473", "display_name": text}]).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (the timeout test)
            pass

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_geocoder(settings: Any) -> Iterator[type[FakeGeocoder]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGeocoder)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeGeocoder.mode, FakeGeocoder.requests = "nominatim", []
    settings.MITWIRKEN_GEOCODER_URL = f"http://127.0.0.1:{server.server_port}/search?format=jsonv2&q={{query}}"
    settings.MITWIRKEN_GEOCODER_TIMEOUT = 1.0
    yield FakeGeocoder
    server.shutdown()
    server.server_close()


def test_remote_geocoder_answers_what_the_register_does_not_know(fake_geocoder: Any, register: None) -> None:
    assert geo.locate("Große Bleiche 10, Mainz") == pytest.approx((49.9929, 8.2473))
    assert fake_geocoder.requests[-1].startswith("/search?format=jsonv2&q=Gro%C3%9Fe%20Bleiche%2010")
    # The register comes first: no request for an address it knows.
    before = len(fake_geocoder.requests)
    assert geo.locate("Hauptstraße 25, Beispielhausen") == pytest.approx((50.0502, 7.6015))
    assert len(fake_geocoder.requests) == before
    # Answers are cached.
    assert geo.locate("Große Bleiche 10, Mainz") == pytest.approx((49.9929, 8.2473))
    assert len(fake_geocoder.requests) == before
    with pytest.raises(ValidationError):
        geo.locate("Unbekannt 1, Nirgendwo")


def test_remote_geocoder_reads_the_bkg_geojson_answer(fake_geocoder: Any, settings: Any) -> None:
    fake_geocoder.mode = "bkg"
    settings.MITWIRKEN_GEOCODER_URL = settings.MITWIRKEN_GEOCODER_URL.replace(
        "/search?format=jsonv2&q=", "/geosearch?query="
    )
    assert remote_geocoder.locate("Große Bleiche 10, Mainz") == pytest.approx((49.9929, 8.2473))
    assert fake_geocoder.requests[-1].startswith("/geosearch?query=")


@pytest.mark.parametrize("mode", ["slow", "broken"])
def test_a_slow_or_broken_remote_geocoder_falls_back_to_the_register(
    fake_geocoder: Any, register: None, mode: str
) -> None:
    fake_geocoder.mode = mode
    began = time.perf_counter()
    with pytest.raises(ValidationError):
        geo.locate("Große Bleiche 10, Mainz")
    assert time.perf_counter() - began < 2.0  # the timeout (1 s here) bounds the wait
    requests = len(fake_geocoder.requests)
    # Paused after the failure: the next look-up does not wait again, and the register still answers.
    began = time.perf_counter()
    assert remote_geocoder.locate("Schillerplatz 1, Mainz") is None
    assert time.perf_counter() - began < 0.2 and len(fake_geocoder.requests) == requests
    assert geo.locate("Hauptstraße 25, Beispielhausen") == pytest.approx((50.0502, 7.6015))


def test_place_of_names_the_nearest_address_in_a_sentence(register: None) -> None:
    template = Template("{% load locations %}um {% place_of lat lon %}")
    assert template.render(Context({"lat": 50.0502, "lon": 7.6015})) == "um Hauptstraße 25, 55487 Beispielhausen"
    assert template.render(Context({"lat": 51.0, "lon": 7.0})) == "um dem gewählten Punkt auf der Karte"


def test_idea_form_locates_a_typed_address_without_javascript(register: None) -> None:
    from mitwirken.dialogue.forms import IdeaForm

    from .factories import ModuleFactory, UserFactory

    module = ModuleFactory()
    user = UserFactory()
    data = {"title": "Bank", "text": "Eine Bank am Brunnen.", "address": "Hauptstraße 25, Beispielhausen"}
    form = IdeaForm(data, module=module, with_location=True, user=user)
    form.proof_of_work = False
    form.fields.pop("altcha", None)
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["lat"], form.cleaned_data["lon"]) == pytest.approx((50.0502, 7.6015))
    unknown = IdeaForm({**data, "address": "Gibtsnicht 9, Nirgendwo"}, module=module, with_location=True, user=user)
    unknown.proof_of_work = False
    unknown.fields.pop("altcha", None)
    assert not unknown.is_valid() and "kennen wir nicht" in unknown.errors["address"][0]
