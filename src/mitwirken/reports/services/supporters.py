"""Supporters: people with the same problem add their voice to a report instead of reporting it again."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from mitwirken.core.permissions import require

from ..models import Report, Supporter


@transaction.atomic
def report_support(*, user: Any, report: Report) -> bool:
    """Count a supporter once; returns False when the user already supports the report."""
    require(user, "reports.support_report", report)
    if not report.is_open or report.hidden:
        raise ValidationError(_("Nur offene Meldungen können unterstützt werden."))
    if report.reporter_id == user.pk:
        raise ValidationError(_("Das ist Ihre eigene Meldung; Sie werden ohnehin über Änderungen informiert."))
    _supporter, created = Supporter.objects.get_or_create(report=report, user=user)
    if created:
        Report.objects.filter(pk=report.pk).update(supporters_count=F("supporters_count") + 1)
    return created
