"""XBeteiligung as an exchange: messages in, procedures created and kept current, replies out.

Every incoming message is recorded in the addressed organisation's inbox (``ExchangeMessage``), whatever
becomes of it, and answered with the reply the standard defines (0411/0421, 0412/0422, 0311/0321 …):

- **Routing.** The reader (``leser``) of the header names the organisation: its AGS or its directory id. A
  message for an organisation the user cannot manage is refused; one for an address the portal does not know
  is parked for the portal administrators, who assign it (``assign_parked``).
- **Once only.** A message id that was processed (or parked) is answered with the first reply again and
  changes nothing. Failed attempts may be sent again with the same id.
- **All or nothing.** A message is carried out in one transaction; when anything is refused (a period the
  law or the running procedure does not allow, a document whose hash does not match), nothing of it stays,
  and the reply says why.

``receive`` is the one entry; the back office upload, the API and the parked-message assignment use it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q

from mitwirken.core.audit import log_action
from mitwirken.organisations.models import Organisation
from mitwirken.projects import services as project_services
from mitwirken.projects.models import Project

from . import editing, services
from .models import (
    Document,
    ExchangeMessage,
    ExchangeStatus,
    ImportedPlan,
    LinkedDocument,
    Procedure,
    Round,
    Track,
)
from .received_documents import fetch_linked_document, hash_matches, host_allowed
from .xbeteiligung import (
    HANDLED,
    REFUSED,
    Authority,
    Header,
    IncomingBlock,
    IncomingDocument,
    IncomingPlan,
    MessageInvalid,
    organisation_authority,
    parse_message,
    read_header,
    read_plan,
    reply_message,
)

PROCESSED_ONCE = (ExchangeStatus.PROCESSED, ExchangeStatus.PARKED)
# Larger messages (documents inline) are refused before they are read: the same limit for upload and API.
MAX_MESSAGE_BYTES = 20 * 1024 * 1024


@dataclass
class Outcome:
    """What became of an incoming message. ``problem`` says why it was not carried out."""

    message: ExchangeMessage
    reply: ExchangeMessage | None = None
    procedure: Procedure | None = None
    created: bool = False
    repeated: bool = False
    problem: str = ""  # "invalid", "forbidden", "not_found", "conflict", "unsupported", "parked"
    errors: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.message.status == ExchangeStatus.PROCESSED

    @property
    def summary(self) -> str:
        if self.repeated:
            return "Diese Nachricht wurde bereits verarbeitet; sie ändert nichts mehr."
        if self.problem == "parked":
            return "Der Empfänger der Nachricht ist im Portal unbekannt; die Portal-Administration ordnet sie zu."
        if self.accepted:
            return "Das Verfahren wurde angelegt." if self.created else "Das Verfahren wurde aktualisiert."
        return "Die Nachricht wurde nicht übernommen."


class Refused(Exception):
    """The message is valid but cannot be carried out; ``problem`` classifies, ``errors`` explain in German."""

    def __init__(self, problem: str, *errors: str, faulty: list[tuple[str, str]] | None = None) -> None:
        self.problem, self.errors, self.faulty = problem, errors, faulty or []
        super().__init__(" ".join(errors))


def portal_authority() -> Authority:
    """The portal itself as a message author, where no organisation can speak (an unknown addressee)."""
    configured = getattr(settings, "XBETEILIGUNG_PORTAL", None) or {}
    return Authority(name=configured.get("name", "mitwirken Beteiligungsportal"),
                     kennung=configured.get("kennung", "mitwirken"))  # fmt: skip


def addressee(reader: Authority) -> Organisation | None:
    """The organisation a message is for: its AGS or its key in the directory service."""
    key = reader.kennung.strip()
    if not key:
        return None
    return Organisation.objects.filter(Q(ags=key) | Q(directory_id=key)).order_by("pk").first()


# Entry


def receive(
    xml_bytes: bytes, *, actor: Any, organisation: Organisation | None = None, project: Project | None = None,
    assign_to: Organisation | None = None, parked: ExchangeMessage | None = None,
) -> Outcome:  # fmt: skip
    """Record, route, carry out and answer one incoming message.

    ``organisation`` is where the user sent it from (the back office of that organisation, or the API
    client's organisation): a message addressed elsewhere is refused. ``project`` makes a new procedure
    land in that project instead of a new one. ``assign_to`` and ``parked`` are for the administrators'
    assignment of a parked message.
    """
    payload = xml_bytes.decode("utf-8", errors="replace")
    try:
        root = parse_message(xml_bytes)
    except MessageInvalid as error:
        record = _record(payload, actor=actor, organisation=organisation, status=ExchangeStatus.FAILED,
                         reason=str(error))  # fmt: skip
        return Outcome(record, problem="invalid", errors=(str(error).splitlines()[0], *error.errors))
    header = read_header(root)
    earlier = _processed(header.message_id)
    if earlier is not None and earlier != parked:
        return Outcome(earlier, reply=earlier.replies.order_by("pk").first(), procedure=earlier.procedure,
                       repeated=True)  # fmt: skip
    target = assign_to or addressee(header.reader)
    if target is None:
        if organisation is None or header.reader.kennung.strip() not in _portal_keys():
            record = _record(
                payload,
                actor=actor,
                organisation=None,
                header=header,
                status=ExchangeStatus.PARKED,
                reason=f"Unbekannter Empfänger „{header.reader.kennung}“ ({header.reader.name}).",
            )
            return Outcome(record, problem="parked")  # fmt: skip
        target = organisation  # addressed to the portal as such, sent from an organisation's own back office
    try:
        if organisation is not None and target.pk != organisation.pk:
            raise Refused(
                "forbidden", f"Die Nachricht ist an „{target.name}“ gerichtet, nicht an „{organisation.name}“."
            )
        if header.message_type in REFUSED:
            raise Refused("unsupported", "Verfahren werden über XBeteiligung nicht gelöscht. Bitte wenden Sie sich "
                                         "an die verfahrensführende Stelle.")  # fmt: skip
        if header.message_type not in HANDLED:
            raise Refused("unsupported", f"Die Nachricht „{header.message_type}“ wird hier nicht verarbeitet. "
                                         f"Verarbeitet werden: {', '.join(HANDLED)}.")  # fmt: skip
        plan = read_plan(root)
        with transaction.atomic():
            procedure, created = _carry_out(plan, actor=actor, organisation=target, project=project)
            record = _record(payload, actor=actor, organisation=target, header=header, procedure=procedure,
                             status=ExchangeStatus.PROCESSED, existing=parked)  # fmt: skip
            reply = _reply(record, plan=plan, procedure=procedure, ok=True)
        return Outcome(record, reply=reply, procedure=procedure, created=created)
    except IntegrityError:
        # The same message arrived twice at once: the other request carried it out.
        earlier = _processed(header.message_id)
        if earlier is None:
            raise
        return Outcome(earlier, reply=earlier.replies.order_by("pk").first(), procedure=earlier.procedure,
                       repeated=True)  # fmt: skip
    except (Refused, MessageInvalid, ValidationError, PermissionDenied) as error:
        problem, errors, faulty = _explain(error)
        record = _record(payload, actor=actor, organisation=target, header=header, status=ExchangeStatus.FAILED,
                         reason="\n".join(errors), existing=parked)  # fmt: skip
        reply = _reply(record, plan=None, procedure=None, ok=False, root=root, errors=errors, faulty=faulty)
        return Outcome(record, reply=reply, problem=problem, errors=tuple(errors))


def assign_parked(*, actor: Any, message: ExchangeMessage, organisation: Organisation) -> Outcome:
    """A portal administrator names the organisation of a parked message; it is then carried out for it."""
    if not actor.has_perm("organisations.add_organisation"):  # portal administrators only
        raise PermissionDenied
    if message.status != ExchangeStatus.PARKED:
        raise ValidationError("Diese Nachricht wartet nicht auf eine Zuordnung.")
    outcome = receive(message.payload.encode(), actor=actor, assign_to=organisation, parked=message)
    log_action(actor=actor, action="xbeteiligung.assign", obj=message, organisation=organisation,
               changes={"status": outcome.message.status})  # fmt: skip
    return outcome


def _portal_keys() -> set[str]:
    return {portal_authority().kennung}


def _processed(message_id: str) -> ExchangeMessage | None:
    if not message_id:
        return None
    return (
        ExchangeMessage.objects.incoming().filter(message_id=message_id, status__in=PROCESSED_ONCE)
        .select_related("procedure").first()
    )  # fmt: skip


def _explain(error: Exception) -> tuple[str, list[str], list[tuple[str, str]]]:
    if isinstance(error, Refused):
        return error.problem, list(error.errors), error.faulty
    if isinstance(error, PermissionDenied):
        return "forbidden", ["Sie dürfen für diese Organisation keine Verfahren anlegen oder ändern."], []
    if isinstance(error, ValidationError):
        return "conflict", list(error.messages), []
    errors = getattr(error, "errors", [])
    return "invalid", [str(error).splitlines()[0], *errors], []


def _record(
    payload: str, *, actor: Any, organisation: Organisation | None, status: str, header: Header | None = None,
    procedure: Procedure | None = None, reason: str = "", existing: ExchangeMessage | None = None,
) -> ExchangeMessage:  # fmt: skip
    """The incoming message in the inbox (a parked one is updated in place when it is assigned)."""
    record = existing or ExchangeMessage(direction=ExchangeMessage.Direction.IN, payload=payload)
    record.organisation = organisation
    record.status = status
    record.reason = reason
    record.procedure = procedure
    record.created_by = actor if getattr(actor, "is_authenticated", False) else record.created_by
    if header is not None:
        record.message_type = header.message_type
        record.message_id = header.message_id
        record.author_id, record.author_name = header.author.kennung, header.author.name
        record.reader_id, record.reader_name = header.reader.kennung, header.reader.name
    elif not record.message_type:
        record.message_type = "unbekannt"
    record.save()
    return record


def _reply(
    incoming: ExchangeMessage, *, plan: IncomingPlan | None, procedure: Procedure | None, ok: bool, root: Any = None,
    errors: list[str] | None = None, faulty: list[tuple[str, str]] | None = None,
) -> ExchangeMessage | None:  # fmt: skip
    """The standard's reply to ``incoming``, written to the outbox; None where the standard defines none."""
    message_type = incoming.message_type
    if message_type in HANDLED:
        reply_type = HANDLED[message_type].ok if ok else HANDLED[message_type].not_ok
    elif message_type in REFUSED:
        reply_type = REFUSED[message_type]
    else:
        return None
    if plan is None:
        plan_id, vorgang_id, participation_id = _ids_of(root)
    else:
        plan_id, vorgang_id = plan.plan_id, plan.vorgang_id
        participation_id = next((block.participation_id for block in plan.blocks if block.participation_id), "")
    sender = organisation_authority(incoming.organisation) if incoming.organisation else portal_authority()
    receiver = Authority(name=incoming.author_name, kennung=incoming.author_id)
    xml = reply_message(
        reply_type, sender=sender, receiver=receiver, vorgang_id=vorgang_id, plan_id=plan_id,
        participation_id=participation_id, errors=errors or [], faulty_documents=faulty or [],
    )  # fmt: skip
    return ExchangeMessage.objects.create(
        organisation=incoming.organisation, direction=ExchangeMessage.Direction.OUT, message_type=reply_type,
        message_id=_message_id(xml), status=ExchangeStatus.SENT, payload=xml.decode(), procedure=procedure,
        reply_to=incoming, author_id=sender.kennung, author_name=sender.name, reader_id=receiver.kennung,
        reader_name=receiver.name, reason="\n".join(errors or []),
    )  # fmt: skip


def _ids_of(root: Any) -> tuple[str, str, str]:
    """(planID, vorgangsID, beteiligungsID) of a message that could not be read as a plan."""
    from .xbeteiligung import _text

    if root is None:
        return "", "", ""

    def first(*paths: str) -> str:
        return next((found for path in paths if (found := _text(root, f"x:nachrichteninhalt/{path}"))), "")

    # Creating and updating messages carry the ids inside «beteiligung»; deleting ones directly in the content.
    return (
        first("x:beteiligung/x:planID", "x:planID"),
        first("x:vorgangsID"),
        first("x:beteiligung/x:beteiligungOeffentlichkeit/x:beteiligungsID",
              "x:beteiligung/x:beteiligungTOEB/x:beteiligungsID", "x:beteiligungsID"),
    )  # fmt: skip


def _message_id(xml: bytes) -> str:
    from lxml import etree

    from .xbeteiligung import G2G

    return str(etree.fromstring(xml).findtext(f".//{{{G2G}}}nachrichtenUUID") or "")


# Carrying out


def _carry_out(
    plan: IncomingPlan, *, actor: Any, organisation: Organisation, project: Project | None
) -> tuple[Procedure, bool]:
    if plan.creates:
        return _create(plan, actor=actor, organisation=organisation, project=project), True
    return _update(plan, actor=actor, organisation=organisation), False


def _reason(plan: IncomingPlan) -> str:
    return f"Übernommen aus XBeteiligung-Nachricht {plan.header.message_id} ({plan.header.author.name})"


def _plans_of(organisation: Organisation) -> Any:
    return ImportedPlan.objects.filter(procedure__module__project__organisation=organisation)


def _create(plan: IncomingPlan, *, actor: Any, organisation: Organisation, project: Project | None) -> Procedure:
    if _plans_of(organisation).filter(plan_id=plan.plan_id).exists():
        raise Refused("conflict", f"Für den Plan „{plan.plan_id}“ gibt es hier bereits ein Verfahren. Änderungen "
                                  f"werden mit der Aktualisierungsnachricht (0302/0402) übermittelt.")  # fmt: skip
    if project is None:
        project = project_services.project_create(
            actor=actor, organisation=organisation, title=plan.plan_name[:200],
            summary=(plan.planning_reason or plan.area_description or plan.plan_name)[:500],
            location=plan.area, location_label=plan.area_description[:200],
        )  # fmt: skip
    elif plan.area and not project.location:
        project_services.project_update(actor=actor, project=project, location=plan.area)
    procedure = services.procedure_create(actor=actor, project=project, procedure_type=plan.procedure_type,
                                          name=(plan.plan_name or plan.plan_id)[:200])  # fmt: skip
    ImportedPlan.objects.create(procedure=procedure, **_plan_fields(plan))
    changes = _apply_blocks(plan, actor=actor, procedure=procedure)
    log_action(actor=actor, action="procedure.xbeteiligung_import", obj=procedure, organisation=organisation,
               changes={"message_type": plan.header.message_type, "message_id": plan.header.message_id,
                        "vorgangsID": plan.vorgang_id, "planID": plan.plan_id, **changes})  # fmt: skip
    return procedure


def _plan_fields(plan: IncomingPlan) -> dict[str, Any]:
    header = plan.header
    return {
        "family": plan.family, "plan_id": plan.plan_id, "vorgang_id": plan.vorgang_id,
        "sender_id": header.author.kennung, "sender_name": header.author.name[:300],
        "sender_directory": header.author.verzeichnisdienst[:40], "sender_email": header.author.email[:300],
        "initiator": plan.initiator[:300], "plan_name": plan.plan_name[:500], "working_title": plan.working_title[:500],
        "plan_type": plan.plan_type[:100], "stage": plan.stage.code, "planning_reason": plan.planning_reason,
        "area_description": plan.area_description, "boundary_url": plan.boundary_url[:1000],
        "participation_url": plan.participation_url[:1000],
    }  # fmt: skip


def _find_procedure(plan: IncomingPlan, organisation: Organisation) -> Procedure | None:
    """The procedure an update is for: by the sender's beteiligungsID, then by its planID."""
    ids = [block.participation_id for block in plan.blocks if block.participation_id]
    scope = Q(round__procedure__module__project__organisation=organisation)
    track = Track.objects.filter(scope, external_id__in=ids).select_related("round__procedure").first() if ids else None
    if track is not None:
        return track.round.procedure
    imported = _plans_of(organisation).filter(plan_id=plan.plan_id).select_related("procedure").first()
    return imported.procedure if imported else None


def _update(plan: IncomingPlan, *, actor: Any, organisation: Organisation) -> Procedure:
    procedure = _find_procedure(plan, organisation)
    if procedure is None:
        ids = ", ".join(block.participation_id for block in plan.blocks if block.participation_id) or "–"
        raise Refused("not_found", f"Zu dieser Nachricht gibt es hier kein Verfahren (beteiligungsID {ids}, "
                                   f"planID {plan.plan_id}). Zuerst muss die Initiierungsnachricht (0301/0401) "
                                   f"eingehen.")  # fmt: skip
    procedure = Procedure.objects.select_related("module__project__organisation").get(pk=procedure.pk)
    if not actor.has_perm("formal.manage_procedure", procedure.module):
        raise PermissionDenied
    imported, _created = ImportedPlan.objects.get_or_create(procedure=procedure, defaults=_plan_fields(plan))
    before = {name: getattr(imported, name) for name in _plan_fields(plan)}
    for name, value in _plan_fields(plan).items():
        setattr(imported, name, value)
    imported.save()
    changes: dict[str, Any] = {
        name: [before[name], getattr(imported, name)] for name in before if before[name] != getattr(imported, name)
    }
    if plan.plan_name and plan.plan_name[:200] != procedure.module.name:
        project_services.module_update(actor=actor, module=procedure.module, name=plan.plan_name[:200],
                                       description=procedure.module.description)  # fmt: skip
    project = procedure.module.project
    if plan.area and plan.area != project.location:
        project_services.project_update(actor=actor, project=project, location=plan.area)
        changes["area"] = "geändert"
    changes.update(_apply_blocks(plan, actor=actor, procedure=procedure))
    log_action(actor=actor, action="procedure.xbeteiligung_update", obj=procedure, organisation=organisation,
               changes={"message_id": plan.header.message_id, **changes})  # fmt: skip
    return procedure


def _apply_blocks(plan: IncomingPlan, *, actor: Any, procedure: Procedure) -> dict[str, Any]:
    """Periods, notices and documents of every block; what changed, for the audit log and the announcement."""
    reason = _reason(plan)
    summary: dict[str, Any] = {"periods": [], "documents": []}
    news: list[str] = []
    for block in plan.blocks:
        track = _track_for(procedure, block)
        if block.round_kind is not None:
            if track is None:
                track = _open_period(procedure, block, actor=actor, reason=reason)
                summary["periods"].append(f"{track}: neu")
            else:
                changed = _move_period(track, block, actor=actor, reason=reason)
                if changed:
                    summary["periods"].append(f"{track}: {changed}")
                    if "verlängert" in changed and block.audience == "public":
                        news.append(f"Die Frist „{track}“ wurde verlängert bis {block.last_day:%d.%m.%Y}.")
        if track is not None:
            track.step_code = block.step.code
            track.external_id = block.participation_id or track.external_id
            track.external_round = block.durchgang
            track.notices = list(block.notices)
            track.documents_from, track.documents_until = block.published or (None, None)
            track.save(update_fields=["step_code", "external_id", "external_round", "notices", "documents_from",
                                      "documents_until"])  # fmt: skip
        added = _take_documents(procedure, block, track, actor=actor, reason=reason)
        summary["documents"].extend(added)
        if added and block.audience == "public" and track is not None:
            news.append(f"Neue Unterlagen: {', '.join(added)}.")
    summary["documents"].extend(_publish_waiting(procedure, actor=actor, reason=reason))
    if news and not plan.creates:
        _announce(procedure, news)
    return {key: value for key, value in summary.items() if value}


def _track_for(procedure: Procedure, block: IncomingBlock) -> Track | None:
    tracks = list(Track.objects.filter(round__procedure=procedure, audience=block.audience).select_related(
        "phase", "round"))  # fmt: skip
    if block.participation_id:
        for track in tracks:
            if track.external_id == block.participation_id and track.external_round in (None, block.durchgang):
                return track
    kind = block.round_kind
    for track in tracks:
        if track.external_round == block.durchgang and (kind is None or track.round.kind == kind):
            return track
    if kind is None:  # a step after the periods (evaluation, decision): the latest period of the audience
        return tracks[-1] if tracks else None
    return None


def _open_period(procedure: Procedure, block: IncomingBlock, *, actor: Any, reason: str) -> Track:
    kind = str(block.round_kind)
    round_ = Round.objects.filter(procedure=procedure, kind=kind).exclude(
        tracks__audience=block.audience).order_by("number").first()  # fmt: skip
    if round_ is None:
        round_ = services.round_add(actor=actor, procedure=procedure, kind=kind)
    announced_at = services.berlin_day_start(block.announced_on) if block.announced_on else None
    track = services.track_add(
        actor=actor, round=round_, audience=block.audience, first_day=block.first_day, last_day=block.last_day,
        announced_at=announced_at, override_reason=reason,
    )  # fmt: skip
    track.round.procedure = procedure
    return track


def _move_period(track: Track, block: IncomingBlock, *, actor: Any, reason: str) -> str:
    """Move the period as the message says; returns what changed ("" when nothing)."""
    if (track.start, track.end) == services.period_bounds(block.first_day, block.last_day):
        return ""
    announced_at = services.berlin_day_start(block.announced_on) if block.announced_on else track.announced_at
    change = editing.track_change(
        actor=actor, track=track, first_day=block.first_day, last_day=block.last_day, announced_at=announced_at,
        override_reason=reason, change_reason=reason,
    )  # fmt: skip
    if change.extended:
        return f"verlängert bis {block.last_day:%d.%m.%Y}"
    if change.shortened:
        return f"verkürzt bis {block.last_day:%d.%m.%Y}"
    return f"verschoben auf {block.first_day:%d.%m.%Y}–{block.last_day:%d.%m.%Y}"


# Documents


def _file_name(document: IncomingDocument) -> str:
    return (document.title or document.document_id or "Anlage")[:200]


def _take_documents(
    procedure: Procedure, block: IncomingBlock, track: Track | None, *, actor: Any, reason: str
) -> list[str]:
    """Store what came inline (hash checked), list links and missing files; returns the titles added."""
    added, faulty = [], []
    known = {link.external_id: link for link in LinkedDocument.objects.filter(procedure=procedure).exclude(
        external_id="").select_related("document").order_by("pk")}  # fmt: skip
    for incoming in block.documents:
        earlier = known.get(incoming.document_id) if incoming.document_id else None
        if incoming.content is not None:
            if incoming.hash_value and not hash_matches(incoming.hash_value, incoming.content):
                faulty.append((incoming.document_id, f"Die Prüfsumme der Anlage „{incoming.title}“ stimmt nicht mit "
                                                     f"ihrem Inhalt überein."))  # fmt: skip
                continue
            digest = hashlib.sha256(incoming.content).hexdigest()
            if earlier is not None and earlier.sha256 == digest:
                continue
            link = LinkedDocument(procedure=procedure, track=track, external_id=incoming.document_id,
                                  title=incoming.title[:500], content_type=incoming.content_type[:120], sha256=digest,
                                  size=len(incoming.content), audience=block.audience)  # fmt: skip
            if track is None:
                link.state = LinkedDocument.State.WAITING
                link.file.save(f"{digest[:16]}", ContentFile(incoming.content), save=False)
            else:
                link.document = _publish(
                    procedure,
                    track,
                    incoming.title,
                    incoming.content,
                    incoming.content_type,
                    actor=actor,
                    reason=reason,
                    replaces=earlier.document if earlier else None,
                )
                link.state = LinkedDocument.State.FETCHED
            link.save()
            added.append(incoming.title)
        elif earlier is None or (incoming.url and earlier.url != incoming.url):
            link = LinkedDocument.objects.create(
                procedure=procedure, track=track, external_id=incoming.document_id, title=incoming.title[:500],
                url=incoming.url[:2000], content_type=incoming.content_type[:120], size=incoming.size,
                sha256=incoming.hash_value[:64], audience=block.audience,
                state=LinkedDocument.State.LINKED if incoming.url else LinkedDocument.State.MISSING,
            )  # fmt: skip
            if incoming.url and track is not None and host_allowed(incoming.url):
                transaction.on_commit(partial(fetch_linked_document.enqueue, link.pk, actor.pk))
            added.append(incoming.title)
    if faulty:
        raise Refused("invalid", "Mindestens eine Anlage ist fehlerhaft.", faulty=faulty)
    return added


def _publish(
    procedure: Procedure, track: Track, title: str, content: bytes, content_type: str, *, actor: Any, reason: str,
    replaces: Document | None = None,
) -> Document:  # fmt: skip
    upload = SimpleUploadedFile(
        title[:100] or "Anlage", content, content_type=content_type or "application/octet-stream"
    )
    if replaces is not None and (replaces.superseded_by_id or replaces.withdrawn_at):
        replaces = None
    try:
        return services.document_add(actor=actor, procedure=procedure, track=track, title=title[:250], upload=upload,
                                     replaces=replaces, change_note=reason if replaces else "")  # fmt: skip
    except ValidationError as error:
        raise Refused("invalid", f"Die Anlage „{title}“ kann nicht übernommen werden: {' '.join(error.messages)}",
                      faulty=[("", " ".join(error.messages))]) from None  # fmt: skip


def _publish_waiting(procedure: Procedure, *, actor: Any, reason: str) -> list[str]:
    """Documents received before a period of their audience existed are published once it does."""
    published = []
    for link in LinkedDocument.objects.filter(procedure=procedure, state=LinkedDocument.State.WAITING):
        track = Track.objects.filter(round__procedure=procedure, audience=link.audience).order_by(
            "-round__number").first()  # fmt: skip
        if track is None:
            continue
        with link.file.open("rb") as stored:
            content = stored.read()
        link.document = _publish(procedure, track, link.title, content, link.content_type, actor=actor, reason=reason)
        link.track, link.state = track, LinkedDocument.State.FETCHED
        link.file.delete(save=False)
        link.save()
        published.append(link.title)
    return published


def _announce(procedure: Procedure, news: list[str]) -> None:
    """Followers of the project hear of what changed for the public (longer periods, new documents)."""
    from mitwirken.participation.models import Follow
    from mitwirken.participation.notifications import tell

    project = procedure.module.project
    people = {follow.user: follow.frequency for follow in Follow.objects.filter(project=project).select_related("user")}
    if people:
        title = f"Aktualisiert: {procedure.module.name}"
        url = project.get_absolute_url()
        body = " ".join(news)
        transaction.on_commit(lambda: tell(people, title=title, url=url, body=body))


def import_procedure(xml_bytes: bytes, *, actor: Any, project: Project) -> Procedure:
    """Create a procedure in ``project`` from a 0301 or 0401 message; ``MessageInvalid`` if it is not carried out.

    For callers that want an exception rather than a reply (management commands, demo data).
    """
    outcome = receive(xml_bytes, actor=actor, organisation=project.organisation, project=project)
    if outcome.procedure is None or not outcome.accepted:
        raise MessageInvalid(outcome.summary, list(outcome.errors))
    return outcome.procedure
