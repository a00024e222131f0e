"""What the dialogue holds about a person, for the GDPR export.

Ideas stay after account deletion (others commented on them) but lose their author (``SET_NULL``).
Comments, ratings, flags and follows are exported and erased by ``mitwirken.participation.gdpr``.
"""

from __future__ import annotations

from typing import Any

from .models import Idea


def export(user: Any) -> dict[str, Any]:
    return {
        "ideas": list(
            Idea.objects.filter(author=user).values("pk", "module_id", "title", "text", "created_at", "lat", "lon")
        ),
    }
