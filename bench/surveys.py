"""The survey part of ``make bench``: the staff results page and the exports at 100,000 responses, and submissions.

Harness side (``bench/run.py`` imports this module; no Django import at module level):

1. ``prepare(..., responses=1000)`` right after ``seed_demo`` and again with ``--survey-responses`` (100,000 by
   default): tops the household survey up to that many responses (``python bench/surveys.py seed``, written with
   bulk_create as the submission service would store them) and measures the staff results page in-process with
   ``bench/queries.py`` (queries, repeated query shapes, SQL and service time), unfiltered and cross-tabulated.
2. ``ENDPOINTS``: the same two pages are loaded over HTTP in the rounds against the trivial view, with a staff
   session confirmed by a second factor.
3. ``exports(...)``: CSV, XLSX and the SPSS zip through the view, each in a fresh process: time, peak RSS (the
   process's ``ru_maxrss``), size, queries and rows.
4. ``submissions(...)``: POSTs of a survey's final page through the test client, one submission each (a personal
   code per respondent, drafts prepared beforehand), as submissions per second.

Tool side, run as a subprocess with the benchmarked environment (one JSON object on stdout)::

    python bench/surveys.py seed --responses 100000
    python bench/surveys.py info                    # paths and a staff session
    python bench/surveys.py export csv|xlsx|zip
    python bench/surveys.py submit --count 300

A quick check without the whole bench, on a migrated database: ``python bench/surveys.py quick --responses 2000``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from settle import settle

BENCH = Path(__file__).resolve().parent
TOOL = str(BENCH / "surveys.py")
PROJECT_SLUG = "umfrage-benchmark"
STAFF_EMAIL = "umfragen-bench@musterkreis.example"
ENDPOINTS = [
    ("survey_results", "results_path", "Survey results page (staff)"),
    ("survey_results_filtered", "filtered_path", "Survey results, cross-tabulated by an option (staff)"),
]
EXPORT_FORMATS = ("csv", "xlsx", "zip")

RunJson = Callable[[str, list[str], dict[str, str]], dict]


# ---------------------------------------------------------------- harness


def prepare(python: str, seed_env: dict[str, str], env: dict[str, str], responses: int, run_json: RunJson) -> dict:
    """Top the survey up to ``responses`` and measure the results pages in-process at that size."""
    seeded = run_json(f"bench/surveys.py seed --responses {responses}",
                      [python, TOOL, "seed", "--responses", str(responses)], seed_env)  # fmt: skip
    info = run_json("survey staff session", [python, TOOL, "info"], env)
    paths = [info[key] for _key, key, _label in ENDPOINTS]
    measured = run_json(f"survey results in-process at {seeded['responses_total']:,} responses",
                        [python, str(BENCH / "queries.py"), "--cookie", info["cookie"], *paths], env)  # fmt: skip
    return {**seeded, **info, "endpoints": measured["endpoints"]}


def endpoints(large: dict) -> list[tuple[str, str, str, tuple[tuple[str, str], ...]]]:
    """(key, path, label, headers) for the load rounds."""
    headers = (("Cookie", large["cookie"]),)
    return [(key, large[path_key], label, headers) for key, path_key, label in ENDPOINTS]


def exports(python: str, env: dict[str, str], run_json: RunJson) -> list[dict]:
    """Each export in its own process, so the peak RSS is the export's."""
    results = []
    for file_format in EXPORT_FORMATS:
        result = run_json(f"survey export {file_format}", [python, TOOL, "export", file_format], env)
        print(f"  survey {file_format}: {result['rows']:,} rows in {result['seconds']:.1f} s, peak RSS "
              f"{result['rss_peak_mb']:.0f} MB (+{result['rss_growth_mb']:.0f} MB), {result['file_mb']:.1f} MB, "
              f"{result['queries']} queries", flush=True)  # fmt: skip
        results.append(result)
    return results


def submissions(python: str, env: dict[str, str], count: int, run_json: RunJson) -> dict:
    return run_json(f"survey submissions: {count}", [python, TOOL, "submit", "--count", str(count)], env)


def section(entries: list[dict], small: dict, large: dict, exported: list[dict], submitted: dict | None) -> dict:
    """The ``surveys`` part of results.json."""
    for entry in entries:
        entry["small"] = small["endpoints"][entry["path"]]
        entry["large"] = large["endpoints"][entry["path"]]
    return {"responses_small": small["responses_total"], "responses_large": large["responses_total"],
            "answers_large": large["answers_total"], "seed_seconds": large.get("seconds"), "endpoints": entries,
            "exports": exported, "submissions": submitted}  # fmt: skip


def notes(report: dict) -> list[str]:
    found = []
    part = report.get("surveys") or {}
    for item in part.get("endpoints", []):
        if item["small"]["queries"] != item["large"]["queries"]:
            found.append(f"{item['label']}: {item['small']['queries']} SQL queries at {part['responses_small']:,} "
                         f"responses, {item['large']['queries']} at {part['responses_large']:,}.")  # fmt: skip
    for item in part.get("exports", []):
        if item["rows"] != part["responses_large"]:
            found.append(
                f"Survey {item['format']} export: {item['rows']:,} rows for {part['responses_large']:,} responses."
            )
    submitted = part.get("submissions") or {}
    if submitted.get("failed"):
        found.append(f"Survey submissions: {submitted['failed']} of {submitted['count']} POSTs did not submit.")
    return found


def markdown(report: dict, table: Callable[..., list[str]], row: Callable[[dict, str], list[str]]) -> list[str]:
    part = report.get("surveys")
    if not part:
        return ["", "The survey part was skipped (`--skip-surveys`)."]
    lines = [
        "",
        f"### Surveys ({part['responses_large']:,} responses, {part['answers_large']:,} answer rows)",
        "",
        "The household survey (single and multiple choice, number, matrix, ranking, scale, texts, location); "
        "the staff results page unfiltered and cross-tabulated by one option, with a staff session.",
        "",
        *table(
            ["Endpoint", "Path", "req/s", "Ratio", "p50 ms", "p95 ms", "1 req ms", "SQL ms", "SQL queries"],
            [row(item, item["path"]) for item in part["endpoints"]],
        ),
        "",
        f"SQL queries at {part['responses_small']:,} responses: "
        + ", ".join(f"{item['label']} {item['small']['queries']}" for item in part["endpoints"])
        + ".",
        "",
        *table(
            ["Export", "Rows", "Time s", "Rows/s", "Peak RSS MB", "Growth MB", "File MB", "SQL queries"],
            [
                [
                    item["format"].upper(),
                    f"{item['rows']:,}",
                    f"{item['seconds']:.1f}",
                    f"{item['rows'] / max(item['seconds'], 0.001):,.0f}",
                    f"{item['rss_peak_mb']:.0f}",
                    f"{item['rss_growth_mb']:.0f}",
                    f"{item['file_mb']:.1f}",
                    str(item["queries"]),
                ]
                for item in part["exports"]
            ],
        ),
    ]
    submitted = part.get("submissions")
    if submitted:
        lines += ["", f"Submissions: {submitted['count']:,} final pages POSTed through the test client, "
                      f"{submitted['per_second']:.1f} submissions/s (p50 {submitted['p50_ms']:.0f} ms, "
                      f"p95 {submitted['p95_ms']:.0f} ms); failed: {submitted['failed']}."]  # fmt: skip
    return lines


# ---------------------------------------------------------------- tool (Django)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitwirken.settings")
    sys.path.insert(0, str(BENCH))
    import django

    django.setup()


def _actor() -> Any:
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth import get_user_model

    from mitwirken.core.demo import DEMO_TOTP_SECRET
    from mitwirken.organisations.models import Organisation, OrganisationMembership

    organisation, _created = Organisation.objects.get_or_create(slug="musterkreis",
                                                                defaults={"name": "Landkreis Musterkreis"})  # fmt: skip
    user, created = get_user_model().objects.get_or_create(email=STAFF_EMAIL, defaults={"display_name": "Umfragen"})
    if created:
        OrganisationMembership.objects.create(organisation=organisation, user=user, role="admin")
        TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


def _survey(access: str) -> Any:
    """The household survey (as in the tests) in the bench project, created the first time."""
    from datetime import timedelta

    from django.utils import timezone

    from mitwirken.organisations.models import Organisation
    from mitwirken.projects.models import Module, Phase, Project
    from mitwirken.surveys.blueprints import MODULE_TYPE, RESPOND
    from mitwirken.surveys.models import Survey
    from mitwirken.surveys.services import building

    actor = _actor()
    organisation = Organisation.objects.get(slug="musterkreis")
    project, _created = Project.objects.get_or_create(
        organisation=organisation, slug=PROJECT_SLUG,
        defaults={"title": "Umfrage-Benchmark", "summary": "Haushaltsbefragung", "status": "published",
                  "access": "public", "published_at": timezone.now()},
    )  # fmt: skip
    name = f"Haushaltsbefragung {access}"
    module = Module.objects.filter(project=project, name=name).first()
    if module is not None:
        survey = Survey.objects.get(module=module)
        survey.module = module
        return survey
    module = Module.objects.create(project=project, module_type=MODULE_TYPE, name=name)
    now = timezone.now()
    Phase.objects.create(module=module, phase_type=RESPOND.key, name=str(RESPOND.name), features=list(RESPOND.features),
                         start=now - timedelta(days=1), end=now + timedelta(days=30))  # fmt: skip
    survey = building.survey_for(module)
    Survey.objects.filter(pk=survey.pk).update(access=access)
    survey.access = access
    _questions(building, actor, survey)
    return survey


def _questions(building: Any, actor: Any, survey: Any) -> None:
    first = building.page_add(actor=actor, survey=survey, title="Ihr Haushalt")
    add = building.question_add
    add(actor=actor, page=first, type="single", code="verkehrsmittel", required=True, text="Wie kommen Sie zur Arbeit?",
        options=[("auto", "Auto"), ("rad", "Fahrrad"), ("oepnv", "Bus und Bahn"), ("fuss", "Zu Fuß")],
        config={"other": True})  # fmt: skip
    add(actor=actor, page=first, type="number", code="personen", required=True, text="Personen im Haushalt?",
        config={"min": 1, "max": 20, "step": 1})  # fmt: skip
    bikes = building.page_add(actor=actor, survey=survey, title="Radverkehr",
                              condition={"question": "verkehrsmittel", "op": "equals", "value": "rad"})  # fmt: skip
    add(actor=actor, page=bikes, type="matrix", code="radwege", required=True, text="Zufrieden mit den Radwegen?",
        options=[("1", "sehr zufrieden"), ("2", "zufrieden"), ("3", "unzufrieden")],
        rows=[("innenstadt", "Innenstadt"), ("schulwege", "Schulwege")])  # fmt: skip
    add(actor=actor, page=bikes, type="multiple", code="wuensche", text="Was wünschen Sie sich?",
        options=[("abstellen", "Abstellanlagen"), ("licht", "Beleuchtung"), ("breite", "Breitere Wege")])  # fmt: skip
    last = building.page_add(actor=actor, survey=survey, title="Prioritäten")
    add(actor=actor, page=last, type="ranking", code="prioritaeten", required=True, text="Was ist am wichtigsten?",
        options=[("sicherheit", "Sicherheit"), ("tempo", "Schnelligkeit"), ("kosten", "Kosten")])  # fmt: skip
    add(
        actor=actor,
        page=last,
        type="scale",
        code="zufriedenheit",
        text="Wie zufrieden sind Sie?",
        config={"scale": "1-5"},
    )
    add(actor=actor, page=last, type="long_text", code="anmerkungen", text="Möchten Sie uns noch etwas sagen?")
    add(actor=actor, page=last, type="location", code="ort", text="Wo fehlt ein Radweg?")


MODES = ["auto", "rad", "oepnv", "fuss", "rad", "_other"]
ORDERS = [["sicherheit", "tempo", "kosten"], ["tempo", "kosten", "sicherheit"], ["kosten", "sicherheit", "tempo"]]


def _answers(number: int) -> dict[str, Any]:
    """A varied but deterministic response: the n-th respondent of the household survey."""
    mode = MODES[number % len(MODES)]
    values: dict[str, Any] = {"verkehrsmittel": {"choice": mode, "other": "Roller" if mode == "_other" else ""},
                              "personen": str(1 + number % 6), "prioritaeten": ORDERS[number % 3],
                              "zufriedenheit": 1 + number % 5}  # fmt: skip
    if mode == "rad":
        values["radwege"] = {"innenstadt": str(1 + number % 3), "schulwege": str(1 + (number // 3) % 3)}
        values["wuensche"] = {"choices": ["licht", "breite"][: 1 + number % 2], "other": ""}
    if number % 10 == 0:
        values["anmerkungen"] = f"Anmerkung Nr. {number}: mehr Bänke am Radweg."
    if number % 25 == 0:
        values["ort"] = {"lat": 49.9 + (number % 100) / 1000, "lon": 8.2 + (number % 77) / 1000}
    return values


def seed(responses: int) -> dict:
    import datetime

    from django.db import transaction

    from mitwirken.surveys import questions, results
    from mitwirken.surveys.models import Answer, Response

    began = time.perf_counter()
    survey = _survey("public")
    _survey("token")  # the submission throughput's survey, created here so `submit` only prepares drafts
    by_code = {question.code: question for question in survey.questions.all()}
    existing = Response.objects.filter(survey=survey).count()
    day = datetime.date(2026, 1, 1)
    for start in range(existing, responses, 5_000):
        numbers = range(start, min(start + 5_000, responses))
        with transaction.atomic():
            made = Response.objects.bulk_create(
                Response(survey=survey, submitted_on=day + datetime.timedelta(days=n % 60)) for n in numbers
            )
            Answer.objects.bulk_create(
                (Answer(response=response, question=by_code[code], **row)
                 for response, n in zip(made, numbers, strict=True) for code, value in _answers(n).items()
                 for row in questions.answer_rows(by_code[code].type, value)),
                batch_size=5_000,
            )  # fmt: skip
    results.changed(survey)  # as the submission service does: cached results of the old answers retire
    from django.db import connection

    if connection.vendor == "postgresql":
        # Planner statistics for the new rows, as autovacuum gathers them in production (see seed_demo).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE surveys_response, surveys_answer")
    return {"survey_pk": survey.pk, "responses_total": Response.objects.filter(survey=survey).count(),
            "answers_total": Answer.objects.filter(response__survey=survey).count(),
            "seconds": round(time.perf_counter() - began, 1)}  # fmt: skip


def _staff_cookie() -> tuple[str, str]:
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    staff = _actor()
    now = time.time()
    store = SessionStore()
    store.update({SESSION_KEY: str(staff.pk), BACKEND_SESSION_KEY: "mitwirken.accounts.backends.SecondFactorModelBackend",
                  HASH_SESSION_KEY: staff.get_session_auth_hash(), "account_authentication_methods_user": str(staff.pk),
                  "account_authentication_methods": [{"method": "password", "at": now}, {"method": "mfa", "at": now}]})  # fmt: skip
    store.set_expiry(timezone.now() + timedelta(hours=12))
    store.create()
    return settings.SESSION_COOKIE_NAME, store.session_key or ""


def info() -> dict:
    from django.urls import reverse

    survey = _survey("public")
    module = survey.module
    kwargs = {"org_slug": module.project.organisation.slug, "project_pk": module.project.pk, "module_pk": module.pk}
    results = reverse("backoffice:survey_results", kwargs=kwargs)
    rad = survey.questions.get(code="verkehrsmittel").pk
    name, key = _staff_cookie()
    return {"results_path": results, "filtered_path": f"{results}?antwort={rad}%3Arad&von=2026-01-15",
            "export_path": reverse("backoffice:survey_export", kwargs={**kwargs, "file_format": "FORMAT"}),
            "cookie": f"{name}={key}"}  # fmt: skip


def export(file_format: str) -> dict:
    import resource

    import openpyxl  # noqa: F401 - imported before measuring, as the running server has it loaded
    from django.db import connection
    from django.test import Client

    paths = info()
    path = paths["export_path"].replace("FORMAT", file_format)
    name, _sep, key = paths["cookie"].partition("=")
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[name] = key
    queries = 0

    def counting(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    began = time.perf_counter()
    size, lines = 0, 0
    with connection.execute_wrapper(counting):
        response = client.get(path)
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - began
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    from mitwirken.surveys.models import Response

    return {"format": file_format, "status": response.status_code, "seconds": round(seconds, 2),
            "rows": Response.objects.filter(survey=_survey("public")).count() if file_format != "csv" else lines - 1,
            "rss_before_mb": round(rss_before / 1024, 1), "rss_peak_mb": round(rss_peak / 1024, 1),
            "rss_growth_mb": round((rss_peak - rss_before) / 1024, 1), "file_mb": round(size / 1024 / 1024, 2),
            "queries": queries}  # fmt: skip


def submit(count: int) -> dict:
    """Final pages POSTed through the test client: each one submits a response (token survey, drafts prepared)."""
    import statistics

    from django.test import Client
    from django.urls import reverse

    from mitwirken.surveys.models import Draft, Token

    survey = _survey("token")
    module = survey.module
    tokens = Token.objects.bulk_create(Token(survey=survey) for _n in range(count))
    Draft.objects.bulk_create(Draft(survey=survey, token=token, page=1, answers={
        "verkehrsmittel": {"choice": "rad", "other": ""}, "personen": "2",
        "radwege": {"innenstadt": "1", "schulwege": "2"}}) for token in tokens)  # fmt: skip
    url = reverse("surveys:page", kwargs={"org_slug": module.project.organisation.slug, "number": 3,
                                          "project_slug": module.project.slug, "module_slug": module.slug})  # fmt: skip
    clients = []
    for token in tokens:
        client = Client(HTTP_HOST="127.0.0.1")
        session = client.session
        session[f"surveys:token:{survey.pk}"] = token.code
        session.save()  # the test client has set its cookie when it made the session
        clients.append(client)
    data = {"q-prioritaeten": ["tempo", "sicherheit", "kosten"], "q-prioritaeten-ranked": "1", "q-zufriedenheit": "4"}
    durations, failed = [], 0
    began = time.perf_counter()
    for client in clients:
        start = time.perf_counter()
        response = client.post(url, data)
        durations.append(time.perf_counter() - start)
        failed += not (response.status_code == 302 and response["Location"].endswith("/danke/"))
    seconds = time.perf_counter() - began
    durations.sort()
    return {"count": count, "failed": failed, "seconds": round(seconds, 2), "per_second": round(count / seconds, 1),
            "p50_ms": round(statistics.median(durations) * 1000, 1),
            "p95_ms": round(durations[int(len(durations) * 0.95) - 1] * 1000, 1)}  # fmt: skip


def quick(responses: int) -> dict:
    """Everything once at a small size, in this process (for checking the scenario, not for figures)."""
    from django.test import Client

    from queries import measure  # bench/queries.py

    seeded = seed(responses)
    paths = info()
    name, _sep, key = paths["cookie"].partition("=")
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[name] = key
    pages = {paths[path_key]: measure(client, paths[path_key]) for _key, path_key, _label in ENDPOINTS}
    return {**seeded, "pages": pages, "exports": [export(fmt) for fmt in EXPORT_FORMATS], "submit": submit(50)}


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("seed").add_argument("--responses", type=int, required=True)
    commands.add_parser("info")
    commands.add_parser("export").add_argument("file_format", choices=EXPORT_FORMATS)
    commands.add_parser("submit").add_argument("--count", type=int, default=300)
    commands.add_parser("quick").add_argument("--responses", type=int, default=2_000)
    args = parser.parse_args()
    _django()
    if args.command == "seed":
        result = {**seed(args.responses), "settle_seconds": settle()}
    elif args.command == "info":
        result = info()
    elif args.command == "export":
        result = export(args.file_format)
    elif args.command == "submit":
        result = submit(args.count)
    else:
        result = quick(args.responses)
    json.dump(result, sys.stdout, default=str)


if __name__ == "__main__":
    main()
