"""Every write of the Mängelmelder: reporting, confirming, status changes, forwarding, moderation.

The web form, the Open311 API and the back office all call these functions, so routing, validation
and notifications are the same whichever way a report comes in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action
from mitwirken.core.notifications import notify, send_templated_email
from mitwirken.core.text import clean_text
from mitwirken.core.uploads import CheckedFile, check_pixel_budget, files_removed_on_failure, reencode_image
from mitwirken.organisations.models import Organisation

from . import routing
from .models import (
    PUBLIC_STATUSES,
    TRANSITIONS,
    ApiClient,
    CategoryTemplate,
    InternalNote,
    OrganisationCategory,
    Place,
    Report,
    ReportPhoto,
    ReportSource,
    ReportStatus,
    ReportUpdate,
    Supporter,
)

MAX_PHOTOS = 5
MAX_DESCRIPTION = 4000
DUPLICATE_RADIUS_M = 50
FOLLOWUP_AFTER = timedelta(weeks=4)
EARTH_RADIUS_M = 6_371_000


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- places and distances -------------------------------------------------------------------------------------


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine); exact enough for 50 m duplicate checks and alert radii."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bbox_around(lon: float, lat: float, metres: float) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a square that contains the circle: the prefilter for an exact check."""
    metres_per_degree = EARTH_RADIUS_M * math.pi / 180  # the same sphere as distance_m, plus a safety margin
    d_lat = metres * 1.01 / metres_per_degree
    d_lon = metres * 1.01 / (metres_per_degree * max(math.cos(math.radians(lat)), 0.01))
    return lon - d_lon, lat - d_lat, lon + d_lon, lat + d_lat


def check_position(lon: Any, lat: Any) -> tuple[float, float]:
    try:
        lon_f, lat_f = float(lon), float(lat)
    except (TypeError, ValueError):
        raise ValidationError(
            {"location": _("Bitte geben Sie den Ort an: auf der Karte, als Adresse oder als Koordinaten.")}
        ) from None
    if not (-180 <= lon_f <= 180 and -90 <= lat_f <= 90) or math.isnan(lon_f) or math.isnan(lat_f):
        raise ValidationError({"location": _("Die Koordinaten liegen außerhalb des gültigen Bereichs.")})
    return lon_f, lat_f


def places_matching(query: str, limit: int = 8) -> list[Place]:
    words = query.casefold().replace(",", " ").split()
    if not words:
        return []
    places = Place.objects.all()
    for word in words[:6]:
        places = places.filter(search_text__contains=word)
    return list(places.order_by("name")[:limit])


def geocode(address: str) -> Place:
    """The gazetteer entry for an address typed by hand; ambiguous or unknown text gets a clear message."""
    matches = places_matching(address, limit=10)
    exact = [place for place in matches if str(place).casefold() == address.strip().casefold()]
    if exact:
        return exact[0]
    if not matches:
        raise ValidationError(
            {
                "address": _(
                    "Diese Adresse ist uns nicht bekannt. Bitte wählen Sie einen Vorschlag, geben Sie Straße und Ort "
                    "an oder nennen Sie Koordinaten."
                )
            }
        )
    if len(matches) > 1:
        raise ValidationError(
            {"address": _("Diese Angabe passt zu mehreren Orten. Bitte ergänzen Sie den Ort oder die Postleitzahl.")}
        )
    return matches[0]


def nearby_open_reports(
    *, category: CategoryTemplate, lon: float, lat: float, metres: float = DUPLICATE_RADIUS_M
) -> list[Report]:
    """Open reports of the same kind within ``metres``: the reporter may support one instead of duplicating it."""
    candidates = (
        Report.objects.open().filter(category=category, hidden=False).in_bbox(*bbox_around(lon, lat, metres))
        .select_related("category").order_by("-created_at")[:50]
    )  # fmt: skip
    return [report for report in candidates if distance_m(lon, lat, report.lon, report.lat) <= metres]


# --- reporting ------------------------------------------------------------------------------------------------


def _check_attributes(handler: OrganisationCategory, given: dict[str, Any]) -> dict[str, Any]:
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
    if "\x00" in (value or ""):
        raise ValidationError({field: _("Der Text enthält unzulässige Steuerzeichen.")})
    return clean_text(value)[:max_length]


def check_email(email: str) -> str:
    from django.core.validators import validate_email

    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": _("Bitte geben Sie eine gültige E-Mail-Adresse an.")}) from None
    return email


def check_photos(photos: Sequence[UploadedFile]) -> list[CheckedFile]:
    """All photos are checked before anything is stored, so a bad fifth photo leaves nothing half-saved."""
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("Sie können höchstens %(max)d Fotos anhängen.") % {"max": MAX_PHOTOS}})
    try:
        check_pixel_budget(photos)  # from the headers, before any photo is decoded
    except ValidationError as error:
        raise ValidationError({"photos": error.messages}) from None
    checked = []
    for photo in photos:
        try:
            checked.append(reencode_image(photo))
        except ValidationError as error:
            raise ValidationError({"photos": [f"{photo.name}: {message}" for message in error.messages]}) from None
    return checked


def check_description(description: str) -> str:
    if "\x00" in (description or ""):
        raise ValidationError({"description": _("Der Text enthält unzulässige Steuerzeichen.")})
    description = clean_text(description)
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
    answers = _check_attributes(route.handler, attributes or {})
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
    from .alerts import alerts_for_new_report

    report = Report.objects.select_related("category", "organisation").get(pk=report_pk)
    url = absolute(report.get_absolute_url())
    if report.email:
        send_templated_email(to=[report.email], template="report_received", context={"report": report, "url": url})
    _send_to_forwarding_address(report, url)
    alerts_for_new_report(report)


def attribute_answers(report: Report) -> list[tuple[str, str]]:
    """The answers to the extra questions with their labels (the stored answers carry only codes)."""
    labels = {
        question.get("code"): question.get("label") or question.get("code")
        for handler in OrganisationCategory.objects.filter(template_id=report.category_id)
        for question in handler.questions
    }
    return [(labels.get(code, code), ", ".join(value) if isinstance(value, list) else str(value))
            for code, value in report.attributes.items()]  # fmt: skip


def _send_to_forwarding_address(report: Report, url: str) -> None:
    handler = OrganisationCategory.objects.filter(organisation=report.organisation, template=report.category).first()
    if handler and handler.forward_email:
        backoffice_url = absolute(
            reverse("backoffice:report_detail", kwargs={"org_slug": report.organisation.slug, "report_pk": report.pk})
        )
        send_templated_email(to=[handler.forward_email], template="report_forward",
                             context={"report": report, "url": url, "backoffice_url": backoffice_url,
                                      "answers": attribute_answers(report)})  # fmt: skip


@transaction.atomic
def report_support(*, user: Any, report: Report) -> bool:
    """Count a supporter once; returns False when the user already supports the report."""
    if not report.is_open or report.hidden:
        raise ValidationError(_("Nur offene Meldungen können unterstützt werden."))
    if report.reporter_id == user.pk:
        raise ValidationError(_("Das ist Ihre eigene Meldung; Sie werden ohnehin über Änderungen informiert."))
    _supporter, created = Supporter.objects.get_or_create(report=report, user=user)
    if created:
        Report.objects.filter(pk=report.pk).update(supporters_count=F("supporters_count") + 1)
    return created


# --- staff ----------------------------------------------------------------------------------------------------


def _require_staff(actor: Any, organisation: Organisation) -> None:
    if not actor.has_perm("reports.handle_reports", organisation):
        raise PermissionDenied


def _lock(report: Report) -> Report:
    locked = Report.objects.select_for_update().select_related("organisation", "category").get(pk=report.pk)
    return locked


@transaction.atomic
def report_change_status(
    *, actor: Any, report: Report, status: str, message: str = "", duplicate_of: Report | None = None
) -> Report:
    """Move a report along its status flow; the reporter and the supporters are told, with the public message."""
    report = _lock(report)
    _require_staff(actor, report.organisation)
    if status not in TRANSITIONS.get(report.status, ()):
        raise ValidationError({"status": _("Von „%(old)s“ kann die Meldung nicht auf „%(new)s“ gesetzt werden.") % {
            "old": ReportStatus(report.status).label, "new": ReportStatus(status).label if status in ReportStatus.values else status}})  # fmt: skip
    if status == ReportStatus.DUPLICATE and (
        duplicate_of is None or duplicate_of.pk == report.pk or duplicate_of.hidden
        or duplicate_of.status not in PUBLIC_STATUSES
    ):  # fmt: skip
        raise ValidationError({"duplicate_of": _("Bitte geben Sie die Nummer der ursprünglichen Meldung an.")})
    message = message.strip()
    if len(message) > 2000:
        raise ValidationError({"message": _("Die Nachricht darf höchstens 2000 Zeichen lang sein.")})
    old = report.status
    now = timezone.now()
    report.status, report.updated_at = status, now
    report.status_message = message or report.status_message
    report.duplicate_of = duplicate_of if status == ReportStatus.DUPLICATE else None
    if status == ReportStatus.FIXED:
        report.fixed_at, report.followup_sent_at = now, None
    report.save(
        update_fields=["status", "updated_at", "status_message", "duplicate_of", "fixed_at", "followup_sent_at"]
    )
    ReportUpdate.objects.create(report=report, status=status, message=message, organisation=report.organisation,
                                author=actor, created_at=now)  # fmt: skip
    log_action(actor=actor, action="report.status", obj=report, organisation=report.organisation,
               changes={"status": [old, status]})  # fmt: skip
    transaction.on_commit(lambda: tell_followers(report.pk, message), robust=True)
    return report


def tell_followers(report_pk: int, message: str) -> None:
    """The reporter (by account or e-mail) and every supporter hear of a change."""
    report = Report.objects.select_related("category", "organisation", "reporter").get(pk=report_pk)
    title = _("Meldung #%(number)d: %(status)s") % {"number": report.pk, "status": report.get_status_display()}
    url = absolute(report.get_absolute_url())
    if report.reporter is not None:
        notify(recipient=report.reporter, title=title, body=message, url=report.get_absolute_url())
    elif report.email:
        send_templated_email(to=[report.email], template="report_status_anonymous",
                             context={"report": report, "message": message, "url": url, "title": title})  # fmt: skip
    for supporter in Supporter.objects.filter(report=report).select_related("user"):
        notify(recipient=supporter.user, title=title, body=message, url=report.get_absolute_url())


def forward_targets(report: Report) -> list[OrganisationCategory]:
    """Bodies that handle the report's category, other than the current one."""
    return list(
        OrganisationCategory.objects.filter(template=report.category).exclude(organisation=report.organisation)
        .select_related("organisation").order_by("organisation__name")
    )  # fmt: skip


@transaction.atomic
def report_forward(*, actor: Any, report: Report, organisation: Organisation, message: str = "") -> Report:
    """ "Nicht zuständig": the report moves to another body's inbox, open again, with both steps in its history."""
    report = _lock(report)
    _require_staff(actor, report.organisation)
    if not report.is_open:
        raise ValidationError({"organisation": _("Nur offene Meldungen können weitergeleitet werden.")})
    if organisation.pk not in {target.organisation_id for target in forward_targets(report)}:
        raise ValidationError({"organisation": _("Diese Stelle bearbeitet die Kategorie nicht.")})
    old = report.organisation
    now = timezone.now()
    ReportUpdate.objects.create(report=report, status=ReportStatus.NOT_RESPONSIBLE, organisation=old, author=actor,
                                message=message.strip() or _("Weitergeleitet an %(name)s.") % {"name": organisation.name},
                                created_at=now)  # fmt: skip
    ReportUpdate.objects.create(report=report, status=ReportStatus.OPEN, organisation=organisation, created_at=now,
                                message=_("Übernommen von %(name)s.") % {"name": old.name})  # fmt: skip
    report.organisation, report.status, report.assignee, report.updated_at = organisation, ReportStatus.OPEN, None, now
    report.save(update_fields=["organisation", "status", "assignee", "updated_at"])
    log_action(actor=actor, action="report.forward", obj=report, organisation=old,
               changes={"organisation": [old.slug, organisation.slug]})  # fmt: skip
    log_action(actor=actor, action="report.forward", obj=report, organisation=organisation,
               changes={"organisation": [old.slug, organisation.slug]})  # fmt: skip
    report_pk = report.pk
    transaction.on_commit(lambda: tell_followers(report_pk, message), robust=True)
    transaction.on_commit(lambda: _forwarded(report_pk), robust=True)
    return report


def _forwarded(report_pk: int) -> None:
    report = Report.objects.select_related("category", "organisation").get(pk=report_pk)
    _send_to_forwarding_address(report, absolute(report.get_absolute_url()))


@transaction.atomic
def report_assign(*, actor: Any, reports: Iterable[Report], assignee: Any) -> int:
    count = 0
    for report in reports:
        _require_staff(actor, report.organisation)
        if assignee is not None and not assignee.has_perm("reports.handle_reports", report.organisation):
            raise ValidationError({"assignee": _("Diese Person gehört nicht zu den Mitarbeitenden.")})
        Report.objects.filter(pk=report.pk).update(assignee=assignee)
        log_action(actor=actor, action="report.assign", obj=report, organisation=report.organisation,
                   changes={"assignee": getattr(assignee, "pk", None)})  # fmt: skip
        count += 1
    return count


def report_bulk_status(*, actor: Any, reports: Iterable[Report], status: str, message: str = "") -> tuple[int, int]:
    """Change many at once; reports for which the step is not allowed are skipped and counted."""
    changed = skipped = 0
    for report in reports:
        try:
            report_change_status(actor=actor, report=report, status=status, message=message)
        except ValidationError:
            skipped += 1
        else:
            changed += 1
    return changed, skipped


def note_add(*, actor: Any, report: Report, text: str) -> InternalNote:
    _require_staff(actor, report.organisation)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Die Notiz ist leer.")})
    return InternalNote.objects.create(report=report, author=actor, text=text[:4000])


@transaction.atomic
def report_hide(*, actor: Any, report: Report, reason: str, hidden: bool = True) -> Report:
    """Abusive content is hidden, never deleted: the page keeps a visible placeholder with the reason."""
    report = _lock(report)
    if not actor.has_perm("reports.moderate_reports", report.organisation):
        raise PermissionDenied
    if hidden and not reason.strip():
        raise ValidationError({"reason": _("Bitte geben Sie einen Grund an; er wird öffentlich angezeigt.")})
    report.hidden, report.hidden_reason = hidden, reason.strip()[:300] if hidden else ""
    report.save(update_fields=["hidden", "hidden_reason"])
    log_action(actor=actor, action="report.hide" if hidden else "report.unhide", obj=report,
               organisation=report.organisation, changes={"reason": reason})  # fmt: skip
    return report


@transaction.atomic
def photo_hide(*, actor: Any, photo: ReportPhoto, reason: str, hidden: bool = True) -> ReportPhoto:
    if not actor.has_perm("reports.moderate_reports", photo.report.organisation):
        raise PermissionDenied
    if hidden and not reason.strip():
        raise ValidationError({"reason": _("Bitte geben Sie einen Grund an; er wird öffentlich angezeigt.")})
    photo.hidden, photo.hidden_reason = hidden, reason.strip()[:300] if hidden else ""
    photo.save(update_fields=["hidden", "hidden_reason"])
    log_action(actor=actor, action="report.photo_hide" if hidden else "report.photo_unhide", obj=photo.report,
               organisation=photo.report.organisation, changes={"photo": photo.pk, "reason": reason})  # fmt: skip
    return photo


# --- follow-up ------------------------------------------------------------------------------------------------


def send_followups(now: Any = None) -> int:
    """A few weeks after "erledigt", ask the reporter whether the problem is really gone."""
    now = now or timezone.now()
    due = Report.objects.filter(status=ReportStatus.FIXED, fixed_at__lte=now - FOLLOWUP_AFTER,
                                followup_sent_at__isnull=True).exclude(email="").select_related("category")  # fmt: skip
    sent = 0
    for report in due.iterator(chunk_size=500):
        with transaction.atomic():
            if not Report.objects.filter(pk=report.pk, followup_sent_at__isnull=True).update(followup_sent_at=now):
                continue
            url = absolute(reverse("reports:followup", kwargs={"token": report.confirm_token}))
            send_templated_email(to=[report.email], template="report_followup", context={"report": report, "url": url})
        sent += 1
    return sent


@transaction.atomic
def followup_answer(*, token: str, fixed: bool) -> Report:
    """The reporter's answer; "no" reopens the report in the responsible body's inbox."""
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("organisation", "assignee")
        .filter(confirm_token=token)
        .first()
    )
    if report is None:
        raise ValidationError(_("Dieser Link ist ungültig."))
    if fixed or report.status != ReportStatus.FIXED:
        return report
    now = timezone.now()
    report.status, report.updated_at, report.fixed_at = ReportStatus.OPEN, now, None
    report.save(update_fields=["status", "updated_at", "fixed_at"])
    ReportUpdate.objects.create(report=report, status=ReportStatus.OPEN, organisation=report.organisation, created_at=now,
                                message=_("Die meldende Person gibt an, dass das Problem noch besteht."))  # fmt: skip
    log_action(actor=None, action="report.reopen", obj=report, organisation=report.organisation)
    if report.assignee_id:
        assignee, number = report.assignee, report.pk
        transaction.on_commit(lambda: notify(
            recipient=assignee, title=_("Meldung #%(number)d ist wieder offen: Das Problem besteht laut Meldung noch.") % {"number": number},
            url=reverse("backoffice:report_detail", kwargs={"org_slug": report.organisation.slug, "report_pk": number}),
        ), robust=True)  # fmt: skip
    return report


# --- set-up ---------------------------------------------------------------------------------------------------


@transaction.atomic
def category_set(
    *, actor: Any, organisation: Organisation, template: CategoryTemplate, enabled: bool, forward_email: str = ""
) -> OrganisationCategory | None:
    """Take on or give up a category. Extra questions are kept when only the forwarding address changes."""
    if not actor.has_perm("reports.manage_categories", organisation):
        raise PermissionDenied
    handler = OrganisationCategory.objects.filter(organisation=organisation, template=template).first()
    if not enabled:
        if handler is not None:
            handler.delete()
            log_action(actor=actor, action="report_category.disable", obj=template, organisation=organisation)
        return None
    forward_email = forward_email.strip()
    if forward_email:
        from django.core.validators import validate_email

        try:
            validate_email(forward_email)
        except ValidationError:
            raise ValidationError(_("Bitte geben Sie eine gültige E-Mail-Adresse für die Weiterleitung an.")) from None
    if handler is None:
        handler = OrganisationCategory(organisation=organisation, template=template)
    handler.forward_email = forward_email
    handler.save()
    log_action(actor=actor, action="report_category.enable", obj=template, organisation=organisation,
               changes={"forward_email": forward_email})  # fmt: skip
    return handler


def questions_as_text(questions: list[dict[str, Any]]) -> str:
    """The extra questions in the editable line format: ``Frage | Pflicht oder optional | Antwort A, Antwort B``."""
    lines = []
    for question in questions:
        answers = ", ".join(value.get("name", "") for value in question.get("values", []))
        lines.append(
            " | ".join(
                part
                for part in (question.get("label", ""), "Pflicht" if question.get("required") else "optional", answers)
                if part
            )
        )
    return "\n".join(lines)


def questions_from_text(text: str, existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parse the line format into Open311 attributes; a question keeps its code, so stored answers stay valid."""
    from django.utils.text import slugify

    codes = {question.get("label"): question.get("code") for question in existing}
    questions: list[dict[str, Any]] = []
    for number, line in enumerate((line for line in (text or "").splitlines() if line.strip()), start=1):
        parts = [part.strip() for part in line.split("|")]
        label = parts[0][:200]
        if not label:
            raise ValidationError({"questions": _("Zeile %(number)d: Die Frage fehlt.") % {"number": number}})
        required = len(parts) > 1 and parts[1].casefold() in ("pflicht", "ja", "required")
        answers = [answer.strip()[:100] for answer in (parts[2] if len(parts) > 2 else "").split(",") if answer.strip()]
        code = codes.get(label) or slugify(label)[:40] or f"frage-{number}"
        if any(question["code"] == code for question in questions):
            code = f"{code[:35]}-{number}"
        questions.append({
            "code": code, "label": label, "required": required,
            "datatype": "singlevaluelist" if answers else "string",
            "values": [{"key": slugify(answer)[:40] or str(index), "name": answer} for index, answer in enumerate(answers, start=1)],
        })  # fmt: skip
    if len(questions) > 10:
        raise ValidationError({"questions": _("Höchstens 10 Zusatzfragen je Kategorie.")})
    return questions


def category_questions_set(*, actor: Any, handler: OrganisationCategory, text: str) -> OrganisationCategory:
    if not actor.has_perm("reports.manage_categories", handler.organisation):
        raise PermissionDenied
    handler.questions = questions_from_text(text, handler.questions)
    handler.save(update_fields=["questions"])
    log_action(actor=actor, action="report_category.questions", obj=handler.template, organisation=handler.organisation,
               changes={"questions": [question["label"] for question in handler.questions]})  # fmt: skip
    return handler
