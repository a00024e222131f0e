"""``make bench``: throughput of the busiest pages as a ratio to a trivial view on the same server.

1. Builds a throw-away environment: a temporary var directory with its own SQLite database (or, with
   ``DATABASE_URL`` pointing at PostgreSQL, a dedicated database ``mitwirken_bench`` on that server),
   migrates it and seeds the demo data, then ``--scale`` projects and ``--statements`` statements in the
   demo's formal procedure (``bench/seed.py``).
2. Collects static files and starts gunicorn with production settings on a free port on 127.0.0.1.
3. Loads every endpoint with wrk (or the Python fallback client) in several rounds, each round starting
   with the baseline ``/robots.txt``; an endpoint's ratio is its throughput divided by the baseline's in
   the same round, and the report shows the median over the rounds. The statement inbox of the back
   office is loaded with a staff session confirmed by a second factor.
4. Counts SQL queries per request in-process against the same database (the inbox also before the
   statements are added, to show the count does not grow with them).
5. Formal procedure (unless ``--skip-formal``): times the XLSX and ODS export and records peak memory,
   each in a fresh process (``bench/formal_tools.py``), then fires a deadline burst of ``--burst``
   submissions, some sent twice, at the server and checks that each draft became exactly one statement.
6. Mängelmelder (unless ``--skip-reports``, see ``bench/reports.py``): Open311 and the map data are loaded
   with the other pages at ``--reports`` reports and measured in-process at ``--reports-small`` and at
   ``--reports``; ``routing.route()`` is timed with 30 and with 3,000 organisations.
7. Dialogue (unless ``--skip-dialogue``, see ``bench/dialogue.py``): the idea list of the demo's brainstorming
   module (newest first, most comments first, page 200, a search) and an idea page with its comments are loaded
   with the other pages at ``--ideas`` ideas with 10 comments each, and measured in-process at ``--ideas-small``
   and at ``--ideas``.
8. Surveys (unless ``--skip-surveys``, see ``bench/surveys.py``): the staff results page of the household survey
   (unfiltered and cross-tabulated) is loaded with the other pages at ``--survey-responses`` responses and measured
   in-process at ``--survey-responses-small`` and at ``--survey-responses``; the CSV, XLSX and SPSS exports are
   timed with their peak memory, each in a fresh process; ``--survey-submissions`` final pages are POSTed.
9. Events (unless ``--skip-events``, see ``bench/events.py``): the public calendar (list, page 100, the month
   view, the month filtered) and the Landkreis's back-office event list are loaded with the other pages at
   ``--events`` events and measured in-process at ``--events-small`` and at ``--events``.
10. Volunteering (unless ``--skip-volunteering``, see ``bench/volunteering.py``): the public Ehrenamt search (first
   page, full text, one field, within 10 km of a postcode, a deep page) and an opportunity's page are loaded with
   the other pages at ``--opportunities`` opportunities and ``--volunteers`` volunteers and measured in-process at
   ``--opportunities-small`` and at ``--opportunities``; pages that do not exist yet are skipped with a note.
11. Geocoder (unless ``--skip-geocoder``, see ``bench/geocoder.py``): ``--addresses`` addresses imported through the
   CSV import, then the address suggestions timed per keystroke in-process, ``geo.locate`` and ``nearest_address``;
   on PostgreSQL with ``EXPLAIN ANALYZE`` of the suggestion query.
12. Prints tables, writes ``bench/results-<database>.json`` and the results sections of ``docs/performance.md`` (this
   database's, and both databases side by side); on PostgreSQL, fails when a page misses the 20 ms target
   (``bench/targets.py``).

Everything it starts or creates is stopped and removed again on every exit path.
Extra options may also come from the environment: ``BENCH_ARGS="--rounds 5" make bench``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.metadata
import json
import math
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import burst
import dialogue as dialogue_bench
import events as events_bench
import geocoder as geocoder_bench
import reports as reports_bench
import surveys as surveys_bench
import targets
import volunteering as volunteering_bench
from loadgen import PythonClient, Sample, WrkClient, median, wrk_path, wrk_version

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATABASES = ("postgresql", "sqlite")


def results_json(vendor: str) -> Path:
    """The raw figures of the latest run on a database: ``bench/results-postgresql.json``, ``…-sqlite.json``."""
    return BENCH / f"results-{vendor}.json"


PERFORMANCE_MD = ROOT / "docs" / "performance.md"


def markers(part: str) -> tuple[str, str]:
    """Where a part of the results (``both``, ``postgresql``, ``sqlite``) stands in docs/performance.md."""
    return f"<!-- bench:{part}:start -->", f"<!-- bench:{part}:end -->"


BENCH_DATABASE = "mitwirken_bench"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Endpoint:
    key: str
    path: str
    label: str
    headers: tuple[tuple[str, str], ...] = ()


BASELINE = Endpoint("baseline", "/robots.txt", "Baseline: robots.txt (no database, no template)")
ENDPOINTS = [
    Endpoint("home", "/", "Start page"),
    Endpoint("home_filtered", "/?timing=open&seite=50", "Start page, running projects, page 50"),
    Endpoint("search", "/?q=Nr.+99", "Search"),
    Endpoint("organisation", "/musterkreis/", "Organisation page (holds the scaled projects)"),
    Endpoint("api_list", "/api/v1/projects?page=100", "API project list, page 100"),
]


def inbox_endpoints(inbox_path: str, cookie: str) -> list[Endpoint]:
    """The statement inbox of the formal procedure, as the logged-in case worker sees it."""
    headers = (("Cookie", cookie),)
    return [
        Endpoint("inbox", inbox_path, "Inbox, page 1", headers),
        Endpoint("inbox_search", f"{inbox_path}?q=Nummer+4711", "Inbox, text search", headers),
        Endpoint("inbox_filtered", f"{inbox_path}?status=in_progress&seite=200", "Inbox, status filter, page 200", headers),
    ]  # fmt: skip


def personal_endpoints(info: dict, staff_cookie: str, citizen_cookie: str) -> list[Endpoint]:
    """The staff's work overview and a citizen's Mein Bereich, each with its own session."""
    return [
        Endpoint("staff_overview", info["overview_path"], "Back office: work overview (waiting work of every module)",
                 (("Cookie", staff_cookie),)),
        Endpoint("my_area", info["account_path"], "Mein Bereich of a citizen (statements, reports, ideas, comments)",
                 (("Cookie", citizen_cookie),)),
    ]  # fmt: skip


def report_endpoints(available: list[tuple[str, str, str]]) -> list[Endpoint]:
    """Open311 and the public map data of the Mängelmelder (``bench/reports.py``)."""
    return [Endpoint(key, path, label) for key, path, label in available]


@dataclass
class Measurements:
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    ratios: dict[str, list[float]] = field(default_factory=dict)


# ---------------------------------------------------------------- helpers


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def python_executable() -> str:
    venv_python = ROOT / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


def run_step(label: str, command: list[str], env: dict[str, str], *, check: bool = True) -> subprocess.CompletedProcess:
    began = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    log(f"{label}: {time.perf_counter() - began:.1f} s")
    if check and result.returncode != 0:
        raise RuntimeError(f"{label} failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def git(*args: str) -> str:
    result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return result.stdout.strip() if result.returncode == 0 else ""


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""


def machine() -> dict[str, object]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gb = 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    return {"cpus": os.cpu_count(), "cpu_model": cpu, "memory_gb": memory_gb, "os": platform.platform()}


# ---------------------------------------------------------------- database


def postgres_urls(database_url: str) -> tuple[str, str]:
    """(URL of the dedicated bench database, URL of the maintenance database on the same server)."""
    parsed = urllib.parse.urlsplit(database_url)
    bench = parsed._replace(path=f"/{BENCH_DATABASE}").geturl()
    maintenance = parsed._replace(path="/postgres").geturl()
    return bench, maintenance


def recreate_postgres_database(maintenance_url: str, *, create: bool) -> None:
    import psycopg
    from psycopg import sql

    conninfo = maintenance_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BENCH_DATABASE)))
        if create:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DATABASE)))


# ---------------------------------------------------------------- server


class Server:
    """gunicorn with production settings, started in its own process group and always stopped again."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log_path: Path) -> None:
        self.port = port
        self.env = env
        self.workers = workers
        self.log_path = log_path
        # What Django logs (request errors with tracebacks) goes to the workers' stderr: kept for the report.
        self.stderr_path = log_path.with_name("server-stderr.log")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
        command = [
            str(gunicorn) if gunicorn.exists() else "gunicorn", "mitwirken.wsgi:application",
            "--bind", f"{HOST}:{self.port}", "--workers", str(self.workers), "--timeout", "120",
            "--error-logfile", str(self.log_path), "--log-level", "warning",
        ]  # fmt: skip
        with self.stderr_path.open("ab") as stderr:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, start_new_session=True, stdout=stderr, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(self.base_url + BASELINE.path, timeout=2) as answer,
            ):
                if answer.status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within 60 s:\n{self.log_tail()}")

    def log_text(self) -> str:
        texts = []
        for path in (self.log_path, self.stderr_path):
            with contextlib.suppress(OSError):
                texts.append(path.read_text(encoding="utf-8", errors="replace"))
        return "\n".join(texts)

    def log_tail(self) -> str:
        return self.log_text()[-3000:]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # The process group is gunicorn's own (start_new_session), so this reaches its master and workers only.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def check(self, endpoint: Endpoint) -> int:
        """Fetch once; the benchmark refuses to measure a page that does not answer 200 (redirects included:
        a back-office page answering with the login or second-factor form would be measured otherwise)."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            connection.request("GET", endpoint.path, headers=dict(endpoint.headers))
            response = connection.getresponse()
            body = response.read()
            status, location = response.status, response.getheader("Location") or ""
        finally:
            connection.close()
        if status != 200:
            where = f" to {location}" if location else ""
            raise RuntimeError(
                f"{endpoint.path} answered {status}{where}; not benchmarking an error page.\n{self.log_tail()}"
            )
        return len(body)


# ---------------------------------------------------------------- measuring


def measure(
    server: Server, client: WrkClient | PythonClient, args: argparse.Namespace, endpoints: list[Endpoint]
) -> Measurements:
    """Rounds of: every endpoint once, in rotating order, between two baseline measurements.

    An endpoint's ratio in a round is its req/s divided by the geometric mean of the baselines measured just
    before and just after that round, so a change in background load during the round affects both sides.
    """
    everything = [BASELINE, *endpoints]
    log(f"warm-up: {args.warmup:g} s per endpoint")
    for endpoint in everything:
        client.run(server.base_url + endpoint.path, args.warmup, args.max_requests, endpoint.headers)
    result = Measurements({endpoint.key: [] for endpoint in everything}, {endpoint.key: [] for endpoint in endpoints})
    baselines = result.samples[BASELINE.key]
    baselines.append(client.run(server.base_url + BASELINE.path, args.duration, args.max_requests))
    for round_index in range(args.rounds):
        shift = round_index % len(endpoints)  # no endpoint always runs first or last in a round
        measured = {}
        for endpoint in endpoints[shift:] + endpoints[:shift]:
            measured[endpoint.key] = client.run(
                server.base_url + endpoint.path, args.duration, args.max_requests, endpoint.headers
            )
        baselines.append(client.run(server.base_url + BASELINE.path, args.duration, args.max_requests))
        reference = math.sqrt(baselines[-2].rps * baselines[-1].rps)
        for key, sample in measured.items():
            result.samples[key].append(sample)
            result.ratios[key].append(sample.rps / reference if reference else 0.0)
        summary = ", ".join(f"{key} {format_rps(measured[key].rps)}/s" for key in result.ratios)
        log(f"round {round_index + 1}/{args.rounds}: baseline {reference:,.0f}/s, {summary}")
    return result


def cpu_busy_fraction(seconds: float = 1.0) -> float | None:
    """Share of all CPUs busy with other work right now (Linux /proc/stat), or None where unavailable."""

    def sample() -> tuple[int, int]:
        fields = [int(value) for value in Path("/proc/stat").read_text(encoding="utf-8").split("\n", 1)[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return idle, sum(fields)

    try:
        idle_before, total_before = sample()
        time.sleep(seconds)
        idle_after, total_after = sample()
    except (OSError, ValueError, IndexError):
        return None
    total = total_after - total_before
    return 1 - (idle_after - idle_before) / total if total > 0 else None


def noise_notes(report: dict, busy_before: float | None) -> list[str]:
    """Warnings that the figures of this run are less trustworthy than usual."""
    notes = []
    if busy_before is not None and busy_before > 0.25:
        notes.append(
            f"Other work used {busy_before:.0%} of the CPUs just before the run: figures are noisier than usual; "
            "rerun on a quiet machine."
        )
    baseline = report["endpoints"][0]["rps_rounds"]
    if baseline and min(baseline) > 0 and max(baseline) / min(baseline) > 1.3:
        notes.append(
            f"The baseline varied from {min(baseline):,.0f} to {max(baseline):,.0f} req/s during the run "
            "(other load on the machine?)."
        )
    measured = report["endpoints"][1:] + (report["formal"]["inbox"] if report.get("formal") else [])
    measured += (report.get("dialogue") or {}).get("endpoints", [])
    unstable = [
        f"{item['key']} {format_ratio(item['ratio_min'])}–{format_ratio(item['ratio_max'])}"
        for item in measured
        if item["ratio_min"] > 0 and item["ratio_max"] / item["ratio_min"] > 1.5
    ]
    if unstable:
        notes.append(f"Ratios varied by more than 1.5× between rounds: {', '.join(unstable)}.")
    return notes


# ---------------------------------------------------------------- formal procedure: export and burst

EXPORT_TARGET_MB = 500
LOG_PATTERNS = {
    "database_is_locked": "database is locked",
    "tracebacks": "Traceback (most recent call last)",
    "internal_server_error": "Internal Server Error",
    "integrity_error": "IntegrityError",
    "worker_timeout": "WORKER TIMEOUT",
}


def run_json(label: str, command: list[str], env: dict[str, str]) -> dict:
    return json.loads(run_step(label, command, env).stdout)


def measure_exports(python: str, env: dict[str, str], statements: int) -> list[dict]:
    """Each export in a fresh process, so its peak RSS is its own; a tenth of the statements shows the growth."""
    tools = str(BENCH / "formal_tools.py")
    small = statements // 10
    results = []
    for file_format in ("xlsx", "ods"):
        for limit in ([small] if small else []) + [0]:
            result = run_json(f"export {file_format} of {limit or statements:,} statements",
                              [python, tools, "export", file_format, "--limit", str(limit)], env)  # fmt: skip
            result["under_target"] = result["rss_peak_mb"] < EXPORT_TARGET_MB
            log(
                f"  {file_format}: {result['statements']:,} statements in {result['seconds']:.1f} s, "
                f"peak RSS {result['rss_peak_mb']:.0f} MB (+{result['rss_growth_mb']:.0f} MB), "
                f"file {result['file_mb']:.1f} MB"
            )
            results.append(result)
    return results


def log_counts(text: str) -> dict[str, int]:
    return {key: text.count(pattern) for key, pattern in LOG_PATTERNS.items()}


def log_examples(text: str, limit: int = 3) -> list[str]:
    """A few log lines naming the errors found, as evidence for the report."""
    lines = [line.strip() for line in text.splitlines() if any(p in line for p in LOG_PATTERNS.values())]
    return [line[:400] for line in lines[:limit]]


def deadline_burst(
    server: Server, python: str, env: dict[str, str], info: dict, tmp: Path, args: argparse.Namespace
) -> dict:
    tools = str(BENCH / "formal_tools.py")
    people_file = tmp / "burst-people.json"
    setup = run_json(f"burst set-up: {args.burst:,} citizens with draft and session",
                     [python, tools, "burst-setup", str(args.burst), str(people_file)], env)  # fmt: skip
    people = json.loads(people_file.read_text(encoding="utf-8"))
    log_before = len(server.log_text())
    log(
        f"deadline burst: {len(people):,} submissions, {args.burst_workers} workers, {args.burst_duplicates:.0%} sent twice"
    )
    fired = burst.run(server.base_url, info["review_path"], people, workers=args.burst_workers,
                      duplicate_share=args.burst_duplicates,
                      cookies=(info["session_cookie_name"], info["csrf_cookie_name"]))  # fmt: skip
    database = run_json("burst check in the database", [python, tools, "burst-verify", str(people_file)], env)
    summary = burst.summarise(fired, people, database, args.burst_workers, args.burst_duplicates)
    new_log = server.log_text()[log_before:]
    summary["setup_seconds"] = setup["seconds"]
    summary["server_log"] = log_counts(new_log)
    summary["server_log_examples"] = log_examples(new_log)
    checks = {
        "one statement per draft": database["users_with_one_statement"] == len(people)
        and database["statements"] == len(people),
        "unique references": database["unique_references"] == len(people)
        and database["duplicate_references_in_procedure"] == 0,
        "no drafts left": database["drafts_left"] == 0,
        "no HTTP 5xx": summary["http_5xx"] == 0,
        "every request answered": summary["no_answer"] == 0,
        "every answer is the person's receipt": summary["answers_not_receipt"] == 0
        and summary["answers_wrong_reference"] == 0 and summary["duplicates_inconsistent"] == 0,
        "no 'database is locked' in the server log": summary["server_log"]["database_is_locked"] == 0,
    }  # fmt: skip
    summary["checks"] = checks
    summary["failed_checks"] = [name for name, ok in checks.items() if not ok]
    log(
        f"  {summary['seconds']:.1f} s, {summary['submissions_per_second']:.1f} submissions/s, "
        f"p50 {summary['p50_ms']:.0f} ms, p95 {summary['p95_ms']:.0f} ms, statuses {summary['status_counts']}; "
        f"{database['statements']:,} statements; failed checks: {summary['failed_checks'] or 'none'}"
    )
    return summary


# ---------------------------------------------------------------- reporting


def endpoint_entry(endpoint: Endpoint, measured: Measurements, inprocess: dict, sizes: dict[str, int]) -> dict:
    samples = measured.samples[endpoint.key]
    ratios = measured.ratios.get(endpoint.key, [1.0] * len(samples))
    extra = inprocess["endpoints"][endpoint.path]
    return {
        "key": endpoint.key, "path": endpoint.path, "label": endpoint.label,
        "rps": round(median([s.rps for s in samples]), 2),
        "rps_rounds": [round(s.rps, 2) for s in samples],
        "ratio": round(median(ratios), 6),
        "ratio_min": round(min(ratios), 6), "ratio_max": round(max(ratios), 6),
        "p50_ms": round(median([s.p50_ms for s in samples]), 2),
        "p95_ms": round(median([s.p95_ms for s in samples]), 2),
        "requests": sum(s.requests for s in samples),
        "errors": sum(s.errors for s in samples), "bad_status": sum(s.bad_status for s in samples),
        "bytes": sizes[endpoint.key],
        "queries": extra["queries"], "repeated_queries": extra["repeated_queries"],
        "sql_ms": extra["sql_ms"], "inprocess_ms": extra["inprocess_ms"],
        "sample_repeated_query": extra["sample_repeated"],
    }  # fmt: skip


def measure_personal(python: str, env: dict[str, str], endpoints: list[Endpoint], when: str) -> dict[str, dict]:
    """In-process queries and time of each personal page, each with its own session cookie."""
    results: dict[str, dict] = {}
    for endpoint in endpoints:
        cookie = dict(endpoint.headers)["Cookie"]
        measured = run_json(f"{endpoint.key} in-process {when}",
                            [python, str(BENCH / "queries.py"), "--cookie", cookie, endpoint.path], env)  # fmt: skip
        results[endpoint.path] = measured["endpoints"][endpoint.path]
    return results


def build_report(
    args: argparse.Namespace,
    measured: Measurements,
    inprocess: dict,
    sizes: dict[str, int],
    client_name: str,
    notes: list[str],
    formal: dict | None,
) -> dict:
    endpoints = [endpoint_entry(endpoint, measured, inprocess, sizes) for endpoint in [BASELINE, *ENDPOINTS]]
    if formal is not None:
        small = formal.pop("inbox_queries_small")
        formal["inbox"] = []
        for endpoint in formal.pop("inbox_endpoints"):
            entry = endpoint_entry(endpoint, measured, inprocess, sizes)
            entry["queries_at_demo_size"] = small["endpoints"][endpoint.path]["queries"]
            formal["inbox"].append(entry)
        personal_small = formal.pop("personal_small")
        formal.pop("personal_large", None)
        formal["personal"] = []
        for endpoint in formal.pop("personal_endpoints"):
            entry = endpoint_entry(endpoint, measured, inprocess, sizes)
            entry["queries_at_demo_size"] = personal_small[endpoint.path]["queries"]
            formal["personal"].append(entry)
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": dirty,
        "db_vendor": inprocess["db_vendor"],
        "db_version": inprocess["db_version"],
        "python": platform.python_version(),
        "django": package_version("django"),
        "gunicorn": package_version("gunicorn"),
        "machine": machine(),
        "settings": {
            "scale": args.scale,
            "statements_scale": 0 if args.skip_formal else args.statements,
            "projects_total": inprocess["projects_total"],
            "projects_listed": inprocess["projects_listed"],
            "gunicorn_workers": args.workers,
            "worker_class": "sync",
            "client": client_name,
            "client_version": wrk_version() if client_name == "wrk" else "",
            "connections": args.connections,
            "rounds": args.rounds,
            "seconds_per_measurement": args.duration,
            "warmup_seconds": args.warmup,
        },
        "endpoints": endpoints,
        "formal": formal,
        "notes": notes,
    }


def format_ratio(value: float) -> str:
    """Two significant digits below 0.1 (0.031×, 0.0014×, 0.00040×), so small ratios keep their precision."""
    if value >= 0.1:
        return f"{value:.2f}×"
    if value <= 0:
        return "0×"
    return f"{value:.{max(3, 1 - math.floor(math.log10(value)))}f}×"


def format_rps(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def endpoint_row(item: dict, path: str) -> list[str]:
    repeated = f" ({item['repeated_queries']} repeated)" if item["repeated_queries"] else ""
    return [
        item["label"], f"`{path}`", format_rps(item["rps"]),
        format_ratio(item["ratio"]) if item["key"] != BASELINE.key else "1 (baseline)",
        f"{item['p50_ms']:.1f}", f"{item['p95_ms']:.1f}", f"{item['inprocess_ms']:.1f}",
        f"{item['sql_ms']:.1f}", f"{item['queries']}{repeated}",
    ]  # fmt: skip


def table_rows(report: dict) -> list[list[str]]:
    return [endpoint_row(item, item["path"]) for item in report["endpoints"]]


def inbox_rows(report: dict) -> list[list[str]]:
    baseline = report["endpoints"][0]
    rows = [endpoint_row(baseline, baseline["path"])]
    for item in report["formal"]["inbox"]:
        path = "…/eingang/" + item["path"].split("/eingang/", 1)[1]
        rows.append([*endpoint_row(item, path), str(item["queries_at_demo_size"])])
    rows[0].append("–")
    return rows


def personal_rows(report: dict) -> list[list[str]]:
    baseline = report["endpoints"][0]
    rows = [[*endpoint_row(baseline, baseline["path"]), "–"]]
    for item in report["formal"].get("personal", []):
        rows.append([*endpoint_row(item, item["path"]), str(item["queries_at_demo_size"])])
    return rows


def export_rows(report: dict) -> list[list[str]]:
    return [
        [
            item["format"].upper(), f"{item['statements']:,}", f"{item['seconds']:.1f}",
            f"{item['statements'] / item['seconds']:,.0f}" if item["seconds"] else "–",
            f"{item['rss_before_mb']:.0f}", f"{item['rss_peak_mb']:.0f}", f"{item['rss_growth_mb']:.0f}",
            f"{item['file_mb']:.1f}", f"{item['queries']}",
            "yes" if item["under_target"] else "**no**",
        ]
        for item in report["formal"]["export"]
    ]  # fmt: skip


def burst_rows(report: dict) -> list[list[str]]:
    item = report["formal"]["burst"]
    database = item["database"]
    kinds = item["people_by_kind"]
    statuses = ", ".join(f"{status}: {count:,}" for status, count in item["status_counts"].items())
    log_counts_text = ", ".join(f"{key.replace('_', ' ')}: {count}" for key, count in item["server_log"].items())
    return [
        ["Submissions (people with a draft)", f"{item['people']:,}"],
        ["Sent twice", f"{kinds.get('retry', 0):,} as a retry after the answer, {kinds.get('double', 0):,} as a "
                       "double click (two POSTs at once)"],
        ["Requests in total", f"{item['requests']:,} from {item['workers']} concurrent workers"],
        ["Total time", f"{item['seconds']:.1f} s"],
        ["Throughput", f"{item['submissions_per_second']:.1f} submissions/s ({item['requests_per_second']:.1f} requests/s)"],
        ["Latency p50 / p95 / max", f"{item['p50_ms']:,.0f} / {item['p95_ms']:,.0f} / {item['max_ms']:,.0f} ms"],
        ["HTTP status of the answers", statuses],
        ["HTTP 5xx / no answer", f"{item['http_5xx']} / {item['no_answer']}"],
        ["Answers other than the person's receipt", f"{item['answers_not_receipt'] + item['answers_wrong_reference']}"],
        ["Statements created for the burst's drafts", f"{database['statements']:,} "
                                                     f"({database['users_with_one_statement']:,} people with exactly one)"],
        ["Distinct references / duplicates in the procedure", f"{database['unique_references']:,} / "
                                                             f"{database['duplicate_references_in_procedure']}"],
        ["Drafts left", f"{database['drafts_left']:,}"],
        ["Server log during the burst", log_counts_text],
        ["Failed checks", ", ".join(item["failed_checks"]) or "none"],
    ]  # fmt: skip


HEADERS = ["Endpoint", "Path", "req/s", "Ratio", "p50 ms", "p95 ms", "1 req ms", "SQL ms", "SQL queries"]
INBOX_HEADERS = [*HEADERS, "SQL queries at 8 statements"]
PERSONAL_HEADERS = [*HEADERS, "SQL queries at demo size"]
EXPORT_HEADERS = ["Format", "Statements", "Time s", "Statements/s", "RSS before MB", "Peak RSS MB", "Growth MB",
                  "File MB", "SQL queries", f"Peak < {EXPORT_TARGET_MB} MB"]  # fmt: skip
BURST_HEADERS = ["Deadline burst", "Result"]


def text_table(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    rows = [[cell.strip("`").replace("**", "") for cell in row] for row in rows]
    widths = [max(len(header), *(len(row[i]) for row in rows)) for i, header in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(headers), "  ".join("-" * w for w in widths), *(line(row) for row in rows)]


def print_table(report: dict) -> None:
    print()
    print("\n".join(text_table(HEADERS, table_rows(report), {2, 3, 4, 5, 6, 7})))
    settings = report["settings"]
    print(
        f"\n{report['db_vendor']} {report['db_version']}, {settings['projects_listed']:,} listed of "
        f"{settings['projects_total']:,} projects; {settings['client']} with {settings['connections']} connections, "
        f"{settings['rounds']} rounds of {settings['seconds_per_measurement']:g} s; gunicorn {settings['gunicorn_workers']} "
        f"sync workers; {report['machine']['cpus']} CPUs"
    )
    formal = report.get("formal")
    if formal:
        print(f"\nFormal procedure with {formal['statements']:,} statements: inbox {formal['inbox_base_path']}")
        print("\n".join(text_table(INBOX_HEADERS, inbox_rows(report), {2, 3, 4, 5, 6, 7, 9})))
        print("\nMein Bereich and the staff overview")
        print("\n".join(text_table(PERSONAL_HEADERS, personal_rows(report), {2, 3, 4, 5, 6, 7, 9})))
        print()
        print("\n".join(text_table(EXPORT_HEADERS, export_rows(report), set(range(1, 10)))))
        print()
        print("\n".join(text_table(BURST_HEADERS, burst_rows(report), set())))
    reports_bench.print_tables(report, text_table, endpoint_row)
    dialogue_bench.print_tables(report, text_table, endpoint_row)
    if report.get("surveys"):
        print("\n".join(surveys_bench.markdown(report, lambda h, r, left=2: text_table(h, r, set()), endpoint_row)))
    events_bench.print_tables(report, text_table, endpoint_row)
    volunteering_bench.print_tables(report, text_table, endpoint_row)
    geocoder_bench.print_tables(report, text_table)
    for note in report["notes"]:
        print(f"NOTE: {note}")
    print()


def markdown_table(headers: list[str], rows: list[list[str]], left: int = 2) -> list[str]:
    return [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join(["---"] * left + ["---:"] * (len(headers) - left)) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def markdown(report: dict) -> str:
    settings = report["settings"]
    machine_info = report["machine"]
    commit = report["git_commit"][:10] + (" (with uncommitted changes)" if report["git_dirty"] else "")
    client = settings["client_version"] or settings["client"]
    formal = report.get("formal")
    seeded = f"`seed_demo` + `bench/seed.py --projects {settings['scale']}"
    seeded += f" --statements {settings['statements_scale']}`" if formal else "`"
    lines = [
        f"Measured {report['date']} at commit `{commit}` by `bench/run.py` "
        f"(raw figures: `bench/results-{report['db_vendor']}.json`).",
        "",
        f"- Database: {report['db_vendor']} {report['db_version']}, {settings['projects_total']:,} projects "
        f"({settings['projects_listed']:,} publicly listed)"
        + (f", {formal['statements']:,} statements in one formal procedure" if formal else "")
        + f"; {seeded}.",
        f"- Server: gunicorn {report['gunicorn']}, {settings['gunicorn_workers']} sync workers, production settings; "
        f"Python {report['python']}, Django {report['django']}.",
        f"- Load: {client}, {settings['connections']} connections, {settings['rounds']} rounds of "
        f"{settings['seconds_per_measurement']:g} s per endpoint after {settings['warmup_seconds']:g} s warm-up.",
        f"- Machine: {machine_info['cpus']} CPUs ({machine_info['cpu_model'] or 'unknown model'}), "
        f"{machine_info['memory_gb']} GB RAM; load generator on the same machine.",
        "",
        "### Public pages",
        "",
        *markdown_table(HEADERS, table_rows(report)),
        "",
        "Ratio: median over the rounds of endpoint req/s ÷ baseline req/s (the baselines measured just before "
        "and after the round). "
        "p50/p95: latency under load, including queueing. 1 req ms: median service time of a single "
        "request in-process (no HTTP, no concurrency); SQL ms: the part of it spent executing SQL. "
        "SQL queries: per request; *repeated* counts queries "
        "whose shape occurs more than once in the request, the usual sign of N+1.",
    ]
    if formal:
        lines += formal_markdown(report)
    else:
        lines += ["", "The formal-procedure part (inbox, export, deadline burst) was skipped (`--skip-formal`)."]
    lines += reports_bench.markdown(report, markdown_table, endpoint_row)
    lines += dialogue_bench.markdown(report, markdown_table, endpoint_row)
    lines += surveys_bench.markdown(report, markdown_table, endpoint_row)
    lines += events_bench.markdown(report, markdown_table, endpoint_row)
    lines += volunteering_bench.markdown(report, markdown_table, endpoint_row)
    lines += geocoder_bench.markdown(report, markdown_table)
    if report["notes"]:
        lines += ["", "Notes from this run:", ""] + [f"- {note}" for note in report["notes"]]
    return "\n".join(lines)


def formal_markdown(report: dict) -> list[str]:
    formal = report["formal"]
    item = formal["burst"]
    return [
        "",
        f"### Statement inbox ({formal['statements']:,} statements)",
        "",
        f"Back office, logged in as the case worker with a session confirmed by the second factor; "
        f"`…` stands for `{formal['inbox_base_path'].split('/eingang/')[0]}`. Measured in the same rounds and "
        "against the same baseline as the public pages; the last column counts the queries of the same "
        "request before the statements were added (demo data only; a search without hits skips the table and "
        "the bulk form, so it runs fewer).",
        "",
        *markdown_table(INBOX_HEADERS, inbox_rows(report)),
        "",
        "### Mein Bereich and the staff overview",
        "",
        f"Mein Bereich (`/konto/`) of the demo citizen after `bench/seed.py --account-items` made them the author of "
        f"{', '.join(f'{count:,} {name}' for name, count in formal.get('account_items', {}).items()) or 'the scale rows'}; "
        "the staff overview (`/verwaltung/musterkreis/`) of the case worker with all statements, reports and "
        "contributions of the run waiting. The last column counts the queries of the same page at demo size.",
        "",
        *markdown_table(PERSONAL_HEADERS, personal_rows(report)),
        "",
        f"### Export of the Abwägungstabelle ({formal['statements']:,} statements)",
        "",
        "`exports.write_xlsx` / `write_ods` on all statements of the procedure, and on the first tenth of them, "
        "each in a fresh process (`bench/formal_tools.py export`) with the production settings and the bench "
        "database. RSS before: after Django and the export libraries are loaded; peak RSS: `ru_maxrss` after "
        "the export; growth: the difference. Target from the issue: under 500 MB peak.",
        "",
        *markdown_table(EXPORT_HEADERS, export_rows(report), left=1),
        "",
        "### Deadline burst",
        "",
        f"{item['people']:,} citizens with a verified e-mail address, a complete draft (name and postal "
        f"address included) and a session each submit at once: POSTs of their `submission_key` to the review "
        f"URL of the running public track, from {item['workers']} concurrent workers against the gunicorn "
        f"server above. {item['duplicate_share']:.0%} of them send twice. Every answer must be the redirect to that "
        "person's receipt; afterwards the database must hold exactly one statement per draft with distinct "
        "references. Latency includes waiting for one of the sync workers.",
        "",
        *markdown_table(BURST_HEADERS, burst_rows(report), left=2),
    ]


def _replace_part(text: str, part: str, heading: str, body: str) -> str:
    start_marker, end_marker = markers(part)
    section = f"{start_marker}\n{body}\n{end_marker}"
    start, end = text.find(start_marker), text.find(end_marker)
    if start != -1 and end > start:
        return text[:start] + section + text[end + len(end_marker) :]
    return text.rstrip("\n") + f"\n\n## {heading}\n\n" + section + "\n"


def write_docs(report: dict) -> None:
    """This run's section, and the side-by-side table of the latest run on each database."""
    text = PERFORMANCE_MD.read_text(encoding="utf-8") if PERFORMANCE_MD.exists() else "# Performance\n"
    runs = {vendor: json.loads(path.read_text(encoding="utf-8")) if (path := results_json(vendor)).exists() else None
            for vendor in DATABASES}  # fmt: skip
    runs[report["db_vendor"]] = report
    text = _replace_part(text, "both", "Latest results: both databases side by side",
                         "\n".join(targets.side_by_side(runs, markdown_table)))  # fmt: skip
    names = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
    vendor = report["db_vendor"]
    text = _replace_part(text, vendor, f"Latest results on {names.get(vendor, vendor)}", markdown(report))
    PERFORMANCE_MD.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--scale", type=int, default=10_000, help="extra projects seeded (default 10000)")
    parser.add_argument("--statements", type=int, default=50_000, help="extra statements seeded (default 50000)")
    parser.add_argument("--burst", type=int, default=2_000, help="submissions in the deadline burst (default 2000)")
    parser.add_argument("--burst-workers", type=int, default=32, help="concurrent burst workers (default 32)")
    parser.add_argument("--burst-duplicates", type=float, default=0.3, help="share sent twice (default 0.3)")
    parser.add_argument("--skip-formal", action="store_true", help="public pages only: no inbox, export or burst")
    parser.add_argument(
        "--account-items",
        type=int,
        default=1_000,
        help="statements, reports, ideas and comments of one citizen for Mein Bereich (default 1000)",
    )
    parser.add_argument("--reports", type=int, default=100_000, help="Mängelmelder reports in total (default 100000)")
    parser.add_argument("--reports-small", type=int, default=1_000, help="reports at the first, small measurement")
    parser.add_argument("--routing-sizes", type=int, nargs="+", default=[30, 3000], help="organisations for routing")
    parser.add_argument("--routing-points", type=int, default=200, help="random points routed per size")
    parser.add_argument("--skip-reports", action="store_true", help="no Mängelmelder part (Open311, map, routing)")
    parser.add_argument("--ideas", type=int, default=10_000, help="dialogue ideas, 10 comments each (default 10000)")
    parser.add_argument("--ideas-small", type=int, default=100, help="scale ideas at the first, small measurement")
    parser.add_argument("--skip-dialogue", action="store_true", help="no dialogue part (idea list, idea page)")
    parser.add_argument("--survey-responses", type=int, default=100_000, help="survey responses (default 100000)")
    parser.add_argument("--survey-responses-small", type=int, default=1_000, help="responses at the small measurement")
    parser.add_argument("--survey-submissions", type=int, default=300, help="survey final pages POSTed (default 300)")
    parser.add_argument("--skip-surveys", action="store_true", help="no survey part (results page, exports, submits)")
    parser.add_argument("--events", type=int, default=10_000, help="events in the calendar (default 10000)")
    parser.add_argument("--events-small", type=int, default=500, help="events at the first, small measurement")
    parser.add_argument("--skip-events", action="store_true", help="no events part (calendar, back-office list)")
    parser.add_argument("--opportunities", type=int, default=10_000, help="volunteering opportunities (default 10000)")
    parser.add_argument("--opportunities-small", type=int, default=500, help="opportunities at the small measurement")
    parser.add_argument("--volunteers", type=int, default=50_000, help="volunteers with profiles (default 50000)")
    parser.add_argument("--skip-volunteering", action="store_true", help="no volunteering part (Ehrenamt search)")
    parser.add_argument("--addresses", type=int, default=100_000, help="addresses in the register (default 100000)")
    parser.add_argument("--skip-geocoder", action="store_true", help="no geocoder part (address suggestions)")
    parser.add_argument("--rounds", type=int, default=5, help="measurement rounds (default 5)")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per endpoint per round (default 3)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per endpoint (default 2)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="per measurement, Python client only")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto", help="load generator")
    parser.add_argument("--no-write", action="store_true", help="print only; leave results-*.json and docs alone")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary directory and the PostgreSQL database (for EXPLAIN)"
    )
    argv = shlex.split(os.environ.get("BENCH_ARGS", "")) + sys.argv[1:]
    return parser.parse_args(argv)


def terminate_on_sigterm() -> None:
    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


def main() -> int:
    args = parse_args()
    terminate_on_sigterm()
    began = time.perf_counter()
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    busy_before = cpu_busy_fraction()
    notes: list[str] = []
    python = python_executable()
    tmp = Path(tempfile.mkdtemp(prefix="mitwirken-bench-"))
    server: Server | None = None
    postgres_maintenance: str | None = None
    try:
        base_env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
        base_env.update({
            "PYTHONPATH": str(ROOT / "src"), "MITWIRKEN_VAR_DIR": str(tmp / "var"), "MEDIA_ROOT": str(tmp / "media"),
            "STATIC_ROOT": str(tmp / "static"), "DEBUG": "0", "LOG_LEVEL": "WARNING", "REDIS_URL": "",
        })  # fmt: skip
        (tmp / "var").mkdir()
        database_url = os.environ.get("DATABASE_URL", "")
        if database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
            bench_url, postgres_maintenance = postgres_urls(database_url)
            recreate_postgres_database(postgres_maintenance, create=True)
            base_env["DATABASE_URL"] = bench_url
            log(f"PostgreSQL: dedicated database {BENCH_DATABASE} (dropped again at the end)")
        else:
            if database_url:
                notes.append(f"DATABASE_URL {database_url.split(':', 1)[0]}: not PostgreSQL, used a temporary SQLite")
            base_env.pop("DATABASE_URL", None)
            log(f"SQLite in {tmp / 'var'}")

        development = {**base_env, "MITWIRKEN_ENV": "development"}
        port = free_port()
        production = {
            **base_env, "MITWIRKEN_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": HOST, "SITE_URL": f"http://{HOST}:{port}",
            "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0",
            # In-process figures are for a page rendered, not one shared from the cache (core/pagecache.py);
            # the server under load shares them, as production does.
            "MITWIRKEN_PAGE_CACHE": "0",
        }  # fmt: skip
        run_step("migrate", [python, "manage.py", "migrate", "--no-input"], development)
        # Demo data first, then the scaled records with separate counts (bench/seed.py explains why).
        run_step("seed_demo", [python, "manage.py", "seed_demo"], development)
        static = run_step("collectstatic", [python, str(BENCH / "collectstatic.py")], production, check=False)
        if static.returncode == 3:
            missing = re.search(r"The file '([^']+)' could not be found", static.stderr)
            problem = f"collectstatic fails: {missing.group(1) if missing else 'a source map'} is missing"
            notes.append(f"{problem} (`make static` does not copy it); this run left the reference unhashed.")
            log(f"WARNING: {problem}; continuing with the reference left unhashed")
        elif static.returncode != 0:
            raise RuntimeError(f"collectstatic failed:\n{static.stdout[-2000:]}\n{static.stderr[-4000:]}")

        reports_small: dict | None = None
        if not args.skip_reports:
            # Before the other scale data: the report endpoints at the small size, in-process.
            reports_small = reports_bench.prepare(python, development, production, args.reports_small, run_json)
        dialogue_small: dict | None = None
        if not args.skip_dialogue:
            # Likewise: the dialogue pages with few ideas, in-process.
            dialogue_small = dialogue_bench.prepare(python, development, production, args.ideas_small, run_json)
        surveys_small: dict | None = None
        if not args.skip_surveys:
            surveys_small = surveys_bench.prepare(
                python, development, production, args.survey_responses_small, run_json
            )
        events_small: dict | None = None
        if not args.skip_events:
            events_small = events_bench.prepare(python, development, production, args.events_small, run_json)
        volunteering_small: dict | None = None
        if not args.skip_volunteering:
            volunteering_small = volunteering_bench.prepare(
                python, development, production, args.opportunities_small, 5 * args.opportunities_small, run_json
            )

        formal: dict | None = None
        info: dict = {}
        inbox: list[Endpoint] = []
        if not args.skip_formal:
            # Created with the server's SECRET_KEY, so the session is valid there.
            info = run_json("staff session with second factor", [python, str(BENCH / "formal_tools.py"), "info"], production)  # fmt: skip
            cookie = f"{info['session_cookie_name']}={info['staff_session']}"
            inbox = inbox_endpoints(info["inbox_path"], cookie)
            queries_command = [python, str(BENCH / "queries.py"), "--cookie", cookie]
            small = run_json(f"inbox queries at demo size ({info['statements']} statements)",
                             [*queries_command, *(endpoint.path for endpoint in inbox)], production)  # fmt: skip
            citizen_cookie = f"{info['session_cookie_name']}={info['citizen_session']}"
            personal = personal_endpoints(info, cookie, citizen_cookie)
            small_personal = measure_personal(python, production, personal, "at demo size")
            formal = {"inbox_endpoints": inbox, "inbox_queries_small": small, "inbox_base_path": info["inbox_path"],
                      "statements_demo": info["statements"], "personal_endpoints": personal,
                      "personal_small": small_personal}  # fmt: skip
        statements = 0 if args.skip_formal else args.statements
        seeded = run_json(f"bench/seed.py --projects {args.scale} --statements {statements}",
                          [python, str(BENCH / "seed.py"), "--projects", str(args.scale), "--statements", str(statements)],
                          development)  # fmt: skip
        log(f"  {seeded}")
        reports_large: dict | None = None
        reports: list[Endpoint] = []
        if reports_small is not None:
            reports_large = reports_bench.prepare(python, development, production, args.reports, run_json)
            available, missing = reports_bench.answered(reports_small, reports_large)
            reports = report_endpoints(available)
            notes.extend(missing)
        dialogue_large: dict | None = None
        dialogue: list[Endpoint] = []
        if dialogue_small is not None:
            dialogue_large = dialogue_bench.prepare(python, development, production, args.ideas, run_json)
            available, missing = dialogue_bench.answered(dialogue_small, dialogue_large)
            dialogue = [Endpoint(key, path, label) for key, path, label in available]
            notes.extend(missing)
        surveys_large: dict | None = None
        survey_pages: list[Endpoint] = []
        if surveys_small is not None:
            surveys_large = surveys_bench.prepare(python, development, production, args.survey_responses, run_json)
            survey_pages = [Endpoint(*entry) for entry in surveys_bench.endpoints(surveys_large)]
        events_large: dict | None = None
        event_pages: list[Endpoint] = []
        if events_small is not None:
            events_large = events_bench.prepare(python, development, production, args.events, run_json)
            event_pages = [Endpoint(*entry) for entry in events_bench.endpoints(events_large)]
        volunteering_large: dict | None = None
        volunteering_pages: list[Endpoint] = []
        if volunteering_small is not None:
            volunteering_large = volunteering_bench.prepare(
                python, development, production, args.opportunities, args.volunteers, run_json
            )
            volunteering_pages = [
                Endpoint(*entry) for entry in volunteering_bench.endpoints(volunteering_small, volunteering_large)
            ]

        geocoder: dict | None = None
        if not args.skip_geocoder:
            # In-process only: one suggestion request per keystroke is a latency question, not a throughput one.
            geocoder = geocoder_bench.measure(python, development, production, args.addresses, run_json)

        if formal is not None:
            given = run_json(f"bench/seed.py --account-items {args.account_items}",
                             [python, str(BENCH / "seed.py"), "--account-items", str(args.account_items)],
                             development)  # fmt: skip
            formal["account_items"] = given.get("account_items", {})
            formal["personal_large"] = measure_personal(python, production, formal["personal_endpoints"],
                                                        f"with {args.account_items:,} items per module")  # fmt: skip

        log("counting queries in-process")
        paths = [endpoint.path for endpoint in [BASELINE, *ENDPOINTS]]
        inprocess = run_json("in-process measurement", [python, str(BENCH / "queries.py"), *paths], production)
        if inbox:
            staff_pages = run_json("in-process measurement, inbox",
                                   [*queries_command, *(endpoint.path for endpoint in inbox)], production)  # fmt: skip
            inprocess["endpoints"].update(staff_pages["endpoints"])

        server = Server({**production, "MITWIRKEN_PAGE_CACHE": "1"}, port, args.workers, tmp / "gunicorn.log")
        server.start()
        log(f"gunicorn on {server.base_url} with {args.workers} workers")
        personal = formal["personal_endpoints"] if formal is not None else []
        for endpoint in personal:
            inprocess["endpoints"][endpoint.path] = formal["personal_large"][endpoint.path]  # type: ignore[index]
        measured_endpoints = [*ENDPOINTS, *inbox, *personal, *reports, *dialogue, *survey_pages, *event_pages,
                              *volunteering_pages]  # fmt: skip
        sizes = {endpoint.key: server.check(endpoint) for endpoint in [BASELINE, *measured_endpoints]}

        use_wrk = args.client == "wrk" or (args.client == "auto" and wrk_path())
        if args.client == "wrk" and not wrk_path():
            raise RuntimeError("--client wrk, but wrk is not installed (apt-get install wrk)")
        client: WrkClient | PythonClient = (
            WrkClient(tmp, args.connections) if use_wrk else PythonClient(args.connections)
        )
        if not use_wrk:
            notes.append(
                "Load from the Python fallback client instead of wrk: it may saturate before the server "
                "does on the baseline, which makes ratios look better than with wrk."
            )
        log(f"load generator: {client.name}, {args.connections} connections")
        measured = measure(server, client, args, measured_endpoints)
        failures = {key: sum(s.errors + s.bad_status for s in samples) for key, samples in measured.samples.items()}
        for key, count in failures.items():
            if count:
                notes.append(f"{key}: {count} failed requests (connection errors, timeouts or status ≥ 400).")

        if formal is not None:
            formal["statements"] = seeded["statements_total"]
            formal["statements_scaled"] = statements
            formal["seed_seconds"] = seeded.get("statements_seconds")
            # The server is idle meanwhile; each export runs in its own process.
            formal["export"] = measure_exports(python, production, seeded["statements_total"])
            formal["burst"] = deadline_burst(server, python, production, info, tmp, args)
            for name in formal["burst"]["failed_checks"]:
                notes.append(f"Deadline burst: check failed: {name} (see the burst table).")
            for item in formal["export"]:
                if not item["under_target"]:
                    notes.append(
                        f"{item['format'].upper()} export of {item['statements']:,} statements peaked at "
                        f"{item['rss_peak_mb']:.0f} MB, above the {EXPORT_TARGET_MB} MB target."
                    )
        survey_exports: list[dict] = []
        survey_submits: dict | None = None
        if surveys_large is not None:
            # The server is idle meanwhile; each export runs in its own process.
            survey_exports = surveys_bench.exports(python, production, run_json)
            survey_submits = surveys_bench.submissions(python, production, args.survey_submissions, run_json)
        server.stop()
        routing_result = None
        if reports_large is not None:
            # In-process, after the load: it writes (and rolls back) thousands of organisations.
            routing_result = reports_bench.routing(
                python, production, args.routing_sizes, args.routing_points, run_json
            )
        whole_log = log_counts(server.log_text())
        if any(whole_log.values()):
            notes.append(f"Server log of the whole run: {whole_log}.")

        report = build_report(args, measured, inprocess, sizes, client.name, notes, formal)
        if reports_small is not None and reports_large is not None:
            entries = [endpoint_entry(endpoint, measured, reports_large, sizes) for endpoint in reports]
            report["reports"] = reports_bench.section(entries, reports_small, reports_large, routing_result)
            report["notes"] += reports_bench.notes(report)
        if dialogue_small is not None and dialogue_large is not None:
            in_dialogue = dialogue_bench.by_path(dialogue_large)
            entries = [endpoint_entry(endpoint, measured, in_dialogue, sizes) for endpoint in dialogue]
            report["dialogue"] = dialogue_bench.section(entries, dialogue_small, dialogue_large)
            report["notes"] += dialogue_bench.notes(report)
        if surveys_small is not None and surveys_large is not None:
            in_surveys = {"endpoints": surveys_large["endpoints"]}
            entries = [endpoint_entry(endpoint, measured, in_surveys, sizes) for endpoint in survey_pages]
            report["surveys"] = surveys_bench.section(entries, surveys_small, surveys_large, survey_exports,
                                                      survey_submits)  # fmt: skip
            report["notes"] += surveys_bench.notes(report)
        if events_small is not None and events_large is not None:
            in_events = {"endpoints": events_large["endpoints"]}
            entries = [endpoint_entry(endpoint, measured, in_events, sizes) for endpoint in event_pages]
            report["events"] = events_bench.section(entries, events_small, events_large)
            report["notes"] += events_bench.notes(report)
        if volunteering_small is not None and volunteering_large is not None:
            in_volunteering = {"endpoints": volunteering_large["endpoints"]}
            entries = [endpoint_entry(endpoint, measured, in_volunteering, sizes) for endpoint in volunteering_pages]
            report["volunteering"] = volunteering_bench.section(entries, volunteering_small, volunteering_large)
            report["notes"] += volunteering_bench.notes(report)
        if geocoder is not None:
            report["geocoder"] = geocoder
            report["notes"] += geocoder_bench.notes(geocoder)
        report["machine"]["load_average_1m"] = load_before
        report["machine"]["cpu_busy_before"] = None if busy_before is None else round(busy_before, 3)
        report["notes"] += noise_notes(report, busy_before)
        report["seconds_total"] = round(time.perf_counter() - began)
        print_table(report)
        if not args.no_write:
            results = results_json(report["db_vendor"])
            write_docs(report)  # before the file is replaced: the docs read the other database's run from its file
            results.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            log(f"wrote {results.relative_to(ROOT)} and {PERFORMANCE_MD.relative_to(ROOT)}")
        log(f"done in {time.perf_counter() - began:.0f} s")
        failed = 0
        if formal is not None and formal["burst"]["failed_checks"]:
            log(f"FAILED: deadline burst checks: {', '.join(formal['burst']['failed_checks'])}")
            failed = 1
        slow = targets.over_target(report)
        if slow:
            log(f"FAILED: over the {targets.TARGET_MS:g} ms target on {report['db_vendor']}: " + "; ".join(slow))
            failed = 1
        return failed
    finally:
        if server is not None:
            server.stop()
        if postgres_maintenance is not None and not args.keep:
            try:
                recreate_postgres_database(postgres_maintenance, create=False)
            except Exception as error:  # cleanup must not hide the original error
                log(f"could not drop {BENCH_DATABASE}: {error}")
        if args.keep:
            log(f"kept {tmp}" + (f" and the database {BENCH_DATABASE}" if postgres_maintenance is not None else ""))
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as failure:
        print(f"\nbench failed: {failure}", file=sys.stderr)
        sys.exit(1)
