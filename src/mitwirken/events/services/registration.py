"""Registering, confirming, cancelling, and the waiting list: the writes that decide who has a place.

Places are counted on ``CapacityCategory.taken``. It only changes by conditional UPDATEs
(``taken + n <= capacity`` to take, ``taken - n`` to give back) inside the transaction that changes the
registration, so concurrent registrations can never overbook: the database applies them one at a time per
category, and whoever does not get a place is put on the waiting list.

Freed places go to the waiting list in order: the first person whose party fits gets an offer by e-mail and
must confirm it within the event's ``offer_hours``; an offer or an unconfirmed hold that runs out frees its
places again. Expired holds and offers are released whenever the event is registered for, and by the daily job.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core.text import clean_text

from ..models import (
    HOLDING,
    CapacityCategory,
    Event,
    Registration,
    RegistrationMode,
    RegistrationStatus,
    Status,
)
from . import messaging

MAX_NAME = 200


def _take(capacity: CapacityCategory, places: int) -> bool:
    return bool(
        CapacityCategory.objects.filter(pk=capacity.pk, taken__lte=F("capacity") - places).update(
            taken=F("taken") + places
        )
    )


def _give_back(capacity_id: int, places: int) -> None:
    CapacityCategory.objects.filter(pk=capacity_id).update(taken=F("taken") - places)


def check_open(event: Event, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if event.status == Status.CANCELLED:
        raise ValidationError(_("Diese Veranstaltung ist abgesagt. Eine Anmeldung ist nicht möglich."))
    if event.status != Status.PUBLISHED or event.registration == RegistrationMode.OFF:
        raise ValidationError(_("Für diese Veranstaltung ist keine Anmeldung möglich."))
    if now >= (event.registration_deadline or event.start):
        raise ValidationError(_("Der Anmeldeschluss ist vorbei."))


def register(
    *, event: Event, capacity: CapacityCategory, name: str, email: str, user: Any = None, companions: int = 0,
    answers: Mapping[str, Any] | None = None, sign_language: bool = False, captioning: bool = False,
    now: datetime | None = None,
) -> Registration:  # fmt: skip
    """A registration with a place (held until the e-mail link is confirmed, without an account) or on the
    waiting list. Raises ValidationError with German messages keyed by field."""
    now = now or timezone.now()
    check_open(event, now)
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
        errors["companions"] = (
            _("Begleitpersonen sind bei dieser Veranstaltung nicht vorgesehen.") if event.max_companions == 0
            else _("Bitte melden Sie höchstens %(max)d Begleitpersonen an.") % {"max": event.max_companions}
        )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    release_expired(event, now)
    with_account = getattr(user, "is_authenticated", False)
    try:
        with transaction.atomic():
            if _take(capacity, 1 + companions):
                if not with_account:
                    status, expires = RegistrationStatus.UNCONFIRMED, now + timedelta(minutes=event.hold_minutes)
                elif event.registration == RegistrationMode.APPROVAL:
                    status, expires = RegistrationStatus.PENDING, None
                else:
                    status, expires = RegistrationStatus.CONFIRMED, None
            else:
                status, expires = RegistrationStatus.WAITING, None
            registration = Registration.objects.create(
                event=event, capacity=capacity, user=user if with_account else None, name=name, email=email,
                companions=companions, answers=dict(answers or {}), sign_language=sign_language,
                captioning=captioning, status=status, expires_at=expires,
            )  # fmt: skip
            transaction.on_commit(lambda: messaging.registered(registration))
    except IntegrityError:
        raise ValidationError({"email": _(
            "Mit dieser E-Mail-Adresse ist bereits eine Anmeldung zu dieser Veranstaltung eingegangen. Über den "
            "Link in Ihrer E-Mail können Sie sie ansehen und ändern."
        )}) from None  # fmt: skip
    return registration


def confirm_email(registration: Registration, now: datetime | None = None) -> Registration:
    """The link in the e-mail of a registration without an account: the held place becomes the person's."""
    now = now or timezone.now()
    if registration.status != RegistrationStatus.UNCONFIRMED:
        return registration  # a second click changes nothing
    if registration.expires_at is not None and registration.expires_at <= now:
        release_expired(registration.event, now)
        raise ValidationError(_(
            "Dieser Bestätigungslink ist abgelaufen; der Platz wurde wieder freigegeben. Bitte melden Sie sich "
            "erneut an."
        ))  # fmt: skip
    approval = registration.event.registration == RegistrationMode.APPROVAL
    status = RegistrationStatus.PENDING if approval else RegistrationStatus.CONFIRMED
    updated = Registration.objects.filter(pk=registration.pk, status=RegistrationStatus.UNCONFIRMED).update(
        status=status, expires_at=None
    )
    registration.refresh_from_db()
    if updated and status == RegistrationStatus.CONFIRMED:
        transaction.on_commit(lambda: messaging.confirmed(registration))
    return registration


def accept_offer(registration: Registration, now: datetime | None = None) -> Registration:
    """Someone who moved up from the waiting list takes the offered place within the deadline."""
    now = now or timezone.now()
    if registration.status != RegistrationStatus.OFFERED:
        return registration
    if registration.expires_at is not None and registration.expires_at <= now:
        release_expired(registration.event, now)
        raise ValidationError(_("Die Frist zum Bestätigen ist abgelaufen; der Platz ging an die nächste Person."))
    Registration.objects.filter(pk=registration.pk, status=RegistrationStatus.OFFERED).update(
        status=RegistrationStatus.CONFIRMED, expires_at=None
    )
    registration.refresh_from_db()
    transaction.on_commit(lambda: messaging.confirmed(registration))
    return registration


@transaction.atomic
def cancel(registration: Registration, *, by_staff: bool = False, now: datetime | None = None) -> Registration:
    """Cancel a registration (the person's own link, their account, or staff); a held place goes to the list."""
    held = registration.status in HOLDING
    if not Registration.objects.filter(pk=registration.pk, status__in=(*HOLDING, RegistrationStatus.WAITING)).update(
        status=RegistrationStatus.CANCELLED, expires_at=None
    ):
        return registration  # already cancelled
    if held:
        _give_back(registration.capacity_id, registration.places)
    registration.refresh_from_db()
    transaction.on_commit(lambda: messaging.cancelled(registration, by_staff=by_staff))
    if held:
        promote(registration.capacity, now)
    return registration


def change_companions(registration: Registration, companions: int) -> Registration:
    """More companions need free places (never from the waiting list's turn); fewer give places back."""
    event = registration.event
    if companions < 0 or companions > event.max_companions:
        raise ValidationError({"companions": _("Bitte melden Sie höchstens %(max)d Begleitpersonen an.")
                               % {"max": event.max_companions}})  # fmt: skip
    difference = companions - registration.companions
    if difference == 0:
        return registration
    with transaction.atomic():
        if registration.status in HOLDING:
            if difference > 0 and not _take(registration.capacity, difference):
                raise ValidationError({"companions": _("Dafür sind leider nicht mehr genug Plätze frei.")})
            if difference < 0:
                _give_back(registration.capacity_id, -difference)
        Registration.objects.filter(pk=registration.pk).update(companions=companions)
        registration.companions = companions
    if difference < 0 and registration.status in HOLDING:
        promote(registration.capacity)
    return registration


def promote(capacity: CapacityCategory, now: datetime | None = None) -> list[Registration]:
    """Offer freed places to the waiting list, in order of registration, to everyone whose party fits."""
    now = now or timezone.now()
    event = capacity.event
    if event.status != Status.PUBLISHED or now >= event.start:
        return []
    offered = []
    for waiting in Registration.objects.filter(capacity=capacity).waiting_in_order():
        with transaction.atomic():
            if not _take(capacity, waiting.places):
                continue
            expires = min(now + timedelta(hours=event.offer_hours), event.start)
            if not Registration.objects.filter(pk=waiting.pk, status=RegistrationStatus.WAITING).update(
                status=RegistrationStatus.OFFERED, expires_at=expires
            ):
                _give_back(capacity.pk, waiting.places)
                continue
        waiting.refresh_from_db()
        transaction.on_commit(lambda registration=waiting: messaging.offered(registration))  # type: ignore[misc]
        offered.append(waiting)
    return offered


def release_expired(event: Event, now: datetime | None = None) -> int:
    """Unconfirmed holds and offers past their time free their places, which go to the waiting list."""
    now = now or timezone.now()
    released = 0
    for registration in Registration.objects.filter(
        event=event, status__in=(RegistrationStatus.UNCONFIRMED, RegistrationStatus.OFFERED), expires_at__lte=now
    ):
        with transaction.atomic():
            if Registration.objects.filter(pk=registration.pk, status=registration.status).update(
                status=RegistrationStatus.EXPIRED
            ):
                _give_back(registration.capacity_id, registration.places)
                released += 1
    if released:
        for capacity in event.capacities.all():
            promote(capacity, now)
    return released
