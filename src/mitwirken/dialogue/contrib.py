"""What the dialogue contributes to the portal through its plugin registration (constant queries each)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from mitwirken.core.plugins import AccountSection, SearchHit, Statistic, WorkItem
from mitwirken.projects.models import Module, Project

from .models import Comment, Flag, Idea
from .notifications import phases_started, start_daily_digests

LAST_RUN_KEY = "dialogue:daily:last_run"


def my_ideas(user: Any) -> QuerySet[Idea]:
    return Idea.objects.filter(author=user).select_related("module__project__organisation").order_by("-created_at")


def my_comments(user: Any) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(author=user, deleted_at__isnull=True)
        .select_related("idea__module__project__organisation", "paragraph__chapter__module__project__organisation")
        .order_by("-created_at", "-pk")
    )


def account_sections() -> list[AccountSection]:
    return [
        AccountSection(key="ideen", title=_lazy("Meine Ideen und Beiträge"), items=my_ideas, order=30,
                       template="dialogue/account/ideas.html", empty=_lazy("Sie haben noch keine Idee eingereicht.")),
        AccountSection(key="kommentare", title=_lazy("Meine Kommentare"), items=my_comments, order=31,
                       template="dialogue/account/comments.html",
                       empty=_lazy("Sie haben noch nichts kommentiert.")),
    ]  # fmt: skip


def staff_work(user: Any, organisation: Any) -> list[WorkItem]:
    """Per dialogue: open flags and contributions waiting for approval, linked to its moderation queue."""
    modules = Module.objects.filter(project__organisation=organisation, module_type__startswith="dialogue_")
    flags = dict(
        Flag.objects.filter(module__in=modules, resolved_at__isnull=True)
        .values_list("module")
        .annotate(count=Count("pk"))
        .values_list("module", "count")
    )
    waiting = Idea.objects.filter(module__in=modules, approved=False, hidden=False).values("module")
    pending = dict(waiting.annotate(count=Count("pk")).values_list("module", "count"))
    comments = dict(
        Comment.objects.filter(approved=False, hidden=False, deleted_at__isnull=True)
        .annotate(module=Coalesce("idea__module", "paragraph__chapter__module"))
        .filter(module__in=modules)
        .values("module")
        .annotate(count=Count("pk"))
        .values_list("module", "count")
    )
    wanted = set(flags) | set(pending) | set(comments)
    items = []
    for module in Module.objects.filter(pk__in=wanted).select_related("project__organisation").order_by("pk"):
        count = flags.get(module.pk, 0) + pending.get(module.pk, 0) + comments.get(module.pk, 0)
        url = reverse("dialogue:moderation", kwargs={"org_slug": organisation.slug, "project_slug": module.project.slug,
                                                     "module_slug": module.slug})  # fmt: skip
        items.append(WorkItem(
            label=ngettext("%(count)d Beitrag wartet auf die Moderation – %(name)s",
                           "%(count)d Beiträge warten auf die Moderation – %(name)s", count)
            % {"count": count, "name": f"{module.project.title}: {module.name}"},
            count=count, url=url))  # fmt: skip
    return items


def search(user: Any, query: str, limit: int) -> list[SearchHit]:
    ideas = (
        Idea.objects.filter(module__project__in=Project.objects.listed(), approved=True, hidden=False)
        .filter(Q(title__icontains=query) | Q(text__icontains=query))
        .select_related("module__project__organisation")
        .order_by("-created_at")[:limit]
    )
    return [
        SearchHit(title=idea.title, kind=_lazy("Idee"), organisation=idea.module.project.organisation.name,
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


def daily() -> int:
    """Tell followers about phases that began since the last run (at most a week back), then queue digests."""
    now = timezone.now()
    since = cache.get(LAST_RUN_KEY) or now - timedelta(days=1)
    told = phases_started(max(since, now - timedelta(days=7)), now)
    cache.set(LAST_RUN_KEY, now, None)
    start_daily_digests()
    return told
