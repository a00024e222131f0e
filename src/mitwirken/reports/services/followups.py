"""After "erledigt": is it really fixed? (FixMyStreet's questionnaire.)

The reporter answers from "Mein Bereich" or the report page (with an account) or from the link in the follow-up
mail sent four weeks after "erledigt" (without one); both ways go through the same two steps, so each writes the
same public history line, audit entry and message to the responsible organisation.

Only a report in status "erledigt" can be confirmed or reopened. A rejected or duplicate report is not reopened
by its reporter: the organisation has said publicly why it will not act (a private road, another body), and
reopening would only send it back to an inbox that has already answered. The reporter can report anew or write
to the organisation.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action
from mitwirken.core.notifications import send_templated_email
from mitwirken.core.permissions import require

from ..messaging import absolute, tell_organisation
from ..models import Report, ReportStatus, ReportUpdate

FOLLOWUP_AFTER = timedelta(weeks=4)
MAX_REASON = 1000


def send_followups(now: Any = None) -> int:
    """A few weeks after "erledigt", ask the reporter whether the problem is really gone."""
    now = now or timezone.now()
    due = Report.objects.filter(status=ReportStatus.FIXED, fixed_at__lte=now - FOLLOWUP_AFTER,
                                followup_sent_at__isnull=True).exclude(email="").select_related("category")  # fmt: skip
    sent = 0
    for report in due.iterator(chunk_size=500):
        with transaction.atomic():
            if not Report.objects.filter(pk=report.pk, followup_sent_at__isnull=True).update(followup_sent_at=now):
                continue
            url = absolute(reverse("reports:followup", kwargs={"token": report.confirm_token}))
            send_templated_email(to=[report.email], template="report_followup", context={"report": report, "url": url})
        sent += 1
    return sent


def _locked() -> Any:
    return Report.objects.select_for_update(of=("self",)).select_related("organisation", "category")


def _require_reporter(user: Any, report: Report) -> None:
    require(user, "reports.review_report", report)
    # Superusers pass every rule, but the history will say "the reporter confirms": only the reporter can.
    if not rules.has_perm("reports.review_report", user, report):
        raise PermissionDenied


def _check_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if "\x00" in reason:
        raise ValidationError({"reason": _("Der Text enthält unzulässige Steuerzeichen.")})
    if required and not reason:
        raise ValidationError({"reason": _("Bitte beschreiben Sie kurz, was noch nicht behoben ist.")})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": _("Bitte fassen Sie sich kürzer: höchstens %(max)d Zeichen.") % {"max": MAX_REASON}}
        )
    return reason


def _require_fixed(report: Report) -> None:
    if report.status != ReportStatus.FIXED:
        raise ValidationError(
            _("Diese Meldung ist nicht als „erledigt“ gekennzeichnet (Status: %(status)s). Bestätigen oder wieder "
              "öffnen können Sie nur eine erledigte Meldung.") % {"status": report.get_status_display()}
        )  # fmt: skip


def _confirm_fixed(report: Report, *, actor: Any) -> Report:
    """``report`` is locked. Confirming twice records nothing more."""
    _require_fixed(report)
    if report.fix_confirmed_at is not None:
        return report
    now = timezone.now()
    # Whoever has answered needs no follow-up question any more.
    report.fix_confirmed_at, report.followup_sent_at = now, report.followup_sent_at or now
    report.save(update_fields=["fix_confirmed_at", "followup_sent_at"])
    ReportUpdate.objects.create(report=report, status=ReportStatus.FIXED, organisation=report.organisation,
                                author=actor, created_at=now,
                                message=_("Die meldende Person bestätigt, dass das Problem behoben ist."))  # fmt: skip
    log_action(actor=actor, action="report.confirm_fixed", obj=report, organisation=report.organisation)
    title = _("Meldung #%(number)d: Die meldende Person bestätigt, dass das Problem behoben ist.") % {
        "number": report.pk
    }
    report_pk = report.pk
    transaction.on_commit(lambda: tell_organisation(report_pk, title), robust=True)
    return report


def _reopen(report: Report, *, actor: Any, reason: str) -> Report:
    """``report`` is locked; back to "offen" in the responsible organisation's inbox, with the reason public."""
    _require_fixed(report)
    now = timezone.now()
    report.status, report.updated_at, report.fixed_at, report.fix_confirmed_at = ReportStatus.OPEN, now, None, None
    report.followup_sent_at = report.followup_sent_at or now
    report.save(update_fields=["status", "updated_at", "fixed_at", "fix_confirmed_at", "followup_sent_at"])
    message = (
        _("Die meldende Person gibt an, dass das Problem noch besteht: %(reason)s") % {"reason": reason}
        if reason
        else _("Die meldende Person gibt an, dass das Problem noch besteht.")
    )
    ReportUpdate.objects.create(report=report, status=ReportStatus.OPEN, organisation=report.organisation,
                                author=actor, created_at=now, message=message)  # fmt: skip
    log_action(actor=actor, action="report.reopen", obj=report, organisation=report.organisation,
               changes={"status": [ReportStatus.FIXED.value, ReportStatus.OPEN.value]})  # fmt: skip
    title = _("Meldung #%(number)d ist wieder offen: Das Problem besteht laut Meldung noch.") % {"number": report.pk}
    report_pk = report.pk
    transaction.on_commit(lambda: tell_organisation(report_pk, title, reason), robust=True)
    return report


@transaction.atomic
def report_confirm_fixed(*, user: Any, report: Report) -> Report:
    """The reporter confirms that a report marked "erledigt" is really fixed."""
    locked = _locked().get(pk=report.pk)
    _require_reporter(user, locked)
    return _confirm_fixed(locked, actor=user)


@transaction.atomic
def report_reopen(*, user: Any, report: Report, reason: str) -> Report:
    """The reporter says the problem is still there: the report is open again, with the reason in its history."""
    locked = _locked().get(pk=report.pk)
    _require_reporter(user, locked)
    reason = _check_reason(reason, required=True)
    return _reopen(locked, actor=user, reason=reason)


@transaction.atomic
def followup_answer(*, token: str, fixed: bool, reason: str = "") -> Report:
    """The answer through the follow-up mail's link, whose secret token stands in for the account.

    A second click, or one after staff have moved the report on, changes nothing.
    """
    report = _locked().filter(confirm_token=token).first()
    if report is None:
        raise ValidationError(_("Dieser Link ist ungültig."))
    reason = _check_reason(reason, required=False)
    if report.status != ReportStatus.FIXED:
        return report
    return _confirm_fixed(report, actor=None) if fixed else _reopen(report, actor=None, reason=reason)
