"""Writes of the formal procedure module. Every function re-checks permissions and audits."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.accounts import assurance
from mitwirken.core import geo
from mitwirken.core.audit import diff_fields, log_action, snapshot
from mitwirken.core.notifications import send_templated_email
from mitwirken.core.permissions import require
from mitwirken.core.text import clean_text
from mitwirken.core.uploads import check_attachment, check_document, check_pixel_budget
from mitwirken.projects import services as project_services
from mitwirken.projects.models import Project

from . import transport
from .grouping import enqueue_analysis
from .law import Audience, period_problems
from .models import (
    Channel,
    CoSigner,
    Document,
    DocumentSection,
    Procedure,
    Round,
    Statement,
    StatementAttachment,
    StatementDraft,
    Track,
    UnregisteredSubmission,
)

BERLIN = ZoneInfo("Europe/Berlin")
MAX_DOCUMENT_BYTES = 1024 * 1024 * 1024
MAX_STATEMENT_ATTACHMENTS = 10
DRAFT_FIELDS = (
    "text", "section", "location", "author_name", "organisation_name", "street", "postal_code", "city", "publish_name",
)  # fmt: skip


def _draft_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The fields a draft keeps, with control characters removed from the texts (they break the exports)."""
    return {
        key: clean_text(data[key]) if isinstance(data[key], str) else data[key] for key in DRAFT_FIELDS if key in data
    }


def berlin_day_start(day: date) -> datetime:
    """Midnight in Berlin as an aware datetime; correct on the days the clocks change."""
    return datetime.combine(day, time.min, tzinfo=BERLIN)


def period_bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """A period runs from 00:00 of the first day to the end of 23:59:59 of the last day, Berlin time."""
    return berlin_day_start(first_day), berlin_day_start(last_day + timedelta(days=1))


@transaction.atomic
def procedure_create(
    *, actor: Any, project: Project, procedure_type: str, name: str, reference_prefix: str = "", **options: Any
) -> Procedure:
    require(actor, "projects.change_project", project)
    module = project_services.module_add(actor=actor, project=project, module_type="formal", name=name)
    prefix = (reference_prefix or project.organisation.slug[:2]).upper()
    procedure = Procedure(module=module, procedure_type=procedure_type, reference_prefix=prefix, **options)
    procedure.full_clean()
    procedure.save()
    log_action(actor=actor, action="procedure.create", obj=procedure, organisation=project.organisation)
    return procedure


SETTINGS_FIELDS = [
    "require_postal_address",
    "allow_unregistered",
    "max_text_length",
    "retention_days",
    "preclusion_notice",
]


@transaction.atomic
def procedure_update(*, actor: Any, procedure: Procedure, **data: Any) -> Procedure:
    require(actor, "formal.manage_procedure", procedure.module)
    procedure = (
        Procedure.objects.select_for_update().select_related("module__project__organisation").get(pk=procedure.pk)
    )
    fields = [field for field in SETTINGS_FIELDS if field in data]
    before = snapshot(procedure, fields)
    for field in fields:
        setattr(procedure, field, data[field])
    procedure.full_clean()
    procedure.save()
    changes = diff_fields(procedure, before, fields)
    if changes:
        log_action(actor=actor, action="procedure.update", obj=procedure, organisation=procedure.module.project.organisation,
                   changes=changes)  # fmt: skip
    return procedure


@transaction.atomic
def round_add(*, actor: Any, procedure: Procedure, kind: str) -> Round:
    require(actor, "formal.manage_procedure", procedure.module)
    number = (procedure.rounds.aggregate(Max("number"))["number__max"] or 0) + 1
    new_round = Round(procedure=procedure, number=number, kind=kind)
    new_round.full_clean()
    new_round.save()
    log_action(actor=actor, action="round.add", obj=new_round, organisation=procedure.module.project.organisation)
    if kind == "renewed" and procedure.renewal_required_reason:
        # The renewed participation that a change to public documents called for is now under way.
        Procedure.objects.filter(pk=procedure.pk).update(renewal_required_reason="")
        procedure.renewal_required_reason = ""
    return new_round


@transaction.atomic
def track_add(
    *, actor: Any, round: Round, audience: str, first_day: date, last_day: date,
    announced_at: datetime | None = None, override_reason: str = "",
) -> Track:  # fmt: skip
    """Open a comment period. Going below the legal minimum needs a written reason, which is audited."""
    procedure = round.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    if last_day < first_day:
        raise ValidationError({"last_day": _("Der letzte Tag der Frist muss nach dem ersten liegen.")})
    if round.tracks.filter(audience=audience).exists():
        raise ValidationError({"audience": _("Für diese Zielgruppe gibt es in diesem Durchgang schon eine Frist.")})
    start, end = period_bounds(first_day, last_day)
    problems = period_problems(procedure.procedure_type, start, end, announced_at)
    if problems and not override_reason.strip():
        raise ValidationError(
            {"override_reason": [*problems, _("Wenn Sie bewusst abweichen, begründen Sie dies bitte.")]}
        )
    phase = project_services.phase_add(
        actor=actor, module=procedure.module, phase_type=f"{audience}_track",
        name=f"{round} – {Audience(audience).label}", start=start, end=end,
    )  # fmt: skip
    track = Track(round=round, audience=audience, phase=phase, announced_at=announced_at,
                  period_override_reason=override_reason.strip() if problems else "")  # fmt: skip
    track.full_clean()
    track.save()
    organisation = procedure.module.project.organisation
    log_action(actor=actor, action="track.add", obj=track, organisation=organisation,
               changes={"start": [None, start.isoformat()], "end": [None, end.isoformat()]})  # fmt: skip
    if problems:
        log_action(actor=actor, action="track.period_override", obj=track, organisation=organisation,
                   changes={"problems": problems, "reason": override_reason.strip()})  # fmt: skip
    return track


def procedure_is_closed(procedure: Procedure, now: datetime | None = None) -> bool:
    ends = [track.end for track in Track.objects.with_phase().filter(round__procedure=procedure)]
    return bool(ends) and max(ends) <= (now or timezone.now())


def statements_exist(procedure: Procedure) -> bool:
    return Statement.objects.filter(procedure=procedure).exists()


def mark_renewal_required(actor: Any, procedure: Procedure, reason: str) -> None:
    """A public document changed after statements arrived: a renewed participation is due (as § 4a Abs. 3 BauGB).

    The reason stays on the procedure until staff add a round of the kind "renewed".
    """
    Procedure.objects.filter(pk=procedure.pk).update(renewal_required_reason=reason)
    procedure.renewal_required_reason = reason
    log_action(actor=actor, action="procedure.renewal_required", obj=procedure,
               organisation=procedure.module.project.organisation, changes={"reason": reason})  # fmt: skip


def replacement_needs_reason(document: Document) -> bool:
    """Replacing a public document once statements exist affects them: a reason is required."""
    return document.is_public and statements_exist(document.procedure)


@transaction.atomic
def document_add(
    *, actor: Any, procedure: Procedure, track: Track, title: str, upload: Any, kind: str = "plan",
    text_alternative: str = "", sections: str = "", replaces: Document | None = None, change_note: str = "",
) -> Document:  # fmt: skip
    require(actor, "formal.manage_procedure", procedure.module)
    if procedure_is_closed(procedure):
        raise ValidationError(
            {
                "upload": _(
                    "Das Verfahren ist abgeschlossen: Alle Fristen sind abgelaufen. Es können keine Unterlagen mehr hinzugefügt werden."
                )
            }
        )
    try:
        checked = check_document(upload, max_bytes=MAX_DOCUMENT_BYTES)
    except ValidationError as error:
        raise ValidationError({"upload": error.messages}) from None
    if replaces is not None and replaces.superseded_by_id:
        raise ValidationError({"replaces": _("Diese Fassung wurde bereits ersetzt.")})
    if replaces is not None and replaces.withdrawn_at is not None:
        raise ValidationError({"replaces": _("Diese Unterlage ist zurückgezogen und kann nicht ersetzt werden.")})
    if replaces is not None and replacement_needs_reason(replaces) and not change_note.strip():
        raise ValidationError({"change_note": _(
            "Die bisherige Fassung ist öffentlich und es liegen Stellungnahmen vor. Beschreiben Sie, was sich "
            "geändert hat und warum; das wird protokolliert und mit der neuen Fassung veröffentlicht."
        )})  # fmt: skip
    document = Document(
        procedure=procedure, track=track, kind=kind, title=title, content_type=checked.content_type, size=checked.size,
        sha256=checked.sha256, text_alternative=text_alternative, change_note=change_note,
        version=replaces.version + 1 if replaces else 1, weight=replaces.weight if replaces else procedure.documents.count(),
    )  # fmt: skip
    document.file.save(f"{checked.sha256[:16]}.{checked.extension}", checked.upload, save=False)
    document.full_clean()
    document.save()
    for weight, line in enumerate(line for line in sections.splitlines() if line.strip()):
        number, _sep, rest = line.strip().partition(" ")
        has_number = any(ch.isdigit() for ch in number)
        DocumentSection.objects.create(
            document=document,
            number=number if has_number else "",
            title=rest if has_number else line.strip(),
            weight=weight,
        )
    if replaces is not None:
        Document.objects.filter(pk=replaces.pk).update(superseded_by=document)
        if replaces.is_public and statements_exist(procedure):
            mark_renewal_required(actor, procedure, _(
                "Die öffentliche Unterlage „%(title)s“ wurde durch die %(version)s. Fassung ersetzt: %(reason)s"
            ) % {"title": replaces.title, "version": document.version, "reason": change_note.strip()})  # fmt: skip
    log_action(actor=actor, action="document.add", obj=document, organisation=procedure.module.project.organisation,
               changes={"sha256": checked.sha256, "version": document.version})  # fmt: skip
    return document


# Statements


def draft_for(*, user: Any, track: Track) -> StatementDraft:
    draft, _created = StatementDraft.objects.get_or_create(track=track, author=user, defaults={"data": _profile(user)})
    return draft


def _profile(user: Any) -> dict[str, Any]:
    return {"author_name": user.real_name, "street": user.street, "postal_code": user.postal_code, "city": user.city}


class LoginTooWeak(ValidationError):
    """Everything else would allow the action, only the login's trust level is below the track's requirement."""


def login_too_weak_message(required: int) -> str:
    return _(
        "Ihre aktuelle Anmeldung reicht dafür nicht aus: Nötig ist eine Anmeldung mit BundID mit dem Vertrauensniveau "
        "„%(level)s“ oder höher. Es wurde nichts gespeichert oder abgegeben; Ihr bisher gespeicherter Entwurf bleibt "
        "erhalten."
    ) % {"level": assurance.AssuranceLevel(required).label}


def _require_login_level(user: Any, track: Track) -> None:
    # Checked explicitly (not only through the rule): a superuser's blanket has_perm must not skip it.
    if not assurance.meets(user, track.min_assurance_level):
        raise LoginTooWeak(login_too_weak_message(track.min_assurance_level))


def _require_drafting(user: Any, track: Track) -> None:
    """Writing a draft needs no particular login: it has no effect yet, and a person may start with a weaker
    login and sign in with BundID before handing it in (the draft stays)."""
    if not track.is_open():
        raise ValidationError(deadline_message(track))
    require(user, "formal.submit_statement_any_login", track)


def _require_submit(user: Any, track: Track) -> None:
    _require_drafting(user, track)
    _require_login_level(user, track)
    require(user, "formal.submit_statement", track)


def _login_record(user: Any) -> dict[str, Any]:
    """The login that submits, for the statement: level, provider and (Mein Unternehmenskonto) whom it acts for."""
    login = assurance.current(user)
    return {"assurance_level": login.level, "identity_provider": login.provider if login.level else "",
            "on_behalf_of_name": login.acting_for_name[:200], "on_behalf_of_id": login.acting_for_id[:100]}  # fmt: skip


def deadline_message(track: Track) -> str:
    if not track.has_started():
        return _("Die Frist beginnt erst am %(start)s.") % {"start": _format(track.start)}
    return _(
        "Die Frist für Stellungnahmen ist am %(end)s abgelaufen. Stellungnahmen können nicht mehr abgegeben werden."
    ) % {"end": _format(track.end - timedelta(seconds=1))}


def _format(moment: datetime) -> str:
    return _("%(date)s Uhr") % {"date": timezone.localtime(moment).strftime("%d.%m.%Y, %H:%M:%S")}


def validate_draft(draft: StatementDraft | UnregisteredSubmission, procedure: Procedure) -> dict[str, list[str]]:
    """What still stops the final submit, field by field, in German."""
    errors: dict[str, list[str]] = {}
    text = (draft.value("text") or "").strip()
    if not text:
        errors["text"] = [_("Bitte schreiben Sie Ihre Stellungnahme.")]
    elif len(text) > procedure.max_text_length:
        errors["text"] = [_("Die Stellungnahme ist zu lang (%(length)s Zeichen, erlaubt sind %(max)s).")
                          % {"length": len(text), "max": procedure.max_text_length}]  # fmt: skip
    if procedure.require_postal_address:
        for field, label in [("author_name", _("Name")), ("street", _("Straße und Hausnummer")),
                             ("postal_code", _("Postleitzahl")), ("city", _("Ort"))]:  # fmt: skip
            if not (draft.value(field) or "").strip():
                errors[field] = [_("%(label)s ist in diesem Verfahren Pflicht: Nur mit Name und Anschrift ist eine "
                                   "Stellungnahme rechtlich verwertbar.") % {"label": label}]  # fmt: skip
    if draft.value("location"):
        try:
            geo.parse_geometry(draft.value("location"), allowed_types=("Point", "LineString", "Polygon"))
        except ValidationError as error:
            errors["location"] = error.messages
    return errors


@transaction.atomic
def draft_save(*, user: Any, track: Track, data: dict[str, Any], uploads: list[Any] | None = None) -> StatementDraft:
    _require_drafting(user, track)
    draft = StatementDraft.objects.select_for_update().get(pk=draft_for(user=user, track=track).pk)
    draft.data = {**draft.data, **_draft_fields(data)}
    draft.awaiting_release_since = None  # a changed draft must be handed over (and released) again
    draft.save()
    try:
        check_pixel_budget(uploads or [])  # from the headers, before any image is decoded
    except ValidationError as error:
        raise ValidationError({"attachments": error.messages}) from None
    for upload in uploads or []:
        if draft.attachments.count() >= MAX_STATEMENT_ATTACHMENTS:
            raise ValidationError(
                {"attachments": _("Höchstens %(max)s Anlagen sind möglich.") % {"max": MAX_STATEMENT_ATTACHMENTS}}
            )
        try:
            checked = check_attachment(upload)
        except ValidationError as error:
            raise ValidationError(
                {"attachments": [f"{upload.name}: {message}" for message in error.messages]}
            ) from None
        content = checked.content.read()
        attachment = StatementAttachment(
            draft=draft, name=str(upload.name or checked.content.name or "anlage")[:200], content_type=checked.content_type,
            size=len(content), sha256=hashlib.sha256(content).hexdigest(),
        )  # fmt: skip
        checked.content.seek(0)
        attachment.file.save(checked.content.name, checked.content, save=False)
        attachment.save()
    return draft


def statement_digest(statement: Statement) -> str:
    """SHA-256 over everything the receipt certifies, in a stable JSON form."""
    payload = {
        "reference": statement.reference, "received_at": statement.received_at.isoformat(), "text": statement.text,
        "author_name": statement.author_name, "organisation_name": statement.organisation_name,
        "street": statement.street, "postal_code": statement.postal_code, "city": statement.city,
        "section": str(statement.section) if statement.section_id else "", "location": statement.location,
        "attachments": sorted(attachment.sha256 for attachment in statement.attachments.all()),
    }  # fmt: skip
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _next_reference(procedure: Procedure, received_at: datetime) -> str:
    # The counter row is locked, so concurrent submissions get distinct numbers without gaps in the race.
    Procedure.objects.filter(pk=procedure.pk).update(statement_counter=F("statement_counter") + 1)
    counter = Procedure.objects.values_list("statement_counter", flat=True).get(pk=procedure.pk)
    year = timezone.localtime(received_at).year
    return f"{procedure.reference_prefix}-{year}-{procedure.rules.abbreviation}-{counter:06d}"


@transaction.atomic
def statement_submit(*, user: Any, track: Track, submission_key: str) -> Statement:
    """The final submit. Idempotent: the same submission key always yields the same single statement."""
    existing = Statement.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        if existing.author_id != user.pk:
            raise PermissionDenied
        return existing
    received_at = timezone.now()  # the moment of receipt is the server's, never the client's
    _require_submit(user, track)
    draft = (
        StatementDraft.objects.select_for_update()
        .filter(track=track, author=user, submission_key=submission_key)
        .first()
    )
    if draft is None:
        # A second request racing the first: once the first commits, its statement is the answer.
        existing = Statement.objects.filter(submission_key=submission_key, author=user).first()
        if existing is not None:
            return existing
        raise ValidationError(
            _("Dieser Entwurf wurde bereits abgeschickt oder ist abgelaufen. Bitte laden Sie die Seite neu.")
        )
    if track.audience == Audience.AGENCY and not is_agency_coordinator(user, track):
        raise ValidationError(
            _(
                "Stellungnahmen einer Behörde gibt deren Koordination frei. Bitte übergeben Sie den Entwurf zur Freigabe."
            )
        )
    statement = _statement_from_draft(draft, track, received_at, author=user, **_login_record(user))
    send_templated_email(to=[user.email], template="statement_receipt",
                         context={"statement": statement, "project": track.round.procedure.module.project})  # fmt: skip
    return statement


def _statement_from_draft(
    draft: StatementDraft | UnregisteredSubmission, track: Track, received_at: datetime, **extra: Any
) -> Statement:
    """Turn a validated draft into the statement record; the caller holds the transaction and the checks."""
    procedure = track.round.procedure
    errors = validate_draft(draft, procedure)
    if errors:
        raise ValidationError(errors)
    author = extra.pop("author")
    email = extra.pop("email", author.email if author is not None else "")
    section_id = int(draft.value("section") or 0)
    # Acting for an organisation through Mein Unternehmenskonto names it, unless the person named one themselves.
    organisation_name = draft.value("organisation_name") or extra.get("on_behalf_of_name", "")
    statement = Statement(
        procedure=procedure, track=track, submission_key=draft.submission_key, author=author,
        author_name=draft.value("author_name"), organisation_name=organisation_name,
        street=draft.value("street"), postal_code=draft.value("postal_code"), city=draft.value("city"),
        email=email, publish_name=bool(draft.value("publish_name", False)), text=draft.value("text").strip(),
        section_id=section_id
        if section_id and DocumentSection.objects.filter(pk=section_id, document__procedure=procedure).exists()
        else None,
        location=geo.parse_geometry(draft.value("location"), allowed_types=("Point", "LineString", "Polygon"))
        if draft.value("location") else None,
        channel=Channel.PORTAL, received_at=received_at, reference=_next_reference(procedure, received_at),
        content_sha256="", **extra,
    )  # fmt: skip
    statement.save()
    enqueue_analysis(procedure, [statement.pk])  # its place among the mass objections, after the commit
    if isinstance(draft, StatementDraft):
        draft.attachments.update(statement=statement, draft=None)
    statement.content_sha256 = statement_digest(statement)
    statement.save(update_fields=["content_sha256"])
    if isinstance(draft, StatementDraft):
        draft.delete()
    log_action(actor=extra.get("released_by") or author, action="statement.submit", obj=statement,
               organisation=procedure.module.project.organisation)  # fmt: skip
    transport.statement_received(statement)  # a partner's endpoint gets the 0701, after the commit
    return statement


def agency_of(user: Any, track: Track) -> Any:
    """The agency (TöB organisation) the user speaks for in this project, if any."""
    from mitwirken.projects.models import ParticipantRole, ProjectMembership

    membership = (
        ProjectMembership.objects.filter(project=track.round.procedure.module.project, user=user, role=ParticipantRole.AGENCY)
        .select_related("agency").first()
    )  # fmt: skip
    return membership.agency if membership else None


def is_agency_coordinator(user: Any, track: Track) -> bool:
    """Coordinators are the administrators of the agency's own organisation (DiPlanung's release step)."""
    from mitwirken.organisations.models import OrganisationMembership, OrganisationRole

    agency = agency_of(user, track)
    if agency is None:
        return False
    return OrganisationMembership.objects.filter(organisation=agency, user=user, role=OrganisationRole.ADMIN).exists()


@transaction.atomic
def draft_hand_over(*, user: Any, track: Track, submission_key: str) -> StatementDraft:
    """An agency case worker passes the finished draft to the agency's coordinator."""
    _require_submit(user, track)
    agency = agency_of(user, track)
    if agency is None:
        raise PermissionDenied
    draft = StatementDraft.objects.select_for_update().get(track=track, author=user, submission_key=submission_key)
    errors = validate_draft(draft, track.round.procedure)
    if errors:
        raise ValidationError(errors)
    draft.awaiting_release_since = timezone.now()
    draft.agency = agency
    draft.save(update_fields=["awaiting_release_since", "agency"])
    log_action(actor=user, action="statement.hand_over", obj=draft, organisation=agency)
    return draft


@transaction.atomic
def statement_release(*, coordinator: Any, track: Track, draft_pk: int) -> Statement:
    """The coordinator releases a colleague's draft; the moment of release is the moment of receipt."""
    received_at = timezone.now()
    _require_submit(coordinator, track)
    if not is_agency_coordinator(coordinator, track):
        raise PermissionDenied
    agency = agency_of(coordinator, track)
    draft = (
        StatementDraft.objects.select_for_update()
        .filter(pk=draft_pk, track=track, agency=agency, awaiting_release_since__isnull=False)
        .first()
    )
    if draft is None:
        raise ValidationError(_("Dieser Entwurf liegt nicht (mehr) zur Freigabe vor."))
    if not draft.value("organisation_name"):
        draft.data["organisation_name"] = agency.name
    # The release is the act of submitting: the coordinator's login is what the statement records.
    statement = _statement_from_draft(
        draft, track, received_at, author=draft.author, agency=agency, released_by=coordinator,
        **_login_record(coordinator),
    )  # fmt: skip
    recipients = sorted({address for address in (statement.email, coordinator.email) if address})
    send_templated_email(to=recipients, template="statement_receipt",
                         context={"statement": statement, "project": track.round.procedure.module.project})  # fmt: skip
    return statement


@transaction.atomic
def cosign(*, user: Any, statement: Statement, name: str, street: str, postal_code: str, city: str) -> CoSigner:
    """Join an existing statement with one's own name and address, within the statement's period."""
    track = Track.objects.with_phase().get(pk=statement.track_id)
    if not track.is_open():
        raise ValidationError(deadline_message(track))
    _require_login_level(user, track)
    values = {"name": name.strip(), "street": street.strip(), "postal_code": postal_code.strip(), "city": city.strip()}
    missing = {field: [_("Bitte ausfüllen: Mitzeichnen ist nur mit Name und Anschrift rechtlich wirksam.")]
               for field, value in values.items() if not value}  # fmt: skip
    if missing:
        raise ValidationError(missing)
    if statement.author_id == user.pk or statement.cosigners.filter(user=user).exists():
        raise ValidationError(_("Sie haben diese Stellungnahme bereits abgegeben oder mitgezeichnet."))
    cosigner = CoSigner.objects.create(
        statement=statement, user=user, email=user.email, signed_at=timezone.now(), **values
    )
    log_action(
        actor=user,
        action="statement.cosign",
        obj=statement,
        organisation=statement.procedure.module.project.organisation,
    )
    return cosigner


@transaction.atomic
def statement_record(
    *, actor: Any, track: Track, received_at: datetime, channel: str, text: str, author_name: str = "",
    organisation_name: str = "", street: str = "", postal_code: str = "", city: str = "", email: str = "",
    publish_name: bool = False,
) -> Statement:  # fmt: skip
    """Staff record a statement that arrived by letter, e-mail, fax or in minutes. Late ones are flagged, never dropped."""
    procedure = track.round.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    if channel == Channel.PORTAL:
        raise ValidationError({"channel": _("Über das Portal eingegangene Stellungnahmen erfasst das Portal selbst.")})
    if received_at > timezone.now():
        raise ValidationError({"received_at": _("Das Eingangsdatum darf nicht in der Zukunft liegen.")})
    text, author_name, organisation_name = clean_text(text), clean_text(author_name), clean_text(organisation_name)
    street, postal_code, city = clean_text(street), clean_text(postal_code), clean_text(city)
    if not text:
        raise ValidationError({"text": _("Bitte erfassen Sie den Text der Stellungnahme.")})
    statement = Statement(
        procedure=procedure, track=track, author_name=author_name, organisation_name=organisation_name, street=street,
        postal_code=postal_code, city=city, email=email, publish_name=publish_name, text=text.strip(), channel=channel,
        received_at=received_at, late=received_at >= track.end, recorded_by=actor,
        reference=_next_reference(procedure, received_at), content_sha256="",
    )  # fmt: skip
    statement.save()
    enqueue_analysis(procedure, [statement.pk])
    statement.content_sha256 = statement_digest(statement)
    statement.save(update_fields=["content_sha256"])
    log_action(actor=actor, action="statement.record", obj=statement, organisation=procedure.module.project.organisation,
               changes={"channel": channel, "late": statement.late})  # fmt: skip
    transport.statement_received(statement)
    return statement


def unregistered_allowed(track: Track) -> bool:
    """Without an account only where the procedure allows it, on a public track of a public project."""
    from mitwirken.projects.models import AccessMode

    project = track.round.procedure.module.project
    # A trust level needs a login that proves it: without an account there is none.
    return bool(
        track.round.procedure.allow_unregistered and not track.min_assurance_level and track.audience == Audience.PUBLIC
        and project.access == AccessMode.PUBLIC and project.is_published
    )  # fmt: skip


@transaction.atomic
def unregistered_start(*, track: Track, email: str, data: dict[str, Any], confirm_url: Any) -> UnregisteredSubmission:
    """Store the statement unconfirmed and send the confirmation link; nothing is received yet."""
    if not unregistered_allowed(track):
        raise PermissionDenied
    if not track.is_open():
        raise ValidationError(deadline_message(track))
    submission = UnregisteredSubmission(track=track, email=email, data=_draft_fields(data))
    errors = validate_draft(submission, track.round.procedure)
    if errors:
        raise ValidationError(errors)
    submission.save()
    send_templated_email(to=[email], template="statement_confirm",
                         context={"url": confirm_url(submission), "track": track, "end": track.end - timedelta(seconds=1)})  # fmt: skip
    return submission


@transaction.atomic
def unregistered_confirm(*, token: str) -> Statement:
    """The click on the e-mail link: the statement is received now, if the period is still open. Idempotent."""
    # Lock only the submission row: PostgreSQL cannot lock the nullable side of the join to its statement.
    submission = (
        UnregisteredSubmission.objects.select_for_update(of=("self",)).select_related("statement")
        .filter(token=token).first()
    )  # fmt: skip
    if submission is None:
        raise ValidationError(_("Dieser Bestätigungslink ist ungültig."))
    if submission.statement is not None:
        return submission.statement
    received_at = timezone.now()
    track = Track.objects.with_phase().select_related("round__procedure__module__project").get(pk=submission.track_id)
    if not track.is_open():
        raise ValidationError(deadline_message(track))
    statement = _statement_from_draft(submission, track, received_at, author=None, email=submission.email)
    submission.statement = statement
    submission.save(update_fields=["statement"])
    project = track.round.procedure.module.project
    receipt_url = reverse("formal:confirm", kwargs={"org_slug": project.organisation.slug, "project_slug": project.slug,
                                                     "module_slug": track.round.procedure.module.slug, "token": submission.token})  # fmt: skip
    send_templated_email(to=[submission.email], template="statement_receipt",
                         context={"statement": statement, "project": project, "receipt_url": receipt_url})  # fmt: skip
    return statement
