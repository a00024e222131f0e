"""Scale data for the benchmark, after an ordinary ``seed_demo``: extra projects, statements and reports.

Run by ``bench/run.py`` as a subprocess with the development environment (the demo seeders refuse
production)::

    python bench/seed.py --projects 10000 --statements 50000
    python bench/seed.py --reports-total 100000   # Mängelmelder reports, topped up to this total
    python bench/seed.py --ideas 10000            # dialogue: scale ideas (10 comments each), topped up to this number

It calls the same bulk seeders that ``seed_demo --scale N`` calls (``projects.demo._seed_scale`` and
``formal.demo._scale``), but with separate counts, and it reloads the procedure from the database before
adding statements. Reports come from ``reports.demo._scale``; ``--reports-total`` adds as many as are missing
to reach the total, so the benchmark can measure at 1,000 reports first and at 100,000 later. ``--ideas N``
does the same for the brainstorming module of the demo dialogue (``dialogue.demo._scale``, which ``seed_demo
--scale N`` also calls): it adds as many ideas with 8 comments and 2 replies each as are missing to reach N
such scale ideas (the demo's own ideas are not counted), and touches no other module. Prints one JSON object
with the counts and the time each part took.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitwirken.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402

from mitwirken.dialogue import demo as dialogue_demo  # noqa: E402
from mitwirken.dialogue.models import Idea  # noqa: E402
from mitwirken.formal import demo as formal_demo  # noqa: E402
from mitwirken.formal.models import Procedure, Statement  # noqa: E402
from mitwirken.organisations.models import Organisation  # noqa: E402
from mitwirken.participation.models import Comment  # noqa: E402
from mitwirken.projects import demo as project_demo  # noqa: E402
from mitwirken.projects.models import Project  # noqa: E402
from mitwirken.reports import demo as report_demo  # noqa: E402
from mitwirken.reports.models import Report  # noqa: E402
from settle import settle  # noqa: E402

PROJECT_SLUG = "ortsumgehung-beispielhausen"
CITIZEN_EMAIL = "buerger@mitwirken.example"
SCALE_IDEA_PREFIX = "Idee Nr. "  # the titles dialogue.demo._scale gives its ideas


def give_to_citizen(count: int) -> dict[str, int]:
    """Make the demo citizen the author of ``count`` scale rows of each kind, for "Mein Bereich"."""
    from django.contrib.auth import get_user_model

    citizen = get_user_model().objects.get(email=CITIZEN_EMAIL)
    given = {}
    with transaction.atomic():
        for name, model, field in (("statements", Statement, "author"), ("reports", Report, "reporter"),
                                   ("ideas", Idea, "author"), ("comments", Comment, "author")):  # fmt: skip
            ids = list(model.objects.order_by("-pk").values_list("pk", flat=True)[:count])
            given[name] = model.objects.filter(pk__in=ids).update(**{field: citizen})
    return given


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=0)
    parser.add_argument("--statements", type=int, default=0)
    parser.add_argument("--reports-total", type=int, default=0, help="top the Mängelmelder reports up to this total")
    parser.add_argument(
        "--account-items",
        type=int,
        default=0,
        help="make the demo citizen the author of this many statements, reports, ideas, comments",
    )
    parser.add_argument("--ideas", type=int, default=0,
                        help="top the scale ideas of the demo brainstorming module up to this number")  # fmt: skip
    args = parser.parse_args()
    report: dict[str, object] = {}
    if args.projects:
        began = time.perf_counter()
        with transaction.atomic():
            project_demo._seed_scale(Organisation.objects.get(slug="musterkreis"), args.projects)
        report["projects_seconds"] = round(time.perf_counter() - began, 1)
    if args.statements:
        began = time.perf_counter()
        with transaction.atomic():
            # Fresh from the database: the counter must include the demo statements already submitted.
            procedure = Procedure.objects.get(module__project__slug=PROJECT_SLUG)
            formal_demo._scale(procedure, args.statements)
        report["statements_seconds"] = round(time.perf_counter() - began, 1)
    if args.reports_total:
        began = time.perf_counter()
        with transaction.atomic():
            report["reports_added"] = report_demo._scale(max(0, args.reports_total - Report.objects.count()))
        report["reports_seconds"] = round(time.perf_counter() - began, 1)
        report["reports_total"] = Report.objects.count()
    if args.ideas:
        began = time.perf_counter()
        with transaction.atomic():
            module = dialogue_demo.scale_module()
            existing = Idea.objects.filter(module=module, title__startswith=SCALE_IDEA_PREFIX).count()
            report["ideas_added"] = dialogue_demo._scale(module, max(0, args.ideas - existing))
        report["ideas_seconds"] = round(time.perf_counter() - began, 1)
        report["ideas_total"] = Idea.objects.filter(module=module).count()
        report["idea_comments_total"] = Comment.objects.filter(module=module).count()
    if args.account_items:
        report["account_items"] = give_to_citizen(args.account_items)
    report["projects_total"] = Project.objects.count()
    procedure = Procedure.objects.filter(module__project__slug=PROJECT_SLUG).first()
    report["statements_total"] = Statement.objects.filter(procedure=procedure).count() if procedure else 0
    report["settle_seconds"] = settle()
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
