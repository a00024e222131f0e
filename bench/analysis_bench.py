"""Near-duplicate grouping at the scale of a large procedure: 50,000 statements.

    .venv/bin/python bench/analysis_bench.py [--statements 50000] [--seed 4711]

Builds the statements with the test set's generator (tests/analysis_corpus/make_corpus.py) scaled up: about 90
campaigns with up to a few thousand signers each and several thousand individual statements. Then measures, in
this one process:

* the full run (``build_index`` over all statements in arrival order): time and peak RSS of the process;
* adding one more statement to the index of 50,000: the median and 95th percentile over 200 further statements;
* pair precision and recall against the generator's labels, as in the test, and how many individual statements
  were grouped with others.

The statements are generated before the clock starts; peak RSS includes them (about a third of it).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from mitwirken.analysis.nearduplicates import build_index  # noqa: E402


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "tests" / "analysis_corpus" / "make_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--statements", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=4711)
    parser.add_argument("--added", type=int, default=200, help="statements added one at a time afterwards")
    args = parser.parse_args()

    corpus = _generator()
    scale = args.statements / 50_000
    started = time.perf_counter()
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
        rows = corpus.build(args.seed, plan)
        if len(rows) >= args.statements + args.added:
            break
        campaigns += 1
    print(f"generated {len(rows):,} statements in {time.perf_counter() - started:.1f} s")
    batch, later = rows[: args.statements], rows[args.statements : args.statements + args.added]

    started, cpu = time.perf_counter(), time.process_time()
    index = build_index((row["id"], row["text"]) for row in batch)
    full_run, full_cpu = time.perf_counter() - started, time.process_time() - cpu
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux

    times, cpu_times = [], []
    for row in later:
        started, cpu = time.perf_counter(), time.process_time()
        index.add(row["id"], row["text"])
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu) * 1000)

    predicted = {}
    for number, group in enumerate(index.groups()):
        for key in group.keys:
            predicted[key] = number
    labelled = batch + later
    found = {row["id"]: predicted.get(row["id"], row["id"]) for row in labelled}
    truth = Counter(row["group"] for row in labelled)
    groups = Counter(found.values())
    both = Counter((row["group"], found[row["id"]]) for row in labelled)
    true_pairs = sum(_pairs(n) for n in both.values())
    precision = true_pairs / max(1, sum(_pairs(n) for n in groups.values()))
    recall = true_pairs / max(1, sum(_pairs(n) for n in truth.values()))
    individuals = [row for row in labelled if row["kind"] == "individual"]
    wrongly = sum(1 for row in individuals if groups[found[row["id"]]] > truth[row["group"]])

    kinds = Counter(row["kind"] for row in batch)
    print(f"statements: {len(batch):,} ({kinds['campaign']:,} campaign letters in {len({r['group'] for r in batch if r['kind'] == 'campaign'})} campaigns, {kinds['individual']:,} individual)")  # fmt: skip
    print(f"full run: {full_run:.1f} s wall, {full_cpu:.1f} s CPU ({full_run / len(batch) * 1000:.2f} ms per statement), "
          f"peak RSS {rss_mb:.0f} MB")  # fmt: skip
    print(f"one more statement at {len(batch):,}: median {statistics.median(times):.1f} ms "
          f"(CPU {statistics.median(cpu_times):.1f} ms), 95th percentile {statistics.quantiles(times, n=20)[-1]:.1f} ms, "
          f"max {max(times):.1f} ms")  # fmt: skip
    print(f"load average during the run: {os.getloadavg()[0]:.1f} (the bench itself is one process)")
    print(f"pair precision {precision:.4f}, pair recall {recall:.4f}; {len(index.groups()):,} groups; "
          f"individual statements grouped with others: {wrongly} of {len(individuals):,}")  # fmt: skip


if __name__ == "__main__":
    main()
