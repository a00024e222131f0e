"""How ideas and paragraphs take part in the shared participation parts (comments, ratings, flags, follows)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from mitwirken.participation.targets import Target
from mitwirken.projects.models import Module

from .models import Idea, Paragraph


def module_kwargs(module: Module) -> dict[str, str]:
    return {"org_slug": module.project.organisation.slug, "project_slug": module.project.slug,
            "module_slug": module.slug}  # fmt: skip


def _premoderation(module: Module) -> bool:
    from .services import settings_for

    return settings_for(module).premoderation


class IdeaTarget(Target):
    model = Idea
    kind = "idee"
    name = _lazy("Idee")
    yours = _lazy("Ihre Idee")
    follow_label = _lazy("Dieser Idee folgen")
    following_label = _lazy("Sie folgen dieser Idee.")
    moderated = True
    followable = True
    comment_counter = "comment_count"
    rating_counters = ("positive_count", "negative_count", "score")

    def queryset(self, user: Any, module: Module) -> QuerySet[Any]:
        return Idea.objects.filter(module=module).visible_to(user, module)

    def accepts_comments(self, obj: Any) -> tuple[bool, str]:
        if not obj.approved or obj.hidden:
            return False, _("Diese Idee kann nicht kommentiert werden.")
        return True, ""

    def accepts_ratings(self, obj: Any) -> tuple[bool, str]:
        from .services import settings_for

        if not obj.approved or obj.hidden:
            return False, _("Diese Idee kann nicht bewertet werden.")
        if settings_for(obj.module).is_budget:  # votes there go through the budget (dialogue.services.budget_choose)
            return False, _("Wählen Sie die Vorschläge auf der Seite des Bürgerhaushalts aus.")
        return True, ""

    def premoderation(self, module: Module) -> bool:
        return _premoderation(module)

    def title(self, obj: Any) -> str:
        return str(obj.title)

    def url(self, obj: Any, module: Module) -> str:
        return reverse("dialogue:idea", kwargs={**module_kwargs(module), "idea_pk": obj.pk})


class ParagraphTarget(Target):
    model = Paragraph
    kind = "absatz"
    name = _lazy("Absatz")
    module_path = "chapter__module"
    comment_counter = "comment_count"

    def queryset(self, user: Any, module: Module) -> QuerySet[Any]:
        return Paragraph.objects.filter(chapter__module=module).select_related("chapter")

    def premoderation(self, module: Module) -> bool:
        return _premoderation(module)

    def title(self, obj: Any) -> str:
        return _("%(chapter)s, Absatz %(number)s") % {"chapter": obj.chapter.title, "number": obj.position}

    def url(self, obj: Any, module: Module) -> str:
        return reverse("dialogue:paragraph", kwargs={**module_kwargs(module), "paragraph_pk": obj.pk})
