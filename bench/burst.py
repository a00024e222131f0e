"""Deadline burst: many citizens press "Abschicken" at the same time, and some press it twice.

Each person has a session and a complete draft (made by ``formal_tools.py burst-setup``). The burst POSTs the
draft's ``submission_key`` to the review URL from a pool of worker threads. A share of the people send it
twice: half as a *retry* (the second POST after the first answer, as a browser does after a lost response),
half as a *double click* (two POSTs released at the same moment). Every POST is a fresh connection.

CSRF uses the double-submit form Django accepts: a ``csrftoken`` cookie and the same value as the
``csrfmiddlewaretoken`` field; over HTTPS (the production set of devtools/cluster, behind nginx) the Origin
and Referer headers name the portal, as a browser's do.
"""

from __future__ import annotations

import http.client
import random
import re
import secrets
import ssl
import string
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from loadgen import _percentile

RECEIPT = re.compile(r"/stellungnahmen/([^/]+)/$")


@dataclass
class Attempt:
    user: int
    kind: str  # "single", "retry" or "double"
    status: int  # 0: no HTTP answer
    location: str
    seconds: float
    error: str = ""
    body: str = ""  # the start of an error page (status 500 and above), to check what the citizen saw

    @property
    def reference(self) -> str:
        match = RECEIPT.search(urllib.parse.urlsplit(self.location).path) if self.location else None
        return urllib.parse.unquote(match.group(1)) if match else ""


@dataclass
class BurstResult:
    attempts: list[Attempt] = field(default_factory=list)
    seconds: float = 0.0


def csrf_token() -> str:
    alphabet = string.ascii_letters + string.digits  # Django's CSRF_ALLOWED_CHARS
    return "".join(secrets.choice(alphabet) for _ in range(32))


def plan(people: list[dict], duplicate_share: float, seed: int = 4711) -> list[tuple[dict, str]]:
    """Who sends once, who retries, who double-clicks; shuffled, reproducible."""
    generator = random.Random(seed)
    duplicates = round(len(people) * duplicate_share)
    kinds = ["retry"] * (duplicates - duplicates // 2) + ["double"] * (duplicates // 2)
    kinds += ["single"] * (len(people) - len(kinds))
    generator.shuffle(kinds)
    jobs = list(zip(people, kinds, strict=True))
    generator.shuffle(jobs)
    return jobs


def connect(base_url: str, timeout: float) -> http.client.HTTPConnection:
    """A fresh connection; HTTPS without certificate checks (the production set's certificate is self-signed)."""
    parsed = urllib.parse.urlsplit(base_url)
    host = parsed.hostname or "127.0.0.1"
    if parsed.scheme == "https":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection(host, parsed.port or 443, timeout=timeout, context=context)
    return http.client.HTTPConnection(host, parsed.port or 80, timeout=timeout)


def post(base_url: str, path: str, person: dict, kind: str, cookies: tuple[str, str], timeout: float) -> Attempt:
    session_cookie, csrf_cookie = cookies
    token = csrf_token()
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "submission_key": person["submission_key"]})
    headers = {
        "Cookie": f"{session_cookie}={person['session']}; {csrf_cookie}={token}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    if base_url.startswith("https:"):
        headers |= {"Origin": base_url.rstrip("/"), "Referer": base_url.rstrip("/") + path}
    connection = connect(base_url, timeout)
    began = time.perf_counter()
    try:
        connection.request("POST", path, body, headers)
        response = connection.getresponse()
        body = response.read()
        return Attempt(person["user"], kind, response.status, response.getheader("Location") or "",
                       time.perf_counter() - began,
                       body=body[:4000].decode("utf-8", "replace") if response.status >= 500 else "")  # fmt: skip
    except (OSError, http.client.HTTPException) as error:
        return Attempt(person["user"], kind, 0, "", time.perf_counter() - began, f"{type(error).__name__}: {error}")
    finally:
        connection.close()


def run(
    base_url: str, path: str, people: list[dict], *, workers: int, duplicate_share: float,
    cookies: tuple[str, str], timeout: float = 120.0,
) -> BurstResult:  # fmt: skip
    result = BurstResult()
    lock = threading.Lock()

    def job(person: dict, kind: str) -> None:
        if kind == "double":  # two clicks: both requests leave together
            gate = threading.Barrier(2)
            pair: list[Attempt] = []

            def click() -> None:
                gate.wait()
                pair.append(post(base_url, path, person, kind, cookies, timeout))

            other = threading.Thread(target=click)
            other.start()
            click()
            other.join()
            own = pair
        else:
            own = [post(base_url, path, person, kind, cookies, timeout)]
            if kind == "retry":
                own.append(post(base_url, path, person, kind, cookies, timeout))
        with lock:
            result.attempts.extend(own)

    jobs = plan(people, duplicate_share)
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for person, kind in jobs:
            pool.submit(job, person, kind)
    result.seconds = time.perf_counter() - began
    return result


def summarise(result: BurstResult, people: list[dict], database: dict, workers: int, share: float) -> dict:
    """Figures for the report, and every way the burst can have gone wrong, counted."""
    attempts = result.attempts
    latencies = sorted(a.seconds for a in attempts if a.status)
    statuses = Counter(str(a.status) for a in attempts)
    by_user: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_user.setdefault(attempt.user, []).append(attempt)
    kinds = Counter(group[0].kind for group in by_user.values())
    stored = database["reference_by_user"]
    # Every answer must be the redirect to that person's one receipt, including the repeated ones.
    answers_not_receipt = sum(1 for a in attempts if a.status != 302 or not a.reference)
    answers_wrong_reference = sum(1 for a in attempts if a.reference and a.reference != stored.get(str(a.user)))
    duplicates_inconsistent = sum(
        1 for group in by_user.values() if len(group) > 1 and len({a.reference for a in group}) > 1
    )
    errors = Counter(a.error.split(":", 1)[0] for a in attempts if a.error)
    return {
        "people": len(people),
        "requests": len(attempts),
        "workers": workers,
        "duplicate_share": share,
        "people_by_kind": dict(kinds),
        "seconds": round(result.seconds, 2),
        "submissions_per_second": round(len(people) / result.seconds, 1) if result.seconds else 0.0,
        "requests_per_second": round(len(attempts) / result.seconds, 1) if result.seconds else 0.0,
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(_percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else 0.0,
        "status_counts": dict(sorted(statuses.items())),
        "http_5xx": sum(1 for a in attempts if a.status >= 500),
        "no_answer": sum(1 for a in attempts if a.status == 0),
        "client_errors": dict(errors),
        "answers_not_receipt": answers_not_receipt,
        "answers_wrong_reference": answers_wrong_reference,
        "duplicates_inconsistent": duplicates_inconsistent,
        "sample_unexpected": [
            {"user": a.user, "kind": a.kind, "status": a.status, "location": a.location, "error": a.error}
            for a in attempts if a.status != 302 or not a.reference
        ][:5],
        "database": {key: value for key, value in database.items() if key != "reference_by_user"},
    }  # fmt: skip
