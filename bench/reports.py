"""The Mängelmelder part of ``make bench``: Open311, the public map data and routing.

``bench/run.py`` calls these hooks; the Django side runs in subprocesses (``bench/reports_tools.py``):

1. ``prepare(..., total=1000)`` right after ``seed_demo``: tops the reports up to 1,000
   (``bench/seed.py --reports-total``) and measures the report endpoints in-process (queries, service time
   with a cold and with a warm cache, response size).
2. ``prepare(..., total=100000)`` after the other scale data: the same at 100,000 reports. ``ENDPOINTS`` are
   then loaded over HTTP in the same rounds and against the same baseline as the other pages.
3. ``routing(...)`` after the load test: ``routing.route()`` in-process for random points with 30 and with
   3,000 nested organisations (created in a transaction that is rolled back).
4. ``section``/``markdown``/``print_tables`` turn the figures into the report.

No Django import here: this module runs in the harness process.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
TOOLS = str(BENCH / "reports_tools.py")

MUSTERKREIS_BBOX = "7.40,49.85,7.80,50.15"
# key, path, label, viewport (for the map table)
ENDPOINTS: list[tuple[str, str, str]] = [
    ("open311_services", "/open311/v2/services.json?jurisdiction_id=vg-nord", "Open311 service list"),
    ("open311_requests", "/open311/v2/requests.json?jurisdiction_id=musterkreis",
     "Open311 requests (newest of the last 90 days)"),
    ("map_landkreis", f"/maengelmelder/karte.json?bbox={MUSTERKREIS_BBOX}&zoom=10", "Map data: whole Landkreis, zoom 10"),
    ("map_town", "/maengelmelder/karte.json?bbox=7.545,50.025,7.655,50.075&zoom=14", "Map data: Beispielhausen, zoom 14"),
    ("map_street", "/maengelmelder/karte.json?bbox=7.5935,50.0475,7.6075,50.0535&zoom=17", "Map data: one street, zoom 17"),
]  # fmt: skip

RunJson = Callable[[str, list[str], dict[str, str]], dict]


def paths() -> list[str]:
    return [path for _key, path, _label in ENDPOINTS]


def answered(small: dict, large: dict) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The endpoints that answered 200 at both sizes, and a note for each one that did not."""
    usable, missing = [], []
    for key, path, label in ENDPOINTS:
        statuses = {small["endpoints"][path].get("status", 200), large["endpoints"][path].get("status", 200)}
        if statuses == {200}:
            usable.append((key, path, label))
        else:
            missing.append(f"{path} answered {'/'.join(map(str, sorted(statuses)))} in-process; not measured.")
    return usable, missing


def prepare(python: str, seed_env: dict[str, str], env: dict[str, str], total: int, run_json: RunJson) -> dict:
    """Top the reports up to ``total`` and measure every report endpoint in-process at that size."""
    seeded = run_json(
        f"bench/seed.py --reports-total {total}",
        [python, str(BENCH / "seed.py"), "--reports-total", str(total)],
        seed_env,
    )
    measured = run_json(f"report endpoints in-process at {seeded['reports_total']:,} reports",
                        [python, TOOLS, "inprocess", *paths()], env)  # fmt: skip
    measured["seed_seconds"] = seeded.get("reports_seconds")
    return measured


def routing(python: str, env: dict[str, str], sizes: list[int], points: int, run_json: RunJson) -> dict:
    command = [python, TOOLS, "routing", "--sizes", *map(str, sizes), "--points", str(points)]
    result = run_json(f"routing.route() with {' and '.join(f'{size:,}' for size in sizes)} organisations",
                      command, env)  # fmt: skip
    smallest = result["sizes"][0]
    for item in result["sizes"]:
        item["median_ratio"] = round(item["median_ms"] / smallest["median_ms"], 2) if smallest["median_ms"] else 0
        item["mean_ratio"] = round(item["mean_ms"] / smallest["mean_ms"], 2) if smallest["mean_ms"] else 0
    return result


def section(entries: list[dict], small: dict, large: dict, routing_result: dict | None) -> dict:
    """The ``reports`` part of results.json: the load-test entries plus the in-process figures at both sizes."""
    for entry in entries:
        before, after = small["endpoints"][entry["path"]], large["endpoints"][entry["path"]]
        entry["cached_ms"] = after["cached_ms"]
        entry["cached_queries"] = after["cached_queries"]
        entry["small"] = before
        entry["large"] = after
    return {
        "reports_small": small["reports_total"],
        "reports_large": large["reports_total"],
        "reports_public_large": large["reports_public"],
        "seed_seconds": large.get("seed_seconds"),
        "endpoints": entries,
        "routing": routing_result,
    }


# ---------------------------------------------------------------- reporting

LOAD_HEADERS = ["Endpoint", "Path", "req/s", "Ratio", "p50 ms", "p95 ms", "1 req ms", "SQL ms", "SQL queries",
                "Cached ms", "Cached queries"]  # fmt: skip
SCALE_HEADERS = ["Endpoint", "Bytes at {small}", "Bytes at {large}", "Clusters or items at {small}",
                 "… at {large}", "Upper bound", "1 req ms at {small}", "… at {large}", "SQL queries at {small}",
                 "… at {large}"]  # fmt: skip
ROUTING_HEADERS = ["Organisations", "Median ms", "Ratio", "Mean ms", "Ratio (mean)", "p95 ms", "Slowest category",
                   "SQL queries per call", "Handlers of the busiest category"]  # fmt: skip


def _queries(item: dict) -> str:
    repeated = f" ({item['repeated_queries']} repeated)" if item.get("repeated_queries") else ""
    return f"{item['queries']}{repeated}"


def load_rows(report: dict, row: Callable[[dict, str], list[str]]) -> list[list[str]]:
    baseline = report["endpoints"][0]
    rows = [[*row(baseline, baseline["path"]), "–", "–"]]
    for item in report["reports"]["endpoints"]:
        cached = item["key"].startswith("map_")  # the only cached answers; for the others it would be noise
        rows.append([*row(item, item["path"]), f"{item['cached_ms']:.1f}" if cached else "–",
                     str(item["cached_queries"]) if cached else "–"])  # fmt: skip
    return rows


def _count(item: dict) -> str:
    if "clusters" in item:
        return f"{item['clusters']:,} ({item['reports_in_clusters']:,} reports)"
    return f"{item['items']:,}" if "items" in item else "–"


def scale_rows(report: dict) -> list[list[str]]:
    return [
        [
            item["label"], f"{item['small']['bytes']:,}", f"{item['large']['bytes']:,}", _count(item["small"]),
            _count(item["large"]), f"{item['large']['bound']:,}" if item["large"].get("bound") else "–",
            f"{item['small']['inprocess_ms']:.1f}", f"{item['large']['inprocess_ms']:.1f}",
            _queries(item["small"]), _queries(item["large"]),
        ]
        for item in report["reports"]["endpoints"]
    ]  # fmt: skip


def routing_rows(report: dict) -> list[list[str]]:
    result = report["reports"]["routing"]
    rows = []
    for item in result["sizes"]:
        slowest = max(item["median_ms_by_category"].items(), key=lambda pair: pair[1])
        queries = (
            f"{item['queries_mean']:g}"
            if item["queries_min"] == item["queries_max"]
            else f"{item['queries_mean']:g} ({item['queries_min']}–{item['queries_max']})"
        )
        rows.append([
            f"{item['organisations']:,} (+{result['demo_organisations']} demo)", f"{item['median_ms']:.1f}",
            f"{item['median_ratio']:.2f}×", f"{item['mean_ms']:.1f}", f"{item['mean_ratio']:.2f}×",
            f"{item['p95_ms']:.1f}", f"{slowest[0]}: {slowest[1]:.1f} ms", queries,
            f"{max(item['handlers_by_category'].values()):,}",
        ])  # fmt: skip
    return rows


def markdown(report: dict, table: Callable[..., list[str]], row: Callable[[dict, str], list[str]]) -> list[str]:
    section_ = report.get("reports")
    if not section_:
        return ["", "The Mängelmelder part (Open311, map data, routing) was skipped (`--skip-reports`)."]
    small, large = section_["reports_small"], section_["reports_large"]
    lines = [
        "",
        f"### Mängelmelder ({large:,} reports)",
        "",
        f"`seed_demo` (50 demo reports) topped up by `bench/seed.py --reports-total {large}` with reports at "
        f"random points of the Landkreis Musterkreis, routed like real ones ({section_['reports_public_large']:,} "
        "public). Measured in the same rounds and against the same baseline as the public pages. The map data "
        "is cached for 30 s per grid-snapped box, so under load a fixed box is served from the cache: "
        "*1 req ms*, *SQL ms* and *SQL queries* are for a request with a cleared cache, *Cached ms* for the same "
        "request with a warm one (Open311 is not cached).",
        "",
        *table(LOAD_HEADERS, load_rows(report, row)),
        "",
        f"The same requests in-process at {small:,} and at {large:,} reports (cache cleared before each). "
        "*Upper bound*: the cells of the map's grid for that box and zoom (at most one cluster each), or the "
        "Open311 page size. Once every cell holds reports, the map answer stops growing; its size depends on "
        "the box and the zoom, not on the number of reports:",
        "",
        *table([h.format(small=f"{small:,}", large=f"{large:,}") for h in SCALE_HEADERS], scale_rows(report), left=1),
    ]
    result = section_.get("routing")
    if result:
        first = result["sizes"][0]
        lines += [
            "",
            "### Routing a report",
            "",
            f"`routing.route()` in-process for the same {first['points']} random points in the Land (each with a "
            f"random category, {result['repeat']} passes), with nested organisations under the demo's Land: "
            f"Landkreise → Verbandsgemeinden → Ortsgemeinden, each with a box-shaped boundary stored as a "
            f"{result['vertices_per_boundary']}-vertex polygon and the demo's categories per level. They are created "
            "in a transaction that is rolled back. Ratio: against the smallest size; 1.00× means the cost does not "
            "grow with the number of organisations.",
            "",
            *table(ROUTING_HEADERS, routing_rows(report), left=1),
        ]
    return lines


def print_tables(report: dict, text_table: Callable[..., list[str]], row: Callable[[dict, str], list[str]]) -> None:
    section_ = report.get("reports")
    if not section_:
        return
    small, large = section_["reports_small"], section_["reports_large"]
    print(f"\nMängelmelder with {large:,} reports")
    print("\n".join(text_table(LOAD_HEADERS, load_rows(report, row), {2, 3, 4, 5, 6, 7, 9})))
    print()
    headers = [h.format(small=f"{small:,}", large=f"{large:,}") for h in SCALE_HEADERS]
    print("\n".join(text_table(headers, scale_rows(report), set(range(1, 10)))))
    if section_.get("routing"):
        print()
        print("\n".join(text_table(ROUTING_HEADERS, routing_rows(report), set(range(1, 9)))))


def notes(report: dict) -> list[str]:
    section_ = report.get("reports") or {}
    found = []
    for item in section_.get("endpoints", []):
        bound, count = item["large"].get("bound"), item["large"].get("clusters", item["large"].get("items", 0))
        if bound and count > bound:
            found.append(f"{item['label']}: {count:,} entries in the answer, more than its bound of {bound:,}.")
        # The map runs one query, and a second one when some cells hold a single report: that is not growth.
        if item["large"]["queries"] > max(item["small"]["queries"], 2 if item["key"].startswith("map_") else 0):
            found.append(f"{item['label']}: {item['small']['queries']} SQL queries at {section_['reports_small']:,} "
                         f"reports, {item['large']['queries']} at {section_['reports_large']:,}.")  # fmt: skip
    result = section_.get("routing")
    if result and len(result["sizes"]) > 1:
        last = result["sizes"][-1]
        if last["mean_ratio"] > 1.5:
            found.append(
                f"routing.route() costs {last['mean_ratio']:.1f}× as much on average with "
                f"{last['organisations']:,} organisations as with {result['sizes'][0]['organisations']:,} "
                "(see the routing table)."
            )
    return found
