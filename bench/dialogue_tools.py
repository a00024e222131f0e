"""Database-side helper for the dialogue part of the benchmark.

Run by ``bench/run.py`` (through ``bench/dialogue.py``) as a subprocess with the environment of the benchmarked
server. Prints one JSON object::

    python bench/dialogue_tools.py inprocess --idea "Idee Nr. 50" "{module_path}" "{module_path}?sort=comments" …

The paths are templates: ``{module_path}`` is the public page of the brainstorming module that ``--scale`` and
``bench/seed.py --ideas`` fill (the demo project *Was wird aus der alten Schule?*), ``{idea_path}`` the page of
the idea titled ``--idea``. Each path is requested in-process with Django's test client as an anonymous visitor
(as the load generator does): SQL queries, repeated query shapes, SQL time and the median service time, from
``bench/queries.py``, plus the size of the answer and what the page shows (ideas found, page number, comments).
The module's idea and comment counts come along, and a check that the stored counters match the rows.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitwirken.settings")

import django

django.setup()

from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from mitwirken.dialogue import demo as dialogue_demo  # noqa: E402
from mitwirken.dialogue.models import Idea  # noqa: E402
from mitwirken.participation.models import Comment, Rating  # noqa: E402

SCALE_PREFIX = "Idee Nr. "
_FOUND = re.compile(r'id="idea-list"[^>]*>([\d.,\s\u202f]+) Beitr')
_PAGE = re.compile(r"Seite (\d+) von (\d+)")
_COMMENT = re.compile(r'<article class="comment[ "]')
_IDEA_CARD = re.compile(r'<li class="idea-card">')


def counter_mismatches(module: Any) -> int:
    """Ideas whose stored counters differ from their rows: ``demo.check_counters`` in four grouped queries.

    ``check_counters`` runs four queries per idea, 40,000 at 10,000 ideas; the conditions here are the same.
    """
    comments = dict(
        Comment.objects.filter(idea__module=module, approved=True, hidden=False, deleted_at__isnull=True)
        .values_list("object_pk").annotate(n=Count("pk")).order_by()
    )  # fmt: skip
    ratings = Rating.objects.filter(idea__module=module).values_list("object_pk").annotate(n=Count("pk")).order_by()
    positive = dict(ratings.filter(value=1))
    negative = dict(ratings.filter(value=-1))
    wrong = 0
    for pk, comment_count, positive_count, negative_count, score in Idea.objects.filter(module=module).values_list(
        "pk", "comment_count", "positive_count", "negative_count", "score"
    ):
        up, down = positive.get(pk, 0), negative.get(pk, 0)
        wrong += (comment_count, positive_count, negative_count, score) != (comments.get(pk, 0), up, down, up - down)
    return wrong


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def measure(client: Client, path: str) -> dict[str, Any]:
    from queries import measure as measure_queries  # bench/queries.py: the same figures as for the other pages

    response = client.get(path)
    if response.status_code != 200:
        return {"path": path, "status": response.status_code}  # the harness reports it and leaves the path out
    html = response.content.decode("utf-8", errors="replace")
    result: dict[str, Any] = {"path": path, "status": 200, "bytes": len(response.content)}
    found, page = _FOUND.search(html), _PAGE.search(html)
    if found:
        result["found"] = _number(found.group(1))
        result["cards"] = len(_IDEA_CARD.findall(html))
    if page:
        result["page"], result["pages"] = int(page.group(1)), int(page.group(2))
    if not found:
        result["comments_shown"] = len(_COMMENT.findall(html))
    result.update(measure_queries(client, path))
    return result


def inprocess(templates: list[str], idea_title: str) -> dict[str, Any]:
    module = dialogue_demo.scale_module()
    project = module.project
    idea = Idea.objects.filter(module=module, title=idea_title).first()
    if idea is None:
        raise SystemExit(f"no idea titled {idea_title!r} in module {module.pk}: seed with bench/seed.py --ideas")
    paths = {
        "module_path": reverse("projects:module", kwargs={
            "org_slug": project.organisation.slug, "project_slug": project.slug, "module_slug": module.slug}),
        "idea_path": reverse("dialogue:idea", kwargs={
            "org_slug": project.organisation.slug, "project_slug": project.slug, "module_slug": module.slug,
            "idea_pk": idea.pk}),
    }  # fmt: skip
    client = Client(HTTP_HOST="127.0.0.1")
    ideas = Idea.objects.filter(module=module)
    return {
        "module_pk": module.pk,
        "idea_pk": idea.pk,
        "idea_title": idea.title,
        "idea_comments": Comment.objects.filter(idea=idea).count(),
        "ideas_total": ideas.count(),
        "ideas_public": ideas.filter(approved=True).count(),
        "ideas_scaled": ideas.filter(title__startswith=SCALE_PREFIX).count(),
        "comments_total": Comment.objects.filter(module=module).count(),
        "ratings_total": Rating.objects.filter(module=module).count(),
        "counter_mismatches": counter_mismatches(module),
        "endpoints": {template: measure(client, template.format(**paths)) for template in templates},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    inprocess_parser = commands.add_parser("inprocess")
    inprocess_parser.add_argument("--idea", default=f"{SCALE_PREFIX}50", help="title of the idea page measured")
    inprocess_parser.add_argument("templates", nargs="+")
    args = parser.parse_args()
    json.dump(inprocess(args.templates, args.idea), sys.stdout)


if __name__ == "__main__":
    main()
