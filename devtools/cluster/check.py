"""``make cluster-test``: a short load test and the fault drills against the running production set.

Every drill ends with a check of what it must not lose or duplicate; the run exits non-zero when one fails. The
figures go into ``var/cluster/results.json`` and, with ``--write``, into docs/performance.md (load) and
docs/operations.md (drills). Bounded: about ten minutes on two cores.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devtools.cluster import parts

sys.path.insert(0, str(parts.ROOT / "bench"))
import burst

RESULTS = parts.CLUSTER / "results.json"
PERFORMANCE_MD = parts.ROOT / "docs" / "performance.md"
OPERATIONS_MD = parts.ROOT / "docs" / "operations.md"
LOAD_MARKERS = ("<!-- cluster:load:start -->", "<!-- cluster:load:end -->")
DRILL_MARKERS = ("<!-- cluster:drills:start -->", "<!-- cluster:drills:end -->")
BASE = parts.base_url()
UNVERIFIED = ssl.create_default_context()
UNVERIFIED.check_hostname = False
UNVERIFIED.verify_mode = ssl.CERT_NONE
APP_PROGRAMS = [f"app:app-{parts.PORTS['APP_PORT'] + n}" for n in range(parts.APP_INSTANCES)]


def log(message: str) -> None:
    print(f"[cluster-test {datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


def tools(*args: str) -> dict[str, Any]:
    """bench/formal_tools.py in the set's environment (straight to the primary)."""
    command = [str(parts.VENV / "bin" / "python"), str(parts.ROOT / "bench" / "formal_tools.py"), *args]
    result = subprocess.run(command, env=parts.direct_env(), cwd=parts.ROOT, text=True, capture_output=True)
    if result.returncode:
        raise SystemExit(f"formal_tools {args[0]} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout)  # type: ignore[no-any-return]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect (to the login) is the answer to check, not to follow


OPENER = urllib.request.build_opener(urllib.request.HTTPSHandler(context=UNVERIFIED), _NoRedirects())


def fetch(path: str, timeout: float = 10, base: str = BASE) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(base + path, headers={"User-Agent": "cluster-test"})
    try:
        with OPENER.open(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)
    except OSError as error:
        return 0, str(error), {}


class People:
    """Citizens with a complete draft and a session, made in the database for one rush."""

    counter = 0

    def __init__(self, count: int, info: dict[str, Any]) -> None:
        People.counter += 1
        self.file = Path(tempfile.mkstemp(prefix="rush-", suffix=".json", dir=parts.CLUSTER)[1])
        tag = f"-{int(time.time())}-{People.counter}"
        tools("burst-setup", str(count), str(self.file), f"--tag={tag}")
        self.people: list[dict[str, Any]] = json.loads(self.file.read_text())
        self.info = info

    def rush(self, workers: int = 24, share: float = 0.3) -> burst.BurstResult:
        cookies = (self.info["session_cookie_name"], self.info["csrf_cookie_name"])
        return burst.run(BASE, self.info["review_path"], self.people, workers=workers, duplicate_share=share,
                         cookies=cookies, timeout=60)  # fmt: skip

    def retry_unanswered(self, result: burst.BurstResult) -> burst.BurstResult:
        """What a citizen does after an error page: send the same form (the same submission key) again."""
        done = {a.user for a in result.attempts if a.status == 302 and a.reference}
        missing = [p for p in self.people if p["user"] not in done]
        cookies = (self.info["session_cookie_name"], self.info["csrf_cookie_name"])
        again = burst.run(BASE, self.info["review_path"], missing, workers=8, duplicate_share=0.0,
                          cookies=cookies, timeout=60)  # fmt: skip
        return again

    def verify(self, *results: burst.BurstResult) -> dict[str, Any]:
        """Exactly one statement per citizen, and every receipt a client saw is that statement's."""
        database = tools("burst-verify", str(self.file))
        stored = database.pop("reference_by_user")
        seen = [a for result in results for a in result.attempts if a.status == 302 and a.reference]
        wrong = sum(1 for a in seen if stored.get(str(a.user)) != a.reference)
        acknowledged = {a.user for a in seen}
        lost = sum(1 for user in acknowledged if str(user) not in stored)
        return {
            **database,
            "acknowledged": len(acknowledged),
            "acknowledged_lost": lost,
            "receipts_not_matching": wrong,
            "ok": database["users_with_several"] == 0 and lost == 0 and wrong == 0
            and database["duplicate_references_in_procedure"] == 0,
        }  # fmt: skip

    def remove(self) -> None:
        self.file.unlink(missing_ok=True)


def statuses(result: burst.BurstResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    for attempt in result.attempts:
        counts[str(attempt.status)] = counts.get(str(attempt.status), 0) + 1
    return dict(sorted(counts.items()))


def error_pages(result: burst.BurstResult) -> dict[str, Any]:
    """What a citizen saw instead of a receipt: a page in German that asks to try again, never a traceback."""
    pages = [a.body for a in result.attempts if a.status >= 500]
    return {
        "error_pages": len(pages),
        "asking_to_try_again": sum(1 for body in pages if "erneut" in body and 'lang="de"' in body),
        "with_traceback": sum(1 for body in pages if "Traceback" in body or 'File "/' in body),
    }


def clear(pages: dict[str, Any]) -> bool:
    return pages["asking_to_try_again"] == pages["error_pages"] and pages["with_traceback"] == 0


# ---------------------------------------------------------------- load test (Locust)


def locust(user_class: str, users: int, seconds: int, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    prefix = parts.CLUSTER / "load" / user_class
    prefix.parent.mkdir(exist_ok=True)
    command = [
        str(parts.CLUSTER_VENV / "bin" / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")),
        "--headless", "--host", BASE, "--users", str(users), "--spawn-rate", str(max(1, users // 2)),
        "--run-time", f"{seconds}s", "--stop-timeout", "30", "--csv", str(prefix), "--only-summary",
        "--loglevel", "WARNING", user_class,
    ]  # fmt: skip
    env = dict(os.environ, **(extra_env or {}))
    env["PYTHONPATH"] = str(parts.ROOT)  # the locustfile imports devtools.proof_of_work
    subprocess.run(command, env=env, cwd=parts.ROOT, capture_output=True, text=True, timeout=seconds + 120)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as file:
        total = next(row for row in csv.DictReader(file) if row["Name"] == "Aggregated")
    requests = int(total["Request Count"])
    return {
        "requests": requests,
        "failures": int(total["Failure Count"]),
        "per_second": round(float(total["Requests/s"]), 1),
        "p50_ms": int(float(total["50%"] or 0)),
        "p95_ms": int(float(total["95%"] or 0)),
        "p99_ms": int(float(total["99%"] or 0)),
    }


OPEN311_KEY = """
from mitwirken.organisations.models import Organisation, OrganisationMembership
from mitwirken.reports.apikeys import api_client_create
organisation = Organisation.objects.get(slug="musterkreis")
admin = OrganisationMembership.objects.filter(organisation=organisation, role="admin").first().user
print(api_client_create(actor=admin, organisation=organisation, name="Lasttest make cluster-test")[1])
"""


def open311_key() -> str:
    """A fresh API key of the demo Landkreis, made as its administrator would in the back office."""
    command = [str(parts.VENV / "bin" / "python"), "manage.py", "shell", "-c", OPEN311_KEY]
    result = subprocess.run(command, env=parts.direct_env(), cwd=parts.ROOT, capture_output=True, text=True)
    return result.stdout.strip().splitlines()[-1]


RUSH_EVENT = """
import json
from django.utils import timezone
from mitwirken.events.models import Event
event = next(e for e in Event.objects.filter(status="published", start__gt=timezone.now()).order_by("start")
             if e.registration_open() and e.capacities.exists())
capacity = event.capacities.order_by("pk").first()
capacity.capacity = capacity.taken + PLACES  # a fresh race for exactly PLACES places
capacity.save(update_fields=["capacity"])
waiting = capacity.registrations.filter(status="waiting").count()
print(json.dumps({"path": event.get_absolute_url(), "capacity": capacity.pk, "taken_before": capacity.taken,
                  "waiting_before": waiting}))
"""

RUSH_EVENT_CHECK = """
import json
from mitwirken.events.models import HOLDING, CapacityCategory, Registration, RegistrationStatus
capacity = CapacityCategory.objects.get(pk=PK)
holding = Registration.objects.filter(capacity=capacity, status__in=HOLDING)
print(json.dumps({"capacity": capacity.capacity, "taken": capacity.taken,
                  "places_of_holding_registrations": sum(r.places for r in holding),
                  "waiting": Registration.objects.filter(capacity=capacity, status=RegistrationStatus.WAITING).count()}))
"""


def registration_rush(instances: int, places: int = 100, users: int = 60) -> dict[str, Any]:
    """More citizens than places register at once: never more holders than places, every place accounted for."""
    event = json.loads(shell(RUSH_EVENT.replace("PLACES", str(places))))
    env = {"CLUSTER_EVENT_PATH": event["path"], "CLUSTER_EVENT_CAPACITY": str(event["capacity"])}
    stats = locust("EventRegistration", users, 90, env)
    after = json.loads(shell(RUSH_EVENT_CHECK.replace("PK", str(event["capacity"]))))
    consistent = after["taken"] <= after["capacity"] and after["taken"] == after["places_of_holding_registrations"]
    return {
        "scenario": f"Registration rush: {users} citizens on own addresses, 3 each, for {places} places",
        "instances": instances,
        **stats,
        "places_taken": after["taken"] - event["taken_before"],
        "waiting": after["waiting"] - event["waiting_before"],
        "never_overbooked": consistent,
    }


SURVEY = """
import json
from mitwirken.surveys.models import Response, Survey
survey = Survey.objects.get(module__project__slug="mobilitaetskonzept-beispielhausen")
print(json.dumps({"path": survey.module.get_absolute_url(), "pk": survey.pk,
                  "responses": Response.objects.filter(survey=survey).count()}))
"""


def survey_rush(instances: int, users: int = 60) -> dict[str, Any]:
    """A survey a press article sends people to: every respondent who got the thank-you page is one response."""
    before = json.loads(shell(SURVEY))
    stats = locust("SurveyRespondent", users, 120, {"CLUSTER_SURVEY_PATH": before["path"]})
    after = json.loads(shell(SURVEY))
    with open(parts.CLUSTER / "load" / "SurveyRespondent_stats.csv", encoding="utf-8") as file:
        finished = next((int(row["Request Count"]) - int(row["Failure Count"]) for row in csv.DictReader(file)
                         if row["Name"] == "survey page 4 sent"), 0)  # fmt: skip
    stored = after["responses"] - before["responses"]
    return {
        "scenario": f"Survey: {users} respondents at a time on own addresses, 3 each, 4 pages",
        "instances": instances,
        **stats,
        "completed": finished,
        "responses_stored": stored,
        "one_response_each": stored == finished,
    }


class ReplicationLag:
    """The replica's replay lag, sampled twice a second while a rush runs: the window of writes a failover loses."""

    def __init__(self) -> None:
        self.max_ms = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample)

    def _sample(self) -> None:
        sql = "SELECT coalesce(max(extract(epoch FROM replay_lag)), 0) * 1000 FROM pg_stat_replication"
        while not self._stop.wait(0.5):
            value = parts.psql(parts.PORTS["PG_PRIMARY_PORT"], sql) or "0"
            self.max_ms = max(self.max_ms, round(float(value), 1))

    def __enter__(self) -> ReplicationLag:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def load_tests(info: dict[str, Any], rush_people: int) -> list[dict[str, Any]]:
    rows = []
    for instances in (1, len(APP_PROGRAMS)):
        stopped = APP_PROGRAMS[instances:]
        if stopped:
            parts.supervisorctl("stop", *stopped)
        try:
            log(f"browsing the public pages, {instances} instance(s)")
            rows.append({"scenario": "Browsing the public pages (40 users, 45 s)", "instances": instances,
                         **locust("Browsing", 40, 45)})  # fmt: skip
            log(f"deadline rush of {rush_people} statements, {instances} instance(s)")
            people = People(rush_people, info)
            env = {"CLUSTER_PEOPLE": str(people.file), "CLUSTER_REVIEW_PATH": info["review_path"],
                   "CLUSTER_SESSION_COOKIE": info["session_cookie_name"],
                   "CLUSTER_CSRF_COOKIE": info["csrf_cookie_name"]}  # fmt: skip
            began = time.perf_counter()
            with ReplicationLag() as lag:
                stats = locust("DeadlineRush", 32, 120, env)
            took = time.perf_counter() - began
            check = people.verify()
            people.remove()
            rows.append({
                "scenario": f"Deadline rush: {rush_people:,} statements, 3 in 10 sent twice (32 users)",
                "instances": instances, **stats, "seconds": round(took), "exactly_once": check["ok"],
                "statements": check["statements"], "replica_lag_max_ms": lag.max_ms,
            })  # fmt: skip
            log(f"Open311 reports from an app, {instances} instance(s)")
            key = open311_key()
            rows.append({"scenario": "Open311 POST of new reports (8 app clients, 45 s)", "instances": instances,
                         **locust("Open311Reports", 8, 45, {"CLUSTER_OPEN311_KEY": key})})  # fmt: skip
            log(f"registration rush on an event, {instances} instance(s)")
            rows.append(registration_rush(instances))
            log(f"survey respondents, {instances} instance(s)")
            rows.append(survey_rush(instances))
        finally:
            if stopped:
                parts.start(*stopped)
                for program in stopped:
                    parts.wait_for_port(int(program.rsplit("-", 1)[1]), program)
    return rows


# ---------------------------------------------------------------- fault drills


def during(action: Any, delay: float) -> threading.Thread:
    def later() -> None:
        time.sleep(delay)
        action()

    thread = threading.Thread(target=later)
    thread.start()
    return thread


def kill_instance() -> dict[str, Any]:
    program = APP_PROGRAMS[0]
    pid = int(parts.supervisorctl("pid", program).stdout.strip())
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    os.kill(pid, signal.SIGKILL)  # the gunicorn master first, so that it starts no new workers, then its workers
    for child in children:
        os.kill(int(child), signal.SIGKILL)
    return {"killed": program, "pid": pid}


def drill_kill_app(info: dict[str, Any], count: int) -> dict[str, Any]:
    people = People(count, info)
    killed: dict[str, Any] = {}
    thread = during(lambda: killed.update(kill_instance()), 2.0)
    first = people.rush()
    thread.join()
    again = people.retry_unanswered(first)
    check = people.verify(first, again)
    people.remove()
    pages = error_pages(first)
    return {
        "drill": "kill -9 one app instance during a deadline rush",
        "during": statuses(first), **pages, "retried": len(again.attempts), "after_retry": statuses(again),
        "check": check, "ok": check["ok"] and check["users_without_statement"] == 0 and clear(pages), **killed,
    }  # fmt: skip


def drill_restart_database(info: dict[str, Any], count: int) -> dict[str, Any]:
    people = People(count, info)
    outage: dict[str, Any] = {}

    def restart() -> None:
        began = time.perf_counter()
        parts.supervisorctl("restart", "pg-primary")
        parts.wait_for_postgres(parts.PORTS["PG_PRIMARY_PORT"], "PostgreSQL primary")
        parts.supervisorctl("restart", "pgbouncer")
        outage["seconds"] = round(time.perf_counter() - began, 1)

    thread = during(restart, 2.0)
    first = people.rush()
    thread.join()
    again = people.retry_unanswered(first)  # the app instances were not restarted
    check = people.verify(first, again)
    people.remove()
    pages = error_pages(first)
    status, _, _ = fetch("/")
    return {
        "drill": "restart PostgreSQL and PgBouncer during a deadline rush",
        "during": statuses(first), **pages, "outage_seconds": outage.get("seconds"),
        "retried": len(again.attempts), "after_retry": statuses(again), "start_page_after": status, "check": check,
        "ok": check["ok"] and check["users_without_statement"] == 0 and status == 200 and clear(pages),
    }  # fmt: skip


def task_counts() -> dict[str, int]:
    sql = "SELECT status, count(*) FROM django_tasks_database_dbtaskresult WHERE queue_name = 'email' GROUP BY 1"
    rows = parts.psql(parts.PORTS["PG_PRIMARY_PORT"], sql, parts.DATABASE)
    return {status: int(count) for status, count in (line.split("|") for line in rows.splitlines() if line)}


def wait_for_queue(until: Any, timeout: float = 300) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = task_counts()
        if until(counts):
            return counts
        time.sleep(1)
    raise SystemExit(f"the mail queue did not settle: {task_counts()}")


def drill_kill_worker(count: int) -> dict[str, Any]:
    """kill -9 a task worker in the middle of a batch of e-mails; the orphaned task runs again, nobody gets two."""
    tag = secrets.token_hex(4)
    mail_dir = parts.CLUSTER / "app" / "mail"
    script = (
        "from django.core.mail import EmailMessage\n"
        f"for i in range({count}):\n"
        f"    EmailMessage('Probe {tag}', 'Bitte ignorieren.', to=[f'drill{{i}}-{tag}@example.org']).send()\n"
    )
    began = time.perf_counter()
    queue = subprocess.Popen([str(parts.VENV / "bin" / "python"), "manage.py", "shell", "-c", script],
                             env=parts.direct_env(), cwd=parts.ROOT)  # fmt: skip
    killed = []
    for _ in range(3):  # three times, so that at least one kill is likely to hit a message being sent
        time.sleep(2.0)
        pid = int(parts.supervisorctl("pid", "worker:worker-0").stdout.strip() or 0)
        if pid:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
    queue.wait()
    # The survivors empty the queue; what stays "running" belonged to the dead worker.
    wait_for_queue(lambda counts: counts.get("READY", 0) == 0)
    time.sleep(2)
    orphaned = task_counts().get("RUNNING", 0)
    requeue = [str(parts.VENV / "bin" / "python"), "manage.py", "requeue_orphaned_tasks", "--older-than", "5",
               "--queue-name", "email"]  # fmt: skip
    requeued = subprocess.run(requeue, env=parts.direct_env(), cwd=parts.ROOT, capture_output=True, text=True)
    wait_for_queue(lambda counts: counts.get("READY", 0) == 0 and counts.get("RUNNING", 0) == 0)
    took = time.perf_counter() - began
    received: dict[str, int] = {}
    for path in mail_dir.glob("*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("To: drill") and line.endswith(f"-{tag}@example.org"):
                received[line] = received.get(line, 0) + 1
    return {
        "drill": "kill -9 a task worker in the middle of a batch of e-mails",
        "mails": count, "killed_pids": killed, "left_running_by_the_dead_worker": orphaned,
        "requeued": requeued.stdout.strip(),
        "recipients_reached": len(received), "recipients_twice": sum(1 for n in received.values() if n > 1),
        "seconds": round(took, 1),
        "ok": len(received) == count and all(n == 1 for n in received.values()),
    }  # fmt: skip


def drill_promote_replica(info: dict[str, Any], count: int) -> dict[str, Any]:
    """The primary is stopped during a rush; the replica is promoted and PgBouncer pointed at it.

    The data-loss window is what clients were told was received (a receipt) but the promoted replica does not
    have. A stopped primary (fast shutdown) hands the replica all its WAL first, so nothing should be lost here; a
    crashed one loses what the replica had not received: the replay lag the load test samples during the rush.
    """
    people = People(count, info)
    events: dict[str, Any] = {}

    def fail_over() -> None:
        began = time.perf_counter()
        parts.supervisorctl("stop", "pg-primary")
        parts.promote_replica()
        events["failover_seconds"] = round(time.perf_counter() - began, 1)

    thread = during(fail_over, 2.0)
    first = people.rush()
    thread.join()
    again = people.retry_unanswered(first)  # through PgBouncer to the promoted replica, the portal not restarted
    status, _, _ = fetch("/")
    parts.restore_roles_after_promotion()  # the promoted data is the primary's again, with a fresh replica
    check = people.verify(first, again)
    people.remove()
    pages = error_pages(first)
    return {
        "drill": "stop the primary during a rush, promote the replica, point PgBouncer at it",
        "during": statuses(first), **pages, **events, "retried": len(again.attempts),
        "after_retry": statuses(again), "start_page_after": status,
        "acknowledged_but_lost": check["acknowledged_lost"], "check": check,
        # Loss is measured, not forbidden (asynchronous replication); duplicates and wrong receipts are.
        "ok": check["users_with_several"] == 0 and check["receipts_not_matching"] == 0 and status == 200
        and check["users_without_statement"] == check["acknowledged_lost"] and clear(pages),
    }  # fmt: skip


def drill_stop_redis() -> dict[str, Any]:
    parts.supervisorctl("stop", "redis")
    try:
        answers = {
            path: fetch(path)[0] for path in ("/", "/veranstaltungen/", "/maengelmelder/liste/", "/suche/?q=Weg")
        }
        ready, body, _ = fetch(f"/readyz?token={parts.secret('healthz-token')}")
    finally:
        parts.start("redis")
        parts.wait_for_port(parts.PORTS["REDIS_PORT"], "Redis")
    return {
        "drill": "stop Redis",
        "pages": answers, "readyz": ready, "readyz_status": json.loads(body or "{}").get("status") if ready else None,
        "ok": all(code == 200 for code in answers.values()) and ready == 200 and '"degraded"' in body,
    }  # fmt: skip


def drill_stop_storage() -> dict[str, Any]:
    parts.supervisorctl("stop", "seaweedfs")
    try:
        answers = {path: fetch(path)[0] for path in ("/", "/veranstaltungen/", "/maengelmelder/liste/")}
        ready, body, _ = fetch(f"/readyz?token={parts.secret('healthz-token')}")
    finally:
        parts.start("seaweedfs")
        parts.wait_for_port(parts.PORTS["S3_PORT"], "SeaweedFS S3 gateway", timeout=120)
    return {
        "drill": "stop the object storage",
        "pages": answers, "readyz": ready, "readyz_status": json.loads(body or "{}").get("status") if ready else None,
        "ok": all(code == 200 for code in answers.values()) and ready == 200 and '"degraded"' in body,
    }  # fmt: skip


PROTECTED_ATTACHMENT = """
import hashlib, json, secrets
from django.core.files.base import ContentFile
from django.urls import reverse
from mitwirken.projects.models import Project, ProjectAttachment
project = Project.objects.filter(access="protected", organisation__slug="musterkreis").first()
data = b"%PDF-1.4\\n% cluster-test " + secrets.token_bytes(4096)
item = ProjectAttachment(project=project, title="Geschütztes Gutachten", content_type="application/pdf", size=len(data))
item.file.save("gutachten.pdf", ContentFile(data), save=False)
item.save()
print(json.dumps({"pk": item.pk, "key": item.file.name, "sha256": hashlib.sha256(data).hexdigest(),
                  "url": reverse("projects:attachment", kwargs={"org_slug": project.organisation.slug,
                                 "project_slug": project.slug, "attachment_pk": item.pk})}))
"""


def shell(script: str) -> str:
    command = [str(parts.VENV / "bin" / "python"), "manage.py", "shell", "-c", script]
    result = subprocess.run(command, env=parts.direct_env(), cwd=parts.ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"manage.py shell failed:\n{result.stderr[-2000:]}")
    return result.stdout.strip().splitlines()[-1]


def fetch_as(path: str, session: str, cookie: str) -> tuple[int, bytes]:
    request = urllib.request.Request(BASE + path, headers={"Cookie": f"{cookie}={session}"})
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def media_protection(info: dict[str, Any]) -> dict[str, Any]:
    """A protected project's attachment in the object storage: staff get it through nginx, nobody else does."""
    import hashlib

    item = json.loads(shell(PROTECTED_ATTACHMENT))
    s3 = f"http://127.0.0.1:{parts.PORTS['S3_PORT']}"
    staff_status, staff_body = fetch_as(item["url"], info["staff_session"], info["session_cookie_name"])
    member_status, _ = fetch_as(item["url"], info["citizen_session"], info["session_cookie_name"])  # invited
    outsider = People(1, info)  # a signed-in citizen who is not a member of the project
    citizen_status, _ = fetch_as(item["url"], outsider.people[0]["session"], info["session_cookie_name"])
    outsider.remove()
    tries = {
        "anonymous, the portal's link": fetch(item["url"])[0],
        "a citizen without invitation, the portal's link": citizen_status,
        "the object's URL at the object storage, unsigned": fetch(f"/{parts.BUCKET}/{item['key']}", base=s3)[0],
        "nginx's internal location for it": fetch(f"/_protected/s3/{parts.BUCKET}/{item['key']}")[0],
        "a guess below /_media/": fetch(f"/_media/{item['key']}")[0],
        "a guess below /_protected/media/": fetch(f"/_protected/media/{item['key']}")[0],
    }
    export = info["inbox_path"].removesuffix("eingang/") + "abwaegungstabelle.xlsx"
    export_status, export_body = fetch_as(export, info["staff_session"], info["session_cookie_name"])
    tries["anonymous, the Abwägungstabelle export"] = fetch(export)[0]
    tries["a citizen, the Abwägungstabelle export"] = fetch_as(
        export, info["citizen_session"], info["session_cookie_name"]
    )[0]
    received = hashlib.sha256(staff_body).hexdigest() == item["sha256"]
    return {
        "check": "media and exports only after the permission check (a protected project's attachment in the "
        "object storage, the Abwägungstabelle)",
        "staff_of_the_organisation": staff_status,
        "staff_received_the_file": received,
        "an_invited_participant": member_status,
        "staff_export": export_status,
        "others": tries,
        "ok": staff_status == 200
        and received
        and member_status == 200
        and export_status == 200
        and export_body[:2] == b"PK"
        and all(code in (302, 403, 404) for code in tries.values()),
    }


# ---------------------------------------------------------------- report


def load_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| Scenario | Instances | Requests | Requests/s | p50 | p95 | p99 | Errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        extra = ""
        if "exactly_once" in row:
            extra = (f" ({row['statements']:,} stored, exactly once: {'yes' if row['exactly_once'] else 'NO'}; "
                     f"{row['seconds']} s; replica lag at most {row['replica_lag_max_ms']} ms)")  # fmt: skip
        elif "one_response_each" in row:
            extra = (f" ({row['completed']} completed, {row['responses_stored']} responses stored: "
                     f"{'one each' if row['one_response_each'] else 'MISMATCH'})")  # fmt: skip
        elif "never_overbooked" in row:
            extra = (f" ({row['places_taken']} places taken, {row['waiting']} on the waiting list; never overbooked: "
                     f"{'yes' if row['never_overbooked'] else 'NO'})")  # fmt: skip
        lines.append(
            f"| {row['scenario']}{extra} | {row['instances']} | {row['requests']:,} | {row['per_second']} | "
            f"{row['p50_ms']} ms | {row['p95_ms']} ms | {row['p99_ms']} ms | {row['failures']} |"
        )
    return "\n".join(lines)


def write_section(path: Path, markers: tuple[str, str], body: str) -> None:
    text = path.read_text()
    start, end = markers
    if start not in text:
        raise SystemExit(f"{path} has no {start} section")
    path.write_text(f"{text.partition(start)[0]}{start}\n{body}\n{end}{text.partition(end)[2]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rush", type=int, default=2000, help="statements in the load test's deadline rush")
    parser.add_argument("--drill-rush", type=int, default=600, help="statements in a drill's rush")
    parser.add_argument("--mails", type=int, default=1500, help="e-mails in the worker drill's batch")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--only", default="", help="run only the drills whose name contains this (no docs written)")
    parser.add_argument("--write", action="store_true", help="write the figures into docs/")
    args = parser.parse_args()
    if not parts.supervisor_running():
        raise SystemExit("The cluster is not running: make cluster")
    info = tools("info")
    report: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="minutes"), "commit": commit()}
    report["media"] = media_protection(info)
    log(f"media protection: {report['media']}")
    report["load"] = [] if args.skip_load else load_tests(info, args.rush)
    drills = []
    for name, drill in [
        ("kill an app instance", lambda: drill_kill_app(info, args.drill_rush)),
        ("restart the database", lambda: drill_restart_database(info, args.drill_rush)),
        ("kill a task worker", lambda: drill_kill_worker(args.mails)),
        ("stop Redis", drill_stop_redis),
        ("stop the object storage", drill_stop_storage),
        ("promote the replica", lambda: drill_promote_replica(info, args.drill_rush)),
    ]:
        if args.only and args.only not in name:
            continue
        log(f"drill: {name}")
        drills.append(drill())
        log(f"  {'passed' if drills[-1]['ok'] else 'FAILED'}: {json.dumps(drills[-1], ensure_ascii=False)[:600]}")
    report["drills"] = drills
    RESULTS.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    if report["load"]:
        print(load_table(report["load"]))
    failed = [d["drill"] for d in drills if not d["ok"]] + ([] if report["media"]["ok"] else ["media"])
    failed += [row["scenario"] for row in report["load"] if row.get("exactly_once") is False]
    failed += [row["scenario"] for row in report["load"] if row.get("never_overbooked") is False]
    failed += [row["scenario"] for row in report["load"] if row.get("one_response_each") is False]
    if args.write and not args.only:
        write_docs(report)
    if failed:
        raise SystemExit("failed: " + "; ".join(failed))
    log("every drill passed")


def commit() -> str:
    git = ["git", "rev-parse", "--short", "HEAD"]
    return subprocess.run(git, capture_output=True, text=True, cwd=parts.ROOT, check=False).stdout.strip()


def write_docs(report: dict[str, Any]) -> None:
    heading = f"Measured {report['date'][:10]} at `{report['commit']}` on this machine (2 cores, everything on it)."
    if report["load"]:
        write_section(PERFORMANCE_MD, LOAD_MARKERS, heading + "\n\n" + load_table(report["load"]))
    lines = [heading, "", "| Drill | Result | Details |", "|---|---|---|"]
    for drill in report["drills"]:
        details = {k: v for k, v in drill.items() if k not in ("drill", "ok")}
        lines.append(f"| {drill['drill']} | {'passed' if drill['ok'] else '**failed**'} | "
                     f"`{json.dumps(details, ensure_ascii=False)}` |")  # fmt: skip
    media = report["media"]
    details = {k: v for k, v in media.items() if k not in ("check", "ok")}
    lines.append(f"| {media['check']} | {'passed' if media['ok'] else '**failed**'} | "
                 f"`{json.dumps(details, ensure_ascii=False)}` |")  # fmt: skip
    write_section(OPERATIONS_MD, DRILL_MARKERS, "\n".join(lines))


if __name__ == "__main__":
    main()
