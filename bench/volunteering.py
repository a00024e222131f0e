"""The volunteering part of ``make bench``: the public Ehrenamt search at 10,000 opportunities and 50,000
volunteers (first page, full text, one field, within 10 km of a postcode, a deep page) and an opportunity's page,
as ratios to the trivial view, with their SQL queries.

Harness side (``bench/run.py`` imports this module; no Django import at module level):

1. ``prepare(..., opportunities=500, volunteers=2500)`` right after ``seed_demo`` and again with
   ``--opportunities`` and ``--volunteers`` (10,000 and 50,000 by default): tops the scale data up to that many
   (``python bench/volunteering.py seed``, the demo's ``volunteering.demo.add_opportunities`` and
   ``add_volunteers``: bulk-inserted opportunities at random points of the Landkreis, 30 % remote, across an
   engagement organisation per 20 opportunities, and volunteers with profiles) and measures the pages in-process
   (queries, repeated query shapes, SQL and service time, as ``bench/queries.py``). A page whose URL does not
   resolve yet, or that does not answer 200, is skipped with a note instead of failing the bench.
2. ``endpoints(small, large)``: the pages that answered at both sizes are loaded over HTTP in the rounds against
   the trivial view.

Tool side, run as a subprocess with the benchmarked environment (one JSON object on stdout)::

    python bench/volunteering.py seed --opportunities 10000 --volunteers 50000
    python bench/volunteering.py measure          # the pages in-process, skipping those that do not answer

A quick check without the whole bench, on a migrated and seeded database:
``python bench/volunteering.py quick --opportunities 300``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from settle import settle

BENCH = Path(__file__).resolve().parent
TOOL = str(BENCH / "volunteering.py")
# The search form's parameter names (urls_public.py / the search form); change them here if the form changes.
PARAMS = {"text": "q", "field": "bereich", "place": "ort", "radius": "umkreis", "page": "page"}
TEXT = "hilfe"
FIELD = "umwelt"
POSTCODE = "55487"  # Beispielhausen
RADIUS_KM = 10
PAGES = [
    ("volunteering_search", "search", "Ehrenamt search, first page"),
    ("volunteering_text", "text", f"Ehrenamt search, full text „{TEXT}“"),
    ("volunteering_field", "field", f"Ehrenamt search, one field ({FIELD})"),
    ("volunteering_near", "near", f"Ehrenamt search, within {RADIUS_KM} km of {POSTCODE}"),
    ("volunteering_deep", "deep", "Ehrenamt search, a deep page"),
    ("volunteering_opportunity", "opportunity", "An opportunity's page"),
]

RunJson = Callable[[str, list[str], dict[str, str]], dict]


# ---------------------------------------------------------------- harness


def prepare(python: str, seed_env: dict[str, str], env: dict[str, str], opportunities: int, volunteers: int,
            run_json: RunJson) -> dict:  # fmt: skip
    """Top the scale data up and measure the pages in-process at that size."""
    seeded = run_json(f"bench/volunteering.py seed --opportunities {opportunities} --volunteers {volunteers}",
                      [python, TOOL, "seed", "--opportunities", str(opportunities), "--volunteers", str(volunteers)],
                      seed_env)  # fmt: skip
    measured = run_json(f"Ehrenamt pages in-process at {seeded['opportunities_total']:,} opportunities",
                        [python, TOOL, "measure"], env)  # fmt: skip
    for message in measured["skipped"]:
        print(f"  volunteering: {message}", flush=True)
    return {**seeded, **measured}


def endpoints(small: dict, large: dict) -> list[tuple[str, str, str, tuple[tuple[str, str], ...]]]:
    """(key, path, label, headers) for the load rounds: the pages that answered 200 at both sizes."""
    return [
        (key, large["paths"][name], label, ())
        for key, name, label in PAGES
        if name in small["measured"] and name in large["measured"]
    ]


def section(entries: list[dict], small: dict, large: dict) -> dict:
    """The ``volunteering`` part of results.json."""
    by_path = {large["paths"][name]: name for name in large["measured"]}
    for entry in entries:
        name = by_path[entry["path"]]
        entry["small"] = small["endpoints"][small["paths"][name]]
        entry["large"] = large["endpoints"][entry["path"]]
    return {"opportunities_small": small["opportunities_total"], "opportunities_large": large["opportunities_total"],
            "searchable_large": large["searchable"], "volunteers_large": large["volunteers_total"],
            "near_large": large["near"], "seed_seconds": large.get("seconds"), "skipped": large["skipped"],
            "endpoints": entries}  # fmt: skip


def notes(report: dict) -> list[str]:
    part = report.get("volunteering") or {}
    found = list(part.get("skipped", []))
    for item in part.get("endpoints", []):
        if item["small"]["queries"] != item["large"]["queries"]:
            found.append(f"{item['label']}: {item['small']['queries']} SQL queries at {part['opportunities_small']:,} "
                         f"opportunities, {item['large']['queries']} at {part['opportunities_large']:,}.")  # fmt: skip
        if item["large"]["repeated_queries"]:
            found.append(f"{item['label']}: {item['large']['repeated_queries']} repeated query shapes (N+1?).")
    return found


def markdown(report: dict, table: Callable[..., list[str]], row: Callable[[dict, str], list[str]]) -> list[str]:
    part = report.get("volunteering")
    if not part:
        return ["", "The volunteering part was skipped (`--skip-volunteering`)."]
    lines = [
        "",
        f"### Volunteering ({part['opportunities_large']:,} opportunities, {part['volunteers_large']:,} volunteers)",
        "",
        f"The public Ehrenamt search without a session over {part['searchable_large']:,} published opportunities: "
        f"the first page, a full-text search, one field, within {RADIUS_KM} km of the postcode {POSTCODE} "
        f"({part['near_large']:,} opportunities there) and a deep page; and an opportunity's page.",
    ]
    if part["endpoints"]:
        lines += [
            "",
            *table(
                ["Endpoint", "Path", "req/s", "Ratio", "p50 ms", "p95 ms", "1 req ms", "SQL ms", "SQL queries"],
                [row(item, item["path"]) for item in part["endpoints"]],
            ),
            "",
            f"SQL queries at {part['opportunities_small']:,} opportunities: "
            + ", ".join(f"{item['label']} {item['small']['queries']}" for item in part["endpoints"])
            + ".",
        ]
    if part["skipped"]:
        lines += ["", "Not measured: " + " ".join(part["skipped"])]
    return lines


def print_tables(report: dict, text_table: Callable[..., list[str]], row: Callable[[dict, str], list[str]]) -> None:
    if report.get("volunteering"):
        print("\n".join(markdown(report, lambda h, r, left=2: text_table(h, r, set()), row)))


# ---------------------------------------------------------------- tool (Django)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitwirken.settings")
    sys.path.insert(0, str(BENCH))
    import django

    django.setup()


def seed(opportunities: int, volunteers: int) -> dict:
    from django.contrib.auth import get_user_model

    from mitwirken.volunteering import demo
    from mitwirken.volunteering.models import Opportunity, VolunteerProfile

    began = time.perf_counter()
    scaled = Opportunity.objects.filter(organisation__slug__startswith=demo.SCALE_PREFIX)
    existing = scaled.count()
    if opportunities > existing:
        demo.add_opportunities(opportunities - existing, seed_text="bench-")
    people = get_user_model().objects.filter(email__endswith=f"@{demo.SCALE_EMAIL_DOMAIN}",
                                             email__startswith="engagiert-")  # fmt: skip
    existing_people = people.count()
    if volunteers > existing_people:
        demo.add_volunteers(volunteers - existing_people, seed_text="bench-")
    return {"opportunities_total": Opportunity.objects.count(), "scale_opportunities": scaled.count(),
            "volunteers_total": VolunteerProfile.objects.count(),
            "seconds": round(time.perf_counter() - began, 1)}  # fmt: skip


def paths() -> tuple[dict[str, str], list[str], dict[str, int]]:
    """The pages' paths, a message for each page whose URL does not resolve yet, and facts about the data."""
    from django.urls import NoReverseMatch, reverse

    from mitwirken.core.geo import bbox_around, distance_m
    from mitwirken.volunteering.models import Opportunity

    searchable = Opportunity.objects.searchable()
    count = searchable.count()
    found: dict[str, str] = {}
    skipped: list[str] = []
    try:
        search = reverse("volunteering:search")
    except NoReverseMatch:
        skipped.append("The search (URL name volunteering:search) does not exist yet; its five variants were skipped.")
    else:
        found["search"] = search
        found["text"] = f"{search}?{urlencode({PARAMS['text']: TEXT})}"
        found["field"] = f"{search}?{urlencode({PARAMS['field']: FIELD})}"
        found["near"] = f"{search}?{urlencode({PARAMS['place']: POSTCODE, PARAMS['radius']: RADIUS_KM})}"
        # Far into the list whatever the page size (the search shows 10 to 50 a page).
        found["deep"] = f"{search}?{urlencode({PARAMS['page']: max(2, count // 50)})}"
    newest = searchable.order_by("-published_at", "-id").values_list("pk", flat=True).first()
    try:
        if newest is None:
            raise NoReverseMatch("no published opportunity")
        found["opportunity"] = reverse("volunteering:opportunity", kwargs={"pk": newest})
    except NoReverseMatch:
        skipped.append("An opportunity's page (URL name volunteering:opportunity) does not exist yet; skipped.")
    # How many opportunities lie within the radius of the postcode's middle (Beispielhausen's gazetteer entries).
    lat, lon = 50.0508, 7.6001
    west, south, east, north = bbox_around(lon, lat, RADIUS_KM * 1000)
    candidates = searchable.filter(lat__range=(south, north), lon__range=(west, east)).values_list("lat", "lon")
    near = sum(1 for a, b in candidates if distance_m(lon, lat, b, a) <= RADIUS_KM * 1000)
    return found, skipped, {"searchable": count, "near": near}


def measure() -> dict:
    """Each page in-process (``bench/queries.py``); a page that does not answer 200 is skipped with a note."""
    from django.test import Client

    from queries import measure as measure_page  # bench/queries.py

    found, skipped, facts = paths()
    # A page that fails answers 500 here instead of raising, so it is skipped like a missing one.
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    measured, results = [], {}
    for name, path in found.items():
        status = client.get(path).status_code
        if status != 200:
            skipped.append(f"{path} answered {status} in-process; not measured.")
            continue
        results[path] = {**measure_page(client, path), "status": status}
        measured.append(name)
    return {"paths": found, "measured": measured, "skipped": skipped, "endpoints": results, **facts}


def quick(opportunities: int) -> dict:
    """Seed and measure once at a small size, in this process (for checking the scenario, not for figures)."""
    return {**seed(opportunities, 5 * opportunities), **measure()}


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed")
    seeding.add_argument("--opportunities", type=int, required=True)
    seeding.add_argument("--volunteers", type=int, required=True)
    commands.add_parser("measure")
    commands.add_parser("quick").add_argument("--opportunities", type=int, default=300)
    args = parser.parse_args()
    _django()
    if args.command == "seed":
        result: Any = {**seed(args.opportunities, args.volunteers), "settle_seconds": settle()}
    elif args.command == "measure":
        result = measure()
    else:
        result = quick(args.opportunities)
    json.dump(result, sys.stdout, default=str)


if __name__ == "__main__":
    main()
