"""What the dialogue contributes to the portal through its plugin registration (constant queries each).

Comments, follows, the moderation work and the daily job are contributed by ``mitwirken.participation``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _lazy

from mitwirken.core.plugins import AccountSection, SearchHit, Statistic
from mitwirken.core.search import highlight, matching, text_of_html
from mitwirken.projects.models import Project

from .models import Idea


def my_ideas(user: Any) -> QuerySet[Idea]:
    return (
        Idea.objects.filter(author=user).select_related("module__project__organisation").order_by("-created_at", "-pk")
    )


def account_sections() -> list[AccountSection]:
    return [
        AccountSection(key="ideen", title=_lazy("Meine Ideen und Beiträge"), items=my_ideas, order=30,
                       template="dialogue/account/ideas.html"),
    ]  # fmt: skip


def search(user: Any, query: str, limit: int) -> list[SearchHit]:
    ideas = (
        matching(Idea.objects.filter(module__project__in=Project.objects.listed(), approved=True, hidden=False), query)
        .select_related("module__project__organisation")
        .order_by("-search_rank", "-created_at")[:limit]
    )
    return [
        SearchHit(title=idea.title, kind=_lazy("Idee"), organisation=idea.module.project.organisation.name,
                  excerpt=highlight(text_of_html(idea.text), query, length=200),
                  url=reverse("dialogue:idea", kwargs={"org_slug": idea.module.project.organisation.slug,
                                                       "project_slug": idea.module.project.slug,
                                                       "module_slug": idea.module.slug, "idea_pk": idea.pk}))
        for idea in ideas
    ]  # fmt: skip


def statistics(organisation: Any) -> list[Statistic]:
    ideas = Idea.objects.filter(module__project__organisation=organisation).aggregate(
        count=Count("pk"), comments=Count("pk", filter=Q(comment_count__gt=0))
    )
    return [Statistic(_lazy("Ideen und Beiträge"), ideas["count"])]


def contributions(module: Any) -> list[str]:
    """What citizens contributed to a dialogue module; while there is any, it and its phases stay."""
    from django.utils.translation import ngettext

    from mitwirken.participation.models import Comment, Rating

    # Text reviews and staff items have no ideas, but their comments and ratings are contributions as well.
    ideas = Idea.objects.filter(module=module).count()
    comments = Comment.objects.filter(module=module, deleted_at__isnull=True).count()
    ratings = Rating.objects.filter(module=module).count()
    found = [
        ngettext("%(count)d Idee", "%(count)d Ideen", ideas) % {"count": ideas} if ideas else "",
        ngettext("%(count)d Kommentar", "%(count)d Kommentare", comments) % {"count": comments} if comments else "",
        ngettext("%(count)d Bewertung", "%(count)d Bewertungen", ratings) % {"count": ratings} if ratings else "",
    ]
    return [text for text in found if text]
