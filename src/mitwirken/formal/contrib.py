"""What formal procedures contribute to the portal through their plugin registration.

Every function here answers with a constant number of queries, whatever the number of statements.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from mitwirken.core.dates import format_period
from mitwirken.core.plugins import AccountSection, Statistic, WorkItem

from . import tally
from .models import Procedure, Statement, StatementDraft, Track
from .notices import anonymise_expired
from .services import statement_digest


def export_personal_data(user: Any) -> list[dict[str, Any]]:
    rows = Statement.objects.filter(author=user).values("reference", "received_at", "text", "procedure__module__name")
    return [dict(row) for row in rows]


def my_statements(user: Any) -> QuerySet[Statement]:
    return (
        # Only the joins the block shows: PostgreSQL's planning time grows with each (two more doubled it, 0.7 → 1.5 ms).
        Statement.objects.filter(author=user)
        .select_related("procedure__module__project__organisation")
        .order_by("-received_at", "-pk")
    )


def my_drafts(user: Any) -> QuerySet[StatementDraft]:
    """Drafts whose period still runs: only those can still be submitted."""
    return (
        StatementDraft.objects.filter(author=user, track__phase__end__gt=timezone.now())
        .select_related("track__phase", "track__round__procedure__module__project__organisation")
        .order_by("track__phase__end", "pk")
    )


def account_sections() -> list[AccountSection]:
    return [
        AccountSection(key="stellungnahmen", title=_lazy("Meine Stellungnahmen"), items=my_statements, order=10,
                       template="formal/account/statements.html"),
        AccountSection(key="entwuerfe", title=_lazy("Meine Entwürfe"), items=my_drafts, order=11,
                       template="formal/account/drafts.html"),
    ]  # fmt: skip


def _inbox_url(procedure: Procedure, query: str) -> str:
    module = procedure.module
    url = reverse("backoffice:procedure_inbox", kwargs={"org_slug": module.project.organisation.slug,
                                                        "project_pk": module.project_id, "module_pk": module.pk})  # fmt: skip
    return f"{url}?{query}"


def staff_work(user: Any, organisation: Any) -> list[WorkItem]:
    """Statements nobody has taken yet, those assigned to me, and periods that end within a week."""
    # The organisation's procedures as a list of ids read first: the count then walks the tally (or, on SQLite, the
    # index) by procedure instead of joining every open statement against a subquery.
    procedures_here = list(
        Procedure.objects.filter(module__project__organisation=organisation).values_list("pk", flat=True)
    )
    rows = tally.open_work(procedures_here, user, limit=50)
    procedures = Procedure.objects.select_related("module__project__organisation").in_bulk(
        [row["procedure"] for row in rows]
    )
    items = []
    for row in rows:
        procedure = procedures[row["procedure"]]
        name = procedure.module.project.title
        if row["unassigned"]:
            items.append(WorkItem(
                label=ngettext("%(count)d Stellungnahme ohne Zuständigkeit – %(name)s",
                               "%(count)d Stellungnahmen ohne Zuständigkeit – %(name)s",
                               row["unassigned"]) % {"count": row["unassigned"], "name": name},
                count=row["unassigned"], url=_inbox_url(procedure, "unassigned=on")))  # fmt: skip
        if row["mine"]:
            items.append(WorkItem(
                label=ngettext("%(count)d Stellungnahme mir zugewiesen – %(name)s",
                               "%(count)d Stellungnahmen mir zugewiesen – %(name)s",
                               row["mine"]) % {"count": row["mine"], "name": name},
                count=row["mine"], url=_inbox_url(procedure, f"assignee={user.pk}")))  # fmt: skip
    now = timezone.now()
    ending = (
        Track.objects.filter(round__procedure__module__project__organisation=organisation,
                             phase__end__gt=now, phase__end__lte=now + timedelta(days=7))
        .select_related("phase", "round__procedure__module__project__organisation")
        .order_by("phase__end")[:20]
    )  # fmt: skip
    for track in ending:
        procedure = track.round.procedure
        module = procedure.module
        url = reverse("backoffice:procedure_setup", kwargs={"org_slug": organisation.slug,
                                                            "project_pk": module.project_id, "module_pk": module.pk})  # fmt: skip
        items.append(WorkItem(
            label=_("Frist %(deadline)s – %(name)s (%(track)s)") % {
                "deadline": format_period(None, track.phase.end), "name": module.project.title,
                "track": track.phase.name},
            count=1, url=url, urgent=True))  # fmt: skip
    items.extend(_exchange_work(user, organisation))
    return items


def _exchange_work(user: Any, organisation: Any) -> list[WorkItem]:
    """Pushes that gave up (the organisation's), and, for portal administrators, messages nobody can route."""
    from .models import ExchangeMessage, ExchangeStatus

    items = []
    undelivered = ExchangeMessage.objects.outgoing().filter(organisation=organisation,
                                                            status=ExchangeStatus.UNDELIVERED).count()  # fmt: skip
    if undelivered:
        url = reverse("backoffice:exchange", kwargs={"org_slug": organisation.slug})
        items.append(WorkItem(
            label=ngettext("%(count)d XBeteiligung-Nachricht nicht zugestellt",
                           "%(count)d XBeteiligung-Nachrichten nicht zugestellt", undelivered) % {"count": undelivered},
            count=undelivered, url=f"{url}?richtung=out&status={ExchangeStatus.UNDELIVERED}", urgent=True))  # fmt: skip
    if user.has_perm("organisations.add_organisation"):
        parked = ExchangeMessage.objects.incoming().filter(status=ExchangeStatus.PARKED,
                                                           organisation__isnull=True).count()  # fmt: skip
        if parked:
            items.append(WorkItem(
                label=ngettext("%(count)d XBeteiligung-Nachricht ohne bekannten Empfänger (Portal-Administration)",
                               "%(count)d XBeteiligung-Nachrichten ohne bekannten Empfänger (Portal-Administration)",
                               parked) % {"count": parked},
                count=parked, url=reverse("backoffice:exchange_parked"), urgent=True))  # fmt: skip
    return items


def statistics(organisation: Any) -> list[Statistic]:
    totals = Statement.objects.filter(procedure__module__project__organisation=organisation).aggregate(
        all=Count("pk"), late=Count("pk", filter=Q(late=True))
    )
    return [
        Statistic(_lazy("Stellungnahmen"), totals["all"]),
        Statistic(_lazy("davon verspätet"), totals["late"]),
    ]


def daily() -> None:
    from .transport import retry_due

    anonymise_expired.enqueue()
    retry_due()  # pushes a lost or impossible deferral left waiting


def audit_sentences() -> dict[str, Any]:
    """How the formal procedures' actions read in the organisation's log."""
    from mitwirken.core.audit import AuditSentence

    return {
        "procedure.create": AuditSentence(_lazy("Verfahren „%(object)s“ angelegt")),
        "procedure.update": AuditSentence(_lazy("Verfahren „%(object)s“ bearbeitet")),
        "round.add": AuditSentence(_lazy("Durchgang „%(object)s“ angelegt")),
        "track.add": AuditSentence(_lazy("Frist „%(object)s“ festgelegt")),
        "track.period_override": AuditSentence(_lazy("Frist „%(object)s“ abweichend festgelegt")),
        "document.add": AuditSentence(_lazy("Unterlage „%(object)s“ hochgeladen")),
        "statement.record": AuditSentence(_lazy("Stellungnahme %(object)s erfasst")),
        "statement.submit": AuditSentence(_lazy("Stellungnahme %(object)s eingereicht")),
        "statement.hand_over": AuditSentence(_lazy("Stellungnahme %(object)s übergeben")),
        "xbeteiligung.export": AuditSentence(_lazy("„%(object)s“ als XBeteiligung exportiert")),
        "xbeteiligung.fetch": AuditSentence(_lazy("XBeteiligung-Nachricht „%(object)s“ über die API abgerufen")),
        "xbeteiligung.resend": AuditSentence(_lazy("XBeteiligung-Nachricht „%(object)s“ erneut gesendet")),
        "xbeteiligung.endpoint": AuditSentence(_lazy("Gegenstelle für XBeteiligung eingerichtet")),
        "xbeteiligung.endpoint_delete": AuditSentence(_lazy("Gegenstelle für XBeteiligung entfernt")),
    }


def publish_checks(project: Any) -> list[Any]:
    """A formal procedure goes public only with a period and documents to comment on."""
    from mitwirken.core.plugins import PublishCheck

    from .models import Procedure

    checks = []
    procedures = (
        Procedure.objects.filter(module__project=project)
        .select_related("module")
        .annotate(track_count=Count("rounds__tracks", distinct=True), document_count=Count("documents", distinct=True))
    )
    for procedure in procedures:
        args = {"org_slug": project.organisation.slug, "project_pk": project.pk, "module_pk": procedure.module.pk}
        checks.append(PublishCheck(
            _("Verfahren „%(name)s“ hat eine Frist (Durchgang und Zeitraum)") % {"name": procedure.module.name},
            ok=procedure.track_count > 0,
            explanation=_("Legen Sie unter „Durchgänge und Fristen“ fest, wann Stellungnahmen möglich sind."),
            url=reverse("backoffice:procedure_setup", kwargs=args),
        ))  # fmt: skip
        checks.append(PublishCheck(
            _("Verfahren „%(name)s“ hat Unterlagen") % {"name": procedure.module.name},
            ok=procedure.document_count > 0,
            explanation=_("Laden Sie die Unterlagen hoch, zu denen Stellung genommen werden soll."),
            url=reverse("backoffice:procedure_documents", kwargs=args),
        ))  # fmt: skip
    return checks


def contributions(module: Any) -> list[str]:
    """Statements and drafts of a formal procedure: records of the authority, never deleted with the module."""
    from .models import Statement, StatementDraft

    found = []
    statements = Statement.objects.filter(procedure__module=module).count()
    if statements:
        found.append(
            ngettext("%(count)d Stellungnahme", "%(count)d Stellungnahmen", statements) % {"count": statements}
        )
    drafts = StatementDraft.objects.filter(track__round__procedure__module=module).count()
    if drafts:
        found.append(ngettext("%(count)d Entwurf", "%(count)d Entwürfe", drafts) % {"count": drafts})
    return found


def receipts() -> Iterator[tuple[str, str, str | None]]:
    """Every statement's receipt: what it certified, and the same digest recomputed from the record as it is now
    (None once the statement was anonymised after its retention period: the names it certified are gone)."""
    statements = (
        Statement.objects.select_related("section").prefetch_related("attachments")
        .order_by("pk")
    )  # fmt: skip
    for statement in statements.iterator(chunk_size=2000):
        recomputed = None if statement.anonymised_at else statement_digest(statement)
        yield f"formal.statement:{statement.pk}", statement.content_sha256, recomputed
