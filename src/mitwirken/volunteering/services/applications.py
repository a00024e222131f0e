"""Applying for an opportunity and what follows: the coordinators accept, decline, ask a question or mark the
engagement as ended; both sides write messages inside the application, and the volunteer may withdraw.

Every write runs in one transaction with the application locked, checks the permission again (the views checked
it too), and sends its e-mails only after commit (``application_messaging``). A message exists only inside an
application its sender may see, so nobody can write to a person who has not applied.

§ 72a SGB VIII: a police-certificate record is deleted in the same transaction in which the application is
declined or withdrawn, because the person does not start.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.accounts import assurance
from mitwirken.core.audit import log_action
from mitwirken.core.text import clean_text

from .. import eligibility
from ..models import (
    ACTIVE_APPLICATION,
    Application,
    ApplicationStatus,
    Message,
    Opportunity,
    PoliceCertificateRecord,
)
from . import application_messaging as messaging

MAX_MESSAGE = 5000
# Once declined or withdrawn, the conversation is over; after an ended engagement the two sides may still talk
# (about a certificate, say).
CLOSED = (ApplicationStatus.DECLINED, ApplicationStatus.WITHDRAWN)
UNDECIDED = (ApplicationStatus.OPEN, ApplicationStatus.QUESTION)
# After an ended engagement, the police-certificate record is kept at most this many months (§ 72a SGB VIII).
POLICE_RECORD_MONTHS = 3


def already_applied_message() -> str:
    return _("Sie haben sich auf dieses Angebot bereits beworben. Ihre Bewerbung und die Nachrichten dazu finden "
             "Sie unter „Meine Bewerbungen“.")  # fmt: skip


def active_application(user: Any, opportunity: Opportunity) -> Application | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Application.objects.filter(opportunity=opportunity, volunteer=user, status__in=ACTIVE_APPLICATION).first()


def _text(value: str | None, field: str, *, required: bool, missing: str) -> str:
    text = clean_text(value)
    if required and not text:
        raise ValidationError({field: missing})
    if len(text) > MAX_MESSAGE:
        raise ValidationError({field: _("Bitte fassen Sie sich kürzer (höchstens %(max)d Zeichen).")
                               % {"max": MAX_MESSAGE}})  # fmt: skip
    return text


def check_can_apply(user: Any, opportunity: Opportunity) -> None:
    """Every reason why ``user`` may not apply, as a ValidationError with a German message."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied
    eligibility.check_can_apply(user, opportunity)
    if not user.has_perm("volunteering.apply", opportunity):
        raise ValidationError(_("Für dieses Angebot sind keine Bewerbungen mehr möglich."))
    if not opportunity.application_required:
        raise ValidationError(_("Für dieses Angebot ist keine Bewerbung nötig: Sie können sich direkt in eine "
                                "Schicht eintragen."))  # fmt: skip
    if active_application(user, opportunity) is not None:
        raise ValidationError(already_applied_message(), code="already_applied")


def apply(*, user: Any, opportunity: Opportunity, message: str, share_email: bool = False) -> Application:
    """``user`` applies for ``opportunity`` with a message; the coordinators are told by e-mail."""
    check_can_apply(user, opportunity)
    text = _text(message, "message", required=True,
                 missing=_("Bitte schreiben Sie der Organisation ein paar Sätze zu Ihrer Bewerbung."))  # fmt: skip
    # The login the application comes from, kept with it (the session forgets it).
    login = assurance.current(user)
    try:
        with transaction.atomic():
            application = Application.objects.create(opportunity=opportunity, volunteer=user, message=text,
                                                     volunteer_shares_email=bool(share_email),
                                                     assurance_level=login.level,
                                                     identity_provider=login.provider)  # fmt: skip
            log_action(actor=user, action="volunteering.application.create", obj=application)
            transaction.on_commit(lambda: messaging.applied(application.pk))
    except IntegrityError:
        # Two submissions at once: the partial unique constraint lets only one active application in.
        raise ValidationError(already_applied_message(), code="already_applied") from None
    return application


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("opportunity__organisation").get(pk=application.pk)


def _may_decide(actor: Any, application: Application) -> None:
    if not rules.has_perm("volunteering.decide_application", actor, application):
        raise PermissionDenied


def _delete_police_record(application: Application) -> None:
    PoliceCertificateRecord.objects.filter(application=application).delete()


def _decide(actor: Any, application: Application, status: str, allowed: tuple[str, ...], refusal: str) -> Application:
    if application.status not in allowed:
        raise ValidationError(refusal)
    old = application.status
    application.status = status
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_by", "decided_at"])
    log_action(actor=actor, action=f"volunteering.application.{status}", obj=application,
               changes={"status": [old, status]})  # fmt: skip
    return application


def _decide_undecided(actor: Any, application: Application, status: str, kind: str, text: str) -> Application:
    """Accept, decline or ask: only an application not yet decided; the message (if any) joins the thread and
    the volunteer gets it by e-mail after commit."""
    with transaction.atomic():
        application = _locked(application)
        refusal = _("Über diese Bewerbung ist schon entschieden.")
        if status == ApplicationStatus.QUESTION:
            refusal = _("Über diese Bewerbung ist schon entschieden; schreiben Sie stattdessen eine Nachricht.")
        _decide(actor, application, status, UNDECIDED, refusal)
        if text:
            Message.objects.create(application=application, sender=actor, from_organisation=True, body=text)
        if status == ApplicationStatus.DECLINED:
            _delete_police_record(application)
        transaction.on_commit(lambda: messaging.to_volunteer(application.pk, kind, text))
    return application


def accept(*, actor: Any, application: Application, message: str = "") -> Application:
    """The organisation takes the volunteer on (an optional message goes with it)."""
    _may_decide(actor, application)
    text = _text(message, "message", required=False, missing="")
    return _decide_undecided(actor, application, ApplicationStatus.ACCEPTED, "accepted", text)


def decline(*, actor: Any, application: Application, message: str = "") -> Application:
    """The organisation declines (an optional message explains why); a police-certificate record goes."""
    _may_decide(actor, application)
    text = _text(message, "message", required=False, missing="")
    return _decide_undecided(actor, application, ApplicationStatus.DECLINED, "declined", text)


def ask(*, actor: Any, application: Application, message: str) -> Application:
    """The organisation asks the volunteer a question; the application waits for the answer (QUESTION)."""
    _may_decide(actor, application)
    text = _text(message, "message", required=True, missing=_("Bitte schreiben Sie Ihre Frage."))
    return _decide_undecided(actor, application, ApplicationStatus.QUESTION, "question", text)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def end(*, actor: Any, application: Application, ended_on: date | None) -> Application:
    """The engagement has ended on ``ended_on`` (today or earlier). A police-certificate record is then kept at
    most three months longer."""
    _may_decide(actor, application)
    today = timezone.localdate()
    if ended_on is None:
        raise ValidationError({"ended_on": _("Bitte geben Sie an, wann das Engagement geendet hat.")})
    if ended_on > today:
        raise ValidationError({"ended_on": _("Das Ende darf nicht in der Zukunft liegen. Tragen Sie es ein, wenn "
                                             "das Engagement vorbei ist.")})  # fmt: skip
    if ended_on < timezone.localdate(application.created_at):
        raise ValidationError({"ended_on": _("Das Ende darf nicht vor der Bewerbung liegen.")})
    with transaction.atomic():
        application = _locked(application)
        _decide(actor, application, ApplicationStatus.ENDED, (ApplicationStatus.ACCEPTED,),
                _("Nur ein angenommenes Engagement kann beendet werden."))  # fmt: skip
        application.ended_on = ended_on
        application.save(update_fields=["ended_on"])
        latest = add_months(ended_on, POLICE_RECORD_MONTHS)
        record = PoliceCertificateRecord.objects.filter(application=application).first()
        if record is not None and (record.delete_after is None or record.delete_after > latest):
            record.delete_after = latest
            record.save(update_fields=["delete_after"])
        transaction.on_commit(lambda: messaging.to_volunteer(application.pk, "ended", ""))
    return application


def withdraw(*, user: Any, application: Application) -> Application:
    """The volunteer withdraws; a police-certificate record goes, and the coordinators are told."""
    if not getattr(user, "is_authenticated", False) or application.volunteer_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        application = _locked(application)
        if application.status not in ACTIVE_APPLICATION:
            raise ValidationError(_("Diese Bewerbung ist bereits abgeschlossen."))
        old = application.status
        application.status = ApplicationStatus.WITHDRAWN
        application.save(update_fields=["status"])
        _delete_police_record(application)
        log_action(actor=user, action="volunteering.application.withdrawn", obj=application,
                   changes={"status": [old, application.status]})  # fmt: skip
        transaction.on_commit(lambda: messaging.to_organisation(application.pk, "withdrawn", ""))
    return application


def send_message(*, sender: Any, application: Application, body: str, as_organisation: bool) -> Message:
    """A message inside the application: from the volunteer (an answer to a question puts the application back
    to OPEN) or from a coordinator for the organisation. The other side gets the text by e-mail."""
    if as_organisation:
        _may_decide(sender, application)
    elif not getattr(sender, "is_authenticated", False) or application.volunteer_id != sender.pk:
        raise PermissionDenied
    text = _text(body, "body", required=True, missing=_("Bitte schreiben Sie eine Nachricht."))
    with transaction.atomic():
        application = _locked(application)
        if application.status in CLOSED:
            raise ValidationError(_("Diese Bewerbung ist abgeschlossen; Nachrichten sind nicht mehr möglich."))
        message = Message.objects.create(application=application, sender=sender, from_organisation=as_organisation,
                                         body=text)  # fmt: skip
        if not as_organisation and application.status == ApplicationStatus.QUESTION:
            application.status = ApplicationStatus.OPEN
            application.save(update_fields=["status"])
        if as_organisation:
            transaction.on_commit(lambda: messaging.to_volunteer(application.pk, "message", text))
        else:
            transaction.on_commit(lambda: messaging.to_organisation(application.pk, "message", text))
    return message


def share_email(*, user: Any, application: Application, share: bool, as_organisation: bool) -> Application:
    """One side lets the other see its e-mail address (the organisation: its contact address), or stops."""
    if as_organisation:
        _may_decide(user, application)
    elif not getattr(user, "is_authenticated", False) or application.volunteer_id != user.pk:
        raise PermissionDenied
    field = "organisation_shares_email" if as_organisation else "volunteer_shares_email"
    with transaction.atomic():
        application = _locked(application)
        setattr(application, field, bool(share))
        application.save(update_fields=[field])
    return application


def mark_read(application: Application, *, by_organisation: bool) -> None:
    """The messages of the other side are read once this side opened the thread."""
    Message.objects.filter(application=application, from_organisation=not by_organisation,
                           read_at__isnull=True).update(read_at=timezone.now())  # fmt: skip
