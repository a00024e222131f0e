"""The targets a run of ``make bench`` is checked against, and the two databases side by side.

Issue #15: every page and API endpoint in the benchmark answers one request in at most 20 ms in-process (the median
of single requests, no HTTP, no concurrency) on PostgreSQL at bench scale, the database production runs on. A run on
PostgreSQL that misses it fails (exit code 1) after writing its results, so a regression is seen. SQLite is measured
and shown, not enforced: it is the development database.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

TARGET_MS = 20.0
ENFORCED_ON = "postgresql"
BASELINE_KEY = "baseline"


def pages(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every measured page or endpoint of a run (its dict with key, label, inprocess_ms), in report order."""
    yield from _walk({key: value for key, value in report.items() if key != "geocoder"})
    suggest = (report.get("geocoder") or {}).get("suggest")
    if suggest:  # an API endpoint measured per keystroke, not under load
        yield {"key": "geocoder_suggest", "label": "Address suggestions, per keystroke (median)",
               "inprocess_ms": suggest["p50_ms"], "ratio": None}  # fmt: skip


def _walk(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    stack: list[Any] = [report]
    while stack:
        item = stack.pop(0)
        if isinstance(item, dict):
            if "inprocess_ms" in item and "key" in item and "label" in item:
                if item["key"] != BASELINE_KEY:
                    yield item
                continue
            stack[0:0] = list(item.values())
        elif isinstance(item, list):
            stack[0:0] = item


def over_target(report: dict[str, Any]) -> list[str]:
    """The pages over the target, as lines for the log; empty when the run meets it or is not enforced."""
    if report.get("db_vendor") != ENFORCED_ON:
        return []
    return [f"{page['label']}: {page['inprocess_ms']:.1f} ms" for page in pages(report)
            if page["inprocess_ms"] > TARGET_MS]  # fmt: skip


NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def _run_line(vendor: str, report: dict[str, Any] | None) -> str:
    name = NAMES.get(vendor, vendor)
    if report is None:
        return f"- {name}: no run recorded yet (`bench/results-{vendor}.json`)."
    machine = report.get("machine", {})
    busy = machine.get("cpu_busy_before")
    other_work = "unknown" if busy is None else ("yes" if busy > 0.2 else "no")
    commit = report["git_commit"][:10] + (" with uncommitted changes" if report.get("git_dirty") else "")
    return (f"- {name} {report.get('db_version', '').split(' ')[0]}: measured {report['date']} at commit `{commit}`; "
            f"other work running on the machine before the run: {other_work} (CPU busy {busy}, load "
            f"{machine.get('load_average_1m', 0):.1f}).")  # fmt: skip


def side_by_side(runs: dict[str, dict[str, Any] | None], table: Any) -> list[str]:
    """Markdown: one row per page, the in-process time and the ratio under load on each database."""
    sqlite, postgres = runs.get("sqlite"), runs.get("postgresql")
    by_key: dict[str, dict[str, dict[str, Any]]] = {}
    order: list[str] = []
    for vendor, report in (("postgresql", postgres), ("sqlite", sqlite)):
        for page in pages(report or {}):
            if page["key"] not in by_key:
                order.append(page["key"])
            by_key.setdefault(page["key"], {})[vendor] = page

    def cell(page: dict[str, Any] | None, field: str) -> str:
        if page is None or page.get(field) is None:
            return "–"
        value = page[field]
        return f"{value:.1f}" if field == "inprocess_ms" else (f"{value:.2g}×" if value < 0.1 else f"{value:.2f}×")

    rows = []
    for key in order:
        pair = by_key[key]
        label = (pair.get("postgresql") or pair.get("sqlite") or {})["label"]
        pg = pair.get("postgresql")
        met = "–" if pg is None else ("yes" if pg["inprocess_ms"] <= TARGET_MS else "**no**")
        rows.append([label, cell(pair.get("sqlite"), "inprocess_ms"), cell(pg, "inprocess_ms"),
                     cell(pair.get("sqlite"), "ratio"), cell(pg, "ratio"), met])  # fmt: skip
    headers = ["Page", "SQLite 1 req ms", "PostgreSQL 1 req ms", "SQLite ratio", "PostgreSQL ratio",
               f"≤ {TARGET_MS:g} ms on PostgreSQL"]  # fmt: skip
    return [
        _run_line("postgresql", postgres),
        _run_line("sqlite", sqlite),
        "",
        *table(headers, rows, left=1),
        "",
        f"1 req ms: median in-process service time of one request; ratio: throughput under load ÷ the trivial view's, "
        f"in the same run. A run on PostgreSQL fails when a page is over {TARGET_MS:g} ms.",
    ]
