"""The dialogue part of ``make bench``: the idea list and an idea page with 10,000 ideas and 100,000 comments.

``bench/run.py`` calls these hooks; the Django side runs in subprocesses (``bench/seed.py --ideas`` and
``bench/dialogue_tools.py``):

1. ``prepare(..., ideas=100)`` right after ``seed_demo``: tops the scale ideas of the demo's brainstorming
   module (*Was wird aus der alten Schule?*) up to 100, each with 8 comments and 2 replies, and measures the
   pages below in-process (queries, service time, size, what the page shows).
2. ``prepare(..., ideas=10000)`` after the other scale data: the same at 10,000 ideas and 100,000 comments.
   ``ENDPOINTS`` are then loaded over HTTP in the same rounds and against the same baseline as the other pages.
3. ``section``/``markdown``/``print_tables``/``notes`` turn the figures into the report.

No Django import here: this module runs in the harness process.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
TOOLS = str(BENCH / "dialogue_tools.py")

# DOMAIN.md §7: adhocracy+'s idea list with 10,000 ideas and 100,000 comments on 2 cores, against a trivial view.
PEER_RATIO = 0.0004
PEER_MS = 1800  # the same list, per request
TARGET_TIMES_PEER = 100  # "orders of magnitude better": a note below this multiple of PEER_RATIO
IDEA_TITLE = "Idee Nr. 50"  # a scale idea with 8 comments and 2 replies, present at both sizes
SEARCH = "Werkstatt"  # in the text of every fifth scale idea: 2,000 hits at 10,000 ideas
# key, path template (filled in by dialogue_tools.py), label
ENDPOINTS: list[tuple[str, str, str]] = [
    ("dialogue_list", "{module_path}", "Idea list, newest first"),
    ("dialogue_comments", "{module_path}?sort=comments", "Idea list, most comments first"),
    ("dialogue_deep", "{module_path}?seite=200", "Idea list, page 200"),
    ("dialogue_search", f"{{module_path}}?q={SEARCH}", f"Idea list, search „{SEARCH}“"),
    ("dialogue_idea", "{idea_path}", "Idea page with its comments"),
]
LISTS = {"dialogue_list", "dialogue_comments", "dialogue_deep", "dialogue_search"}

RunJson = Callable[[str, list[str], dict[str, str]], dict]


def templates() -> list[str]:
    return [template for _key, template, _label in ENDPOINTS]


def prepare(python: str, seed_env: dict[str, str], env: dict[str, str], ideas: int, run_json: RunJson) -> dict:
    """Top the scale ideas up to ``ideas`` and measure every dialogue page in-process at that size."""
    seeded = run_json(f"bench/seed.py --ideas {ideas}", [python, str(BENCH / "seed.py"), "--ideas", str(ideas)],
                      seed_env)  # fmt: skip
    measured = run_json(
        f"dialogue pages in-process at {seeded['ideas_total']:,} ideas, {seeded['idea_comments_total']:,} comments",
        [python, TOOLS, "inprocess", "--idea", IDEA_TITLE, *templates()],
        env,
    )
    measured["ideas_requested"] = ideas
    measured["seed_seconds"] = seeded.get("ideas_seconds")
    return measured


def answered(small: dict, large: dict) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(key, path, label) of the pages that answered 200 at both sizes, and a note for each one that did not."""
    usable, missing = [], []
    for key, template, label in ENDPOINTS:
        before, after = small["endpoints"][template], large["endpoints"][template]
        statuses = {before["status"], after["status"]}
        if statuses == {200}:
            usable.append((key, after["path"], label))
        else:
            missing.append(f"{after['path']} answered {'/'.join(map(str, sorted(statuses)))} in-process; not measured.")
    return usable, missing


def by_path(measured: dict) -> dict:
    """The in-process figures keyed by path, as ``run.endpoint_entry`` looks them up."""
    return {"endpoints": {item["path"]: item for item in measured["endpoints"].values()}}


def section(entries: list[dict], small: dict, large: dict) -> dict:
    """The ``dialogue`` part of results.json: the load-test entries plus the in-process figures at both sizes."""
    templates_by_key = {key: template for key, template, _label in ENDPOINTS}
    for entry in entries:
        template = templates_by_key[entry["key"]]
        entry["small"] = small["endpoints"][template]
        entry["large"] = large["endpoints"][template]
    facts = ("ideas_requested", "ideas_total", "ideas_public", "ideas_scaled", "comments_total", "ratings_total",
             "counter_mismatches", "seed_seconds")  # fmt: skip
    module_path = large["endpoints"][ENDPOINTS[0][1]]["path"]
    return {
        "module_pk": large["module_pk"],
        "module_path": module_path,
        "project_path": module_path.rstrip("/").rsplit("/", 1)[0],
        "idea_pk": large["idea_pk"],
        "idea_title": large["idea_title"],
        "idea_comments": large["idea_comments"],
        "small": {name: small.get(name) for name in facts},
        "large": {name: large.get(name) for name in facts},
        "peer_ratio": PEER_RATIO,
        "endpoints": entries,
    }


# ---------------------------------------------------------------- reporting

SCALE_HEADERS = ["Endpoint", "Shown at {small}", "… at {large}", "Bytes at {small}", "… at {large}",
                 "1 req ms at {small}", "… at {large}", "SQL ms at {small}", "… at {large}",
                 "SQL queries at {small}", "… at {large}"]  # fmt: skip


def _short(report: dict, path: str) -> str:
    return "…" + path.removeprefix(report["dialogue"]["project_path"])


def _queries(item: dict) -> str:
    repeated = f" ({item['repeated_queries']} repeated)" if item.get("repeated_queries") else ""
    return f"{item['queries']}{repeated}"


def _shown(item: dict) -> str:
    if "found" in item:
        page = f", page {item['page']} of {item['pages']:,}" if "page" in item else ""
        return f"{item['cards']} of {item['found']:,} ideas{page}"
    return f"{item.get('comments_shown', 0)} comments"


def load_rows(report: dict, row: Callable[[dict, str], list[str]]) -> list[list[str]]:
    baseline = report["endpoints"][0]
    rows = [[*row(baseline, baseline["path"]), "–"]]
    for item in report["dialogue"]["endpoints"]:
        # adhocracy+'s figure is for its idea list; it says nothing about an idea page.
        peer = _times_peer(item["ratio"]) if item["key"] in LISTS else "–"
        rows.append([*row(item, _short(report, item["path"])), peer])
    return rows


def _times_peer(ratio: float) -> str:
    multiple = ratio / PEER_RATIO
    return f"{multiple:,.0f}×" if multiple >= 10 else f"{multiple:.1f}×"


def scale_rows(report: dict) -> list[list[str]]:
    return [
        [
            item["label"], _shown(item["small"]), _shown(item["large"]), f"{item['small']['bytes']:,}",
            f"{item['large']['bytes']:,}", f"{item['small']['inprocess_ms']:.1f}", f"{item['large']['inprocess_ms']:.1f}",
            f"{item['small']['sql_ms']:.1f}", f"{item['large']['sql_ms']:.1f}", _queries(item["small"]),
            _queries(item["large"]),
        ]
        for item in report["dialogue"]["endpoints"]
    ]  # fmt: skip


def _sizes(section_: dict) -> tuple[str, str]:
    return f"{section_['small']['ideas_scaled']:,}", f"{section_['large']['ideas_scaled']:,}"


def _list_summary(section_: dict) -> str:
    """One sentence comparing the plain idea list with adhocracy+'s figures."""
    first = next((item for item in section_["endpoints"] if item["key"] == "dialogue_list"), None)
    if first is None:
        return ""
    return (
        f"The idea list (newest first, page 1) reaches {first['ratio']:.2g}× of the trivial view "
        f"({first['ratio_min']:.2g}×–{first['ratio_max']:.2g}× across the rounds), {first['ratio'] / PEER_RATIO:,.0f} "
        f"times adhocracy+'s {PEER_RATIO}× at the same size; one request takes {first['inprocess_ms']:.1f} ms "
        f"in-process, against adhocracy+'s {PEER_MS:,} ms ({PEER_MS / first['inprocess_ms']:,.0f} times less)."
    )


def markdown(report: dict, table: Callable[..., list[str]], row: Callable[[dict, str], list[str]]) -> list[str]:
    section_ = report.get("dialogue")
    if not section_:
        return ["", "The dialogue part (idea list with 10,000 ideas) was skipped (`--skip-dialogue`)."]
    small, large = _sizes(section_)
    facts = section_["large"]
    headers = [*LOAD_HEADERS, f"Ratio ÷ adhocracy+ ({PEER_RATIO}×)"]
    return [
        "",
        f"### Dialogue ({facts['ideas_total']:,} ideas, {facts['comments_total']:,} comments)",
        "",
        f"`seed_demo` topped up by `bench/seed.py --ideas {large.replace(',', '')}`: the brainstorming module of "
        f"*Was wird aus der alten Schule?* holds {facts['ideas_total']:,} ideas ({facts['ideas_scaled']:,} scale "
        f"ideas with 8 comments and 2 replies each, plus the demo's own), {facts['comments_total']:,} comments and "
        f"{facts['ratings_total']:,} ratings; counters that differ from the rows: {facts['counter_mismatches']}. "
        f"Anonymous visitor; `…` stands for `{section_['project_path']}`, the idea page is *{section_['idea_title']}*. "
        "Measured in the same rounds and against the same baseline as the public pages. The last column divides "
        f"the ratio of each list by adhocracy+'s {PEER_RATIO}× for its idea list at this size (DOMAIN.md §7).",
        "",
        *table(headers, load_rows(report, row)),
        "",
        _list_summary(section_),
        "",
        f"The same requests in-process with {small} and with {large} scale ideas. *Shown*: the idea cards on the "
        "page of the total the list reports (with fewer ideas, page 200 does not exist and the last page is "
        "shown), or the comments on the idea page. A page that scales runs the same queries at both sizes:",
        "",
        *table([h.format(small=small, large=large) for h in SCALE_HEADERS], scale_rows(report), left=3),
    ]


LOAD_HEADERS = ["Endpoint", "Path", "req/s", "Ratio", "p50 ms", "p95 ms", "1 req ms", "SQL ms", "SQL queries"]


def print_tables(report: dict, text_table: Callable[..., list[str]], row: Callable[[dict, str], list[str]]) -> None:
    section_ = report.get("dialogue")
    if not section_:
        return
    small, large = _sizes(section_)
    facts = section_["large"]
    print(f"\nDialogue with {facts['ideas_total']:,} ideas and {facts['comments_total']:,} comments: "
          f"… = {section_['project_path']}")  # fmt: skip
    headers = [*LOAD_HEADERS, f"÷ {PEER_RATIO}×"]
    print("\n".join(text_table(headers, load_rows(report, row), {2, 3, 4, 5, 6, 7, 9})))
    summary = _list_summary(section_)
    if summary:
        print(summary)
    print()
    headers = [h.format(small=small, large=large) for h in SCALE_HEADERS]
    print("\n".join(text_table(headers, scale_rows(report), set(range(3, 11)))))


def notes(report: dict) -> list[str]:
    section_ = report.get("dialogue") or {}
    found = []
    for size in ("small", "large"):
        facts = section_.get(size) or {}
        if facts.get("counter_mismatches"):
            found.append(f"Dialogue: {facts['counter_mismatches']} ideas whose stored counters differ from their rows "
                         f"at {facts['ideas_total']:,} ideas.")  # fmt: skip
    small_n, large_n = _sizes(section_) if section_ else ("", "")
    repeated: dict[tuple[int, bool, str], list[str]] = {}
    for item in section_.get("endpoints", []):
        before, after = item["small"], item["large"]
        if after["queries"] != before["queries"]:
            found.append(f"{item['label']}: {before['queries']} SQL queries with {small_n} scale ideas, "
                         f"{after['queries']} with {large_n}.")  # fmt: skip
        if after.get("repeated_queries"):
            sample = (after.get("sample_repeated") or "")[:120]
            constant = before.get("repeated_queries") == after["repeated_queries"]
            repeated.setdefault((after["repeated_queries"], constant, sample), []).append(item["label"])
        # With few ideas a deep page is clamped to the last one, so its time is not comparable.
        slower = after["inprocess_ms"] - before["inprocess_ms"]
        if (
            before.get("page") == after.get("page")
            and after["inprocess_ms"] > 2 * before["inprocess_ms"]
            and slower > 10
        ):
            found.append(f"{item['label']}: {before['inprocess_ms']:.1f} ms in-process with {small_n} scale ideas, "
                         f"{after['inprocess_ms']:.1f} ms with {large_n} (the cost grows with the ideas).")  # fmt: skip
        if item["key"] == "dialogue_list" and item["ratio"] < TARGET_TIMES_PEER * PEER_RATIO:
            found.append(f"{item['label']}: ratio {item['ratio']:.2g}×, {item['ratio'] / PEER_RATIO:.0f} times "
                         f"adhocracy+'s {PEER_RATIO}×, short of the {TARGET_TIMES_PEER} times (two orders of "
                         "magnitude) aimed at.")  # fmt: skip
    for (count, constant, sample), labels in repeated.items():
        why = f"as many with {small_n} ideas, so not N+1" if constant else f"fewer with {small_n} ideas: N+1?"
        found.append(f"{', '.join(labels)}: {count} repeated queries ({why}), e.g. `{sample}…`")
    return found
