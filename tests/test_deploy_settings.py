"""Production settings and security headers (issue 10), and the dependency audit's allow-list rules.

``manage.py check --deploy`` runs in a subprocess with the production profile and production-like environment
variables (the test settings cannot be switched to production inside the test process). The headers are read
from real responses: in the test profile for CSP, framing, referrer and permissions, and in the production
profile for HSTS.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import audit  # noqa: E402

PRODUCTION_ENV = {
    "MITWIRKEN_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "beteiligung.example",
    "SITE_URL": "https://beteiligung.example",
}


def production(*args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their process; a production server never has it.
    dropped = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(PRODUCTION_ENV, PYTHONPATH=str(ROOT / "src"))
    command = [sys.executable, "-c", code] if code else [sys.executable, str(ROOT / "manage.py"), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False)


def test_check_deploy_is_clean_in_production() -> None:
    result = production("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {**os.environ, **PRODUCTION_ENV, "PYTHONPATH": str(ROOT / "src"), "SECRET_KEY": "kurz"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "check"], capture_output=True, text=True, env=env,
                            cwd=ROOT, timeout=120, check=False)  # fmt: skip
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


HEADERS_SCRIPT = """
import json, django
django.setup()
from django.test import Client
# No database in this process: whatever the page answers, the middleware's headers are what is checked.
response = Client(raise_request_exception=False).get("/nicht-vorhanden/", secure=True, HTTP_HOST="beteiligung.example")
print(json.dumps(dict(response.headers)))
"""


def test_production_response_has_hsts_and_the_other_headers() -> None:
    result = production(
        code=HEADERS_SCRIPT.replace(
            "import json, django",
            "import json, os, django\nos.environ['DJANGO_SETTINGS_MODULE'] = 'mitwirken.settings'",
        )
    )
    assert result.returncode == 0, result.stderr[-2000:]
    headers = json.loads(result.stdout.strip().splitlines()[-1])
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert_security_headers(headers)


def assert_security_headers(headers: Any) -> None:
    csp = headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["script-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/maengelmelder/", "/konto/login/", "/api/v1/projects"])
def test_security_headers_on_responses(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert_security_headers(response.headers)


# --- the dependency audit (scripts/audit.py, run by .ci/run) ---------------------------------------------------------


def test_allowlist_entries_need_a_reason_and_expire(tmp_path: Path) -> None:
    allowlist = tmp_path / "allow.toml"
    allowlist.write_text(
        '[[ignore]]\nid = "GHSA-aaaa"\nreason = "nur die CLI betroffen"\nexpires = 2027-01-31\n'
        '[[ignore]]\nid = "GHSA-bbbb"\nreason = "alt"\nexpires = 2026-01-31\n'
        '[[ignore]]\nid = "GHSA-cccc"\nexpires = 2027-01-31\n'
    )
    allowed, problems = audit.load_allowlist(allowlist, today=datetime.date(2026, 6, 1))
    assert set(allowed) == {"GHSA-aaaa"}
    assert any("GHSA-bbbb expired" in problem for problem in problems)
    assert any("GHSA-cccc" in problem and "reason" in problem for problem in problems)


def test_audit_reports_findings_and_unreachable_services() -> None:
    report = {"dependencies": [{"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-1", "aliases": ["CVE-2"]}]},
                               {"name": "rules", "version": "3.5", "vulns": []}]}  # fmt: skip
    assert [finding.ids for finding in audit.pip_findings(report)] == [("PYSEC-1", "CVE-2")]
    with pytest.raises(audit.Unreachable):
        audit.pip_findings({"dependencies": [{"name": "x", "skip_reason": "Dependency not found on PyPI"}]})
    npm = {"vulnerabilities": {"leaflet": {"range": "<1.9", "via": [{"url": "https://github.com/advisories/GHSA-x"}]}}}
    assert audit.npm_findings(npm)[0].ids == ("GHSA-x",)
    with pytest.raises(audit.Unreachable):
        audit.npm_findings({"message": "405 Method Not Allowed"})


def test_the_ci_runs_the_audit_and_the_allowlist_parses() -> None:
    assert "scripts/audit.py" in (ROOT / ".ci" / "run").read_text()
    _allowed, problems = audit.load_allowlist()
    assert problems == [], problems
