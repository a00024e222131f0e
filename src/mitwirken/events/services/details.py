"""The registered person's own changes that do not touch places: answers and interpreting requests.

Companions change places and go through ``registration.change_companions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import HOLDING, Registration, RegistrationStatus


def changeable(registration: Registration, now: datetime | None = None) -> bool:
    """Active registrations may be changed until the event begins (a cancelled event takes no changes)."""
    now = now or timezone.now()
    event = registration.event
    return (
        registration.status in (*HOLDING, RegistrationStatus.WAITING)
        and event.status != "cancelled"
        and now < event.start
    )


def change_details(
    registration: Registration, *, answers: Mapping[str, Any], sign_language: bool, captioning: bool,
    now: datetime | None = None,
) -> Registration:  # fmt: skip
    """Store new answers (already read by the question engine) and requests the event offers."""
    if not changeable(registration, now):
        raise ValidationError(_("Diese Anmeldung kann nicht mehr geändert werden."))
    event = registration.event
    sign_language = sign_language and event.sign_language_on_request
    captioning = captioning and event.captioning_on_request
    Registration.objects.filter(pk=registration.pk).update(
        answers=dict(answers), sign_language=sign_language, captioning=captioning
    )
    registration.answers, registration.sign_language, registration.captioning = dict(answers), sign_language, captioning
    return registration
