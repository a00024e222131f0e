"""In-process measurement for the benchmark: SQL queries and service time per request.

Run by ``bench/run.py`` as a subprocess with the same environment as the benchmarked server (same
database, same production settings). Prints one JSON object to stdout::

    python bench/queries.py /robots.txt / /musterkreis/ ...
    python bench/queries.py --cookie sessionid=KEY /verwaltung/...   # as a logged-in user

Service time is the median of up to 25 requests per path, fewer for slow pages (about 3 s per path).

For tuning, on a database kept by ``bench/run.py --keep`` (``mitwirken_bench``)::

    DATABASE_URL=postgres://…/mitwirken_bench python bench/queries.py --login fallbearbeitung@musterkreis.example \
        --explain 3 /verwaltung/musterkreis/projekte/…/eingang/

prints, per path, the plan (``EXPLAIN (ANALYZE, BUFFERS)``) of its three slowest queries to stderr.
``--profile 30`` prints the 30 functions with the most own time over ten requests (cProfile), to see where the
Python part of a page goes (template tags, forms, model instances).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitwirken.settings")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from mitwirken.projects.models import Project  # noqa: E402

TIMED_REQUESTS = 25
MIN_TIMED_REQUESTS = 5
TIME_BUDGET_SECONDS = 3.0
_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")
_IN_LISTS = re.compile(r"IN \((?:\?(?:, )?)+\)")


def shape(sql: str) -> str:
    """The query with its literals removed: repeated shapes in one request usually mean N+1."""
    return _IN_LISTS.sub("IN (…)", _LITERALS.sub("?", sql))


def database_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
        else:
            cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])


def explain(slowest: list[tuple[float, str, object]], path: str) -> None:
    for seconds, sql, params in slowest:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"\n== {path}: {seconds * 1000:.1f} ms\n{sql}\n{plan}", file=sys.stderr)


def read(response: Any) -> Any:
    """The whole answer: a streamed one (the Open311 XML list) is written only while it is read."""
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response


def profile(client: Client, path: str, top: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        read(client.get(path))
    profiler.disable()
    print(f"\n== {path}: cProfile over 10 requests", file=sys.stderr)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(top)
    # Where the template time goes: forms, included partials and custom tags, by their total time.
    stats.sort_stats("cumulative").print_stats(r"forms/(utils|boundfield)|loader_tags|templatetags|defaulttags", top)


def measure(client: Client, path: str, explain_slowest: int = 0, profile_top: int = 0) -> dict[str, object]:
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code} in-process")
    sql_seconds = 0.0
    each: list[tuple[float, str, object]] = []

    def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal sql_seconds
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seconds = time.perf_counter() - began
            sql_seconds += seconds
            if not many:
                each.append((seconds, sql, params))

    with CaptureQueriesContext(connection) as context, connection.execute_wrapper(timed):
        read(client.get(path))
    if explain_slowest:
        explain(sorted(each, key=lambda item: -item[0])[:explain_slowest], path)
    if profile_top:
        profile(client, path, profile_top)
    queries = [query["sql"] for query in context.captured_queries]
    shapes = Counter(shape(sql) for sql in queries)
    repeated = sum(count for count in shapes.values() if count > 1)
    durations: list[float] = []
    budget_ends = time.perf_counter() + TIME_BUDGET_SECONDS
    while len(durations) < TIMED_REQUESTS and (
        len(durations) < MIN_TIMED_REQUESTS or time.perf_counter() < budget_ends
    ):
        began = time.perf_counter()
        read(client.get(path))
        durations.append(time.perf_counter() - began)
    return {
        "queries": len(queries),
        "repeated_queries": repeated,
        "sql_ms": round(sql_seconds * 1000, 2),
        "inprocess_ms": round(statistics.median(durations) * 1000, 2),
        "sample_repeated": next((sql for sql in queries if shapes[shape(sql)] > 1), None),
        "timed_requests": len(durations),
    }


def log_in(client: Client, email: str) -> None:
    """A session as after password and second factor, for the back office."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(email=email)
    client.force_login(user)
    session = client.session
    now = time.time()
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [{"method": "password", "at": now}, {"method": "mfa", "at": now}]
    session.save()


def main(paths: list[str], cookies: list[str], login: str = "", explain_slowest: int = 0, profile_top: int = 0) -> None:
    client = Client(HTTP_HOST="127.0.0.1")
    for cookie in cookies:
        name, _sep, value = cookie.partition("=")
        client.cookies[name] = value
    if login:
        log_in(client, login)
    report = {
        "db_vendor": connection.vendor,
        "db_version": database_version(),
        "projects_total": Project.objects.count(),
        "projects_listed": Project.objects.listed().count(),
        "endpoints": {path: measure(client, path, explain_slowest, profile_top) for path in paths},
    }
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--cookie", action="append", default=[], help="NAME=VALUE sent with every request")
    parser.add_argument("--login", default="", help="e-mail of an account to log in as, second factor confirmed")
    parser.add_argument("--explain", type=int, default=0, metavar="N", help="plans of the N slowest queries (stderr)")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="the N functions with most own time (stderr)"
    )
    parser.add_argument("paths", nargs="+")
    arguments = parser.parse_args()
    main(arguments.paths, arguments.cookie, arguments.login, arguments.explain, arguments.profile)
