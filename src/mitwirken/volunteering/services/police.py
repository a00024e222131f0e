"""§ 72a SGB VIII records: that an extended police certificate was inspected, its date, whether it holds a
relevant entry. The document itself is never uploaded or stored anywhere in the portal.

A record goes when the person did not start (the application was declined or withdrawn), and at the latest
``MITWIRKEN_POLICE_RECORD_DAYS`` after the engagement ended (the application's ``ended_on``, or the
opportunity's end). ``delete_due`` runs daily.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import rules
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action

from ..models import Application, ApplicationStatus, OpportunityStatus, PoliceCertificateRecord

# Applications whose record may be kept: the person is about to start or is engaged.
RECORDABLE = (ApplicationStatus.OPEN, ApplicationStatus.QUESTION, ApplicationStatus.ACCEPTED)


def record(*, application: Application, actor: Any, certificate_date: date | None, inspected_on: date | None,
           relevant_entry: bool, today: date | None = None) -> PoliceCertificateRecord:  # fmt: skip
    """Record (or correct) the inspection for an application to an opportunity that requires it."""
    today = today or timezone.localdate()
    # The rule itself: a superuser's blanket permission does not reach § 72a records.
    if not rules.has_perm("volunteering.view_police_record", actor, application) or not rules.has_perm(
        "volunteering.decide_application", actor, application
    ):
        raise Application.DoesNotExist
    if not application.opportunity.police_certificate:
        raise ValidationError(_("Für dieses Angebot ist kein erweitertes Führungszeugnis nötig."))
    if application.status not in RECORDABLE:
        raise ValidationError(_("Für eine abgelehnte, zurückgezogene oder beendete Bewerbung wird keine Einsicht "
                                "mehr erfasst."))  # fmt: skip
    errors: dict[str, str] = {}
    if certificate_date is None:
        errors["certificate_date"] = _("Bitte geben Sie das Ausstellungsdatum an.")
    elif certificate_date > today:
        errors["certificate_date"] = _("Das Ausstellungsdatum darf nicht in der Zukunft liegen.")
    if inspected_on is None:
        errors["inspected_on"] = _("Bitte geben Sie an, wann Sie das Führungszeugnis eingesehen haben.")
    elif inspected_on > today:
        errors["inspected_on"] = _("Das Datum der Einsicht darf nicht in der Zukunft liegen.")
    elif certificate_date and inspected_on < certificate_date:
        errors["inspected_on"] = _("Die Einsicht kann nicht vor der Ausstellung liegen.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entry, created = PoliceCertificateRecord.objects.update_or_create(
            application=application,
            defaults={"organisation_id": application.opportunity.organisation_id,
                      "volunteer_id": application.volunteer_id, "certificate_date": certificate_date,
                      "inspected_on": inspected_on, "relevant_entry": relevant_entry, "recorded_by": actor},
        )  # fmt: skip
        # The audit entry names the record, never its content: a relevant entry is not for the log.
        log_action(actor=actor, action="volunteering.police_record." + ("create" if created else "change"),
                   obj=entry)  # fmt: skip
    return entry


def due(today: date | None = None) -> Any:
    """Records to delete on ``today``."""
    today = today or timezone.localdate()
    limit = today - timedelta(days=settings.MITWIRKEN_POLICE_RECORD_DAYS)
    did_not_start = Q(application__status__in=(ApplicationStatus.DECLINED, ApplicationStatus.WITHDRAWN))
    application_ended = Q(application__status=ApplicationStatus.ENDED) & (
        Q(application__ended_on__lt=limit)
        | Q(application__ended_on__isnull=True, application__decided_at__date__lt=limit)
    )
    opportunity_ended = Q(application__opportunity__ends_on__lt=limit) | Q(
        application__opportunity__status=OpportunityStatus.ENDED, application__opportunity__updated_at__date__lt=limit
    )
    past_own_date = Q(delete_after__lt=today)
    return PoliceCertificateRecord.objects.filter(did_not_start | application_ended | opportunity_ended | past_own_date)


def delete_due(today: date | None = None) -> int:
    """Delete the records that are due; returns how many."""
    deleted, _details = due(today).delete()
    return deleted
