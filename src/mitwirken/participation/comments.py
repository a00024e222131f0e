"""Comments are targets themselves: they can be flagged, hidden, approved, and their page is their thread's."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _lazy

from mitwirken.projects.models import Module

from . import targets
from .models import Comment


class CommentTarget(targets.Target):
    model = Comment
    kind = "kommentar"
    name = _lazy("Kommentar")
    yours = _lazy("Ihr Kommentar")
    moderated = True

    def pending_all(self) -> QuerySet[Any]:
        return Comment.objects.pending()

    def prefetch_queryset(self) -> QuerySet[Any]:
        return Comment.objects.select_related("author", "module__project__organisation")

    def accepts_comments(self, obj: Any) -> tuple[bool, str]:
        return False, ""  # replies go through ``parent``, on the same target

    def title(self, obj: Any) -> str:
        return obj.text[:80]

    def url(self, obj: Any, module: Module) -> str:
        target = obj.content_object
        return targets.of(target).url(target, module) + f"#kommentar-{obj.pk}"
