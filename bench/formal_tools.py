"""Database-side helpers for the formal-procedure part of the benchmark.

Run by ``bench/run.py`` as subprocesses with the production environment of the benchmarked server (same
database, same ``SECRET_KEY``, so sessions created here are valid there). Each prints one JSON object::

    python bench/formal_tools.py info                     # ids, URLs and a staff session confirmed with MFA
    python bench/formal_tools.py export xlsx [--limit N]  # time and peak memory of one export, in this process
    python bench/formal_tools.py burst-setup 2000 FILE [--tag T]  # users with a verified e-mail, a draft and a session
    python bench/formal_tools.py burst-verify FILE        # what the burst left in the database
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import sys
import time
import zipfile
from collections import Counter
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitwirken.settings")

import django

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from mitwirken.formal.models import Procedure, Statement, StatementDraft  # noqa: E402

PROJECT_SLUG = "ortsumgehung-beispielhausen"
CITIZEN_EMAIL = "buerger@mitwirken.example"
STAFF_EMAIL = "sachbearbeitung@musterkreis.example"
BURST_DOMAIN = "burst.bench.example"
TEXT = (
    "Ich erhebe Einwendungen gegen die Ortsumgehung: Die Variante Nord führt zu nah an der Grundschule vorbei, "
    "und der Lärmschutz für die Wohngebiete am Ortsrand ist nicht ausreichend untersucht."
)


def procedure() -> Procedure:
    return Procedure.objects.select_related("module__project__organisation").get(module__project__slug=PROJECT_SLUG)


def public_track(proc: Procedure):  # type: ignore[no-untyped-def]
    return proc.rounds.order_by("number").first().tracks.get(audience="public")


def session_row(user, extra: dict | None = None) -> Session:  # type: ignore[no-untyped-def]
    """A logged-in session as django.contrib.auth.login would store it (no request needed)."""
    data = {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: "mitwirken.accounts.backends.SecondFactorModelBackend",
        HASH_SESSION_KEY: user.get_session_auth_hash(),
    }
    data.update(extra or {})
    return Session(
        session_key=secrets.token_hex(16),
        session_data=SessionStore().encode(data),
        expire_date=timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE),
    )


# ---------------------------------------------------------------- info


def info() -> dict:
    proc = procedure()
    project = proc.module.project
    track = public_track(proc)
    staff = get_user_model().objects.get(email=STAFF_EMAIL)
    now = time.time()
    # What allauth stores after password + TOTP; the back office checks for the "mfa" record.
    session = session_row(staff, {
        "account_authentication_methods_user": str(staff.pk),
        "account_authentication_methods": [{"method": "password", "at": now}, {"method": "mfa", "at": now}],
    })  # fmt: skip
    session.save()
    # A citizen for "Mein Bereich"; ``bench/seed.py --account-items`` gives them many statements, reports, ideas.
    citizen = session_row(get_user_model().objects.get(email=CITIZEN_EMAIL))
    citizen.save()
    url_kwargs = {"org_slug": project.organisation.slug, "module_pk": proc.module.pk}
    return {
        "citizen_session": citizen.session_key,
        "overview_path": reverse("backoffice:dashboard", kwargs={"org_slug": project.organisation.slug}),
        "account_path": reverse("accounts:overview"),
        "procedure_pk": proc.pk,
        "statements": Statement.objects.filter(procedure=proc).count(),
        "inbox_path": reverse("backoffice:procedure_inbox", kwargs={**url_kwargs, "project_pk": project.pk}),
        "review_path": reverse("formal:review", kwargs={"org_slug": project.organisation.slug, "project_slug": project.slug,
                                                        "module_slug": proc.module.slug, "track_pk": track.pk}),
        "session_cookie_name": settings.SESSION_COOKIE_NAME,
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
        "staff_session": session.session_key,
    }  # fmt: skip


# ---------------------------------------------------------------- export


def export(file_format: str, limit: int) -> dict:
    from mitwirken.formal import exports  # imports openpyxl lazily; import it here so it counts as "before"

    if file_format == "xlsx":
        import openpyxl  # noqa: F401

    proc = procedure()
    statements = Statement.objects.filter(procedure=proc)
    if limit:
        last = statements.order_by("id").values_list("id", flat=True)[limit - 1]
        statements = statements.filter(id__lte=last)
    count = statements.count()
    queries = 0

    def counting(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    writer = {"xlsx": exports.write_xlsx, "ods": exports.write_ods}[file_format]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    began = time.perf_counter()
    with connection.execute_wrapper(counting):
        target = writer(statements)
    seconds = time.perf_counter() - began
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    target.seek(0, os.SEEK_END)
    size = target.tell()
    target.seek(0)
    with zipfile.ZipFile(target) as archive:  # a readable file, not just bytes
        names = archive.namelist()
        uncompressed = sum(item.file_size for item in archive.infolist())
    target.close()
    return {
        "format": file_format, "statements": count, "seconds": round(seconds, 2),
        "rss_before_mb": round(rss_before / 1024, 1), "rss_peak_mb": round(rss_peak / 1024, 1),
        "rss_growth_mb": round((rss_peak - rss_before) / 1024, 1), "file_mb": round(size / 1024 / 1024, 2),
        "uncompressed_mb": round(uncompressed / 1024 / 1024, 1), "zip_entries": len(names), "queries": queries,
    }  # fmt: skip


# ---------------------------------------------------------------- deadline burst


def burst_setup(count: int, path: Path, tag: str = "") -> dict:
    """Citizens with a verified e-mail address, a complete draft for the public track and a plain session."""
    proc = procedure()
    track = public_track(proc)
    User = get_user_model()
    began = time.perf_counter()
    with transaction.atomic():
        users = []
        for index in range(count):
            user = User(email=f"person{index}{tag}@{BURST_DOMAIN}", display_name=f"Burst {index}")
            user.set_unusable_password()
            users.append(user)
        users = User.objects.bulk_create(users, batch_size=500)
        if any(user.pk is None for user in users):  # databases without RETURNING
            users = list(User.objects.filter(email__endswith=f"{tag}@{BURST_DOMAIN}").order_by("id"))
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users], batch_size=500
        )
        drafts = StatementDraft.objects.bulk_create([
            StatementDraft(track=track, author=user, data={
                "text": f"{TEXT} (Einwendung {index})", "author_name": f"Erika Burst {index}", "organisation_name": "",
                "street": f"Lindenweg {index % 200 + 1}", "postal_code": "55599", "city": "Beispielhausen",
                "publish_name": False, "section": None, "location": "",
            })
            for index, user in enumerate(users)
        ], batch_size=500)  # fmt: skip
        sessions = Session.objects.bulk_create([session_row(user) for user in users], batch_size=500)
    people = [
        {"user": user.pk, "session": session.session_key, "submission_key": str(draft.submission_key)}
        for user, draft, session in zip(users, drafts, sessions, strict=True)
    ]
    path.write_text(json.dumps(people), encoding="utf-8")
    return {"users": len(people), "seconds": round(time.perf_counter() - began, 1), "track_pk": track.pk}


def burst_verify(path: Path) -> dict:
    people = json.loads(path.read_text(encoding="utf-8"))
    user_ids = [person["user"] for person in people]
    keys = {person["submission_key"] for person in people}
    statements = list(
        Statement.objects.filter(author_id__in=user_ids).values(
            "author_id", "reference", "submission_key", "procedure_id"
        )
    )
    per_user = Counter(row["author_id"] for row in statements)
    references = Counter(row["reference"] for row in statements)
    proc = procedure()
    all_references = Statement.objects.filter(procedure=proc).values_list("reference", flat=True)
    return {
        "users": len(people),
        "statements": len(statements),
        "users_with_one_statement": sum(1 for uid in user_ids if per_user.get(uid) == 1),
        "users_without_statement": sum(1 for uid in user_ids if uid not in per_user),
        "users_with_several": sum(1 for count in per_user.values() if count > 1),
        "unique_references": len(references),
        "duplicate_references_in_procedure": sum(1 for c in Counter(all_references).values() if c > 1),
        "keys_matching_drafts": sum(1 for row in statements if str(row["submission_key"]) in keys),
        "drafts_left": StatementDraft.objects.filter(author_id__in=user_ids).count(),
        "procedure_counter": Procedure.objects.values_list("statement_counter", flat=True).get(pk=proc.pk),
        "procedure_statements": len(all_references),
        "reference_by_user": {str(row["author_id"]): row["reference"] for row in statements},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("info")
    export_parser = commands.add_parser("export")
    export_parser.add_argument("format", choices=["xlsx", "ods"])
    export_parser.add_argument("--limit", type=int, default=0, help="only the first N statements (by id)")
    setup_parser = commands.add_parser("burst-setup")
    setup_parser.add_argument("users", type=int)
    setup_parser.add_argument("file", type=Path)
    setup_parser.add_argument("--tag", default="", help="part of the e-mail addresses, for repeated set-ups")
    verify_parser = commands.add_parser("burst-verify")
    verify_parser.add_argument("file", type=Path)
    args = parser.parse_args()
    if args.command == "info":
        result = info()
    elif args.command == "export":
        result = export(args.format, args.limit)
    elif args.command == "burst-setup":
        result = burst_setup(args.users, args.file, args.tag)
    else:
        result = burst_verify(args.file)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
