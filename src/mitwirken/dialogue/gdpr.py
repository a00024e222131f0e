"""What the dialogue holds about a person, for the GDPR export and account deletion.

Ideas and comments stay after deletion (others replied to them) but lose their author; ratings go, and
the idea counters with them, so the totals stay true.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F

from .models import Comment, Flag, Follow, Idea, Rating


def export(user: Any) -> dict[str, Any]:
    return {
        "ideas": list(
            Idea.objects.filter(author=user).values("pk", "module_id", "title", "text", "created_at", "lat", "lon")
        ),
        "comments": list(
            Comment.objects.filter(author=user).values("pk", "idea_id", "paragraph_id", "text", "created_at")
        ),
        "ratings": list(Rating.objects.filter(user=user).values("idea_id", "value", "created_at")),
        "flags": list(Flag.objects.filter(reporter=user).values("idea_id", "comment_id", "reason", "created_at")),
        "follows": list(Follow.objects.filter(user=user).values("project_id", "idea_id", "frequency")),
    }


def erase(user: Any) -> None:
    for idea_id, value in Rating.objects.filter(user=user).values_list("idea_id", "value"):
        up, down = (1, 0) if value == 1 else (0, 1)
        Idea.objects.filter(pk=idea_id).update(positive_count=F("positive_count") - up, negative_count=F("negative_count") - down,
                                               score=F("score") - value)  # fmt: skip
    Rating.objects.filter(user=user).delete()
