"""The analysis of a large procedure: 50,000 statements, the way the task worker runs it.

    .venv/bin/python bench/analysis_bench.py [--statements 50000] [--seed 4711] [--write]

Builds the statements with the test set's generator (tests/analysis_corpus/make_corpus.py) scaled up: about 90
campaigns with up to a few thousand signers each and several thousand individual statements. Then measures, in
this one process on the machine's cores:

* the **full analysis** – what ``formal.grouping.regroup`` and ``formal.topics.compute`` do, without the database:
  the near-duplicate index over all statements in arrival order, the topic proposals over the voices (each
  campaign once, by its lead, weighted by its signers) and the summary of every proposal: time (wall and CPU)
  and the peak RSS of the process;
* **one more statement** at 50,000: placed in the index and in the nearest topic proposal, median and 95th
  percentile over 200 further statements;
* the stored index: its size compressed, and the time to write and read it (what a placement task pays once for
  all statements waiting, ``formal.grouping.place_statements``);
* pair precision and recall of the grouping against the generator's labels, as in the test.

The statements are generated before the clock starts; peak RSS includes them (about a third of it). ``--write``
puts the figures into ``bench/results-analysis.json`` and docs/performance.md (``make bench`` does).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pickle
import platform
import resource
import statistics
import subprocess
import sys
import time
import zlib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from mitwirken.analysis.nearduplicates import NearDuplicateIndex, build_index  # noqa: E402
from mitwirken.analysis.summaries import summarise  # noqa: E402
from mitwirken.analysis.topics import propose  # noqa: E402

RESULTS = ROOT / "bench" / "results-analysis.json"
PERFORMANCE_MD = ROOT / "docs" / "performance.md"
MARKERS = ("<!-- bench:analysis:start -->", "<!-- bench:analysis:end -->")


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "tests" / "analysis_corpus" / "make_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _commit() -> str:
    git = ["git", "rev-parse", "--short", "HEAD"]
    return subprocess.run(git, capture_output=True, text=True, cwd=ROOT, check=False).stdout.strip()


def _statements(seed: int, wanted: int) -> list[dict[str, Any]]:
    corpus = _generator()
    scale = wanted / 50_000
    campaigns = max(2, round(16 * scale))
    while True:  # campaign sizes are random: add campaigns until there are enough statements
        plan = corpus.Plan(
            campaigns_per_topic=(campaigns, campaigns + 2),
            members=(3, 3000),
            individuals_per_topic=max(10, round(1000 * scale)),
            short_per_topic=max(2, round(150 * scale)),
            quoting_per_topic=max(1, round(40 * scale)),
            resubmitted_per_topic=max(1, round(30 * scale)),
        )
        rows: list[dict[str, Any]] = corpus.build(seed, plan)
        if len(rows) >= wanted:
            return rows
        campaigns += 1


def _voices(index: NearDuplicateIndex, batch: list[dict[str, Any]]) -> tuple[list[tuple[Any, str]], dict[Any, int]]:
    """Each campaign once, by its lead, weighted by its signers (as ``formal.topics`` reads them from the rows)."""
    grouped = {}
    for group in index.groups():
        grouped[group.lead] = len(group.keys)
        grouped.update({member.key: 0 for member in group.members})
    voices = [(row["id"], row["text"]) for row in batch if grouped.get(row["id"], 1)]
    return voices, {key: size for key, size in grouped.items() if size}


def _quality(index: NearDuplicateIndex, labelled: list[dict[str, Any]]) -> dict[str, Any]:
    predicted = {}
    for number, group in enumerate(index.groups()):
        for key in group.keys:
            predicted[key] = number
    found = {row["id"]: predicted.get(row["id"], row["id"]) for row in labelled}
    truth = Counter(row["group"] for row in labelled)
    groups = Counter(found.values())
    both = Counter((row["group"], found[row["id"]]) for row in labelled)
    true_pairs = sum(_pairs(n) for n in both.values())
    individuals = [row for row in labelled if row["kind"] == "individual"]
    return {
        "precision": round(true_pairs / max(1, sum(_pairs(n) for n in groups.values())), 4),
        "recall": round(true_pairs / max(1, sum(_pairs(n) for n in truth.values())), 4),
        "groups": len(index.groups()),
        "individual_grouped": sum(1 for row in individuals if groups[found[row["id"]]] > truth[row["group"]]),
        "individual": len(individuals),
    }


def _core_speed_ms() -> float:
    """A fixed piece of pure Python, best of three: how fast one core of this machine is, to compare runs."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        sum(range(10**7))
        times.append(time.perf_counter() - started)
    return round(min(times) * 1000)


TARGETS = {"full_s": 60, "peak_rss_mb": 1024, "place_median_ms": 50}  # issue 18


def measure(statements: int, seed: int, added: int) -> dict[str, Any]:
    core_speed_ms = _core_speed_ms()
    started = time.perf_counter()
    rows = _statements(seed, statements + added)
    generated = time.perf_counter() - started
    batch, later = rows[:statements], rows[statements : statements + added]
    kinds = Counter(row["kind"] for row in batch)

    started, cpu = time.perf_counter(), time.process_time()
    index = build_index((row["id"], row["text"]) for row in batch)
    grouping = time.perf_counter() - started
    voices, weights = _voices(index, batch)
    topics = propose(voices, weights)
    clustering = time.perf_counter() - started - grouping
    texts = dict(voices)
    for proposal in topics.proposals:
        summarise(((key, texts[key]) for key in proposal.members), proposal.centroid)
    full, full_cpu = time.perf_counter() - started, time.process_time() - cpu
    summarising = full - grouping - clustering
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux

    assert topics.placer is not None
    times = []
    for row in later:
        started = time.perf_counter()
        index.add(row["id"], row["text"])
        topics.placer.place(row["text"])
        times.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    stored = zlib.compress(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL), level=1)  # as analysis.state does
    written = time.perf_counter() - started
    started = time.perf_counter()
    pickle.loads(zlib.decompress(stored))  # noqa: S301 - the bench's own bytes
    read = time.perf_counter() - started

    return {
        "date": datetime.now(UTC).date().isoformat(),
        "commit": _commit(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average": round(os.getloadavg()[0], 1),
        "core_speed_ms": core_speed_ms,
        "statements": len(batch),
        "campaign_letters": kinds["campaign"],
        "campaigns": len({row["group"] for row in batch if row["kind"] == "campaign"}),
        "individual": kinds["individual"],
        "generated_s": round(generated, 1),
        "full_s": round(full, 1),
        "full_cpu_s": round(full_cpu, 1),
        "grouping_s": round(grouping, 1),
        "topics_s": round(clustering, 1),
        "summaries_s": round(summarising, 1),
        "voices": len(voices),
        "proposals": len(topics.proposals),
        "peak_rss_mb": round(rss_mb),
        "place_median_ms": round(statistics.median(times), 2),
        "place_p95_ms": round(statistics.quantiles(times, n=20)[-1], 2),
        "place_max_ms": round(max(times), 2),
        "index_stored_mb": round(len(stored) / 1e6, 1),
        "index_write_s": round(written, 1),
        "index_read_s": round(read, 1),
        **_quality(index, batch + later),
    }


def table(result: dict[str, Any]) -> str:
    r = result
    return "\n".join(
        [
            f"Measured {r['date']} at `{r['commit']}` ({r['machine']}; `sum(range(10**7))` in {r.get('core_speed_ms', '?')} ms; "
            f"load average {r['load_average']} at the end), "
            f"{r['statements']:,} statements: {r['campaign_letters']:,} campaign letters in {r['campaigns']} campaigns, "
            f"{r['individual']:,} individual ones. Targets of issue 18: at most 60 s and 1 GB, at most 50 ms per "
            "further statement.",
            "",
            "| | Measured |",
            "|---|---:|",
            f"| **Full analysis** (wall) | **{r['full_s']} s** |",
            f"| of which near-duplicate groups | {r['grouping_s']} s |",
            f"| of which topic proposals ({r['voices']:,} voices, {r['proposals']} proposals) | {r['topics_s']} s |",
            f"| of which summaries | {r['summaries_s']} s |",
            f"| CPU time (both cores) | {r['full_cpu_s']} s |",
            f"| **Peak memory** (RSS, with the generated texts) | **{r['peak_rss_mb']} MB** |",
            f"| **One more statement** (groups and topic), median | **{r['place_median_ms']} ms** |",
            f"| … 95th percentile / maximum | {r['place_p95_ms']} / {r['place_max_ms']} ms |",
            f"| Stored index (compressed) / write / read | {r['index_stored_mb']} MB / {r['index_write_s']} s / "
            f"{r['index_read_s']} s |",
            f"| Pair precision / recall of the groups | {r['precision']} / {r['recall']} |",
            f"| Individual statements grouped with others | {r['individual_grouped']} of {r['individual']:,} |",
        ]
    )


def write(result: dict[str, Any]) -> None:
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    text = PERFORMANCE_MD.read_text()
    start, end = MARKERS
    before, _old, after = text.partition(start)[0], None, text.partition(end)[2]
    if start not in text:
        raise SystemExit(f"{PERFORMANCE_MD} has no {start} section")
    PERFORMANCE_MD.write_text(f"{before}{start}\n{table(result)}\n{end}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--statements", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=4711)
    parser.add_argument("--added", type=int, default=200, help="statements added one at a time afterwards")
    parser.add_argument("--write", action="store_true", help="write the results into bench/ and docs/")
    args = parser.parse_args()
    result = measure(args.statements, args.seed, args.added)
    print(table(result))
    if args.write:
        write(result)
    over = [f"{name} = {result[name]} (target {limit})" for name, limit in TARGETS.items() if result[name] > limit]
    if over:
        raise SystemExit("over the targets of issue 18: " + ", ".join(over))


if __name__ == "__main__":
    main()
