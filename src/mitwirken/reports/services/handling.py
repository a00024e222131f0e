"""The responsible staff's work on a report: status, forwarding, assignment, notes, moderation, answer templates.

Every function checks the permission again (``require``), locks the report it changes, and writes the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action
from mitwirken.core.permissions import require
from mitwirken.organisations.models import Organisation

from ..messaging import absolute, send_to_forwarding_address, tell_followers
from ..models import (
    PUBLIC_STATUSES,
    TRANSITIONS,
    InternalNote,
    OrganisationCategory,
    Report,
    ReportStatus,
    ReportUpdate,
    ResponseTemplate,
)


def _lock(report: Report) -> Report:
    locked = Report.objects.select_for_update().select_related("organisation", "category").get(pk=report.pk)
    return locked


@transaction.atomic
def report_change_status(
    *, actor: Any, report: Report, status: str, message: str = "", duplicate_of: Report | None = None
) -> Report:
    """Move a report along its status flow; the reporter and the supporters are told, with the public message."""
    report = _lock(report)
    require(actor, "reports.handle_reports", report.organisation)
    if status not in TRANSITIONS.get(report.status, ()):
        raise ValidationError({"status": _("Von „%(old)s“ kann die Meldung nicht auf „%(new)s“ gesetzt werden.") % {
            "old": ReportStatus(report.status).label, "new": ReportStatus(status).label if status in ReportStatus.values else status}})  # fmt: skip
    if status == ReportStatus.DUPLICATE and (
        duplicate_of is None or duplicate_of.pk == report.pk or duplicate_of.hidden
        or duplicate_of.status not in PUBLIC_STATUSES
    ):  # fmt: skip
        raise ValidationError({"duplicate_of": _("Bitte geben Sie die Nummer der ursprünglichen Meldung an.")})
    message = message.strip()
    if len(message) > 2000:
        raise ValidationError({"message": _("Die Nachricht darf höchstens 2000 Zeichen lang sein.")})
    old = report.status
    now = timezone.now()
    report.status, report.updated_at = status, now
    report.status_message = message or report.status_message
    report.duplicate_of = duplicate_of if status == ReportStatus.DUPLICATE else None
    if status == ReportStatus.FIXED:
        report.fixed_at, report.followup_sent_at, report.fix_confirmed_at = now, None, None
    report.save(update_fields=["status", "updated_at", "status_message", "duplicate_of", "fixed_at",
                               "followup_sent_at", "fix_confirmed_at"])  # fmt: skip
    ReportUpdate.objects.create(report=report, status=status, message=message, organisation=report.organisation,
                                author=actor, created_at=now)  # fmt: skip
    log_action(actor=actor, action="report.status", obj=report, organisation=report.organisation,
               changes={"status": [old, status]})  # fmt: skip
    transaction.on_commit(lambda: tell_followers(report.pk, message), robust=True)
    return report


def forward_targets(report: Report) -> list[OrganisationCategory]:
    """Bodies that handle the report's category, other than the current one."""
    return list(
        OrganisationCategory.objects.filter(template=report.category).exclude(organisation=report.organisation)
        .select_related("organisation").order_by("organisation__name")
    )  # fmt: skip


@transaction.atomic
def report_forward(*, actor: Any, report: Report, organisation: Organisation, message: str = "") -> Report:
    """ "Nicht zuständig": the report moves to another body's inbox, open again, with both steps in its history."""
    report = _lock(report)
    require(actor, "reports.handle_reports", report.organisation)
    if not report.is_open:
        raise ValidationError({"organisation": _("Nur offene Meldungen können weitergeleitet werden.")})
    if organisation.pk not in {target.organisation_id for target in forward_targets(report)}:
        raise ValidationError({"organisation": _("Diese Stelle bearbeitet die Kategorie nicht.")})
    old = report.organisation
    now = timezone.now()
    ReportUpdate.objects.create(report=report, status=ReportStatus.NOT_RESPONSIBLE, organisation=old, author=actor,
                                message=message.strip() or _("Weitergeleitet an %(name)s.") % {"name": organisation.name},
                                created_at=now)  # fmt: skip
    ReportUpdate.objects.create(report=report, status=ReportStatus.OPEN, organisation=organisation, created_at=now,
                                message=_("Übernommen von %(name)s.") % {"name": old.name})  # fmt: skip
    report.organisation, report.status, report.assignee, report.updated_at = organisation, ReportStatus.OPEN, None, now
    report.save(update_fields=["organisation", "status", "assignee", "updated_at"])
    log_action(actor=actor, action="report.forward", obj=report, organisation=old,
               changes={"organisation": [old.slug, organisation.slug]})  # fmt: skip
    log_action(actor=actor, action="report.forward", obj=report, organisation=organisation,
               changes={"organisation": [old.slug, organisation.slug]})  # fmt: skip
    report_pk = report.pk
    transaction.on_commit(lambda: tell_followers(report_pk, message), robust=True)
    transaction.on_commit(lambda: _forwarded(report_pk), robust=True)
    return report


def _forwarded(report_pk: int) -> None:
    report = Report.objects.select_related("category", "organisation").get(pk=report_pk)
    send_to_forwarding_address(report, absolute(report.get_absolute_url()))


@transaction.atomic
def report_assign(*, actor: Any, reports: Iterable[Report], assignee: Any) -> int:
    count = 0
    for report in reports:
        require(actor, "reports.handle_reports", report.organisation)
        if assignee is not None and not assignee.has_perm("reports.handle_reports", report.organisation):
            raise ValidationError({"assignee": _("Diese Person gehört nicht zu den Mitarbeitenden.")})
        Report.objects.filter(pk=report.pk).update(assignee=assignee)
        log_action(actor=actor, action="report.assign", obj=report, organisation=report.organisation,
                   changes={"assignee": getattr(assignee, "pk", None)})  # fmt: skip
        count += 1
    return count


def report_bulk_status(*, actor: Any, reports: Iterable[Report], status: str, message: str = "") -> tuple[int, int]:
    """Change many at once; reports for which the step is not allowed are skipped and counted."""
    changed = skipped = 0
    for report in reports:
        try:
            report_change_status(actor=actor, report=report, status=status, message=message)
        except ValidationError:
            skipped += 1
        else:
            changed += 1
    return changed, skipped


def note_add(*, actor: Any, report: Report, text: str) -> InternalNote:
    require(actor, "reports.handle_reports", report.organisation)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Die Notiz ist leer.")})
    return InternalNote.objects.create(report=report, author=actor, text=text[:4000])


@transaction.atomic
def report_hide(*, actor: Any, report: Report, reason: str, hidden: bool = True) -> Report:
    """Abusive content is hidden, never deleted: the page keeps a visible placeholder with the reason."""
    report = _lock(report)
    require(actor, "reports.moderate_reports", report.organisation)
    if hidden and not reason.strip():
        raise ValidationError({"reason": _("Bitte geben Sie einen Grund an; er wird öffentlich angezeigt.")})
    report.hidden, report.hidden_reason = hidden, reason.strip()[:300] if hidden else ""
    report.save(update_fields=["hidden", "hidden_reason"])
    log_action(actor=actor, action="report.hide" if hidden else "report.unhide", obj=report,
               organisation=report.organisation, changes={"reason": reason})  # fmt: skip
    return report


@transaction.atomic
def response_template_add(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    text: str,
    status: str = "",
    title_en: str = "",
    text_en: str = "",
) -> ResponseTemplate:
    """A reusable answer for the status form; the organisation's staff share them. English is optional."""
    require(actor, "reports.handle_reports", organisation)
    template = ResponseTemplate(organisation=organisation, title=title.strip(), text=text.strip(), status=status,
                                title_en=title_en.strip(), text_en=text_en.strip())  # fmt: skip
    template.full_clean()
    template.save()
    log_action(actor=actor, action="report_template.add", obj=template, organisation=organisation)
    return template


@transaction.atomic
def response_template_delete(*, actor: Any, template: ResponseTemplate) -> None:
    require(actor, "reports.handle_reports", template.organisation)
    log_action(actor=actor, action="report_template.delete", obj=template, organisation=template.organisation)
    template.delete()
