"""The geocoder part of ``make bench``: address suggestions per keystroke with an imported register of 100,000
addresses, the exact look-up (``geo.locate``) and the reverse look-up (``nearest_address``).

Harness side (``bench/run.py`` imports this module; no Django import at module level): ``measure(...)`` imports
``--addresses`` generated addresses through the real CSV import (timed) and then measures in-process, one request
per keystroke of typed addresses, the suggestion endpoint (``/adressen/vorschlaege/?q=…``) through the whole
Django stack, with its SQL queries. On PostgreSQL it adds ``EXPLAIN ANALYZE`` of the suggestion query for a short,
a medium and a complete prefix and checks that the register's index serves them (no sequential scan).

Tool side, run as a subprocess with the benchmarked environment (one JSON object on stdout)::

    python bench/geocoder.py seed --addresses 100000
    python bench/geocoder.py measure

Standalone on a migrated database with the demo data (``seed_demo``)::

    MITWIRKEN_ENV=development PYTHONPATH=src python bench/geocoder.py quick --addresses 100000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from settle import settle

BENCH = Path(__file__).resolve().parent
TOOL = str(BENCH / "geocoder.py")
TARGET_MS = 50.0
REPEATS = 5
RunJson = Callable[[str, list[str], dict[str, str]], dict]

STREETS = [
    "Hauptstraße",
    "Schulstraße",
    "Bahnhofstraße",
    "Gartenstraße",
    "Kirchstraße",
    "Dorfstraße",
    "Bergstraße",
    "Lindenstraße",
    "Waldstraße",
    "Ringstraße",
    "Wiesenweg",
    "Am Sportplatz",
    "Mühlenweg",
    "Friedhofstraße",
    "Schillerstraße",
    "Goethestraße",
    "Raiffeisenstraße",
    "Jahnstraße",
    "Mainzer Straße",
    "Talstraße",
    "Rosenweg",
    "Birkenweg",
    "Am Mühlbach",
    "Im Oberdorf",
    "Kirchgasse",
    "Lange Gasse",
    "Burgstraße",
    "Schlossstraße",
    "Römerstraße",
    "Industriestraße",
    "Feldstraße",
    "Sonnenhang",
    "Auf der Höhe",
    "Weinbergstraße",
    "Brunnenstraße",
    "Ahornweg",
    "Eichendorffstraße",
    "Hohlweg",
    "Schützenstraße",
    "Neugasse",
]
PLACE_PARTS = ["Nieder", "Ober", "Unter", "Groß", "Klein", "Neu", "Alt", "Mittel", "Hohen", "Bad "]
PLACE_STEMS = ["bach", "heim", "hausen", "dorf", "feld", "berg", "stein", "au", "weiler", "rode", "tal", "brück"]
PLACE_ROOTS = ["Linden", "Eichen", "Wald", "Wiesen", "Sonnen", "Rosen", "Kirch", "Mühl", "Stein", "Rhein",
               "Mosel", "Hunds", "Fuchs", "Hirsch", "Wolfs", "Bären", "Adler", "Falken"]  # fmt: skip


# ---------------------------------------------------------------- harness


def measure(python: str, seed_env: dict[str, str], env: dict[str, str], addresses: int, run_json: RunJson) -> dict:
    """Import the scaled register, then time the suggestions per keystroke in-process."""
    seeded = run_json(f"bench/geocoder.py seed --addresses {addresses}",
                      [python, TOOL, "seed", "--addresses", str(addresses)], seed_env)  # fmt: skip
    measured = run_json("address suggestions per keystroke in-process", [python, TOOL, "measure"], env)
    return {**seeded, **measured}


def notes(result: dict) -> list[str]:
    found = []
    slowest = result["suggest"]["slowest_prefixes"][0]
    if slowest["median_ms"] > TARGET_MS:
        found.append(
            f"Address suggestions: the slowest keystroke („{slowest['q']}“) took {slowest['median_ms']:.1f} ms "
            f"(median of {REPEATS}; target: under {TARGET_MS:.0f} ms)."
        )
    for plan in result.get("plans", []):
        if not plan["index_used"]:
            found.append(f"Address suggestions: the plan for {plan['query']!r} does not use the register's index.")
    return found


def rows(result: dict) -> list[list[str]]:
    suggest, locate, nearest = result["suggest"], result["locate"], result["nearest"]
    return [
        [f"Suggestion per keystroke ({suggest['requests']} requests)", f"{suggest['p50_ms']:.1f}",
         f"{suggest['p95_ms']:.1f}", f"{suggest['max_ms']:.1f}", str(suggest["queries_max"])],
        [f"geo.locate, complete address ({locate['requests']})", f"{locate['p50_ms']:.1f}",
         f"{locate['p95_ms']:.1f}", f"{locate['max_ms']:.1f}", str(locate["queries_max"])],
        [f"nearest_address, random points ({nearest['requests']})", f"{nearest['p50_ms']:.1f}",
         f"{nearest['p95_ms']:.1f}", f"{nearest['max_ms']:.1f}", str(nearest["queries_max"])],
    ]  # fmt: skip


HEADERS = ["Measurement", "p50 ms", "p95 ms", "max ms", "SQL queries"]


def markdown(report: dict, markdown_table: Callable[..., list[str]]) -> list[str]:
    result = report.get("geocoder")
    if not result:
        return []
    lines = [
        "",
        f"### Geocoder ({result['addresses_total']:,} addresses in the register)",
        "",
        f"The register was filled through the CSV import (`import_addresses`): {result['imported']:,} rows in "
        f"{result['import_seconds']:.1f} s. In-process through the whole Django stack, one request per keystroke "
        f"(from the third character) of {len(result['typed'])} typed addresses, each keystroke {REPEATS} times: "
        + ", ".join(f"„{text}“" for text in result["typed"])
        + f". Target: under {TARGET_MS:.0f} ms per keystroke.",
        "",
        *markdown_table(HEADERS, rows(result), left=1),
        "",
        "Slowest keystrokes (median of their repetitions): "
        + ", ".join(f"„{item['q']}“ {item['median_ms']:.1f} ms" for item in result["suggest"]["slowest_prefixes"])
        + ". The max column is a single request and includes the noise of a shared machine.",
    ]
    for plan in result.get("plans", []):
        lines += ["", f"`EXPLAIN ANALYZE` of the suggestion query for „{plan['query']}“ "
                      f"({'index used' if plan['index_used'] else 'NO INDEX'}):", "", "```",
                  *plan["plan"], "```"]  # fmt: skip
    return lines


def print_tables(report: dict, text_table: Callable[..., list[str]]) -> None:
    result = report.get("geocoder")
    if result:
        print(f"\nGeocoder ({result['addresses_total']:,} addresses)")
        print("\n".join(text_table(HEADERS, rows(result), {1, 2, 3, 4})))


# ---------------------------------------------------------------- tool


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitwirken.settings")
    sys.path.insert(0, str(BENCH.parent / "src"))
    import django

    django.setup()


def place_names(count: int) -> list[str]:
    rng = random.Random(4711)
    names: list[str] = []
    seen = set()
    while len(names) < count:
        name = rng.choice(PLACE_ROOTS) + rng.choice(PLACE_STEMS)
        if rng.random() < 0.4:
            name = rng.choice(PLACE_PARTS) + name.lower()
        if name in seen:
            name = f"{name} {len(names)}"
        seen.add(name)
        names.append(name)
    return names


def generated_rows(count: int) -> list[list[str]]:
    """``count`` addresses: ~400 places with 25 streets each and house numbers from 1, some with a suffix."""
    rng = random.Random(14)
    places = place_names(count // 250 + 1)
    rows: list[list[str]] = []
    for index, place in enumerate(places):
        postal_code = f"{10000 + index * 7:05d}"
        lat0, lon0 = 49.2 + rng.random() * 1.6, 6.2 + rng.random() * 2.0
        for street in rng.sample(STREETS, 25):
            lat, lon = lat0 + rng.uniform(-0.01, 0.01), lon0 + rng.uniform(-0.015, 0.015)
            for number in range(1, 11):
                suffix = "a" if number % 7 == 0 else ""
                rows.append([street, f"{number}{suffix}", postal_code, place, f"{lat + number * 0.0001:.6f}",
                             f"{lon + number * 0.00012:.6f}"])  # fmt: skip
                if len(rows) >= count:
                    return rows
    return rows


def seed(addresses: int) -> dict[str, Any]:
    from mitwirken.core.addresses import import_addresses
    from mitwirken.core.models import Address

    # The generated addresses have postcodes from 10000 (the demo's start with 5): the others stay and count.
    others = Address.objects.exclude(postal_code__startswith="1").count()
    wanted = max(0, addresses - others)
    with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", delete=False) as file:
        file.write("strasse;hausnummer;plz;ort;lat;lon\n")
        for row in generated_rows(wanted):
            file.write(";".join(row) + "\n")
        path = file.name
    began = time.perf_counter()
    try:
        with open(path, encoding="utf-8") as lines:
            result = import_addresses(lines, batch_size=5_000)
    finally:
        os.unlink(path)
    seconds = time.perf_counter() - began
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE core_address")
    return {"imported": result.created + result.updated + result.unchanged, "import_seconds": round(seconds, 2),
            "import_problems": len(result.problems or []), "addresses_total": Address.objects.count()}  # fmt: skip


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _summary(times: list[float], queries: list[int]) -> dict[str, Any]:
    return {"requests": len(times), "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(_percentile(times, 0.95), 2), "max_ms": round(max(times), 2),
            "queries_max": max(queries)}  # fmt: skip


def typed_addresses() -> list[str]:
    from mitwirken.core.models import Address

    typed = ["Hauptstraße 25, Beispielhausen"]
    sample = Address.objects.exclude(place="Beispielhausen").order_by("pk")
    total = sample.count()
    for position in (total // 3, (2 * total) // 3):
        address = sample[position] if total > position else None
        if address is not None:
            typed.append(f"{address.street} {address.house_number}, {address.postal_code} {address.place}")
    typed.append("Schulstr. 7a, Neu")
    return typed


def measure_in_process() -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from mitwirken.core import addresses, geo

    url = reverse("core:address_suggestions")
    typed = typed_addresses()
    times: list[float] = []
    counts: list[int] = []
    per_prefix: dict[str, float] = {}
    request_number = 0
    # One client for all requests: a new Client loads the whole middleware chain on its first request, which
    # is the test client's cost, not the endpoint's.
    client = Client(HTTP_HOST="127.0.0.1")
    client.get(url, {"q": "Warm"}, REMOTE_ADDR="10.255.255.255")  # URL resolver, templates, connection
    for text in typed:
        for end in range(3, len(text) + 1):
            for _repeat in range(REPEATS):
                request_number += 1
                # Another address per request: the endpoint's per-address rate limit is not what is measured.
                address = f"10.{request_number // 65536 % 256}.{request_number // 256 % 256}.{request_number % 256}"
                with CaptureQueriesContext(connection) as captured:
                    began = time.perf_counter()
                    response = client.get(url, {"q": text[:end]}, REMOTE_ADDR=address)
                    times.append((time.perf_counter() - began) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
                counts.append(len(captured.captured_queries))
            per_prefix[text[:end]] = statistics.median(times[-REPEATS:])
    suggest = _summary(times, counts)
    slowest = sorted(per_prefix.items(), key=lambda item: -item[1])[:3]
    suggest["slowest_prefixes"] = [{"q": prefix, "median_ms": round(ms, 2)} for prefix, ms in slowest]

    locate_times, locate_counts = [], []
    for text in typed[:3] * REPEATS:
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            geo.locate(text)
            locate_times.append((time.perf_counter() - began) * 1000)
        locate_counts.append(len(captured.captured_queries))

    rng = random.Random(7)
    from mitwirken.core.models import Address

    points = list(Address.objects.order_by("?").values_list("lat", "lon")[:50])
    nearest_times, nearest_counts = [], []
    for lat, lon in points:
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            addresses.nearest_address(lat + rng.uniform(-0.0005, 0.0005), lon + rng.uniform(-0.0005, 0.0005))
            nearest_times.append((time.perf_counter() - began) * 1000)
        nearest_counts.append(len(captured.captured_queries))

    result: dict[str, Any] = {
        "typed": typed, "suggest": suggest, "locate": _summary(locate_times, locate_counts),
        "nearest": _summary(nearest_times, nearest_counts), "db_vendor": connection.vendor,
        "addresses_total": Address.objects.count(),
    }  # fmt: skip
    if connection.vendor == "postgresql":
        result["plans"] = [explain(text) for text in ("Hau", "Hauptstraße 2", "Hauptstraße 25, Beispielh")]
    return result


def explain(text: str) -> dict[str, Any]:
    from django.db import connection

    from mitwirken.core import addresses

    query = addresses.in_register_order(addresses.matching(addresses.parse(text)))[:8]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    uses_index = any("core_address_search" in line for line in plan)
    sequential = any("Seq Scan on core_address" in line for line in plan)
    return {"query": text, "plan": plan, "index_used": uses_index and not sequential}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["seed", "measure", "quick"])
    parser.add_argument("--addresses", type=int, default=100_000)
    args = parser.parse_args()
    _django()
    if args.command == "seed":
        print(json.dumps({**seed(args.addresses), "settle_seconds": settle()}))
    elif args.command == "measure":
        print(json.dumps(measure_in_process()))
    else:
        result = {**seed(args.addresses), **measure_in_process()}
        print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
