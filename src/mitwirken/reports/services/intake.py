"""Reporting: a report comes in through the web form, the Open311 API or the demo data, and is confirmed.

Anyone may report, with an account, with an e-mail address (confirmed by the link in a mail) or through a
trusted Open311 client, so these services check input and routing rather than a permission: the e-mail
link's secret token authorises the confirmation, and a revoked API client is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core.notifications import send_templated_email
from mitwirken.core.uploads import files_removed_on_failure

from .. import routing
from ..alerts import alerts_for_new_report
from ..messaging import absolute, send_to_forwarding_address
from ..models import (
    ApiClient,
    CategoryTemplate,
    OrganisationCategory,
    Report,
    ReportPhoto,
    ReportSource,
    ReportStatus,
    ReportUpdate,
)
from ..places import check_position
from .photos import check_photos

MAX_DESCRIPTION = 4000


def check_attributes(handler: OrganisationCategory, given: dict[str, Any]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in handler.questions:
        code = question.get("code", "")
        value = given.get(code)
        value = (
            [str(v) for v in value if v]
            if isinstance(value, list)
            else (str(value).strip() if value is not None else "")
        )
        if not value:
            if question.get("required"):
                errors[code] = _("Bitte beantworten Sie: %(label)s") % {"label": question.get("label", code)}
            continue
        label = question.get("label", code)
        if any(len(v) > 500 or "\x00" in v for v in (value if isinstance(value, list) else [value])):
            errors[code] = _("Die Antwort ist zu lang oder enthält unzulässige Zeichen: %(label)s") % {"label": label}
            continue
        if question.get("datatype") == "number" and not _is_number(value):
            errors[code] = _("Bitte geben Sie eine Zahl an: %(label)s") % {"label": label}
            continue
        allowed = {entry.get("key") for entry in question.get("values", [])}
        if allowed and any(v not in allowed for v in (value if isinstance(value, list) else [value])):
            errors[code] = _("Bitte wählen Sie eine der angebotenen Antworten: %(label)s") % {
                "label": question.get("label", code)
            }
            continue
        answers[code] = value
    if errors:
        raise ValidationError({"attributes": list(errors.values())})
    return answers


def _is_number(value: Any) -> bool:
    try:
        float(str(value).replace(",", "."))
    except ValueError:
        return False
    return True


def check_text(value: str, field: str, max_length: int) -> str:
    """Short free texts: trimmed, bounded, and without NUL bytes (PostgreSQL cannot store them)."""
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: _("Der Text enthält unzulässige Steuerzeichen.")})
    return value[:max_length]


def check_email(email: str) -> str:
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": _("Bitte geben Sie eine gültige E-Mail-Adresse an.")}) from None
    return email


def check_description(description: str) -> str:
    description = (description or "").strip()
    if "\x00" in description:
        raise ValidationError({"description": _("Der Text enthält unzulässige Steuerzeichen.")})
    if not description:
        raise ValidationError({"description": _("Bitte beschreiben Sie das Problem.")})
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            {
                "description": _("Die Beschreibung ist %(length)d Zeichen lang. Erlaubt sind höchstens %(max)d.")
                % {"length": len(description), "max": MAX_DESCRIPTION}
            }
        )
    return description


def report_create(
    *,
    category: CategoryTemplate | None,
    lon: Any,
    lat: Any,
    description: str,
    address: str = "",
    attributes: dict[str, Any] | None = None,
    photos: Sequence[UploadedFile] = (),
    user: Any = None,
    email: str = "",
    name: str = "",
    publish_name: bool = False,
    api_client: ApiClient | None = None,
) -> Report:
    """Validate, route and store a report. With an account or through a trusted API client it is confirmed
    at once; otherwise the reporter confirms it by the e-mail link first."""
    if category is None:
        raise ValidationError({"category": _("Bitte wählen Sie eine Kategorie.")})
    if api_client is not None and api_client.revoked_at is not None:
        raise PermissionDenied
    lon_f, lat_f = check_position(lon, lat)
    description = check_description(description)
    address, name, email = check_text(address, "address", 300), check_text(name, "name", 120), check_email(email)
    route = routing.route(lon=lon_f, lat=lat_f, category=category)
    answers = check_attributes(route.handler, attributes or {})
    checked_photos = check_photos(photos)
    authenticated = bool(getattr(user, "is_authenticated", False))
    if not authenticated and not email and api_client is None:
        raise ValidationError(
            {"email": _("Ohne Konto brauchen wir Ihre E-Mail-Adresse, um die Meldung zu bestätigen.")}
        )
    confirmed = authenticated or api_client is not None
    now = timezone.now()
    with files_removed_on_failure() as written, transaction.atomic():
        report = Report.objects.create(
            organisation=route.organisation, category=category, description=description, attributes=answers,
            lon=lon_f, lat=lat_f, address=address, reporter=user if authenticated else None,
            email=email or (user.email if authenticated else ""), name=name, publish_name=publish_name and bool(name),
            source=ReportSource.OPEN311 if api_client else ReportSource.WEB, api_client=api_client,
            status=ReportStatus.OPEN if confirmed else ReportStatus.UNCONFIRMED,
            created_at=now, updated_at=now, confirmed_at=now if confirmed else None,
        )  # fmt: skip
        for position, photo in enumerate(checked_photos):
            written.append(ReportPhoto.objects.create(report=report, image=photo.content, position=position).image)
        if confirmed:
            ReportUpdate.objects.create(report=report, status=ReportStatus.OPEN, organisation=report.organisation,
                                        message=_("Die Meldung ist eingegangen."), created_at=now)  # fmt: skip
            transaction.on_commit(lambda: _announce(report.pk), robust=True)
        else:
            transaction.on_commit(lambda: _ask_for_confirmation(report.pk), robust=True)
    return report


def _ask_for_confirmation(report_pk: int) -> None:
    report = Report.objects.select_related("category", "organisation").get(pk=report_pk)
    send_templated_email(to=[report.email], template="report_confirm", context={
        "report": report, "url": absolute(reverse("reports:confirm", kwargs={"token": report.confirm_token}))})  # fmt: skip


@transaction.atomic
def report_confirm(*, token: str) -> Report:
    """The click on the e-mail link. Idempotent: a second click shows the same report."""
    report = Report.objects.select_for_update().filter(confirm_token=token).first()
    if report is None:
        raise ValidationError(_("Dieser Bestätigungslink ist ungültig."))
    if report.status != ReportStatus.UNCONFIRMED:
        return report
    now = timezone.now()
    report.status, report.confirmed_at, report.updated_at = ReportStatus.OPEN, now, now
    report.save(update_fields=["status", "confirmed_at", "updated_at"])
    ReportUpdate.objects.create(report=report, status=ReportStatus.OPEN, organisation_id=report.organisation_id,
                                message=_("Die Meldung ist eingegangen."), created_at=now)  # fmt: skip
    transaction.on_commit(lambda: _announce(report.pk), robust=True)
    return report


def _announce(report_pk: int) -> None:
    """A confirmed report: a receipt to the reporter, a copy to the forwarding address, then area alerts."""
    report = Report.objects.select_related("category", "organisation").get(pk=report_pk)
    url = absolute(report.get_absolute_url())
    if report.email:
        send_templated_email(to=[report.email], template="report_received", context={"report": report, "url": url})
    send_to_forwarding_address(report, url)
    alerts_for_new_report(report)
