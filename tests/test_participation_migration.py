"""The move of comments, ratings, flags and follows from the dialogue to participation keeps every row, its id
and its target (``participation.0001``–``0003``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mitwirken.dialogue.models import Blueprint, Idea, Paragraph
from mitwirken.participation.models import Comment, Flag, Follow, Rating

from .dialogue_fixtures import make_dialogue
from .factories import UserFactory

BEFORE = [("dialogue", "0002_ordering_indexes"), ("participation", None)]


def migrate(targets: list[tuple[str, str | None]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return executor.loader.project_state([node for node in targets if node[1] is not None]).apps


def latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_forward_migration_keeps_comments_ratings_flags_and_follows(world: Any) -> None:
    ideas_module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect")
    text_module = make_dialogue(world.public, Blueprint.TEXT_REVIEW, "comment")
    idea = Idea.objects.create(module=ideas_module, author=world.personas["invited"], title="Bank", text="<p>x</p>")
    paragraph = Paragraph.objects.filter(chapter__module=text_module).first()
    citizen, other = world.personas["citizen"], UserFactory(email="zweite@example.org")
    try:
        old = migrate(BEFORE)
        OldComment, OldRating = old.get_model("dialogue", "Comment"), old.get_model("dialogue", "Rating")
        OldFlag, OldFollow = old.get_model("dialogue", "Flag"), old.get_model("dialogue", "Follow")
        OldBlock = old.get_model("dialogue", "Block")
        on_idea = OldComment.objects.create(idea_id=idea.pk, author_id=citizen.pk, text="Zur Idee")
        reply = OldComment.objects.create(idea_id=idea.pk, parent=on_idea, author_id=other.pk, text="Antwort")
        on_paragraph = OldComment.objects.create(paragraph_id=paragraph.pk, author_id=citizen.pk, text="Zum Absatz")
        rating = OldRating.objects.create(idea_id=idea.pk, user_id=citizen.pk, value=-1)
        flag_idea = OldFlag.objects.create(module_id=ideas_module.pk, idea_id=idea.pk, reporter_id=other.pk, reason="A")
        flag_comment = OldFlag.objects.create(
            module_id=ideas_module.pk, comment=reply, reporter_id=citizen.pk, reason="B"
        )
        follow_idea = OldFollow.objects.create(user_id=other.pk, idea_id=idea.pk, frequency="daily")
        follow_project = OldFollow.objects.create(user_id=citizen.pk, project_id=world.public.pk)
        block = OldBlock.objects.create(user_id=other.pk, project_id=world.public.pk, reason="Spam")
    finally:
        migrate(latest())

    comments = {comment.pk: comment for comment in Comment.objects.all()}
    assert set(comments) == {on_idea.pk, reply.pk, on_paragraph.pk}
    assert (comments[on_idea.pk].content_object, comments[on_idea.pk].module_id) == (idea, ideas_module.pk)
    assert comments[reply.pk].parent_id == on_idea.pk and comments[reply.pk].content_object == idea
    assert (comments[on_paragraph.pk].content_object, comments[on_paragraph.pk].module_id) == (
        paragraph,
        text_module.pk,
    )
    assert list(idea.comments.order_by("pk")) == [comments[on_idea.pk], comments[reply.pk]]
    migrated_rating = Rating.objects.get()
    assert (migrated_rating.pk, migrated_rating.content_object, migrated_rating.value) == (rating.pk, idea, -1)
    assert migrated_rating.module_id == ideas_module.pk
    flags = {flag.pk: flag.content_object for flag in Flag.objects.all()}
    assert flags == {flag_idea.pk: idea, flag_comment.pk: comments[reply.pk]}
    follows = {
        follow.pk: (follow.project_id, follow.content_object, follow.frequency) for follow in Follow.objects.all()
    }
    assert follows == {follow_idea.pk: (None, idea, "daily"), follow_project.pk: (world.public.pk, None, "immediate")}
    from mitwirken.participation.models import Block

    assert Block.objects.get().pk == block.pk and Block.objects.get().expires_at is None
    # New rows continue after the old ids.
    assert Comment.objects.create(module=ideas_module, content_object=idea, text="Neu").pk > max(comments)
