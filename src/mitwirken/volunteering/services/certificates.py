"""Ehrenamtsnachweise: issued and signed by a coordinator, verified publicly by their code, revoked."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import rules
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action

from ..models import Certificate, EngagementOrganisation, HoursEntry, HoursStatus

CODE_ALPHABET = set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")


def period_hours(organisation: EngagementOrganisation, volunteer: Any, start: date, end: date) -> Decimal:
    """Confirmed hours of ``volunteer`` at ``organisation`` from ``start`` to ``end`` (paid ones included: a
    certificate states the work done, only the Ehrenamtskarte leaves paid hours out)."""
    total = HoursEntry.objects.filter(
        organisation=organisation, volunteer=volunteer, status=HoursStatus.CONFIRMED, day__gte=start, day__lte=end
    ).aggregate(total=Sum("hours"))["total"]
    return total or Decimal(0)


def suggested(organisation: EngagementOrganisation, volunteer: Any, today: date | None = None) -> dict[str, Any]:
    """Initial values of the form: the period of the person's confirmed hours, the kinds of work, the name."""
    today = today or timezone.localdate()
    entries = HoursEntry.objects.filter(organisation=organisation, volunteer=volunteer, status=HoursStatus.CONFIRMED)
    first = entries.order_by("day").values_list("day", flat=True).first()
    titles = list(
        entries.exclude(opportunity=None).order_by("opportunity__title")
        .values_list("opportunity__title", flat=True).distinct()[:10]
    )  # fmt: skip
    return {
        "period_start": first or today,
        "period_end": today,
        "activity": ", ".join(titles),
        "volunteer_name": volunteer.real_name or str(volunteer),
    }


def issue(*, organisation: EngagementOrganisation, volunteer: Any, actor: Any, period_start: date | None,
          period_end: date | None, activity: str, competences: str = "", volunteer_name: str,
          today: date | None = None) -> Certificate:  # fmt: skip
    """Sign a certificate: the hours are the confirmed hours in the period, computed here, never typed in."""
    today = today or timezone.localdate()
    if not rules.has_perm("volunteering.manage_organisation", actor, organisation):
        raise Certificate.DoesNotExist
    errors: dict[str, str] = {}
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = _("Das Ende des Zeitraums liegt vor seinem Beginn.")
    if period_end and period_end > today:
        errors["period_end"] = _("Der Zeitraum darf nicht in der Zukunft enden.")
    if not activity.strip():
        errors["activity"] = _("Bitte beschreiben Sie die Art der Tätigkeit.")
    if not volunteer_name.strip():
        errors["volunteer_name"] = _("Bitte geben Sie den Namen der Person an.")
    if period_start is None:
        errors["period_start"] = _("Bitte geben Sie den Beginn des Zeitraums an.")
    if period_end is None:
        errors.setdefault("period_end", _("Bitte geben Sie das Ende des Zeitraums an."))
    if errors or period_start is None or period_end is None:
        raise ValidationError(errors)
    with transaction.atomic():
        hours = period_hours(organisation, volunteer, period_start, period_end)
        if hours <= 0:
            raise ValidationError({"period_start": _(
                "In diesem Zeitraum hat die Person keine bestätigten Stunden bei Ihrer Organisation."
            )})  # fmt: skip
        certificate = Certificate.objects.create(
            volunteer=volunteer, organisation=organisation, volunteer_name=volunteer_name.strip()[:150],
            organisation_name=organisation.name, period_start=period_start, period_end=period_end,
            activity=activity.strip(), hours=hours, competences=competences.strip(), signed_by=actor,
            signed_by_name=(actor.real_name or str(actor))[:150],
        )  # fmt: skip
        log_action(actor=actor, action="volunteering.certificate.issue", obj=certificate)
    return certificate


def revoke(*, certificate: Certificate, actor: Any) -> Certificate:
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.revoked_at is None:
            certificate.revoked_at = timezone.now()
            certificate.save(update_fields=["revoked_at"])
            log_action(actor=actor, action="volunteering.certificate.revoke", obj=certificate)
    return certificate


def normalise_code(text: str) -> str | None:
    """A typed code without dashes or spaces, in capitals; None when it cannot be a code."""
    code = re.sub(r"[\s\-–]", "", text or "").upper()
    if len(code) != 12 or not set(code) <= CODE_ALPHABET:
        return None
    return code


def find(text: str) -> Certificate | None:
    code = normalise_code(text)
    if code is None:
        return None
    return Certificate.objects.filter(code=code).first()
