"""Database-side helpers for the Mängelmelder part of the benchmark.

Run by ``bench/run.py`` (through ``bench/reports.py``) as subprocesses with the environment of the benchmarked
server. Each prints one JSON object::

    python bench/reports_tools.py inprocess PATH...          # per path: cold and cached service time, queries, size
    python bench/reports_tools.py routing --sizes 30 3000    # routing.route() per point at each organisation count

``inprocess`` clears the cache before every cold request, so the map's clustering runs each time; the cached
figure is what every further request for the same grid-snapped box costs for 30 seconds.

``routing`` builds a state full of nested organisations (Landkreise → Verbandsgemeinden → Ortsgemeinden under
the demo's Land, each with a box-shaped boundary stored as a 100-vertex polygon and the demo's categories per
level) inside a transaction, times ``routing.route()`` for the same random points at each size and rolls
everything back, so the bench database is left as it was.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import time
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlsplit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitwirken.settings")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from mitwirken.organisations.models import Organisation, OrganisationKind  # noqa: E402
from mitwirken.reports import mapdata, open311, routing  # noqa: E402
from mitwirken.reports.models import CategoryTemplate, OrganisationCategory, Report  # noqa: E402

TIMED_REQUESTS = 15
MIN_TIMED_REQUESTS = 3
TIME_BUDGET_SECONDS = 2.0
STATE_SLUG = "ministerium"  # the demo's Land: its boundary is the whole state
VERTICES_PER_EDGE = 25
# Organisations per level as (columns, rows) of a grid over the parent's box: total = L × (1 + V × (1 + O)).
LAYOUTS = {
    30: ((3, 1), (1, 3), (2, 1)),  # 3 Landkreise, 3 Verbandsgemeinden each, 2 Ortsgemeinden each
    300: ((4, 3), (2, 2), (5, 1)),  # 12 × (1 + 4 × (1 + 5))
    3000: ((6, 5), (3, 3), (5, 2)),  # 30 × (1 + 9 × (1 + 10))
}
LEVELS = (
    (OrganisationKind.LANDKREIS, "Landkreis", ("strassenschaden", "verkehrszeichen", "gewaesser")),
    (OrganisationKind.VERBANDSGEMEINDE, "Verbandsgemeinde", ("strassenbeleuchtung", "wilder-muell", "gruenflaeche", "sonstiges")),
    (OrganisationKind.ORTSGEMEINDE, "Ortsgemeinde", ("spielplatz",)),
)  # fmt: skip


# ---------------------------------------------------------------- in-process requests


def _shape(sql: str) -> str:
    from queries import shape  # bench/queries.py: the same definition of "repeated"

    return shape(sql)


def _timed(client: Client, path: str, *, cold: bool) -> list[float]:
    durations: list[float] = []
    ends = time.perf_counter() + TIME_BUDGET_SECONDS
    while len(durations) < TIMED_REQUESTS and (len(durations) < MIN_TIMED_REQUESTS or time.perf_counter() < ends):
        if cold:
            cache.clear()
        began = time.perf_counter()
        client.get(path)
        durations.append(time.perf_counter() - began)
    return durations


def measure(client: Client, path: str) -> dict[str, Any]:
    cache.clear()
    response = client.get(path)
    if response.status_code != 200:
        return {"status": response.status_code}  # reported by the harness, which then leaves the path out
    sql_seconds = 0.0

    def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal sql_seconds
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_seconds += time.perf_counter() - began

    cache.clear()
    with CaptureQueriesContext(connection) as context, connection.execute_wrapper(timed):
        response = client.get(path)
    body = response.content
    queries = [query["sql"] for query in context.captured_queries]
    shapes = Counter(_shape(sql) for sql in queries)
    with CaptureQueriesContext(connection) as cached_context:
        client.get(path)  # the cache is warm from the request above
    cold = _timed(client, path, cold=True)
    hot = _timed(client, path, cold=False)
    result: dict[str, Any] = {
        "queries": len(queries),
        "repeated_queries": sum(count for count in shapes.values() if count > 1),
        "sql_ms": round(sql_seconds * 1000, 2),
        "inprocess_ms": round(statistics.median(cold) * 1000, 2),
        "cached_ms": round(statistics.median(hot) * 1000, 2),
        "cached_queries": len(cached_context.captured_queries),
        "sample_repeated": next((sql for sql in queries if shapes[_shape(sql)] > 1), None),
        "bytes": len(body),
    }
    data = json.loads(body)
    if isinstance(data, dict) and "clusters" in data:
        result["clusters"] = len(data["clusters"])
        result["reports_in_clusters"] = sum(int(cluster.get("count", 0)) for cluster in data["clusters"])
        result["bound"] = grid_cells(path)
    elif isinstance(data, list):
        result["items"] = len(data)
        result["bound"] = open311.MAX_RESULTS if "/requests." in path else None
    return result


def grid_cells(path: str) -> int:
    """How many cells the map's grid has for this box and zoom: no answer can hold more clusters."""
    query = parse_qs(urlsplit(path).query)
    west, south, east, north = (float(part) for part in query["bbox"][0].split(","))
    size = mapdata.cell_size(int(query["zoom"][0]), west, south, east, north)
    columns = math.ceil(east / size) - math.floor(west / size)
    rows = math.ceil(north / size) - math.floor(south / size)
    return columns * rows


def inprocess(paths: list[str]) -> dict[str, Any]:
    client = Client(HTTP_HOST="127.0.0.1")
    return {
        "reports_total": Report.objects.count(),
        "reports_public": Report.objects.public().count(),
        "endpoints": {path: measure(client, path) for path in paths},
    }


# ---------------------------------------------------------------- routing


def _polygon(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    """A box as a closed ring with VERTICES_PER_EDGE points per edge: shapely then tests 100 vertices, not 4."""
    n = VERTICES_PER_EDGE
    ring = (
        [[west + (east - west) * i / n, south] for i in range(n)]
        + [[east, south + (north - south) * i / n] for i in range(n)]
        + [[east - (east - west) * i / n, north] for i in range(n)]
        + [[west, north - (north - south) * i / n] for i in range(n)]
    )
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def _grid(box: tuple[float, float, float, float], columns: int, rows: int) -> list[tuple[float, float, float, float]]:
    west, south, east, north = box
    width, height = (east - west) / columns, (north - south) / rows
    return [
        (west + column * width, south + row * height, west + (column + 1) * width, south + (row + 1) * height)
        for row in range(rows)
        for column in range(columns)
    ]


def build_state(total: int, land: Organisation, templates: dict[str, CategoryTemplate]) -> int:
    """Nested organisations filling the Land's box; returns how many were created."""
    if total not in LAYOUTS:
        raise SystemExit(f"no layout for {total} organisations; choose one of {sorted(LAYOUTS)}")
    assert land.bbox_min_lon is not None and land.bbox_min_lat is not None
    assert land.bbox_max_lon is not None and land.bbox_max_lat is not None
    parents: list[tuple[Organisation, tuple[float, float, float, float]]] = [
        (land, (land.bbox_min_lon, land.bbox_min_lat, land.bbox_max_lon, land.bbox_max_lat))
    ]
    created = 0
    for (kind, label, codes), (columns, rows) in zip(LEVELS, LAYOUTS[total], strict=True):
        batch: list[tuple[Organisation, tuple[float, float, float, float]]] = []
        for parent, box in parents:
            for cell in _grid(box, columns, rows):
                number = created + len(batch) + 1
                west, south, east, north = cell
                batch.append((Organisation(
                    name=f"{label} Bench {number}", slug=f"bench-{total}-{number}", kind=kind,
                    parent=parent, boundary=_polygon(*cell),
                    bbox_min_lon=west, bbox_min_lat=south, bbox_max_lon=east, bbox_max_lat=north,
                ), cell))  # fmt: skip
        Organisation.objects.bulk_create([organisation for organisation, _cell in batch], batch_size=500)
        OrganisationCategory.objects.bulk_create(
            [OrganisationCategory(organisation=organisation, template=templates[code])
             for organisation, _cell in batch for code in codes if code in templates],
            batch_size=500,
        )  # fmt: skip
        created += len(batch)
        parents = batch
    return created


def _route(lon: float, lat: float, category: CategoryTemplate) -> bool:
    try:
        routing.route(lon=lon, lat=lat, category=category)
    except ValidationError:
        return False
    return True


def time_routes(points: list[tuple[float, float, CategoryTemplate]], repeat: int, counted: int) -> dict[str, Any]:
    for lon, lat, category in points[:20]:  # warm-up: connection, statement cache, imports
        _route(lon, lat, category)
    per_call_queries: list[int] = []
    for lon, lat, category in points[:counted]:
        connection.queries_log.clear()  # the log keeps 9,000 entries; a full log would make the count 0
        with CaptureQueriesContext(connection) as context:
            _route(lon, lat, category)
        per_call_queries.append(len(context.captured_queries))
    durations: list[float] = []
    by_category: dict[str, list[float]] = {}
    failures = 0
    for _round in range(repeat):
        for lon, lat, category in points:
            began = time.perf_counter()
            failures += not _route(lon, lat, category)
            seconds = time.perf_counter() - began
            durations.append(seconds)
            by_category.setdefault(category.code, []).append(seconds)
    durations.sort()
    candidates = [Organisation.objects.containing_bbox(lon, lat).count() for lon, lat, _category in points]
    handlers_per_category = dict(
        OrganisationCategory.objects.values_list("template__code").annotate(n=Count("id")).order_by()
    )
    return {
        "points": len(points),
        "calls_timed": len(durations),
        "median_ms": round(statistics.median(durations) * 1000, 3),
        "mean_ms": round(statistics.fmean(durations) * 1000, 3),
        "p95_ms": round(durations[int(0.95 * (len(durations) - 1))] * 1000, 3),
        "max_ms": round(durations[-1] * 1000, 3),
        "median_ms_by_category": {
            code: round(statistics.median(values) * 1000, 3) for code, values in sorted(by_category.items())
        },
        "handlers_by_category": handlers_per_category,
        "queries_counted_calls": len(per_call_queries),
        "queries_mean": round(statistics.fmean(per_call_queries), 2),
        "queries_min": min(per_call_queries),
        "queries_max": max(per_call_queries),
        "bbox_candidates_mean": round(statistics.fmean(candidates), 1),
        "failures": failures // max(repeat, 1),
    }


def routing_bench(sizes: list[int], points: int, repeat: int, counted: int, seed: int) -> dict[str, Any]:
    land = Organisation.objects.get(slug=STATE_SLUG)
    templates = {template.code: template for template in CategoryTemplate.objects.all()}
    categories = [templates[code] for _kind, _label, codes in LEVELS for code in codes if code in templates]
    west, south, east, north = land.bbox_min_lon, land.bbox_min_lat, land.bbox_max_lon, land.bbox_max_lat
    if west is None or south is None or east is None or north is None or not categories:
        raise SystemExit("routing benchmark needs the demo data (the Land's boundary and the categories)")
    rng = random.Random(seed)
    sample = [(rng.uniform(west, east), rng.uniform(south, north), rng.choice(categories)) for _ in range(points)]
    demo_organisations = Organisation.objects.count()
    results = []
    with transaction.atomic():
        for size in sizes:
            savepoint = transaction.savepoint()
            began = time.perf_counter()
            created = build_state(size, land, templates)
            build_seconds = time.perf_counter() - began
            result = time_routes(sample, repeat, counted)
            result.update(
                organisations=created, organisations_total=Organisation.objects.count(),
                handlers_total=OrganisationCategory.objects.count(), build_seconds=round(build_seconds, 1),
            )  # fmt: skip
            results.append(result)
            print(f"routing with {created} organisations: {result['median_ms']} ms per call", file=sys.stderr)
            transaction.savepoint_rollback(savepoint)
        transaction.set_rollback(True)  # leave the bench database exactly as it was
    return {
        "sizes": results,
        "demo_organisations": demo_organisations,
        "vertices_per_boundary": 4 * VERTICES_PER_EDGE,
        "state_box": [west, south, east, north],
        "seed": seed,
        "repeat": repeat,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    inprocess_parser = commands.add_parser("inprocess")
    inprocess_parser.add_argument("paths", nargs="+")
    routing_parser = commands.add_parser("routing")
    routing_parser.add_argument("--sizes", type=int, nargs="+", default=[30, 3000])
    routing_parser.add_argument("--points", type=int, default=200, help="random points, each with a random category")
    routing_parser.add_argument("--repeat", type=int, default=2, help="timed passes over the points")
    routing_parser.add_argument("--counted", type=int, default=100, help="calls whose queries are counted")
    routing_parser.add_argument("--seed", type=int, default=311)
    args = parser.parse_args()
    if args.command == "inprocess":
        report = inprocess(args.paths)
    else:
        report = routing_bench(args.sizes, args.points, args.repeat, args.counted, args.seed)
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
