"""All contributions of a module as XLSX or CSV: ideas with their comments, ratings, labels and location."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from mitwirken.participation.models import Comment

from .models import Idea, Paragraph

CHUNK = 500
HEADER = ["Art", "Nr.", "Zu Nr.", "Titel", "Text", "Kategorie", "Merkmale", "Breite", "Länge", "Zustimmung",
          "Ablehnung", "Kommentare", "Status", "Stellungnahme", "Sichtbarkeit", "Erstellt", "Verfasst von"]  # fmt: skip
PERSONAL = ["E-Mail"]


def header(with_personal_data: bool) -> list[str]:
    return HEADER + (PERSONAL if with_personal_data else [])


def _visibility(item: Idea | Comment) -> str:
    if item.hidden:
        return f"ausgeblendet: {item.hidden_reason}"
    if getattr(item, "deleted_at", None):
        return "gelöscht"
    return "öffentlich" if item.approved else "wartet auf Freigabe"


def _author(item: Idea | Comment, with_personal_data: bool) -> list[str]:
    author = item.author
    name = author.public_name if author is not None else ("Verwaltung" if getattr(item, "by_staff", False) else "")
    return [str(name)] + ([author.email if author is not None else ""] if with_personal_data else [])


def rows(ideas: QuerySet[Idea], *, with_personal_data: bool) -> Iterator[list[Any]]:
    """One row per idea followed by one row per comment, fetched in chunks."""
    comments = Comment.objects.select_related("author").order_by("created_at", "pk")
    queryset = ideas.select_related("category", "author").prefetch_related(
        "labels", Prefetch("comments", queryset=comments)
    )
    for idea in queryset.order_by("pk").iterator(chunk_size=CHUNK):
        yield ["Idee", idea.pk, "", idea.title, idea.text, idea.category.name if idea.category else "",
               ", ".join(label.name for label in idea.labels.all()), idea.lat or "", idea.lon or "", idea.positive_count,
               idea.negative_count, idea.comment_count, idea.get_feedback_display(), idea.feedback_text, _visibility(idea),
               timezone.localtime(idea.created_at).strftime("%d.%m.%Y %H:%M"), *_author(idea, with_personal_data)]  # fmt: skip
        for comment in idea.comments.all():
            yield ["Kommentar", comment.pk, comment.parent_id or idea.pk, "", comment.text, "", "", "", "", "", "", "",
                   "", "", _visibility(comment), timezone.localtime(comment.created_at).strftime("%d.%m.%Y %H:%M"),
                   *_author(comment, with_personal_data)]  # fmt: skip


def paragraph_rows(module: Any, *, with_personal_data: bool) -> Iterator[list[Any]]:
    """One row per comment, in the order of the text; the draft's paragraphs are few and loaded once."""
    paragraphs = Paragraph.objects.filter(chapter__module=module).select_related("chapter").in_bulk()
    comments = Comment.objects.filter(paragraph__chapter__module=module).select_related("author")
    for comment in comments.order_by("paragraph__chapter__position", "paragraph__position", "created_at").iterator(
        chunk_size=CHUNK
    ):
        paragraph = paragraphs[comment.object_pk]
        yield ["Kommentar", comment.pk, comment.parent_id or "", f"{paragraph.chapter.title} – Absatz {paragraph.position}",
               comment.text, "", "", "", "", "", "", "", "", "", _visibility(comment),
               timezone.localtime(comment.created_at).strftime("%d.%m.%Y %H:%M"), *_author(comment, with_personal_data)]  # fmt: skip
