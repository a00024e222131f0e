"""Load scenarios against the production set (``python -m devtools.cluster.check`` runs them headless).

Run with ``locust -f devtools/cluster/locustfile.py --host https://127.0.0.1:18443 <UserClass>``; what a scenario
needs (citizens with drafts and sessions for the deadline rush) is prepared by the check and handed over in the
file named by ``CLUSTER_PEOPLE``. Answers that are not what the page should give count as failures.
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import string
import threading
from typing import Any

import urllib3
from locust import HttpUser, between, events, task
from locust.exception import StopUser

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # the set's certificate is self-signed

RECEIPT = re.compile(r"/stellungnahmen/[^/]+/$")
SESSION_COOKIE = os.environ.get("CLUSTER_SESSION_COOKIE", "sessionid")
CSRF_COOKIE = os.environ.get("CLUSTER_CSRF_COOKIE", "csrftoken")


def _csrf_token() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


class Portal(HttpUser):
    abstract = True

    def on_start(self) -> None:
        self.client.verify = False


# ---------------------------------------------------------------- browsing the public pages

PUBLIC_PAGES: list[str] = []


@events.test_start.add_listener
def _discover(environment: Any, **_: Any) -> None:
    """The start page's own links to projects, events and the Mängelmelder, plus the busiest lists."""
    import requests

    start = requests.get(environment.host + "/", verify=False, timeout=30).text  # noqa: S501
    links = sorted(set(re.findall(r'href="(/[a-z0-9-]+/(?:projekte|veranstaltungen)/[a-z0-9-]+/)"', start)))
    PUBLIC_PAGES[:] = [
        "/",
        "/suche/?q=Radweg",
        "/veranstaltungen/",
        "/maengelmelder/liste/",
        "/open311/v2/requests.json",
        *links[:20],
    ]


class Browsing(Portal):
    wait_time = between(0.2, 1.0)

    @task
    def page(self) -> None:
        path = random.choice(PUBLIC_PAGES or ["/"])
        name = re.sub(r"/[a-z0-9-]+/(projekte|veranstaltungen)/[a-z0-9-]+/", r"/:org/\1/:slug/", path)
        self.client.get(path, name=name)


# ---------------------------------------------------------------- deadline rush of statements

_people: list[dict[str, Any]] = []
_people_lock = threading.Lock()
_people_loaded = False


def _next_person() -> dict[str, Any] | None:
    global _people_loaded
    with _people_lock:
        if not _people_loaded:
            _people.extend(json.loads(open(os.environ["CLUSTER_PEOPLE"], encoding="utf-8").read()))  # noqa: SIM115
            _people_loaded = True
        return _people.pop() if _people else None


class DeadlineRush(Portal):
    """Each citizen presses "Abschicken" on a complete draft; three in ten press it twice (retry or double click)."""

    wait_time = between(0.0, 0.05)
    review_path = os.environ.get("CLUSTER_REVIEW_PATH", "")

    def _submit(self, person: dict[str, Any], kind: str) -> None:
        token = _csrf_token()
        cookies = {SESSION_COOKIE: person["session"], CSRF_COOKIE: token}
        base = self.environment.host or ""
        headers = {"Origin": base, "Referer": base + self.review_path}
        with self.client.post(self.review_path, name=f"statement ({kind})", allow_redirects=False,
                              data={"csrfmiddlewaretoken": token, "submission_key": person["submission_key"]},
                              cookies=cookies, headers=headers, catch_response=True) as response:  # fmt: skip
            location = response.headers.get("Location", "")
            if response.status_code == 302 and RECEIPT.search(location):
                response.success()
            else:
                response.failure(f"no receipt: {response.status_code} {location[:60]}")

    @task
    def submit(self) -> None:
        person = _next_person()
        if person is None:
            raise StopUser
        kind = random.choices(["single", "retry", "double"], weights=[7, 2, 1])[0]
        if kind == "double":
            other = threading.Thread(target=self._submit, args=(person, kind))
            other.start()
            self._submit(person, kind)
            other.join()
        else:
            self._submit(person, kind)
            if kind == "retry":
                self._submit(person, kind)
