"""Registering, confirming, cancelling, and the waiting list: the writes that decide who has a place.

Places are counted on ``CapacityCategory.taken``. It only changes by conditional UPDATEs
(``taken + n <= capacity`` to take, ``taken - n`` to give back) inside the transaction that changes the
registration, so concurrent registrations can never overbook: the database applies them one at a time per
category, and whoever does not get a place is put on the waiting list.

Freed places go to the waiting list in order: the first person whose party fits gets an offer by e-mail and
must confirm it within the event's ``offer_hours``; an offer or an unconfirmed hold that runs out frees its
places again. Expired holds and offers are released whenever the event is registered for, and by the daily job.

Without an account the address must be proven by the link in the e-mail, whether the person got a place or a
place on the waiting list (``Registration.email_confirmed``). An unproven entry expires after the event's
``hold_minutes`` like a hold and is never offered a place, so typing someone else's address blocks it only until
then (and the owner of the address got the link to confirm it themselves).

Every change of a registration locks its row first (``select_for_update``; on SQLite the IMMEDIATE transaction
does the same) and decides on the status it finds there, not on the status of the object handed in: a stale
object can never give places back twice or keep places that were already given back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.accounts import assurance
from mitwirken.core.text import clean_text

from ..models import (
    ACTIVE,
    HOLDING,
    CapacityCategory,
    Event,
    Registration,
    RegistrationMode,
    RegistrationStatus,
    Status,
)
from . import details, messaging

MAX_NAME = 200


def _take(capacity: CapacityCategory, places: int) -> bool:
    return bool(
        CapacityCategory.objects.filter(pk=capacity.pk, taken__lte=F("capacity") - places).update(
            taken=F("taken") + places
        )
    )


def _give_back(capacity_id: int, places: int) -> None:
    CapacityCategory.objects.filter(pk=capacity_id).update(taken=F("taken") - places)


def _locked(registration: Registration) -> Registration:
    """The registration as stored now, its row locked until the end of the transaction."""
    return Registration.objects.select_for_update().get(pk=registration.pk)


def _refreshed(registration: Registration) -> Registration:
    registration.refresh_from_db()
    return registration


def needs_email_confirmation(registration: Registration) -> bool:
    """A registration without an account whose address is not proven yet (a held place or the waiting list)."""
    return not registration.email_confirmed and registration.status in (
        RegistrationStatus.UNCONFIRMED, RegistrationStatus.WAITING,
    )  # fmt: skip


def expired_filter(now: datetime) -> Q:
    """Registrations whose time ran out: unconfirmed holds, open offers, unconfirmed entries on the waiting list."""
    runs_out = Q(status__in=(RegistrationStatus.UNCONFIRMED, RegistrationStatus.OFFERED)) | Q(
        status=RegistrationStatus.WAITING, email_confirmed=False
    )
    return runs_out & Q(expires_at__lte=now)


def companions_error(event: Event) -> str:
    if event.max_companions == 0:
        return _("Begleitpersonen sind bei dieser Veranstaltung nicht vorgesehen.")
    return _("Bitte melden Sie höchstens %(max)d Begleitpersonen an.") % {"max": event.max_companions}


def check_open(event: Event, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if event.status == Status.CANCELLED:
        raise ValidationError(_("Diese Veranstaltung ist abgesagt. Eine Anmeldung ist nicht möglich."))
    if event.status != Status.PUBLISHED or event.registration == RegistrationMode.OFF:
        raise ValidationError(_("Für diese Veranstaltung ist keine Anmeldung möglich."))
    if now >= (event.registration_deadline or event.start):
        raise ValidationError(_("Der Anmeldeschluss ist vorbei."))


def assurance_refusal(event: Event) -> str:
    return _("Für diese Veranstaltung ist eine Anmeldung mit BundID mit dem Vertrauensniveau „%(level)s“ oder "
             "höher nötig. Ihre Anmeldung wurde nicht gespeichert. Bitte melden Sie sich mit BundID an und "
             "schicken Sie das Formular erneut.") % {"level": assurance.LoginAssurance(event.min_assurance_level).label}  # fmt: skip


def check_assurance(event: Event, login: assurance.LoginAssurance) -> None:
    """The event's trust level requirement, for everyone (staff registering themselves too)."""
    if event.min_assurance_level and login.level < event.min_assurance_level:
        raise ValidationError(assurance_refusal(event), code="assurance")


def register(
    *, event: Event, capacity: CapacityCategory, name: str, email: str, user: Any = None, companions: int = 0,
    answers: Mapping[str, Any] | None = None, sign_language: bool = False, captioning: bool = False,
    now: datetime | None = None, login: assurance.LoginAssurance | None = None,
) -> Registration:  # fmt: skip
    """A registration with a place (held until the e-mail link is confirmed, without an account) or on the
    waiting list (without an account: also only once the link is confirmed). Raises ValidationError with German
    messages keyed by field.

    ``login`` is the login the registration comes from (by default the current request's login of ``user``):
    its trust level is checked against the event's requirement and recorded with the registration, for
    Mein Unternehmenskonto with the organisation the person acts for."""
    now = now or timezone.now()
    check_open(event, now)
    login = login if login is not None else assurance.current(user)
    check_assurance(event, login)
    if capacity.event_id != event.pk:
        raise ValidationError({"capacity": _("Bitte wählen Sie eines der angebotenen Kontingente.")})
    name, email = clean_text(name), clean_text(email).lower()
    errors: dict[str, str] = {}
    if not name or len(name) > MAX_NAME:
        errors["name"] = _("Bitte geben Sie Ihren Namen an (höchstens %(max)d Zeichen).") % {"max": MAX_NAME}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@example.org.")
    if companions < 0 or companions > event.max_companions:
        errors["companions"] = companions_error(event)
    if errors:
        raise ValidationError(errors)
    release_expired(event, now)
    with_account = bool(getattr(user, "is_authenticated", False))
    hold = None if with_account else now + timedelta(minutes=event.hold_minutes)
    try:
        with transaction.atomic():
            if _take(capacity, 1 + companions):
                if not with_account:
                    status = RegistrationStatus.UNCONFIRMED
                elif event.registration == RegistrationMode.APPROVAL:
                    status = RegistrationStatus.PENDING
                else:
                    status = RegistrationStatus.CONFIRMED
            else:
                status = RegistrationStatus.WAITING
            registration = Registration.objects.create(
                event=event, capacity=capacity, user=user if with_account else None, name=name, email=email,
                companions=companions, answers=dict(answers or {}), sign_language=sign_language,
                captioning=captioning, status=status, expires_at=hold, email_confirmed=with_account,
                assurance_level=login.level, identity_provider=login.provider,
                on_behalf_of_name=login.acting_for_name[:200], on_behalf_of_id=login.acting_for_id[:100],
            )  # fmt: skip
            transaction.on_commit(lambda: messaging.registered(registration))
    except IntegrityError:
        raise ValidationError({"email": _(
            "Mit dieser E-Mail-Adresse ist bereits eine Anmeldung zu dieser Veranstaltung eingegangen. Über den "
            "Link in Ihrer E-Mail können Sie sie ansehen und ändern."
        )}) from None  # fmt: skip
    return registration


def _check_not_called_off(event: Event) -> None:
    event.refresh_from_db(fields=["status"])
    if event.status == Status.CANCELLED:
        raise ValidationError(_("Diese Veranstaltung ist abgesagt; eine Bestätigung ist nicht mehr möglich."))


def confirm_email(registration: Registration, now: datetime | None = None) -> Registration:
    """The link in the e-mail of a registration without an account proves the address: a held place becomes the
    person's (or waits for staff approval), an entry on the waiting list keeps its turn."""
    now = now or timezone.now()
    event = registration.event
    with transaction.atomic():
        current = _locked(registration)
        if not needs_email_confirmation(current):
            return _refreshed(registration)  # a second click changes nothing
        _check_not_called_off(event)
        expired = current.expires_at is not None and current.expires_at <= now
        if not expired:
            if current.status == RegistrationStatus.WAITING:
                status = RegistrationStatus.WAITING
            elif event.registration == RegistrationMode.APPROVAL:
                status = RegistrationStatus.PENDING
            else:
                status = RegistrationStatus.CONFIRMED
            Registration.objects.filter(pk=current.pk).update(status=status, email_confirmed=True, expires_at=None)
    if expired:
        release_expired(event, now)
        if current.status == RegistrationStatus.WAITING:
            raise ValidationError(_(
                "Dieser Bestätigungslink ist abgelaufen; Ihr Eintrag auf der Warteliste ist verfallen. Bitte melden "
                "Sie sich erneut an."
            ))  # fmt: skip
        raise ValidationError(_(
            "Dieser Bestätigungslink ist abgelaufen; der Platz wurde wieder freigegeben. Bitte melden Sie sich "
            "erneut an."
        ))  # fmt: skip
    registration.refresh_from_db()
    if status == RegistrationStatus.CONFIRMED:
        transaction.on_commit(lambda: messaging.confirmed(registration))
    elif status == RegistrationStatus.PENDING:
        transaction.on_commit(lambda: messaging.pending(registration))
    else:
        # Places may have come free while the entry was unconfirmed (they were offered to others meanwhile).
        promote(registration.capacity, now)
        registration.refresh_from_db()
    return registration


def accept_offer(registration: Registration, now: datetime | None = None) -> Registration:
    """Someone who moved up from the waiting list takes the offered place within the deadline; where staff
    approve registrations, it waits for their decision (the place stays held)."""
    now = now or timezone.now()
    event = registration.event
    with transaction.atomic():
        current = _locked(registration)
        if current.status != RegistrationStatus.OFFERED:
            return _refreshed(registration)
        _check_not_called_off(event)
        expired = current.expires_at is not None and current.expires_at <= now
        if not expired:
            approval = event.registration == RegistrationMode.APPROVAL
            status = RegistrationStatus.PENDING if approval else RegistrationStatus.CONFIRMED
            Registration.objects.filter(pk=current.pk).update(status=status, expires_at=None)
    if expired:
        release_expired(event, now)
        raise ValidationError(_("Die Frist zum Bestätigen ist abgelaufen; der Platz ging an die nächste Person."))
    registration.refresh_from_db()
    if status == RegistrationStatus.CONFIRMED:
        transaction.on_commit(lambda: messaging.confirmed(registration))
    else:
        transaction.on_commit(lambda: messaging.pending(registration, accepted=True))
    return registration


def approve(registration: Registration) -> bool:
    """Staff approve a pending registration: it becomes confirmed (its place was held all along)."""
    with transaction.atomic():
        if _locked(registration).status != RegistrationStatus.PENDING:
            _refreshed(registration)
            return False
        Registration.objects.filter(pk=registration.pk).update(status=RegistrationStatus.CONFIRMED)
        registration.refresh_from_db()
        transaction.on_commit(lambda: messaging.confirmed(registration))
    return True


def decline(registration: Registration, now: datetime | None = None) -> bool:
    """Staff decline a pending registration: its places go back and on to the waiting list."""
    with transaction.atomic():
        current = _locked(registration)
        if current.status != RegistrationStatus.PENDING:
            _refreshed(registration)
            return False
        Registration.objects.filter(pk=current.pk).update(status=RegistrationStatus.DECLINED, expires_at=None)
        _give_back(current.capacity_id, current.places)
        registration.refresh_from_db()
        transaction.on_commit(lambda: messaging.cancelled(registration, by_staff=True))
        promote(registration.capacity, now)
    return True


@transaction.atomic
def cancel(registration: Registration, *, by_staff: bool = False, now: datetime | None = None) -> Registration:
    """Cancel a registration (the person's own link, their account, or staff); a held place goes to the list."""
    current = _locked(registration)
    if current.status not in ACTIVE:
        return _refreshed(registration)  # already cancelled, declined or expired
    held = current.status in HOLDING
    Registration.objects.filter(pk=current.pk).update(status=RegistrationStatus.CANCELLED, expires_at=None)
    if held:
        _give_back(current.capacity_id, current.places)
    registration.refresh_from_db()
    transaction.on_commit(lambda: messaging.cancelled(registration, by_staff=by_staff))
    if held:
        promote(registration.capacity, now)
    return registration


def change_companions(registration: Registration, companions: int, now: datetime | None = None) -> Registration:
    """More companions need free places (never from the waiting list's turn); fewer give places back."""
    event = registration.event
    if companions < 0 or companions > event.max_companions:
        raise ValidationError({"companions": companions_error(event)})
    with transaction.atomic():
        current = _locked(registration)
        current.event = event
        if not details.changeable(current, now):
            raise ValidationError(_("Diese Anmeldung kann nicht mehr geändert werden."))
        difference = companions - current.companions
        if difference == 0:
            return _refreshed(registration)
        holding = current.status in HOLDING
        if holding and difference > 0 and not _take(current.capacity, difference):
            raise ValidationError({"companions": _("Dafür sind leider nicht mehr genug Plätze frei.")})
        if holding and difference < 0:
            _give_back(current.capacity_id, -difference)
        Registration.objects.filter(pk=current.pk).update(companions=companions)
        registration.refresh_from_db()
    if difference < 0:
        # Places came free, or a smaller party on the waiting list may fit now.
        promote(registration.capacity, now)
    return registration


def promote(capacity: CapacityCategory, now: datetime | None = None) -> list[Registration]:
    """Offer freed places to the waiting list, in order of registration, to everyone whose party fits.
    Only entries with a proven address get offers; the loop stops as soon as the category is full."""
    now = now or timezone.now()
    event = capacity.event
    if event.status != Status.PUBLISHED or now >= event.start:
        return []

    def free_places() -> int:
        row = CapacityCategory.objects.filter(pk=capacity.pk).values_list("capacity", "taken").first()
        return row[0] - row[1] if row else 0

    free = free_places()
    offered = []
    waiting_list = Registration.objects.filter(capacity=capacity, email_confirmed=True).waiting_in_order()
    for waiting in waiting_list.only("pk", "companions", "status", "capacity_id", "email_confirmed"):
        if free <= 0:
            break
        if waiting.places > free:
            continue
        with transaction.atomic():
            if not _take(capacity, waiting.places):
                free = free_places()
                continue
            expires = min(now + timedelta(hours=event.offer_hours), event.start)
            if not Registration.objects.filter(
                pk=waiting.pk, status=RegistrationStatus.WAITING, email_confirmed=True
            ).update(status=RegistrationStatus.OFFERED, expires_at=expires):
                _give_back(capacity.pk, waiting.places)
                continue
        free -= waiting.places
        waiting.refresh_from_db()
        transaction.on_commit(lambda registration=waiting: messaging.offered(registration))  # type: ignore[misc]
        offered.append(waiting)
    return offered


def release_expired(event: Event, now: datetime | None = None) -> int:
    """Unconfirmed holds and offers past their time free their places, which go to the waiting list; unconfirmed
    entries on the waiting list past their time leave it. Returns the number of registrations that expired."""
    now = now or timezone.now()
    expired = freed = 0
    for registration in Registration.objects.filter(expired_filter(now), event=event).only(
        "pk", "status", "companions", "capacity_id", "email_confirmed", "expires_at"
    ):
        with transaction.atomic():
            # The same conditions again in the UPDATE: a confirmation or acceptance in between wins.
            if Registration.objects.filter(expired_filter(now), pk=registration.pk, status=registration.status).update(
                status=RegistrationStatus.EXPIRED
            ):
                expired += 1
                if registration.status in HOLDING:
                    _give_back(registration.capacity_id, registration.places)
                    freed += 1
    if freed:
        for capacity in event.capacities.all():
            promote(capacity, now)
    return expired
