"""Dialogue pages run the same number of queries at 10 and at 1,000 ideas, comments, paragraphs or flags.

Rows are bulk-created so the tests stay fast; counters are set on the rows as the services would keep them.
Every page is checked for an anonymous reader, a participant (who sees edit links and rating buttons) and a
moderator (who sees the moderation tools), because each of them renders different per-row parts.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mitwirken.dialogue.models import Blueprint, Category, Chapter, Idea, Label, Paragraph
from mitwirken.participation.models import Comment, Flag, Rating, on

from .dialogue_fixtures import make_dialogue
from .dialogue_helpers import bulk_comments, bulk_ideas, durl, established, make_users, module_url, purl

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_off")]

READERS = ["anonymous", "invited", "moderator"]


def count_queries(client: Any, url: str) -> tuple[int, list[str]]:
    # Content types are cached per process after their first lookup: start each measurement from the same cold
    # cache, so the test does not depend on which test ran before it in the process.
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(context.captured_queries), [query["sql"] for query in context.captured_queries]


def _shape(sql: str) -> str:
    """The query without its literals, so repeated per-row queries group together."""
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    return re.sub(r"\((\?, )+\?\)", "(?...)", sql)


def assert_same(small: tuple[int, list[str]], large: tuple[int, list[str]], what: str) -> None:
    if small[0] != large[0]:
        grown = Counter(map(_shape, large[1]))
        grown.subtract(Counter(map(_shape, small[1])))
        report = "\n".join(f"  +{n} x {shape[:300]}" for shape, n in grown.most_common(4) if n > 0)
        pytest.fail(f"{what}: {small[0]} queries with few rows, {large[0]} with many. Grown:\n{report}")


@pytest.fixture
def setting(world: Any) -> dict[str, Any]:
    """A running idea collection in the semi-public project: anonymous reads, invited takes part, moderator moderates."""
    established(*world.personas.values())
    module = make_dialogue(world.semipublic, Blueprint.BRAINSTORMING, "collect")
    authors = [*make_users(5, prefix="autor"), world.personas["invited"]]
    return {"module": module, "authors": authors, "category": Category.objects.get(module=module),
            "label": Label.objects.get(module=module), "participant": world.personas["invited"]}  # fmt: skip


def add_ideas(setting: dict[str, Any], count: int) -> list[Idea]:
    """Ideas with a category, a label, ratings by the participant, some hidden, some waiting for approval."""
    ideas = bulk_ideas(setting["module"], count, setting["authors"], category=setting["category"])
    Idea.labels.through.objects.bulk_create(
        Idea.labels.through(idea_id=idea.pk, label_id=setting["label"].pk) for idea in ideas[::2]
    )
    Rating.objects.bulk_create(
        Rating(module=setting["module"], **on(idea), user=setting["participant"], value=1) for idea in ideas[::3]
    )
    Idea.objects.filter(pk__in=[idea.pk for idea in ideas[1::7]]).update(hidden=True, hidden_reason="Spam")
    Idea.objects.filter(pk__in=[idea.pk for idea in ideas[2::9]]).update(approved=False)
    Idea.objects.filter(pk__in=[idea.pk for idea in ideas[3::5]]).update(
        feedback="accepted", feedback_at=timezone.now()
    )
    return ideas


LIST_VARIANTS = [
    ("", 10),
    ("?sort=new", 10),
    ("?sort=comments", 10),
    ("?sort=support", 10),
    ("?category={category}", 10),
    ("?label={label}", 10),
    ("?q=Idee", 10),
    ("?q=Idee&sort=support&label={label}&category={category}", 10),
    ("?seite=2", 30),
    ("?sort=comments&seite=3", 50),
]


@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize(("query", "small"), LIST_VARIANTS)
def test_idea_list_has_constant_queries(
    world: Any, setting: dict[str, Any], persona: str, query: str, small: int
) -> None:
    url = module_url(setting["module"]) + query.format(category=setting["category"].pk, label=setting["label"].pk)
    client = world.client(persona)
    add_ideas(setting, small)
    few = count_queries(client, url)
    add_ideas(setting, 1000 - small)
    assert_same(few, count_queries(client, url), f"idea list {query} as {persona}")


@pytest.mark.parametrize("persona", READERS)
def test_results_page_has_constant_queries(world: Any, setting: dict[str, Any], persona: str) -> None:
    url = durl(setting["module"], "results")
    client = world.client(persona)
    add_ideas(setting, 10)
    few = count_queries(client, url)
    add_ideas(setting, 990)
    assert_same(few, count_queries(client, url), f"results as {persona}")


def add_comments(setting: dict[str, Any], idea: Idea, count: int) -> None:
    """Top-level comments and replies by several people (the participant among them); some hidden, deleted, pending."""
    comments = bulk_comments(setting["authors"], count, idea=idea)
    pks = [comment.pk for comment in comments]
    Comment.objects.filter(pk__in=pks[1::6]).update(hidden=True, hidden_reason="Beleidigend")
    Comment.objects.filter(pk__in=pks[2::8]).update(approved=False)
    Comment.objects.filter(pk__in=pks[4::9]).update(deleted_at=timezone.now(), text="")
    Comment.objects.filter(pk__in=pks[::10]).update(pinned=True, highlighted=True)
    Idea.objects.filter(pk=idea.pk).update(comment_count=Comment.objects.filter(idea=idea).count())


@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize("page", ["", "?kommentare=2"])
def test_idea_detail_has_constant_queries(world: Any, setting: dict[str, Any], persona: str, page: str) -> None:
    idea = add_ideas(setting, 1)[0]
    Idea.objects.filter(pk=idea.pk).update(hidden=False, approved=True)
    url = durl(setting["module"], "idea", idea_pk=idea.pk) + page
    client = world.client(persona)
    add_comments(setting, idea, 10 if not page else 120)
    few = count_queries(client, url)
    add_comments(setting, idea, 1000)
    assert_same(few, count_queries(client, url), f"idea detail {page} as {persona}")


@pytest.mark.parametrize("persona", READERS)
def test_idea_detail_does_not_grow_with_other_ideas(world: Any, setting: dict[str, Any], persona: str) -> None:
    idea = add_ideas(setting, 1)[0]
    Idea.objects.filter(pk=idea.pk).update(hidden=False, approved=True)
    add_comments(setting, idea, 20)
    url = durl(setting["module"], "idea", idea_pk=idea.pk)
    client = world.client(persona)
    few = count_queries(client, url)
    add_ideas(setting, 1000)
    assert_same(few, count_queries(client, url), f"idea detail among many ideas as {persona}")


def test_idea_detail_stays_small_in_absolute_terms(world: Any, setting: dict[str, Any]) -> None:
    idea = add_ideas(setting, 1)[0]
    Idea.objects.filter(pk=idea.pk).update(hidden=False, approved=True)
    add_comments(setting, idea, 200)
    count, _sql = count_queries(world.client("invited"), durl(setting["module"], "idea", idea_pk=idea.pk))
    assert count <= 30, "a logged-in reader costs 16 queries without comments"


# --- text review ----------------------------------------------------------------------------------------------


def add_paragraphs(module: Any, chapters: int, per_chapter: int) -> list[Paragraph]:
    start = Chapter.objects.filter(module=module).count()
    created = Chapter.objects.bulk_create(
        Chapter(module=module, title=f"§ {start + i + 1}", position=start + i + 1) for i in range(chapters)
    )
    return Paragraph.objects.bulk_create(
        Paragraph(chapter=chapter, text=f"<p>Absatz {n} von {chapter.title}</p>", position=n + 1, comment_count=n % 4)
        for chapter in created
        for n in range(per_chapter)
    )


@pytest.mark.parametrize("persona", READERS)
def test_text_review_has_constant_queries(world: Any, persona: str) -> None:
    established(*world.personas.values())
    module = make_dialogue(world.semipublic, Blueprint.TEXT_REVIEW, "comment")
    client = world.client(persona)
    add_paragraphs(module, 2, 5)
    few = count_queries(client, module_url(module))
    add_paragraphs(module, 20, 50)
    assert_same(few, count_queries(client, module_url(module)), f"text review as {persona}")


@pytest.mark.parametrize("persona", READERS)
def test_paragraph_comments_have_constant_queries(world: Any, persona: str) -> None:
    established(*world.personas.values())
    module = make_dialogue(world.semipublic, Blueprint.TEXT_REVIEW, "comment")
    paragraph = Paragraph.objects.filter(chapter__module=module).first()
    authors = [*make_users(4, prefix="leser"), world.personas["invited"]]
    url = durl(module, "paragraph", paragraph_pk=paragraph.pk)
    client = world.client(persona)
    bulk_comments(authors, 10, paragraph=paragraph)
    few = count_queries(client, url)
    bulk_comments(authors, 1000, paragraph=paragraph)
    assert_same(few, count_queries(client, url), f"paragraph as {persona}")


# --- moderation queue -----------------------------------------------------------------------------------------


def add_flags(setting: dict[str, Any], count: int) -> None:
    """Reports on ideas and on comments, and contributions waiting for approval."""
    module = setting["module"]
    ideas = add_ideas(setting, max(2, count // 10))
    comments = bulk_comments(setting["authors"], max(2, count // 10), idea=ideas[0])
    Comment.objects.filter(pk__in=[c.pk for c in comments[::3]]).update(approved=False)
    reporters = setting["authors"]
    Flag.objects.bulk_create(
        Flag(module=module, **on(ideas[i % len(ideas)] if i % 2 else comments[i % len(comments)]),
             reporter=reporters[i % len(reporters)], reason=f"Grund {i}")
        for i in range(count)
    )  # fmt: skip


@pytest.mark.parametrize("persona", ["moderator", "org_admin"])
@pytest.mark.parametrize("page", ["", "?seite=2"])
def test_moderation_queue_has_constant_queries(world: Any, setting: dict[str, Any], persona: str, page: str) -> None:
    url = purl(setting["module"], "moderation") + page
    client = world.client(persona)
    add_flags(setting, 10 if not page else 60)
    few = count_queries(client, url)
    add_flags(setting, 1000)
    assert_same(few, count_queries(client, url), f"moderation queue {page} as {persona}")


@pytest.mark.parametrize("persona", ["moderator", "org_admin"])
def test_export_has_constant_queries(world: Any, setting: dict[str, Any], persona: str) -> None:
    """The export streams in chunks; its queries grow with the chunks, never with the rows of a chunk."""
    url = durl(setting["module"], "export", file_format="csv")
    client = world.client(persona)
    ideas = add_ideas(setting, 10)
    add_comments(setting, ideas[0], 10)

    def queries() -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
            b"".join(response.streaming_content)
        return len(context.captured_queries), [query["sql"] for query in context.captured_queries]

    few = queries()
    more = add_ideas(setting, 300)
    add_comments(setting, more[0], 300)
    assert_same(few, queries(), f"export as {persona}")
