"""``make bench``: throughput of the busiest public pages as a ratio to a trivial view on the same server.

1. Builds a throw-away environment: a temporary var directory with its own SQLite database (or, with
   ``DATABASE_URL`` pointing at PostgreSQL, a dedicated database ``mitwirken_bench`` on that server),
   migrates it and seeds the demo data plus ``--scale`` projects.
2. Collects static files and starts gunicorn with production settings on a free port on 127.0.0.1.
3. Loads every endpoint with wrk (or the Python fallback client) in several rounds, each round starting
   with the baseline ``/robots.txt``; an endpoint's ratio is its throughput divided by the baseline's in
   the same round, and the report shows the median over the rounds.
4. Counts SQL queries per request in-process against the same database.
5. Prints a table, writes ``bench/results.json`` and the results section of ``docs/performance.md``.

Everything it starts or creates is stopped and removed again on every exit path.
Extra options may also come from the environment: ``BENCH_ARGS="--rounds 5" make bench``.
"""

from __future__ import annotations

import argparse
import contextlib
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

from loadgen import PythonClient, Sample, WrkClient, median, wrk_path, wrk_version

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS_JSON = BENCH / "results.json"
PERFORMANCE_MD = ROOT / "docs" / "performance.md"
START_MARKER = "<!-- bench:start -->"
END_MARKER = "<!-- bench:end -->"
BENCH_DATABASE = "mitwirken_bench"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Endpoint:
    key: str
    path: str
    label: str


BASELINE = Endpoint("baseline", "/robots.txt", "Baseline: robots.txt (no database, no template)")
ENDPOINTS = [
    Endpoint("home", "/", "Start page"),
    Endpoint("home_filtered", "/?timing=open&seite=50", "Start page, running projects, page 50"),
    Endpoint("search", "/?q=Nr.+99", "Search"),
    Endpoint("organisation", "/musterkreis/", "Organisation page (holds the scaled projects)"),
    Endpoint("api_list", "/api/v1/projects?page=100", "API project list, page 100"),
]


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
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, start_new_session=True)
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

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        return ""

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
        """Fetch once; the benchmark refuses to measure a page that does not answer 200."""
        try:
            with urllib.request.urlopen(self.base_url + endpoint.path, timeout=30) as response:
                body = response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status, body = error.code, b""
        if status != 200:
            raise RuntimeError(f"{endpoint.path} answered {status}; not benchmarking an error page.\n{self.log_tail()}")
        return len(body)


# ---------------------------------------------------------------- measuring


def measure(server: Server, client: WrkClient | PythonClient, args: argparse.Namespace) -> Measurements:
    """Rounds of: every endpoint once, in rotating order, between two baseline measurements.

    An endpoint's ratio in a round is its req/s divided by the geometric mean of the baselines measured just
    before and just after that round, so a change in background load during the round affects both sides.
    """
    everything = [BASELINE, *ENDPOINTS]
    log(f"warm-up: {args.warmup:g} s per endpoint")
    for endpoint in everything:
        client.run(server.base_url + endpoint.path, args.warmup, args.max_requests)
    result = Measurements({endpoint.key: [] for endpoint in everything}, {endpoint.key: [] for endpoint in ENDPOINTS})
    baselines = result.samples[BASELINE.key]
    baselines.append(client.run(server.base_url + BASELINE.path, args.duration, args.max_requests))
    for round_index in range(args.rounds):
        shift = round_index % len(ENDPOINTS)  # no endpoint always runs first or last in a round
        measured = {}
        for endpoint in ENDPOINTS[shift:] + ENDPOINTS[:shift]:
            measured[endpoint.key] = client.run(server.base_url + endpoint.path, args.duration, args.max_requests)
        baselines.append(client.run(server.base_url + BASELINE.path, args.duration, args.max_requests))
        reference = math.sqrt(baselines[-2].rps * baselines[-1].rps)
        for key, sample in measured.items():
            result.samples[key].append(sample)
            result.ratios[key].append(sample.rps / reference if reference else 0.0)
        summary = ", ".join(f"{key} {measured[key].rps:,.0f}/s" for key in result.ratios)
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
    unstable = [
        f"{item['key']} {item['ratio_min']:.3f}–{item['ratio_max']:.3f}"
        for item in report["endpoints"][1:]
        if item["ratio_min"] > 0 and item["ratio_max"] / item["ratio_min"] > 1.5
    ]
    if unstable:
        notes.append(f"Ratios varied by more than 1.5× between rounds: {', '.join(unstable)}.")
    return notes


# ---------------------------------------------------------------- reporting


def build_report(
    args: argparse.Namespace,
    measured: Measurements,
    inprocess: dict,
    sizes: dict[str, int],
    client_name: str,
    notes: list[str],
) -> dict:
    endpoints = []
    for endpoint in [BASELINE, *ENDPOINTS]:
        samples = measured.samples[endpoint.key]
        ratios = measured.ratios.get(endpoint.key, [1.0] * len(samples))
        extra = inprocess["endpoints"][endpoint.path]
        endpoints.append({
            "key": endpoint.key, "path": endpoint.path, "label": endpoint.label,
            "rps": round(median([s.rps for s in samples]), 1),
            "rps_rounds": [round(s.rps, 1) for s in samples],
            "ratio": round(median(ratios), 4),
            "ratio_min": round(min(ratios), 4), "ratio_max": round(max(ratios), 4),
            "p50_ms": round(median([s.p50_ms for s in samples]), 2),
            "p95_ms": round(median([s.p95_ms for s in samples]), 2),
            "errors": sum(s.errors for s in samples), "bad_status": sum(s.bad_status for s in samples),
            "bytes": sizes[endpoint.key],
            "queries": extra["queries"], "repeated_queries": extra["repeated_queries"],
            "sql_ms": extra["sql_ms"], "inprocess_ms": extra["inprocess_ms"],
            "sample_repeated_query": extra["sample_repeated"],
        })  # fmt: skip
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
        "notes": notes,
    }


def format_ratio(value: float) -> str:
    if value >= 0.1:
        return f"{value:.2f}×"
    if value >= 0.001:
        return f"{value:.3f}×"
    return f"{value:.5f}×"


def table_rows(report: dict) -> list[list[str]]:
    rows = []
    for item in report["endpoints"]:
        repeated = f" ({item['repeated_queries']} repeated)" if item["repeated_queries"] else ""
        rows.append([
            item["label"], f"`{item['path']}`", f"{item['rps']:,.0f}",
            format_ratio(item["ratio"]) if item["key"] != BASELINE.key else "1 (baseline)",
            f"{item['p50_ms']:.1f}", f"{item['p95_ms']:.1f}", f"{item['inprocess_ms']:.1f}",
            f"{item['sql_ms']:.1f}", f"{item['queries']}{repeated}",
        ])  # fmt: skip
    return rows


HEADERS = ["Endpoint", "Path", "req/s", "Ratio", "p50 ms", "p95 ms", "1 req ms", "SQL ms", "SQL queries"]


def print_table(report: dict) -> None:
    rows = [[cell.strip("`") for cell in row] for row in table_rows(report)]
    widths = [max(len(header), *(len(row[i]) for row in rows)) for i, header in enumerate(HEADERS)]
    right = {2, 3, 4, 5, 6, 7}

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        )

    print()
    print(line(HEADERS))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
    settings = report["settings"]
    print(
        f"\n{report['db_vendor']} {report['db_version']}, {settings['projects_listed']:,} listed of "
        f"{settings['projects_total']:,} projects; {settings['client']} with {settings['connections']} connections, "
        f"{settings['rounds']} rounds of {settings['seconds_per_measurement']:g} s; gunicorn {settings['gunicorn_workers']} "
        f"sync workers; {report['machine']['cpus']} CPUs"
    )
    for note in report["notes"]:
        print(f"NOTE: {note}")
    print()


def markdown(report: dict) -> str:
    settings = report["settings"]
    machine_info = report["machine"]
    commit = report["git_commit"][:10] + (" (with uncommitted changes)" if report["git_dirty"] else "")
    client = settings["client_version"] or settings["client"]
    lines = [
        f"Measured {report['date']} at commit `{commit}` by `bench/run.py` (raw figures: `bench/results.json`).",
        "",
        f"- Database: {report['db_vendor']} {report['db_version']}, {settings['projects_total']:,} projects "
        f"({settings['projects_listed']:,} publicly listed, `seed_demo --scale {settings['scale']}`).",
        f"- Server: gunicorn {report['gunicorn']}, {settings['gunicorn_workers']} sync workers, production settings; "
        f"Python {report['python']}, Django {report['django']}.",
        f"- Load: {client}, {settings['connections']} connections, {settings['rounds']} rounds of "
        f"{settings['seconds_per_measurement']:g} s per endpoint after {settings['warmup_seconds']:g} s warm-up.",
        f"- Machine: {machine_info['cpus']} CPUs ({machine_info['cpu_model'] or 'unknown model'}), "
        f"{machine_info['memory_gb']} GB RAM; load generator on the same machine.",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join(["---", "---", *["---:"] * (len(HEADERS) - 2)]) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(report)]
    lines += [
        "",
        "Ratio: median over the rounds of endpoint req/s ÷ baseline req/s (the baselines measured just before "
        "and after the round). "
        "p50/p95: latency under load, including queueing. 1 req ms: median service time of a single "
        "request in-process (no HTTP, no concurrency); SQL ms: the part of it spent executing SQL. "
        "SQL queries: per request; *repeated* counts queries "
        "whose shape occurs more than once in the request, the usual sign of N+1.",
    ]
    if report["notes"]:
        lines += ["", "Notes from this run:", ""] + [f"- {note}" for note in report["notes"]]
    return "\n".join(lines)


def write_docs(report: dict) -> None:
    section = f"{START_MARKER}\n{markdown(report)}\n{END_MARKER}"
    if PERFORMANCE_MD.exists():
        text = PERFORMANCE_MD.read_text(encoding="utf-8")
    else:
        text = "# Performance\n\n## Latest results\n\n"
    start, end = text.find(START_MARKER), text.find(END_MARKER)
    if start != -1 and end > start:
        text = text[:start] + section + text[end + len(END_MARKER) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    PERFORMANCE_MD.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--scale", type=int, default=10_000, help="extra projects seeded (default 10000)")
    parser.add_argument("--rounds", type=int, default=5, help="measurement rounds (default 5)")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per endpoint per round (default 3)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per endpoint (default 2)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="per measurement, Python client only")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto", help="load generator")
    parser.add_argument("--no-write", action="store_true", help="print only; leave results.json and docs alone")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (for debugging)")
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
        run_step("migrate", [python, "manage.py", "migrate", "--no-input"], development)
        run_step(f"seed_demo --scale {args.scale}", [python, "manage.py", "seed_demo", "--scale", str(args.scale)], development)  # fmt: skip

        port = free_port()
        production = {
            **base_env, "MITWIRKEN_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": HOST, "SITE_URL": f"http://{HOST}:{port}",
            "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0",
        }  # fmt: skip
        static = run_step("collectstatic", [python, str(BENCH / "collectstatic.py")], production, check=False)
        if static.returncode == 3:
            missing = re.search(r"The file '([^']+)' could not be found", static.stderr)
            problem = f"collectstatic fails: {missing.group(1) if missing else 'a source map'} is missing"
            notes.append(f"{problem} (`make static` does not copy it); this run left the reference unhashed.")
            log(f"WARNING: {problem}; continuing with the reference left unhashed")
        elif static.returncode != 0:
            raise RuntimeError(f"collectstatic failed:\n{static.stdout[-2000:]}\n{static.stderr[-4000:]}")

        log("counting queries in-process")
        paths = [endpoint.path for endpoint in [BASELINE, *ENDPOINTS]]
        counted = run_step("in-process measurement", [python, str(BENCH / "queries.py"), *paths], production)
        inprocess = json.loads(counted.stdout)

        server = Server(production, port, args.workers, tmp / "gunicorn.log")
        server.start()
        log(f"gunicorn on {server.base_url} with {args.workers} workers")
        sizes = {endpoint.key: server.check(endpoint) for endpoint in [BASELINE, *ENDPOINTS]}

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
        measured = measure(server, client, args)
        failures = {key: sum(s.errors + s.bad_status for s in samples) for key, samples in measured.samples.items()}
        for key, count in failures.items():
            if count:
                notes.append(f"{key}: {count} failed requests (connection errors, timeouts or status ≥ 400).")
        server.stop()

        report = build_report(args, measured, inprocess, sizes, client.name, notes)
        report["machine"]["load_average_1m"] = load_before
        report["machine"]["cpu_busy_before"] = None if busy_before is None else round(busy_before, 3)
        report["notes"] += noise_notes(report, busy_before)
        print_table(report)
        if not args.no_write:
            RESULTS_JSON.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            write_docs(report)
            log(f"wrote {RESULTS_JSON.relative_to(ROOT)} and {PERFORMANCE_MD.relative_to(ROOT)}")
        log(f"done in {time.perf_counter() - began:.0f} s")
        return 0
    finally:
        if server is not None:
            server.stop()
        if postgres_maintenance is not None:
            try:
                recreate_postgres_database(postgres_maintenance, create=False)
            except Exception as error:  # cleanup must not hide the original error
                log(f"could not drop {BENCH_DATABASE}: {error}")
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as failure:
        print(f"\nbench failed: {failure}", file=sys.stderr)
        sys.exit(1)
