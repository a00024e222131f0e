"""What the Mängelmelder contributes to the portal through its plugin registration.

Each contribution runs a fixed number of queries however many reports there are (tests/test_reports_contrib.py).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from mitwirken.core.plugins import AccountSection, SearchHit, Statistic, WorkItem
from mitwirken.core.search import highlight, matching

from .alerts import start_daily_digests
from .models import Report, ReportSettings, ReportStatus, ReportUpdate, overdue_cutoff
from .services.followups import send_followups

LATEST_UPDATES = 3  # public answers shown per report in Mein Bereich


def my_reports(user: Any) -> QuerySet[Report]:
    """The person's reports with the latest public answers: three queries per page (count, rows, answers)."""
    answers = ReportUpdate.objects.exclude(message="").select_related("organisation").defer("organisation__boundary")
    return (
        Report.objects.filter(reporter=user)
        .select_related("category", "organisation")
        .defer("organisation__boundary")
        .prefetch_related(
            Prefetch("updates", queryset=answers.order_by("-created_at", "-pk")[:LATEST_UPDATES], to_attr="latest")
        )
        .order_by("-created_at", "-pk")
    )


def account_sections() -> list[AccountSection]:
    return [
        AccountSection(key="meldungen", title=_lazy("Meine Meldungen an den Mängelmelder"), items=my_reports,
                       order=20, template="reports/account/reports.html"),
    ]  # fmt: skip


def staff_work(user: Any, organisation: Any) -> list[WorkItem]:
    """New reports nobody has taken on, and reports left unanswered beyond the organisation's response time."""
    if not user.has_perm("reports.handle_reports", organisation):
        return []
    days = ReportSettings.of(organisation).response_days
    # Only open reports count (both figures), so the partial index ``report_open_work`` answers alone
    # instead of a scan of every report of the organisation; counting a column of the index keeps it index-only.
    counts = Report.objects.filter(organisation=organisation, status=ReportStatus.OPEN).aggregate(
        new=Count("organisation", filter=Q(assignee__isnull=True)),
        overdue=Count("organisation", filter=Q(updated_at__lt=overdue_cutoff(days))),  # overdue_condition, as open
    )
    inbox = reverse("backoffice:report_inbox", kwargs={"org_slug": organisation.slug})
    items = []
    if counts["new"]:
        items.append(WorkItem(
            label=ngettext("%(count)d neue Meldung ohne Bearbeitung", "%(count)d neue Meldungen ohne Bearbeitung",
                           counts["new"]) % {"count": counts["new"]},
            count=counts["new"], url=f"{inbox}?status=open&assignee=none"))  # fmt: skip
    if counts["overdue"]:
        items.append(WorkItem(
            label=ngettext("%(count)d Meldung über der Antwortfrist von %(days)d Tagen",
                           "%(count)d Meldungen über der Antwortfrist von %(days)d Tagen", counts["overdue"])
            % {"count": counts["overdue"], "days": days},
            count=counts["overdue"], url=f"{inbox}?status=open&overdue=1", urgent=True))  # fmt: skip
    return items


def search(user: Any, query: str, limit: int) -> list[SearchHit]:
    reports = (
        matching(Report.objects.public().filter(hidden=False), query)
        .select_related("category", "organisation")
        .defer("organisation__boundary")
        .order_by("-search_rank", "-created_at")[:limit]
    )
    return [
        SearchHit(title=f"{report.category.name}: {report.address or report.description[:60]}",
                  kind=_lazy("Mängelmeldung"), organisation=report.organisation.name,
                  excerpt=highlight(report.description, query, length=200), url=reverse("reports:detail", kwargs={"pk": report.pk}))
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


def audit_sentences() -> dict[str, Any]:
    """How the Mängelmelder's actions read in the organisation's log."""
    from mitwirken.core.audit import AuditSentence

    statuses = dict(ReportStatus.choices)
    return {
        "report.status": AuditSentence(
            _lazy("Status der Meldung #%(id)s von „%(old)s“ auf „%(new)s“ geändert"), "status", statuses
        ),
        "report.reopen": AuditSentence(_lazy("Meldung #%(id)s wieder geöffnet"), "status", statuses),
        "report.confirm_fixed": AuditSentence(_lazy("Behebung der Meldung #%(id)s bestätigt")),
        "report.forward": AuditSentence(
            _lazy("Meldung #%(id)s von „%(old)s“ an „%(new)s“ weitergeleitet"), "organisation"
        ),
        "report.assign": AuditSentence(_lazy("Zuständigkeit für Meldung #%(id)s geändert")),
        "report.hide": AuditSentence(_lazy("Meldung #%(id)s öffentlich ausgeblendet")),
        "report.unhide": AuditSentence(_lazy("Meldung #%(id)s wieder öffentlich gezeigt")),
        "report.photo_hide": AuditSentence(_lazy("Foto der Meldung #%(id)s ausgeblendet")),
        "report.photo_unhide": AuditSentence(_lazy("Foto der Meldung #%(id)s wieder gezeigt")),
        "report_template.add": AuditSentence(_lazy("Antwortvorlage „%(object)s“ angelegt")),
        "report_template.delete": AuditSentence(_lazy("Antwortvorlage „%(object)s“ gelöscht")),
        "report_category.enable": AuditSentence(_lazy("Kategorie „%(object)s“ eingeschaltet")),
        "report_category.disable": AuditSentence(_lazy("Kategorie „%(object)s“ ausgeschaltet")),
        "report_category.questions": AuditSentence(_lazy("Fragen der Kategorie „%(object)s“ geändert")),
        "report_settings.change": AuditSentence(
            _lazy("Antwortfrist von %(old)s auf %(new)s Tage geändert"), "response_days"
        ),
    }
