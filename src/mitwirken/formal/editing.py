"""Changing what staff set up: procedure data, rounds, periods, documents, and publishing the Abwägung.

Before anyone took part, everything can be changed and deleted. Once a period has started or statements
exist, changes that affect participants need a written reason, are audited, and may call for a new
announcement (a changed period) or a renewed participation (changed public documents, as § 4a Abs. 3
BauGB). Deletion is refused, with a German sentence that says why, while anything depends on the object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action
from mitwirken.core.notifications import notify
from mitwirken.core.permissions import require
from mitwirken.projects import services as project_services

from .law import RULES, RoundKind, period_problems
from .models import (
    Document,
    DocumentSection,
    Procedure,
    Round,
    Statement,
    StatementDraft,
    Track,
    UnregisteredSubmission,
)
from .services import mark_renewal_required, period_bounds, statements_exist


def _organisation(procedure: Procedure) -> Any:
    return procedure.module.project.organisation


def _audit(actor: Any, action: str, obj: Any, procedure: Procedure, changes: dict[str, Any] | None = None) -> None:
    log_action(actor=actor, action=action, obj=obj, organisation=_organisation(procedure), changes=changes)


# Procedure data


@transaction.atomic
def procedure_change(
    *, actor: Any, procedure: Procedure, name: str, procedure_type: str, confirm: bool = False, reason: str = ""
) -> Procedure:
    """Rename the procedure or change its type; the periods are re-checked against the new type's law.

    A type change is refused once statements exist (their reference numbers and legal basis depend on it).
    Where the new type makes existing periods unlawful, staff must confirm with a reason, which then
    becomes the periods' written reason for the deviation.
    """
    require(actor, "formal.manage_procedure", procedure.module)
    procedure = (
        Procedure.objects.select_for_update().select_related("module__project__organisation").get(pk=procedure.pk)
    )
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Bitte geben Sie eine Bezeichnung an.")})
    if procedure_type not in RULES:
        raise ValidationError({"procedure_type": _("Unbekannte Verfahrensart.")})
    changes: dict[str, Any] = {}
    if procedure_type != procedure.procedure_type:
        if Statement.objects.filter(procedure=procedure).exists():
            raise ValidationError({"procedure_type": _(
                "Die Verfahrensart kann nicht mehr geändert werden: Es sind bereits Stellungnahmen eingegangen, "
                "deren Vorgangsnummern und Rechtsgrundlage an der bisherigen Verfahrensart hängen."
            )})  # fmt: skip
        tracks = list(Track.objects.with_phase().filter(round__procedure=procedure))
        unlawful = [(track, problems) for track in tracks
                    if (problems := period_problems(procedure_type, track.start, track.end, track.announced_at))]  # fmt: skip
        if unlawful and not (confirm and reason.strip()):
            explanation = [f"{track}: {' '.join(problems)}" for track, problems in unlawful]
            raise ValidationError({"procedure_type": [
                _("Nach der neuen Verfahrensart wären bestehende Fristen nicht mehr rechtmäßig:"), *explanation,
                _("Passen Sie die Fristen an, oder bestätigen Sie die Änderung und begründen Sie die Abweichung."),
            ]})  # fmt: skip
        for track, problems in unlawful:
            Track.objects.filter(pk=track.pk).update(period_override_reason=reason.strip())
            _audit(actor, "track.period_override", track, procedure, {"problems": problems, "reason": reason.strip()})
        changes["procedure_type"] = [procedure.procedure_type, procedure_type]
        procedure.procedure_type = procedure_type
        procedure.full_clean()
        procedure.save(update_fields=["procedure_type"])
    module = procedure.module
    if name != module.name:
        changes["name"] = [module.name, name]
        module.name = name
        module.full_clean()
        module.save(update_fields=["name"])
    if changes:
        _audit(actor, "procedure.change", procedure, procedure, changes)
    return procedure


# Rounds


def _round_has_participation(round_: Round) -> bool:
    return Statement.objects.filter(track__round=round_).exists()


@transaction.atomic
def round_change(*, actor: Any, round: Round, kind: str) -> Round:
    procedure = round.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    if kind not in RoundKind.values:
        raise ValidationError({"kind": _("Unbekannte Art des Durchgangs.")})
    if kind != round.kind and _round_has_participation(round):
        raise ValidationError({"kind": _(
            "Die Art des Durchgangs kann nicht mehr geändert werden: Zu seinen Fristen sind bereits "
            "Stellungnahmen eingegangen."
        )})  # fmt: skip
    before = round.kind
    round.kind = kind
    round.full_clean()
    round.save(update_fields=["kind"])
    if before != kind:
        _audit(actor, "round.change", round, procedure, {"kind": [before, kind]})
        if kind == RoundKind.RENEWED and procedure.renewal_required_reason:
            Procedure.objects.filter(pk=procedure.pk).update(renewal_required_reason="")
    return round


@transaction.atomic
def round_delete(*, actor: Any, round: Round) -> None:
    procedure = round.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    if round.tracks.exists():
        raise ValidationError(_(
            "Der Durchgang kann nicht gelöscht werden, solange er Fristen hat. Löschen Sie zuerst seine Fristen."
        ))  # fmt: skip
    _audit(actor, "round.delete", round, procedure, {"number": round.number, "kind": round.kind})
    round.delete()


# Periods


@dataclass
class PeriodChange:
    """What a period change did, for the message to staff."""

    shortened: bool = False
    extended: bool = False
    notified: int = 0
    reannouncement_due: bool = False
    changes: dict[str, Any] = field(default_factory=dict)


def track_dependants(track: Track) -> dict[str, int]:
    """What hangs on a period: statements, drafts, unconfirmed no-account submissions, documents."""
    return {
        "statements": Statement.objects.filter(track=track).count(),
        "drafts": StatementDraft.objects.filter(track=track).count(),
        "unconfirmed": UnregisteredSubmission.objects.filter(track=track, statement__isnull=True).count(),
        "documents": Document.objects.filter(track=track).count(),
    }


@transaction.atomic
def track_change(
    *, actor: Any, track: Track, first_day: date, last_day: date, announced_at: datetime | None = None,
    override_reason: str = "", change_reason: str = "", now: datetime | None = None,
) -> PeriodChange:  # fmt: skip
    """Move a period. A running period keeps its start; shortening it once anyone took part needs a reason.

    An extension tells everyone with a draft (in the portal and by e-mail). A changed period that was
    already announced, or has started, must be announced again where the procedure type requires an
    announcement.
    """
    procedure = track.round.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    now = now or timezone.now()
    track = Track.objects.select_for_update().select_related("phase", "round").get(pk=track.pk)
    track.round.procedure = procedure
    if last_day < first_day:
        raise ValidationError({"last_day": _("Der letzte Tag der Frist muss nach dem ersten liegen.")})
    start, end = period_bounds(first_day, last_day)
    old_start, old_end = track.start, track.end
    if old_end <= now and end != old_end:
        raise ValidationError({"last_day": _(
            "Diese Frist ist bereits abgelaufen und kann nicht mehr geändert werden. Für eine erneute Beteiligung "
            "legen Sie einen neuen Durchgang an."
        )})  # fmt: skip
    if old_start <= now and start != old_start:
        raise ValidationError({"first_day": _(
            "Die Frist läuft bereits; ihr Beginn kann nicht mehr verschoben werden. Sie können nur das Ende ändern."
        )})  # fmt: skip
    if end <= now:
        raise ValidationError({"last_day": _(
            "Der letzte Tag darf nicht in der Vergangenheit liegen: Eine laufende Frist kann frühestens heute enden."
        )})  # fmt: skip
    problems = period_problems(procedure.procedure_type, start, end, announced_at)
    if problems and not override_reason.strip():
        raise ValidationError(
            {"override_reason": [*problems, _("Wenn Sie bewusst abweichen, begründen Sie dies bitte.")]}
        )
    dependants = track_dependants(track)
    participated = bool(dependants["statements"] or dependants["drafts"] or dependants["unconfirmed"])
    result = PeriodChange(shortened=end < old_end, extended=end > old_end)
    if result.shortened and (participated or track.has_started(now)) and not change_reason.strip():
        raise ValidationError({"change_reason": _(
            "Die Frist läuft bereits oder es liegen schon Stellungnahmen oder Entwürfe vor. Wer eine Frist "
            "verkürzt, muss dies begründen; die Begründung wird protokolliert."
        )})  # fmt: skip
    if start != old_start or end != old_end:
        project_services.phase_update(actor=actor, phase=track.phase, start=start, end=end)
        result.changes = {
            "start": [old_start.isoformat(), start.isoformat()],
            "end": [old_end.isoformat(), end.isoformat()],
        }
    announced_before = track.announced_at is not None or old_start <= now
    if announced_at != track.announced_at:
        result.changes["announced_at"] = [track.announced_at and track.announced_at.isoformat(),
                                          announced_at and announced_at.isoformat()]  # fmt: skip
        track.announced_at = announced_at
    track.period_override_reason = override_reason.strip() if problems else ""
    if (result.shortened or result.extended) and announced_before and procedure.rules.announcement_days:
        result.reannouncement_due = True
        track.reannouncement_reason = change_reason.strip() or _("Das Ende der Frist wurde geändert.")
    track.full_clean()
    track.save()
    if result.changes or change_reason.strip():
        _audit(actor, "track.change", track, procedure,
               {**result.changes, "reason": change_reason.strip(), **dependants})  # fmt: skip
    if problems:
        _audit(actor, "track.period_override", track, procedure,
               {"problems": problems, "reason": override_reason.strip()})  # fmt: skip
    if result.reannouncement_due:
        _audit(actor, "track.reannouncement_due", track, procedure, {"reason": track.reannouncement_reason})
    if result.extended:
        result.notified = _tell_draft_holders(track, procedure)
    return result


def _tell_draft_holders(track: Track, procedure: Procedure) -> int:
    """Everyone with a draft of this period learns the new last day, in the portal and by e-mail."""
    project = procedure.module.project
    url = reverse("formal:statement", kwargs={
        "org_slug": project.organisation.slug, "project_slug": project.slug, "module_slug": procedure.module.slug,
        "track_pk": track.pk,
    })  # fmt: skip
    last_day = track.last_day
    title = _("Frist verlängert: %(name)s") % {"name": procedure.module.name}
    body = _(
        "Die Frist für Stellungnahmen zu „%(name)s“ (%(track)s) wurde verlängert. Sie endet jetzt mit Ablauf des "
        "%(day)s. Ihr Entwurf ist gespeichert; Sie können ihn bis dahin fertigstellen und abgeben."
    ) % {"name": procedure.module.name, "track": track, "day": last_day.strftime("%d.%m.%Y")}
    drafts = StatementDraft.objects.filter(track=track).select_related("author").order_by("pk")
    count = 0
    for draft in drafts.iterator(chunk_size=500):
        notify(recipient=draft.author, title=title, body=body, url=url)
        count += 1
    return count


@transaction.atomic
def track_announce(*, actor: Any, track: Track, announced_at: datetime) -> Track:
    """Record the new announcement of a changed period."""
    procedure = track.round.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    if announced_at > timezone.now():
        raise ValidationError({"announced_at": _("Die Bekanntmachung darf nicht in der Zukunft liegen.")})
    before = track.announced_at
    track.announced_at = announced_at
    track.reannouncement_reason = ""
    track.save(update_fields=["announced_at", "reannouncement_reason"])
    _audit(actor, "track.announce", track, procedure,
           {"announced_at": [before and before.isoformat(), announced_at.isoformat()]})  # fmt: skip
    return track


@transaction.atomic
def track_assurance_change(*, actor: Any, track: Track, min_assurance_level: int) -> Track:
    """Set which login the period asks for (BundID trust level). Drafts stay; submitting checks the level then."""
    procedure = track.round.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    before = track.min_assurance_level
    track.min_assurance_level = int(min_assurance_level)
    track.full_clean(validate_unique=False, validate_constraints=False)
    track.save(update_fields=["min_assurance_level"])
    if before != track.min_assurance_level:
        _audit(actor, "track.assurance", track, procedure, {"min_assurance_level": [before, track.min_assurance_level]})
    return track


@transaction.atomic
def track_delete(*, actor: Any, track: Track) -> None:
    """Delete a period nobody took part in and no document hangs on; the module phase goes with it."""
    procedure = track.round.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    dependants = track_dependants(track)
    reasons = []
    if dependants["statements"]:
        reasons.append(
            _("Zu dieser Frist sind %(count)s Stellungnahmen eingegangen.") % {"count": dependants["statements"]}
        )
    if dependants["drafts"] or dependants["unconfirmed"]:
        reasons.append(_("Zu dieser Frist gibt es %(count)s Entwürfe oder unbestätigte Stellungnahmen.")
                       % {"count": dependants["drafts"] + dependants["unconfirmed"]})  # fmt: skip
    if dependants["documents"]:
        reasons.append(_("Mit dieser Frist werden %(count)s Unterlagen veröffentlicht; löschen Sie diese zuerst oder "
                         "ordnen Sie sie einer anderen Frist zu.") % {"count": dependants["documents"]})  # fmt: skip
    if reasons:
        raise ValidationError([_("Die Frist kann nicht gelöscht werden."), *reasons])
    _audit(actor, "track.delete", track, procedure, {"start": track.start.isoformat(), "end": track.end.isoformat()})
    project_services.phase_remove(actor=actor, phase=track.phase)  # the track goes with its phase


# Documents


@transaction.atomic
def document_withdraw(*, actor: Any, document: Document, reason: str) -> Document:
    """Withdraw a document: it stays retrievable, marked as withdrawn with the reason."""
    procedure = document.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    reason = reason.strip()
    if document.withdrawn_at is not None:
        raise ValidationError(_("Diese Unterlage ist bereits zurückgezogen."))
    if document.superseded_by_id:
        raise ValidationError(_("Diese Fassung wurde bereits ersetzt; ziehen Sie die aktuelle Fassung zurück."))
    if not reason:
        raise ValidationError({"reason": _("Bitte begründen Sie, warum die Unterlage zurückgezogen wird. "
                                           "Die Begründung wird mit der Unterlage angezeigt.")})  # fmt: skip
    document.withdrawn_at = timezone.now()
    document.withdrawal_reason = reason
    document.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    public = document.is_public
    _audit(actor, "document.withdraw", document, procedure, {"reason": reason, "public": public})
    if public and statements_exist(procedure):
        mark_renewal_required(actor, procedure, _("Die öffentliche Unterlage „%(title)s“ wurde zurückgezogen: %(reason)s")
                      % {"title": document.title, "reason": reason})  # fmt: skip
    return document


@transaction.atomic
def document_delete(*, actor: Any, document: Document) -> None:
    """Delete a document nobody could see yet; public ones are withdrawn instead, so the record stays."""
    procedure = document.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    if document.is_public:
        raise ValidationError(_(
            "Diese Unterlage ist bereits veröffentlicht und kann nicht gelöscht werden. Ziehen Sie sie mit einer "
            "Begründung zurück oder ersetzen Sie sie durch eine neue Fassung; frühere Fassungen bleiben abrufbar."
        ))  # fmt: skip
    if Document.objects.filter(superseded_by=document).exists() or document.superseded_by_id:
        raise ValidationError(_("Diese Unterlage gehört zu einer Reihe von Fassungen und kann nicht gelöscht werden."))
    if Statement.objects.filter(section__document=document).exists():
        raise ValidationError(_("Stellungnahmen beziehen sich auf Abschnitte dieser Unterlage; sie kann nicht "
                                "gelöscht werden."))  # fmt: skip
    _audit(actor, "document.delete", document, procedure, {"sha256": document.sha256, "title": document.title})
    file = document.file
    document.delete()
    transaction.on_commit(lambda: file.delete(save=False))


def _swap(items: list[Any], index: int, direction: str) -> list[Any]:
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(items):
        raise ValidationError(_("Dieser Eintrag steht bereits am Anfang oder am Ende."))
    items[index], items[target] = items[target], items[index]
    return items


@transaction.atomic
def document_move(*, actor: Any, document: Document, direction: str) -> None:
    """Move a document one place up or down among the current documents."""
    procedure = document.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    items = list(Document.objects.current().filter(procedure=procedure).select_for_update().order_by("weight", "id"))
    index = next((i for i, item in enumerate(items) if item.pk == document.pk), None)
    if index is None:
        raise ValidationError(_("Nur aktuelle Unterlagen lassen sich verschieben."))
    for weight, item in enumerate(_swap(items, index, direction)):
        if item.weight != weight:
            Document.objects.filter(pk=item.pk).update(weight=weight)
    _audit(actor, "document.move", document, procedure, {"direction": direction})


@transaction.atomic
def section_move(*, actor: Any, section: DocumentSection, direction: str) -> None:
    """Move a table-of-contents entry one place up or down."""
    procedure = section.document.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    items = list(DocumentSection.objects.filter(document=section.document).select_for_update().order_by("weight", "id"))
    index = next(i for i, item in enumerate(items) if item.pk == section.pk)
    for weight, item in enumerate(_swap(items, index, direction)):
        if item.weight != weight:
            DocumentSection.objects.filter(pk=item.pk).update(weight=weight)
    _audit(
        actor, "document.section_move", section.document, procedure, {"section": str(section), "direction": direction}
    )


# The published Abwägung


def results_publish_problems(procedure: Procedure, now: datetime | None = None) -> list[str]:
    """Why the Abwägung can not be published yet (empty if it can)."""
    from .models import Segment, StatementStatus

    now = now or timezone.now()
    problems = []
    open_tracks = [
        track for track in Track.objects.with_phase().filter(round__procedure=procedure) if track.is_open(now)
    ]
    if open_tracks:
        problems.append(_("Eine Frist läuft noch (%(track)s). Das Ergebnis der Abwägung wird erst nach Fristende "
                          "veröffentlicht.") % {"track": open_tracks[0]})  # fmt: skip
    if not Segment.objects.filter(statement__procedure=procedure, status=StatementStatus.RELEASED).exists():
        problems.append(_("Es ist noch kein Abschnitt freigegeben. Veröffentlicht werden nur freigegebene Abschnitte."))
    return problems


@transaction.atomic
def results_publish(*, actor: Any, procedure: Procedure) -> Procedure:
    require(actor, "formal.manage_procedure", procedure.module)
    procedure = (
        Procedure.objects.select_for_update().select_related("module__project__organisation").get(pk=procedure.pk)
    )
    problems = results_publish_problems(procedure)
    if problems:
        raise ValidationError(problems)
    procedure.results_published_at = timezone.now()
    procedure.results_published_by = actor
    procedure.save(update_fields=["results_published_at", "results_published_by"])
    _audit(actor, "abwaegung.publish", procedure, procedure)
    return procedure


@transaction.atomic
def results_unpublish(*, actor: Any, procedure: Procedure, reason: str) -> Procedure:
    require(actor, "formal.manage_procedure", procedure.module)
    if not reason.strip():
        raise ValidationError({"reason": _("Bitte begründen Sie, warum die Veröffentlichung zurückgenommen wird.")})
    Procedure.objects.filter(pk=procedure.pk).update(results_published_at=None, results_published_by=None)
    procedure.results_published_at = None
    _audit(actor, "abwaegung.unpublish", procedure, procedure, {"reason": reason.strip()})
    return procedure


def results_visible(procedure: Procedure, now: datetime | None = None) -> bool:
    """The public sees the Abwägung only once staff published it, and never while a period runs."""
    if procedure.results_published_at is None:
        return False
    now = now or timezone.now()
    return not any(track.is_open(now) for track in Track.objects.with_phase().filter(round__procedure=procedure))
