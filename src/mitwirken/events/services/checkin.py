"""Check-in at the door: by name or by the QR code of the confirmation, which encodes the back-office address
``/verwaltung/<org>/veranstaltungen/<event_pk>/einchecken/<manage_token>/``.

A check-in is one conditional UPDATE (``checked_in_at IS NULL``), so two scanners at two doors never count a
person twice; the second one learns when the first checked them in.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action
from mitwirken.core.permissions import require

from ..models import Registration, RegistrationStatus


def checkin_path(registration: Registration) -> str:
    return reverse("backoffice:event_checkin_person", kwargs={
        "org_slug": registration.event.organisation.slug, "event_pk": registration.event_id,
        "manage_token": registration.manage_token,
    })  # fmt: skip


def checkin_url(registration: Registration) -> str:
    """The full address the QR code of the confirmation carries (for the e-mail with the confirmation)."""
    return settings.SITE_URL + checkin_path(registration)


def qr_png(registration: Registration) -> bytes:
    """The QR code of ``checkin_url`` as PNG, to embed in the confirmation e-mail or print."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(checkin_url(registration))
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def _audit(actor: Any, action: str, registration: Registration) -> None:
    # The event is the object, the registration only its number: the append-only log keeps no names, which
    # the retention of registrations would otherwise have to leave behind.
    event = registration.event
    log_action(actor=actor, action=action, obj=event, organisation=event.organisation,
               changes={"registration": registration.pk})  # fmt: skip


@dataclass(frozen=True)
class CheckIn:
    registration: Registration
    new: bool  # False: the person was already checked in (``registration.checked_in_at`` says when)

    @property
    def local_time(self) -> datetime | None:
        at = self.registration.checked_in_at
        return timezone.localtime(at) if at else None


def check_in(actor: Any, registration: Registration, now: datetime | None = None) -> CheckIn:
    """Check a confirmed registration in; a second check-in changes nothing and says when the first was."""
    require(actor, "events.manage_event", registration.event)
    now = now or timezone.now()
    with transaction.atomic():
        done = Registration.objects.filter(
            pk=registration.pk, status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=True
        ).update(checked_in_at=now)
        registration.refresh_from_db(fields=["status", "checked_in_at"])
        if not done and registration.status != RegistrationStatus.CONFIRMED:
            raise ValidationError(_(
                "Nur bestätigte Anmeldungen können eingecheckt werden. Status dieser Anmeldung: %(status)s."
            ) % {"status": registration.get_status_display()})  # fmt: skip
        if done:
            _audit(actor, "events.check_in", registration)
    return CheckIn(registration, bool(done))


def undo_check_in(actor: Any, registration: Registration) -> bool:
    """Take a check-in back (a wrong button, the wrong person)."""
    require(actor, "events.manage_event", registration.event)
    with transaction.atomic():
        done = Registration.objects.filter(pk=registration.pk, checked_in_at__isnull=False).update(checked_in_at=None)
        registration.refresh_from_db(fields=["checked_in_at"])
        if done:
            _audit(actor, "events.check_in_undo", registration)
    return bool(done)
