"""What the participation parts hold about a person, for the GDPR export and account deletion.

Comments stay after deletion (others replied to them) but lose their author (``SET_NULL``); ratings go, and
the objects' counters with them, so the totals stay true; follows, blocks and digest items go with the account.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from . import services
from .models import Comment, Flag, Follow, Rating


def _kinds() -> dict[int, str]:
    return {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}


def export(user: Any) -> dict[str, Any]:
    kinds = _kinds()

    def about(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for row in rows:
            content_type = row.pop("content_type_id", None)
            row["object_type"] = kinds.get(content_type, "") if content_type else ""
        return rows

    return {
        "comments": about(list(Comment.objects.filter(author=user).values(
            "pk", "module_id", "content_type_id", "object_pk", "parent_id", "text", "created_at"))),
        "ratings": about(list(Rating.objects.filter(user=user).values(
            "module_id", "content_type_id", "object_pk", "value", "created_at"))),
        "flags": about(list(Flag.objects.filter(reporter=user).values(
            "module_id", "content_type_id", "object_pk", "reason", "created_at"))),
        "follows": about(list(Follow.objects.filter(user=user).values(
            "project_id", "content_type_id", "object_pk", "frequency"))),
    }  # fmt: skip


def erase(user: Any) -> None:
    services.erase_ratings(user=user)
