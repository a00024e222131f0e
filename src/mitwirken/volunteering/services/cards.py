"""Applications for a recognition (the Ehrenamtskarte): the portal prepares them from confirmed hours, each
organisation with hours in the period confirms its part, then the Ehrenamtsbörse's staff approve or decline.

The Börse that receives the application may ask for a trust level of the login (``card_min_assurance_level``):
checked when the application is prepared, and recorded with it.

A recognition with ``municipality_confirms`` False (the Kompetenznachweis) is approved once the organisations
have confirmed. The volunteer is told of the decision by e-mail.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import rules
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.accounts import assurance
from mitwirken.core.audit import log_action

from .. import recognitions
from ..models import CardApplication, CardConfirmation, CardStatus, Exchange, HoursEntry

OPEN_CARD = (CardStatus.PREPARED, CardStatus.ORGANISATIONS_CONFIRMED)


def _countable(volunteer: Any, start: date, end: date) -> QuerySet[HoursEntry]:
    return HoursEntry.objects.filter(recognitions.countable_hours(), volunteer=volunteer, day__gte=start,
                                     day__lte=end)  # fmt: skip


def exchanges_for(volunteer: Any, start: date, end: date) -> QuerySet[Exchange]:
    """Börsen that confirm cards and whose organisations hold the person's hours, most hours first."""
    return (
        Exchange.objects.filter(
            active=True, issues_card=True, engagement_organisations__hours__in=_countable(volunteer, start, end)
        )
        .annotate(total=Sum("engagement_organisations__hours__hours"))
        .order_by("-total", "pk")
        .select_related("organisation")
    )


def assurance_refusal(exchange: Exchange) -> str:
    level = assurance.LoginAssurance(exchange.card_min_assurance_level).label
    return _("Für diesen Antrag ist eine Anmeldung mit BundID mit dem Vertrauensniveau „%(level)s“ oder höher "
             "nötig. Der Antrag wurde nicht angelegt.") % {"level": level}  # fmt: skip


def card_requirement(volunteer: Any, result: recognitions.CheckResult) -> int:
    """The trust level the Börse that would receive the application asks for (0 where none would)."""
    chosen = exchanges_for(volunteer, result.period_start, result.period_end).first()
    return chosen.card_min_assurance_level if chosen is not None else 0


def prepare(*, volunteer: Any, recognition_key: str, exchange: Exchange | None = None,
            today: date | None = None) -> CardApplication:  # fmt: skip
    """Prepare an application for a volunteer whose hours meet the recognition."""
    try:
        recognition = recognitions.recognition(recognition_key)
    except KeyError:
        raise ValidationError(_("Diese Anerkennung gibt es nicht.")) from None
    result = recognitions.check(volunteer, recognition, today)
    if not result.eligible:
        raise ValidationError(_("Die Voraussetzungen sind noch nicht erfüllt: %(reasons)s")
                              % {"reasons": " ".join(result.reasons)})  # fmt: skip
    candidates = exchanges_for(volunteer, result.period_start, result.period_end)
    chosen = candidates.filter(pk=exchange.pk).first() if exchange is not None else candidates.first()
    if chosen is None:
        raise ValidationError(_("Keine Ihrer Organisationen gehört zu einer Kommune, die Anträge auf „%(name)s“ bestätigt.")
                              % {"name": recognition["name"]})  # fmt: skip
    if not rules.has_perm("volunteering.prepare_card", volunteer, chosen):
        raise ValidationError(assurance_refusal(chosen), code="assurance")
    login = assurance.current(volunteer)
    with transaction.atomic():
        if (
            CardApplication.objects.select_for_update()
            .filter(volunteer=volunteer, recognition=recognition_key, status__in=OPEN_CARD)
            .exists()
        ):
            raise ValidationError(_("Sie haben diesen Antrag schon gestellt; er wird gerade bearbeitet."))
        application = CardApplication.objects.create(
            volunteer=volunteer, recognition=recognition_key, exchange=chosen, period_start=result.period_start,
            period_end=result.period_end, hours=result.total, assurance_level=login.level,
            identity_provider=login.provider,
        )  # fmt: skip
        per_organisation = (
            _countable(volunteer, result.period_start, result.period_end)
            .values("organisation").annotate(total=Sum("hours")).order_by("organisation")
        )  # fmt: skip
        CardConfirmation.objects.bulk_create(
            CardConfirmation(application=application, organisation_id=row["organisation"], hours=row["total"])
            for row in per_organisation
        )
        log_action(actor=volunteer, action="volunteering.card.prepare", obj=application)
    return application


def _locked(pk: int, status: str, refusal: str) -> CardApplication:
    """The application, locked, if it is in ``status``; otherwise ``refusal`` as a ValidationError."""
    application = CardApplication.objects.select_for_update().get(pk=pk)
    if application.status != status:
        raise ValidationError(refusal)
    return application


def confirm_organisation(*, confirmation: CardConfirmation, actor: Any) -> CardConfirmation:
    """A coordinator confirms the hours of their organisation."""
    if not rules.has_perm("volunteering.manage_organisation", actor, confirmation.organisation):
        raise CardConfirmation.DoesNotExist
    with transaction.atomic():
        application = _locked(confirmation.application_id, CardStatus.PREPARED,
                              _("Dieser Antrag wartet nicht mehr auf die Bestätigung der Organisationen."))  # fmt: skip
        confirmation = CardConfirmation.objects.get(pk=confirmation.pk)
        if confirmation.confirmed_at is None:
            confirmation.confirmed_by = actor
            confirmation.confirmed_at = timezone.now()
            confirmation.save(update_fields=["confirmed_by", "confirmed_at"])
            log_action(actor=actor, action="volunteering.card.confirm_hours", obj=application)
        if not application.confirmations.filter(confirmed_at__isnull=True).exists():
            if recognitions.recognition(application.recognition).get("municipality_confirms", True):
                application.status = CardStatus.ORGANISATIONS_CONFIRMED
                application.save(update_fields=["status"])
            else:
                _decide(application, actor, approve=True)
    return confirmation


def decide(*, application: CardApplication, actor: Any, approve: bool) -> CardApplication:
    """The Börse's staff approve or decline an application the organisations have confirmed."""
    if not actor.has_perm("volunteering.manage_exchange", application.exchange):
        raise CardApplication.DoesNotExist
    with transaction.atomic():
        application = _locked(application.pk, CardStatus.ORGANISATIONS_CONFIRMED,
                              _("Dieser Antrag wartet nicht auf die Bestätigung der Kommune."))  # fmt: skip
        _decide(application, actor, approve=approve)
    return application


def _decide(application: CardApplication, actor: Any, *, approve: bool) -> None:
    application.status = CardStatus.APPROVED if approve else CardStatus.DECLINED
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_by", "decided_at"])
    log_action(actor=actor, action=f"volunteering.card.{application.status}", obj=application,
               organisation=application.exchange.organisation)  # fmt: skip
    transaction.on_commit(lambda: _tell_volunteer(application.pk))


def _tell_volunteer(application_pk: int) -> None:
    application = CardApplication.objects.select_related("volunteer", "exchange__organisation").get(pk=application_pk)
    context = {
        "application": application,
        "name": recognitions.recognition(application.recognition)["name"],
        "approved": application.status == CardStatus.APPROVED,
        "url": settings.SITE_URL.rstrip("/") + reverse("volunteering:my_hours"),
        "hours": f"{application.hours:.2f}".replace(".", ","),
    }
    subject = render_to_string("emails/volunteering/card_decided_subject.txt", context).strip()
    body = render_to_string("emails/volunteering/card_decided_body.txt", context)
    send_mail(subject, body, None, [application.volunteer.email])
