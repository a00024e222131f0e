"""Load generators for the benchmark: ``wrk`` when installed, otherwise a small threaded Python client.

Both measure one URL for a fixed time with a fixed number of concurrent connections and return a
``Sample``. The Python client also stops after ``max_requests``, so a run is bounded by time and count.
"""

from __future__ import annotations

import http.client
import json
import shutil
import statistics
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

# wrk calls done() once at the end; it prints one JSON line the harness parses (latencies in microseconds).
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "errors": %d, "status_errors": %d, '
    .. '"timeouts": %d, "p50_us": %.1f, "p95_us": %.1f, "p99_us": %.1f, "max_us": %.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect + e.read + e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


@dataclass
class Sample:
    requests: int
    seconds: float
    errors: int  # connection errors and timeouts
    bad_status: int  # responses other than 2xx/3xx
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_path() -> str | None:
    return shutil.which("wrk")


def wrk_version() -> str:
    binary = wrk_path()
    if not binary:
        return ""
    result = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    text = (result.stdout or result.stderr).strip()
    return text.splitlines()[0].split(" Copyright")[0].strip() if text else "wrk"


class WrkClient:
    name = "wrk"

    def __init__(self, workdir: Path, connections: int, threads: int = 1) -> None:
        self.binary = wrk_path() or "wrk"
        self.connections = connections
        self.threads = threads
        self.script = workdir / "bench_report.lua"
        self.script.write_text(WRK_SCRIPT, encoding="utf-8")

    def run(
        self, url: str, seconds: float, max_requests: int, headers: tuple[tuple[str, str], ...] = ()
    ) -> Sample:  # max_requests: wrk is bounded by time
        command = [
            self.binary, f"-t{self.threads}", f"-c{self.connections}", f"-d{max(1, round(seconds))}s",
            "--timeout", "10s", "-s", str(self.script),
            *(argument for name, value in headers for argument in ("-H", f"{name}: {value}")), url,
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds + 60)
        line = next((ln for ln in result.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
        if result.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")
        data = json.loads(line.removeprefix("BENCH_JSON "))
        return Sample(
            requests=data["requests"], seconds=data["duration_us"] / 1e6,
            errors=data["errors"] + data["timeouts"], bad_status=data["status_errors"],
            p50_ms=data["p50_us"] / 1000, p95_ms=data["p95_us"] / 1000, p99_ms=data["p99_us"] / 1000,
        )  # fmt: skip


def _percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


class PythonClient:
    """Threads with one ``http.client`` connection each; reuses the connection when the server keeps it open.

    The GIL makes this client far slower than wrk: on a small machine it can become the bottleneck for the
    trivial baseline, which makes every ratio look better than it is. The harness notes this in the results.
    """

    name = "python"

    def __init__(self, connections: int) -> None:
        self.connections = connections

    def run(self, url: str, seconds: float, max_requests: int, headers: tuple[tuple[str, str], ...] = ()) -> Sample:
        parsed = urllib.parse.urlsplit(url)
        host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        lock = threading.Lock()
        issued = 0
        errors = 0
        bad_status = 0
        latencies: list[float] = []
        start = time.perf_counter()
        deadline = start + seconds

        def worker() -> None:
            nonlocal issued, errors, bad_status
            connection = http.client.HTTPConnection(host, port, timeout=10)
            own: list[float] = []
            own_errors = own_bad = 0
            try:
                while time.perf_counter() < deadline:
                    with lock:
                        if issued >= max_requests:
                            break
                        issued += 1
                    began = time.perf_counter()
                    try:
                        connection.request("GET", path, headers=dict(headers))
                        response = connection.getresponse()
                        response.read()
                    except (OSError, http.client.HTTPException):
                        own_errors += 1
                        connection.close()
                        continue
                    own.append(time.perf_counter() - began)
                    if response.status >= 400:
                        own_bad += 1
            finally:
                connection.close()
                with lock:
                    latencies.extend(own)
                    errors += own_errors
                    bad_status += own_bad

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(self.connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + 30)
        elapsed = time.perf_counter() - start
        latencies.sort()
        return Sample(
            requests=len(latencies), seconds=elapsed, errors=errors, bad_status=bad_status,
            p50_ms=_percentile(latencies, 0.50) * 1000, p95_ms=_percentile(latencies, 0.95) * 1000,
            p99_ms=_percentile(latencies, 0.99) * 1000,
        )  # fmt: skip


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
