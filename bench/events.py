"""The events part of ``make bench``: the public calendar (list, a far page, the month view) and the organisation's
back-office event list at 10,000 events, as ratios to the trivial view, with their SQL queries.

Harness side (``bench/run.py`` imports this module; no Django import at module level):

1. ``prepare(..., events=500)`` right after ``seed_demo`` and again with ``--events`` (10,000 by default): tops the
   portal up to that many scale events (``python bench/events.py seed``, the demo's ``events.demo.add_events``:
   bulk-inserted events across the organisations, from 60 days ago to 300 days ahead, with a place category and
   registrations, a fifth of them full with a waiting list) and measures the pages in-process with
   ``bench/queries.py`` (queries, repeated query shapes, SQL and service time): the public ones without a session,
   the back-office list with a staff session confirmed by a second factor.
2. ``endpoints(...)``: the same pages are loaded over HTTP in the rounds against the trivial view.

Tool side, run as a subprocess with the benchmarked environment (one JSON object on stdout)::

    python bench/events.py seed --events 10000
    python bench/events.py info                    # paths and a staff session

A quick check without the whole bench, on a migrated and seeded database:
``python bench/events.py quick --events 300``.
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

from settle import settle

BENCH = Path(__file__).resolve().parent
TOOL = str(BENCH / "events.py")
STAFF_EMAIL = "orgadmin@musterkreis.example"  # the demo's admin of the Landkreis (seed_demo runs first)
PUBLIC = [
    ("events_list", "list_path", "Event calendar, list (upcoming, page 1)"),
    ("events_list_far", "far_path", "Event calendar, list, page 100"),
    ("events_month", "month_path", "Event calendar, month view (this month)"),
    ("events_filtered", "filtered_path", "Event calendar, month view, one category with free places"),
]
STAFF = [
    ("events_backoffice", "backoffice_path", "Back office: the Landkreis's event list (staff)"),
    ("events_backoffice_all", "backoffice_all_path", "Back office: all events of the Landkreis, page 20 (staff)"),
]

RunJson = Callable[[str, list[str], dict[str, str]], dict]


# ---------------------------------------------------------------- harness


def prepare(python: str, seed_env: dict[str, str], env: dict[str, str], events: int, run_json: RunJson) -> dict:
    """Top the events up to ``events`` and measure the pages in-process at that size."""
    seeded = run_json(f"bench/events.py seed --events {events}",
                      [python, TOOL, "seed", "--events", str(events)], seed_env)  # fmt: skip
    info = run_json("events paths and staff session", [python, TOOL, "info"], env)
    queries = str(BENCH / "queries.py")
    public = run_json(f"event calendar in-process at {seeded['events_total']:,} events",
                      [python, queries, *(info[key] for _k, key, _l in PUBLIC)], env)  # fmt: skip
    staff = run_json(f"back-office event list in-process at {seeded['events_total']:,} events",
                     [python, queries, "--cookie", info["cookie"], *(info[key] for _k, key, _l in STAFF)], env)  # fmt: skip
    return {**seeded, **info, "endpoints": {**public["endpoints"], **staff["endpoints"]}}


def endpoints(large: dict) -> list[tuple[str, str, str, tuple[tuple[str, str], ...]]]:
    """(key, path, label, headers) for the load rounds."""
    staff = (("Cookie", large["cookie"]),)
    return [
        *((key, large[path_key], label, ()) for key, path_key, label in PUBLIC),
        *((key, large[path_key], label, staff) for key, path_key, label in STAFF),
    ]


def section(entries: list[dict], small: dict, large: dict) -> dict:
    """The ``events`` part of results.json."""
    for entry in entries:
        entry["small"] = small["endpoints"][entry["path"]]
        entry["large"] = large["endpoints"][entry["path"]]
    return {"events_small": small["events_total"], "events_large": large["events_total"],
            "registrations_large": large["registrations_total"], "in_month": large["in_month"],
            "seed_seconds": large.get("seconds"), "endpoints": entries}  # fmt: skip


def notes(report: dict) -> list[str]:
    found = []
    part = report.get("events") or {}
    for item in part.get("endpoints", []):
        if item["small"]["queries"] != item["large"]["queries"]:
            found.append(f"{item['label']}: {item['small']['queries']} SQL queries at {part['events_small']:,} "
                         f"events, {item['large']['queries']} at {part['events_large']:,}.")  # fmt: skip
        if item["large"]["repeated_queries"]:
            found.append(f"{item['label']}: {item['large']['repeated_queries']} repeated query shapes (N+1?).")
    return found


def markdown(report: dict, table: Callable[..., list[str]], row: Callable[[dict, str], list[str]]) -> list[str]:
    part = report.get("events")
    if not part:
        return ["", "The events part was skipped (`--skip-events`)."]
    return [
        "",
        f"### Events ({part['events_large']:,} events, {part['registrations_large']:,} registrations)",
        "",
        "The public calendar without a session (the first page of the upcoming list, page 100, the month view of "
        f"this month with {part['in_month']:,} events, and the month filtered by a category and free places), and "
        "the back-office event list of the Landkreis with a staff session.",
        "",
        *table(
            ["Endpoint", "Path", "req/s", "Ratio", "p50 ms", "p95 ms", "1 req ms", "SQL ms", "SQL queries"],
            [row(item, item["path"]) for item in part["endpoints"]],
        ),
        "",
        f"SQL queries at {part['events_small']:,} events: "
        + ", ".join(f"{item['label']} {item['small']['queries']}" for item in part["endpoints"])
        + ".",
    ]


def print_tables(report: dict, text_table: Callable[..., list[str]], row: Callable[[dict, str], list[str]]) -> None:
    if report.get("events"):
        print("\n".join(markdown(report, lambda h, r, left=2: text_table(h, r, set()), row)))


# ---------------------------------------------------------------- tool (Django)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitwirken.settings")
    sys.path.insert(0, str(BENCH))
    import django

    django.setup()


def seed(events: int) -> dict:
    from mitwirken.events import demo
    from mitwirken.events.models import Event, Registration

    began = time.perf_counter()
    existing = Event.objects.filter(slug__startswith=demo.SCALE_PREFIX).count()
    if events > existing:
        demo.add_events(events - existing, seed_text="bench-")
    return {"events_total": Event.objects.count(), "scale_events": Event.objects.filter(
                slug__startswith=demo.SCALE_PREFIX).count(),
            "registrations_total": Registration.objects.count(),
            "seconds": round(time.perf_counter() - began, 1)}  # fmt: skip


def _staff_cookie() -> tuple[str, str]:
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    staff = get_user_model().objects.get(email=STAFF_EMAIL)
    now = time.time()
    store = SessionStore()
    store.update({SESSION_KEY: str(staff.pk), BACKEND_SESSION_KEY: "mitwirken.accounts.backends.SecondFactorModelBackend",
                  HASH_SESSION_KEY: staff.get_session_auth_hash(), "account_authentication_methods_user": str(staff.pk),
                  "account_authentication_methods": [{"method": "password", "at": now}, {"method": "mfa", "at": now}]})  # fmt: skip
    store.set_expiry(timezone.now() + timedelta(hours=12))
    store.create()
    return settings.SESSION_COOKIE_NAME, store.session_key or ""


def info() -> dict:
    from django.urls import reverse
    from django.utils import timezone

    from mitwirken.events import queries
    from mitwirken.events.models import Category, Event

    month = timezone.localdate().strftime("%Y-%m")
    start, end = queries.month_bounds(timezone.localdate().replace(day=1))
    category = Category.objects.order_by("slug").first()
    calendar = reverse("events:calendar")
    backoffice = reverse("backoffice:events", kwargs={"org_slug": "musterkreis"})
    name, key = _staff_cookie()
    return {"list_path": calendar, "far_path": f"{calendar}?seite=100",
            "month_path": f"{calendar}?ansicht=monat&monat={month}",
            "filtered_path": f"{calendar}?ansicht=monat&monat={month}&art={category.slug if category else ''}"
                             "&freie_plaetze=on",
            "backoffice_path": backoffice, "backoffice_all_path": f"{backoffice}?when=all&seite=20",
            "in_month": Event.objects.public().filter(start__lt=end, end__gt=start).count(),
            "cookie": f"{name}={key}"}  # fmt: skip


def quick(events: int) -> dict:
    """Seed and measure once at a small size, in this process (for checking the scenario, not for figures)."""
    from django.test import Client

    from queries import measure  # bench/queries.py

    seeded = seed(events)
    paths = info()
    public = Client(HTTP_HOST="127.0.0.1")
    staff = Client(HTTP_HOST="127.0.0.1")
    name, _sep, key = paths["cookie"].partition("=")
    staff.cookies[name] = key
    pages = {paths[path_key]: measure(public, paths[path_key]) for _key, path_key, _label in PUBLIC}
    pages |= {paths[path_key]: measure(staff, paths[path_key]) for _key, path_key, _label in STAFF}
    return {**seeded, "in_month": paths["in_month"], "pages": pages}


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("seed").add_argument("--events", type=int, required=True)
    commands.add_parser("info")
    commands.add_parser("quick").add_argument("--events", type=int, default=300)
    args = parser.parse_args()
    _django()
    if args.command == "seed":
        result: Any = {**seed(args.events), "settle_seconds": settle()}
    elif args.command == "info":
        result = info()
    else:
        result = quick(args.events)
    json.dump(result, sys.stdout, default=str)


if __name__ == "__main__":
    main()
