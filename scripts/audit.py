#!/usr/bin/env python3
"""Known vulnerabilities in the pinned dependencies: pip-audit (requirements.txt) and npm audit (package-lock.json).

A vulnerability fails the build unless `.ci/audit-allowlist.toml` lists it with a reason and an expiry date; an
expired or incomplete entry fails too. When a vulnerability service cannot be reached (no network, a registry
proxy without the audit endpoint), the step says so loudly and does not fail, because no vulnerability was found;
set AUDIT_STRICT=1 to fail then as well.

    python scripts/audit.py            # both audits
    python scripts/audit.py --python   # only pip-audit
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = ROOT / ".ci" / "audit-allowlist.toml"


@dataclass(frozen=True)
class Finding:
    ecosystem: str
    package: str
    version: str
    ids: tuple[str, ...]  # the advisory id first, then its aliases

    def __str__(self) -> str:
        return f"{self.ecosystem} {self.package} {self.version}: {', '.join(self.ids)}"


class Unreachable(Exception):
    """The vulnerability service gave no answer: nothing was checked."""


def load_allowlist(
    path: Path = ALLOWLIST, today: datetime.date | None = None
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """{advisory id: entry} of the entries in force, and the problems (expired or incomplete entries)."""
    today = today or datetime.date.today()  # noqa: DTZ011 - a calendar date, compared with dates in the file
    if not path.exists():
        return {}, []
    entries = tomllib.loads(path.read_text()).get("ignore", [])
    allowed: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for entry in entries:
        advisory, reason, expires = entry.get("id"), entry.get("reason", "").strip(), entry.get("expires")
        if not advisory or not reason or not isinstance(expires, datetime.date):
            problems.append(f"allow-list entry {entry!r} needs id, reason and expires (a date)")
        elif expires < today:
            problems.append(f"allow-list entry {advisory} expired on {expires}: fix the dependency or renew the entry")
        else:
            allowed[advisory] = entry
    return allowed, problems


def pip_findings(report: dict[str, Any]) -> list[Finding]:
    dependencies = report.get("dependencies", [])
    if dependencies and all("skip_reason" in dependency for dependency in dependencies):
        raise Unreachable("pip-audit could not look up a single package (" + dependencies[0]["skip_reason"] + ")")
    return [
        Finding("python", dependency["name"], dependency.get("version", ""), (vuln["id"], *vuln.get("aliases", [])))
        for dependency in dependencies
        for vuln in dependency.get("vulns", [])
    ]


def npm_findings(report: dict[str, Any]) -> list[Finding]:
    if "error" in report or ("message" in report and "vulnerabilities" not in report):
        raise Unreachable("npm audit: " + str(report.get("message") or report.get("error"))[:200])
    findings = []
    for name, vulnerability in report.get("vulnerabilities", {}).items():
        for via in vulnerability.get("via", []):
            if isinstance(via, dict):  # a string means "through another package", listed on its own
                advisory = str(via.get("url", "")).rsplit("/", 1)[-1] or str(via.get("source", ""))
                findings.append(Finding("npm", name, str(vulnerability.get("range", "")), (advisory,)))
    return findings


def run_pip_audit() -> list[Finding]:
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "pip_audit", "-r", str(ROOT / "requirements.txt"), "--no-deps", "--disable-pip",
         "--progress-spinner", "off", "--format", "json"],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    try:
        report = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        raise Unreachable("pip-audit: " + (result.stderr.strip().splitlines() or ["no output"])[-1]) from None
    if not report:
        raise Unreachable("pip-audit: " + (result.stderr.strip().splitlines() or ["no output"])[-1])
    return pip_findings(report)


def run_npm_audit() -> list[Finding]:
    npm = shutil.which("npm")
    if npm is None:
        raise Unreachable("npm is not installed")
    result = subprocess.run([npm, "audit", "--json"], capture_output=True, text=True, check=False, cwd=ROOT)  # noqa: S603
    try:
        report = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        raise Unreachable("npm audit: " + (result.stderr.strip().splitlines() or ["no output"])[-1]) from None
    return npm_findings(report)


def main(argv: list[str]) -> int:
    strict = os.environ.get("AUDIT_STRICT") == "1"
    allowed, problems = load_allowlist()
    failed = bool(problems)
    for problem in problems:
        print(f"FAIL  {problem}")
    audits = {"python": run_pip_audit, "npm": run_npm_audit}
    wanted = [name for name in audits if f"--{name}" in argv] or list(audits)
    for name in wanted:
        try:
            findings = audits[name]()
        except Unreachable as unreachable:
            print(f"WARN  {name}: the vulnerability service could not be reached, NOTHING WAS CHECKED: {unreachable}")
            failed = failed or strict
            continue
        for finding in findings:
            entry = next((allowed[advisory] for advisory in finding.ids if advisory in allowed), None)
            if entry is None:
                print(f"FAIL  {finding}")
                failed = True
            else:
                print(f"ALLOW {finding} until {entry['expires']}: {entry['reason']}")
        if not findings:
            print(f"OK    {name}: no known vulnerabilities")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
