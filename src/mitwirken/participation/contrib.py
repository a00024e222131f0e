"""What participation contributes to the portal through its plugin registration (constant queries each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from mitwirken.core.plugins import AccountSection, WorkItem
from mitwirken.projects.models import Module

from . import targets
from .models import Comment, Flag, Follow
from .notifications import phases_started, start_daily_digests

LAST_RUN_KEY = "participation:daily:last_run"


def my_comments(user: Any) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(author=user, deleted_at__isnull=True)
        .select_related("module__project__organisation")
        .prefetch_related(targets.prefetch())
        .order_by("-created_at", "-pk")
    )


def my_follows(user: Any) -> QuerySet[Follow]:
    return (
        Follow.objects.filter(user=user)
        .select_related("project__organisation")
        .prefetch_related(targets.prefetch())
        .order_by("-pk")
    )


def account_sections() -> list[AccountSection]:
    return [
        AccountSection(key="kommentare", title=_lazy("Meine Kommentare"), items=my_comments, order=31,
                       template="participation/account/comments.html"),
        AccountSection(key="folge", title=_lazy("Dem ich folge: Benachrichtigungen"), items=my_follows, order=32,
                       template="participation/account/follows.html"),
    ]  # fmt: skip


@dataclass(frozen=True)
class Waiting:
    module: Module
    flags: int
    pending: int

    @property
    def count(self) -> int:
        return self.flags + self.pending

    @property
    def url(self) -> str:
        module = self.module
        return reverse("participation:moderation", kwargs={"org_slug": module.project.organisation.slug,
                                                           "project_slug": module.project.slug, "module_slug": module.slug})  # fmt: skip


def waiting_moderation(organisation: Any) -> list[Waiting]:
    """Per module of the organisation: open flags and contributions waiting for approval (one query per kind)."""
    modules = Module.objects.filter(project__organisation=organisation)
    flags = dict(
        Flag.objects.filter(module__in=modules, resolved_at__isnull=True)
        .values_list("module").annotate(count=Count("pk")).values_list("module", "count").order_by()
    )  # fmt: skip
    pending: dict[int, int] = {}
    for kind in targets.moderated():
        rows = _pending_in(kind, modules)
        for module_id, count in rows:
            pending[module_id] = pending.get(module_id, 0) + count
    wanted = set(flags) | set(pending)
    return [
        Waiting(module=module, flags=flags.get(module.pk, 0), pending=pending.get(module.pk, 0))
        for module in Module.objects.filter(pk__in=wanted)
        .select_related("project__organisation")
        .order_by("project__title", "weight", "pk")
    ]


def _pending_in(kind: targets.Target, modules: QuerySet[Module]) -> list[tuple[int, int]]:
    path = kind.module_path
    return list(
        kind.pending_all().filter(**{f"{path}__in": modules})
        .values_list(path).annotate(count=Count("pk")).values_list(path, "count").order_by()
    )  # fmt: skip


def staff_work(user: Any, organisation: Any) -> list[WorkItem]:
    """Per module: open flags and contributions waiting for approval, linked to its moderation queue."""
    return [
        WorkItem(
            label=ngettext("%(count)d Beitrag wartet auf die Moderation – %(name)s",
                           "%(count)d Beiträge warten auf die Moderation – %(name)s", entry.count)
            % {"count": entry.count, "name": f"{entry.module.project.title}: {entry.module.name}"},
            count=entry.count, url=entry.url,
        )
        for entry in waiting_moderation(organisation)
    ]  # fmt: skip


def daily() -> int:
    """Tell followers about phases that began since the last run (at most a week back), then queue digests."""
    now = timezone.now()
    since = cache.get(LAST_RUN_KEY) or now - timedelta(days=1)
    told = phases_started(max(since, now - timedelta(days=7)), now)
    cache.set(LAST_RUN_KEY, now, None)
    start_daily_digests()
    return told
