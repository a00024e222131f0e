"""Load scenarios against the production set (``python -m devtools.cluster.check`` runs them headless).

Run with ``locust -f devtools/cluster/locustfile.py --host https://127.0.0.1:18443 <UserClass>``; what a scenario
needs (citizens with drafts and sessions for the deadline rush) is prepared by the check and handed over in the
file named by ``CLUSTER_PEOPLE``. Answers that are not what the page should give count as failures.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
import secrets
import string
import threading
from typing import Any

import urllib3
from devtools.proof_of_work import solve_altcha  # the project root is on the path (check.py)
from locust import HttpUser, between, events, task
from locust.exception import StopUser
from requests.adapters import HTTPAdapter

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

    start = requests.get(environment.host + "/", verify=False, timeout=30).text
    links = sorted(set(re.findall(r'href="(/[a-z0-9-]+/(?:projekte|veranstaltungen)/[a-z0-9-]+/)"', start)))
    PUBLIC_PAGES[:] = [
        "/",
        "/suche/?q=Radweg",
        "/veranstaltungen/",
        "/maengelmelder/liste/",
        f"/open311/v2/requests.json?jurisdiction_id={os.environ.get('CLUSTER_JURISDICTION', 'musterkreis')}",
        *links[:20],
    ]


class Browsing(Portal):
    wait_time = between(0.0, 0.1)  # as fast as the set answers: the figures show the set's limit, not the users'.

    @task
    def page(self) -> None:
        path = random.choice(PUBLIC_PAGES or ["/"])
        name = re.sub(r"/[a-z0-9-]+/(projekte|veranstaltungen)/[a-z0-9-]+/", r"/:org/\1/:slug/", path.split("?")[0])
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


@events.test_start.add_listener
def _end_when_everybody_has_sent(environment: Any, **_: Any) -> None:
    """The rush is over when the last citizen's answer is in: its duration is the test's, not the time limit's."""
    if "CLUSTER_PEOPLE" not in os.environ:
        return
    import gevent

    def watch() -> None:
        while True:
            gevent.sleep(0.5)
            if _people_loaded and not _people and environment.runner.user_count == 0:
                environment.runner.quit()
                return

    gevent.spawn(watch)


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


# ---------------------------------------------------------------- defect reports through Open311

_open311: dict[str, Any] = {}


@events.test_start.add_listener
def _open311_target(environment: Any, **_: Any) -> None:
    """A service of the jurisdiction and the places of its existing reports, to report near them."""
    import requests

    jurisdiction = os.environ.get("CLUSTER_JURISDICTION", "musterkreis")
    base = f"{environment.host}/open311/v2"
    services = requests.get(f"{base}/services.json?jurisdiction_id={jurisdiction}", verify=False, timeout=30)
    reports = requests.get(f"{base}/requests.json?jurisdiction_id={jurisdiction}", verify=False, timeout=30)
    places = [(r["lat"], r["long"]) for r in reports.json() if r.get("lat") and r.get("long")]
    _open311.update(jurisdiction=jurisdiction, services=[s["service_code"] for s in services.json()], places=places)


class Open311Reports(Portal):
    """A city app's backend posting new reports (GeoReport v2 takes no photo files: media_url only)."""

    wait_time = between(0.5, 1.5)

    @task
    def report(self) -> None:
        lat, lon = random.choice(_open311["places"])
        data = {
            "jurisdiction_id": _open311["jurisdiction"], "api_key": os.environ["CLUSTER_OPEN311_KEY"],
            "service_code": random.choice(_open311["services"]), "lat": f"{float(lat) + random.uniform(-0.002, 0.002):.6f}",
            "long": f"{float(lon) + random.uniform(-0.002, 0.002):.6f}",
            "description": "Lasttest: Schlagloch am Fahrbahnrand, etwa 30 cm breit.",
        }  # fmt: skip
        with self.client.post("/open311/v2/requests.json", data=data, name="Open311 POST requests.json",
                              catch_response=True) as response:  # fmt: skip
            if response.status_code == 200 and '"service_request_id"' in response.text:
                response.success()
            else:
                response.failure(f"{response.status_code}: {response.text[:120]}")


# ---------------------------------------------------------------- a registration rush on an event

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CHALLENGE = re.compile(r'data-altcha-challenge="([^"]*)"')
_client_numbers = itertools.count()


class SourceAddress(HTTPAdapter):
    """Connections from one loopback address of its own, as from one citizen's line: nginx and the portal's
    per-address limits then count each simulated citizen on their own (all of 127.0.0.0/8 reaches nginx)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


TAG = re.compile(r"<(input|textarea|select)\b([^>]*)>", re.S)
ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')
OPTION = re.compile(r'<option[^>]*value="([^"]+)"')


def answer_questions(page: str) -> dict[str, str]:
    """An answer to each of the organiser's own questions (fields ``q-…``): a text, a number or the first option."""
    answers: dict[str, str] = {}
    for tag, attributes in TAG.findall(page):
        fields = dict(ATTRIBUTE.findall(attributes))
        name = fields.get("name", "")
        if not name.startswith("q-") or name in answers:
            continue
        kind = fields.get("type", "text")
        if tag == "select":
            options = OPTION.findall(page[page.find(f'name="{name}"') :])
            answers[name] = options[0] if options else ""
        elif kind in ("radio", "checkbox"):
            answers[name] = fields.get("value", "on")
        else:
            answers[name] = "1" if kind == "number" else "Lasttest"
    return answers


class EventRegistration(Portal):
    """Citizens without an account register for one event at the same time, each from an address of their own."""

    wait_time = between(0.0, 0.2)
    per_citizen = 3  # registrations per simulated line, well under the per-address limits of anonymous forms

    def on_start(self) -> None:
        super().on_start()
        n = next(_client_numbers)
        self.client.mount("https://", SourceAddress(f"127.{10 + n // 62500}.{n // 250 % 250}.{n % 250 + 1}"))
        self.sent = 0

    @task
    def register(self) -> None:
        if self.sent >= self.per_citizen:
            raise StopUser
        self.sent += 1
        path = os.environ["CLUSTER_EVENT_PATH"] + "anmelden/"
        page = self.client.get(path, name="event registration form").text
        token, challenge = CSRF_FIELD.search(page), CHALLENGE.search(page)
        if token is None or challenge is None:
            return
        data = {
            "csrfmiddlewaretoken": token.group(1), "capacity": os.environ["CLUSTER_EVENT_CAPACITY"],
            "name": "Lasttest Anmeldung", "email": f"anmeldung-{secrets.token_hex(6)}@example.org",
            "altcha": solve_altcha(html.unescape(challenge.group(1))), "website": "", **answer_questions(page),
        }  # fmt: skip
        headers = {"Referer": (self.environment.host or "") + path}
        with self.client.post(path, data=data, headers=headers, allow_redirects=False, name="event registration",
                              catch_response=True) as response:  # fmt: skip
            if response.status_code == 302 and response.headers.get("Location", "").endswith("/angemeldet/"):
                response.success()
            else:
                response.failure(f"{response.status_code}: not registered")


# ---------------------------------------------------------------- a survey that a press article sends people to

SURVEY_ANSWERS = {  # the demo household survey: page 1, then "Bewertung und Prioritäten", then "Zum Schluss"
    1: {"q-altersgruppe": "30_49", "q-personen": "2", "q-autos": "1", "q-verkehrsmittel": "oepnv", "q-weglaenge": "5"},
    3: {"q-zufriedenheit_bus": "3", "q-prioritaeten": ["takt", "radwege", "gehwege", "teilen", "parken"],
        "q-prioritaeten-ranked": "1"},
    4: {"q-anmerkungen": "Lasttest: bitte mehr Busse am Samstag."},
}  # fmt: skip


class SurveyRespondent(Portal):
    """Respondents of a public survey, each a browser of its own (a fresh session), three per address."""

    wait_time = between(0.0, 0.3)
    per_address = 3

    def on_start(self) -> None:
        super().on_start()
        n = next(_client_numbers)
        self.client.mount("https://", SourceAddress(f"127.{100 + n // 62500}.{n // 250 % 250}.{n % 250 + 1}"))
        self.done = 0

    @task
    def respond(self) -> None:
        if self.done >= self.per_address:
            raise StopUser
        self.done += 1
        self.client.cookies.clear()  # a new respondent
        base = os.environ["CLUSTER_SURVEY_PATH"]
        for number, answers in SURVEY_ANSWERS.items():
            path = f"{base}seite/{number}/"
            page = self.client.get(path, name=f"survey page {number}").text
            token = CSRF_FIELD.search(page)
            if token is None:
                return
            data: dict[str, Any] = {"csrfmiddlewaretoken": token.group(1), "aktion": "weiter", **answers}
            challenge = CHALLENGE.search(page)
            if challenge is not None:  # the last page of a public survey asks for the proof of work
                data |= {"altcha": solve_altcha(html.unescape(challenge.group(1))), "website": ""}
            last = number == max(SURVEY_ANSWERS)
            with self.client.post(path, data=data, headers={"Referer": (self.environment.host or "") + path},
                                  allow_redirects=False, name=f"survey page {number} sent",
                                  catch_response=True) as response:  # fmt: skip
                location = response.headers.get("Location", "")
                expected = "/danke/" if last else "/seite/"
                if response.status_code == 302 and expected in location:
                    response.success()
                else:
                    response.failure(f"{response.status_code} {location[:60]}")
                    return
