"""What the Mängelmelder contributes to the portal through its plugin registration (constant queries each)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from mitwirken.core.plugins import AccountSection, SearchHit, Statistic, WorkItem

from .alerts import start_daily_digests
from .models import Report, ReportStatus, ReportUpdate
from .services import send_followups

# Until organisations set their own, a report counts as overdue after this many days without an answer.
DEFAULT_RESPONSE_DAYS = 5


def my_reports(user: Any) -> QuerySet[Report]:
    return (
        Report.objects.filter(reporter=user)
        .select_related("category", "organisation")
        .prefetch_related(Prefetch("updates", queryset=ReportUpdate.objects.order_by("-created_at", "-pk")))
        .order_by("-created_at", "-pk")
    )


def account_sections() -> list[AccountSection]:
    return [
        AccountSection(key="meldungen", title=_lazy("Meine Meldungen an den Mängelmelder"), items=my_reports,
                       order=20, template="reports/account/reports.html",
                       empty=_lazy("Sie haben noch keinen Mangel gemeldet.")),
    ]  # fmt: skip


def staff_work(user: Any, organisation: Any) -> list[WorkItem]:
    inbox = reverse("backoffice:report_inbox", kwargs={"org_slug": organisation.slug})
    overdue_since = timezone.now() - timedelta(days=DEFAULT_RESPONSE_DAYS)
    counts = Report.objects.filter(organisation=organisation).aggregate(
        new=Count("pk", filter=Q(status=ReportStatus.OPEN, assignee__isnull=True)),
        overdue=Count("pk", filter=Q(status=ReportStatus.OPEN, created_at__lt=overdue_since)),
    )
    items = []
    if counts["new"]:
        items.append(WorkItem(
            label=ngettext("%(count)d neue Meldung ohne Bearbeitung", "%(count)d neue Meldungen ohne Bearbeitung",
                           counts["new"]) % {"count": counts["new"]},
            count=counts["new"], url=f"{inbox}?status=open&assignee=none"))  # fmt: skip
    if counts["overdue"]:
        items.append(WorkItem(
            label=ngettext("%(count)d Meldung seit mehr als %(days)d Tagen offen",
                           "%(count)d Meldungen seit mehr als %(days)d Tagen offen", counts["overdue"])
            % {"count": counts["overdue"], "days": DEFAULT_RESPONSE_DAYS},
            count=counts["overdue"], url=f"{inbox}?status=open&older_than={DEFAULT_RESPONSE_DAYS}", urgent=True))  # fmt: skip
    return items


def search(user: Any, query: str, limit: int) -> list[SearchHit]:
    found = Report.objects.public().filter(hidden=False)
    reports = (
        found.filter(Q(description__icontains=query) | Q(address__icontains=query))
        .select_related("category", "organisation")
        .order_by("-created_at")[:limit]
    )
    return [
        SearchHit(title=f"{report.category.name}: {report.address or report.description[:60]}",
                  kind=_lazy("Mängelmeldung"), organisation=report.organisation.name,
                  url=reverse("reports:detail", kwargs={"pk": report.pk}))
        for report in reports
    ]  # fmt: skip


def statistics(organisation: Any) -> list[Statistic]:
    counts = Report.objects.filter(organisation=organisation).aggregate(
        open=Count("pk", filter=Q(status__in=(ReportStatus.OPEN, ReportStatus.IN_PROGRESS))),
        fixed=Count("pk", filter=Q(status=ReportStatus.FIXED)),
    )
    return [Statistic(_lazy("Offene Mängelmeldungen"), counts["open"]),
            Statistic(_lazy("Erledigte Mängelmeldungen"), counts["fixed"])]  # fmt: skip


def daily() -> None:
    send_followups()
    start_daily_digests()
