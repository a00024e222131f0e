"""Photos of a report: checked and re-encoded before anything is stored, hidden (never deleted) by moderators."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action
from mitwirken.core.permissions import require
from mitwirken.core.uploads import CheckedFile, reencode_image

from ..models import ReportPhoto

MAX_PHOTOS = 5


def check_photos(photos: Sequence[UploadedFile]) -> list[CheckedFile]:
    """All photos are checked before anything is stored, so a bad fifth photo leaves nothing half-saved."""
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("Sie können höchstens %(max)d Fotos anhängen.") % {"max": MAX_PHOTOS}})
    checked = []
    for photo in photos:
        try:
            checked.append(reencode_image(photo))
        except ValidationError as error:
            raise ValidationError({"photos": [f"{photo.name}: {message}" for message in error.messages]}) from None
    return checked


@transaction.atomic
def photo_hide(*, actor: Any, photo: ReportPhoto, reason: str, hidden: bool = True) -> ReportPhoto:
    require(actor, "reports.moderate_reports", photo.report.organisation)
    if hidden and not reason.strip():
        raise ValidationError({"reason": _("Bitte geben Sie einen Grund an; er wird öffentlich angezeigt.")})
    photo.hidden, photo.hidden_reason = hidden, reason.strip()[:300] if hidden else ""
    photo.save(update_fields=["hidden", "hidden_reason"])
    log_action(actor=actor, action="report.photo_hide" if hidden else "report.photo_unhide", obj=photo.report,
               organisation=photo.report.organisation, changes={"photo": photo.pk, "reason": reason})  # fmt: skip
    return photo
