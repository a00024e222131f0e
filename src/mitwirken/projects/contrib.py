"""What the projects app contributes to "Mein Bereich" and the staff overview (through ``core.plugins``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from mitwirken.core.plugins import AccountSection, Statistic, WorkItem

from .models import Invitation, Project, ProjectMembership, ProjectStatus


def my_memberships(user: Any) -> QuerySet[ProjectMembership]:
    return user.project_memberships.select_related("project__organisation").order_by("-created_at", "-pk")


def my_invitations(user: Any) -> QuerySet[Invitation]:
    """Open invitations to the person's verified address that they have not followed yet."""
    return (
        Invitation.objects.pending()
        .filter(email__iexact=user.email)
        .select_related("project__organisation")
        .order_by("expires_at", "pk")
    )


def account_sections() -> list[AccountSection]:
    return [
        AccountSection(key="einladungen", title=_lazy("Offene Einladungen"), items=my_invitations, order=1,
                       template="projects/account/invitations.html"),
        AccountSection(key="projekte", title=_lazy("Meine Projekte (auch geschützte)"), items=my_memberships,
                       order=2, template="projects/account/memberships.html"),
    ]  # fmt: skip


def staff_work(user: Any, organisation: Any) -> list[WorkItem]:
    """Invitations nobody has followed yet, per project."""
    rows = (
        Invitation.objects.pending()
        .filter(project__organisation=organisation)
        .values("project", "project__title")
        .annotate(open=Count("pk"))
        .order_by("project__title")[:20]
    )
    return [
        WorkItem(
            label=ngettext("%(count)d Einladung nicht angenommen – %(name)s",
                           "%(count)d Einladungen nicht angenommen – %(name)s", row["open"])
            % {"count": row["open"], "name": row["project__title"]},
            count=row["open"],
            url=reverse("backoffice:project_participants", kwargs={"org_slug": organisation.slug,
                                                                   "project_pk": row["project"]}),
        )
        for row in rows
    ]  # fmt: skip


def statistics(organisation: Any) -> list[Statistic]:
    counts = Project.objects.filter(organisation=organisation).values("status").annotate(count=Count("pk"))
    by_status = {row["status"]: row["count"] for row in counts}
    return [
        Statistic(_lazy("Veröffentlichte Projekte"), by_status.get(ProjectStatus.PUBLISHED, 0)),
        Statistic(_lazy("Entwürfe"), by_status.get(ProjectStatus.DRAFT, 0)),
    ]
