"""XBeteiligung over the API: 0701 statements out, 0301/0401 procedures in (staff with a second factor)."""

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from mitwirken.api.api import BoundedPagination
from mitwirken.api.auth import API_AUTH, api_client_of, require_scope
from mitwirken.api.schemas import BadRequestOut, ErrorOut, ExchangeOut
from mitwirken.core.audit import log_action
from mitwirken.core.ids import parse_id
from mitwirken.organisations.models import Organisation
from mitwirken.projects.models import Project

from . import exchange, xbeteiligung
from .models import ExchangeMessage, ExchangeStatus, Procedure, Statement

router = Router()
# The API clients' scopes of this module, registered with the plugin (apps.py).
IMPORT_SCOPE, EXPORT_SCOPE = "xbeteiligung.import", "xbeteiligung.export"


def _staff_procedure(request: HttpRequest, org_slug: str, project_pk: int, module_pk: int) -> Any:
    """A procedure for a staff session confirmed with the second factor; 404 for everyone else."""
    if parse_id(project_pk) is None or parse_id(module_pk) is None:
        raise Http404
    procedure = (
        Procedure.objects.select_related("module__project__organisation")
        .filter(module__pk=module_pk, module__project__pk=project_pk, module__project__organisation__slug=org_slug)
        .first()
    )
    if procedure is None or not request.user.has_perm("formal.manage_procedure", procedure.module):
        raise Http404
    return procedure


@router.get("/procedures/{org_slug}/{project_pk}/{module_pk}/statements/{reference}.xml", tags=["XBeteiligung"],
         auth=API_AUTH, response={200: None, 400: BadRequestOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut})  # fmt: skip
def statement_0701(request: HttpRequest, org_slug: str, project_pk: int, module_pk: int, reference: str) -> Any:
    """One statement as allgemein.stellungnahme.Neuabgegeben.0701 (staff of the running organisation only)."""
    require_scope(request, EXPORT_SCOPE)
    procedure = _staff_procedure(request, org_slug, project_pk, module_pk)
    statement = (
        Statement.objects.select_related("track__phase", "track__round", "section")
        .filter(procedure=procedure, reference=reference)
        .first()
    )
    if statement is None:
        return Status(404, {"detail": "Not Found"})
    statement.procedure = statement.track.round.procedure = procedure
    log_action(
        actor=request.user,
        action="xbeteiligung.export",
        obj=statement,
        organisation=procedure.module.project.organisation,
    )
    return HttpResponse(xbeteiligung.statement_message(statement), content_type="application/xml; charset=utf-8")


# Status codes of the outcome's problems; the body always says what happened and carries the reply message.
OUTCOME_STATUS = {"invalid": 400, "forbidden": 403, "not_found": 404, "conflict": 409, "unsupported": 422,
                  "parked": 202}  # fmt: skip
# 403 also answers a refused CSRF check or a missing second factor, with only a detail.
EXCHANGE_RESPONSES: dict[int, Any] = dict.fromkeys((200, 201, 202, 404, 409, 422), ExchangeOut) | {
    400: ExchangeOut | ErrorOut,
    401: ErrorOut,
    403: ExchangeOut | ErrorOut,
    429: ErrorOut,
}


def _exchange_response(outcome: exchange.Outcome) -> Any:
    procedure = outcome.procedure
    body = {
        "status": outcome.message.status, "summary": outcome.summary, "message_id": outcome.message.message_id,
        "errors": list(outcome.errors), "repeated": outcome.repeated,
        "procedure": procedure.module.pk if procedure else None,
        "procedure_type": procedure.procedure_type if procedure else None,
        "rounds": procedure.rounds.count() if procedure else None,
        "reply_type": outcome.reply.message_type if outcome.reply else None,
        "reply": outcome.reply.payload if outcome.reply else None,
    }  # fmt: skip
    if outcome.problem:
        return Status(OUTCOME_STATUS[outcome.problem], body)
    return Status(201 if outcome.created else 200, body)


def _message_bytes(message: UploadedFile) -> bytes:
    """The uploaded message, unless it is larger than a message may be (read into memory only then)."""
    if message.size is not None and message.size > exchange.MAX_MESSAGE_BYTES:
        raise HttpError(400, "Die Nachricht ist zu groß (höchstens 20 MB).")
    return bytes(message.read())


def _client_organisation(request: HttpRequest) -> Any:
    """An API client speaks for its organisation only; a person's session may send for any it manages."""
    client = api_client_of(request)
    return client.organisation if client is not None else None


@router.post("/xbeteiligung/messages", tags=["XBeteiligung"], auth=API_AUTH,
             response=EXCHANGE_RESPONSES)  # fmt: skip
def receive_message(request: HttpRequest, message: File[UploadedFile]) -> Any:
    """Send a message (0301/0302, 0401/0402) to the portal. The addressee (leser: AGS or directory id) selects
    the organisation; a new procedure gets its own project. Answered with the standard's reply."""
    require_scope(request, IMPORT_SCOPE)
    outcome = exchange.receive(_message_bytes(message), actor=request.user,
                               organisation=_client_organisation(request))  # fmt: skip
    return _exchange_response(outcome)


@router.post("/procedures/{org_slug}/{project_pk}/import", tags=["XBeteiligung"], auth=API_AUTH,
             response=EXCHANGE_RESPONSES | {404: ExchangeOut | ErrorOut})  # fmt: skip
def import_0301_0401(request: HttpRequest, org_slug: str, project_pk: int, message: File[UploadedFile]) -> Any:
    """Create a procedure in this project from 0301/0401 (or update one with 0302/0402); invalid messages give 400."""
    require_scope(request, IMPORT_SCOPE)
    project = get_object_or_404(
        Project.objects.select_related("organisation"), pk=parse_id(project_pk), organisation__slug=org_slug
    )
    if not request.user.has_perm("projects.change_project", project):
        return Status(404, {"detail": "Not Found"})
    outcome = exchange.receive(_message_bytes(message), actor=request.user, organisation=project.organisation,
                               project=project)  # fmt: skip
    return _exchange_response(outcome)


# The outbox for partner systems that pull instead of receiving a push.


class OutboxMessageOut(Schema):
    """One message of the caller's outbox; ``url`` fetches its XML."""

    id: int
    type: str
    message_id: str
    status: str
    created_at: datetime
    delivered_at: datetime | None
    procedure: int | None
    statement: str | None
    reply_to: str | None
    url: str

    @staticmethod
    def resolve_type(obj: ExchangeMessage) -> str:
        return obj.message_type

    @staticmethod
    def resolve_procedure(obj: ExchangeMessage) -> int | None:
        return obj.procedure.module_id if obj.procedure is not None else None

    @staticmethod
    def resolve_statement(obj: ExchangeMessage) -> str | None:
        return obj.statement.reference if obj.statement is not None else None

    @staticmethod
    def resolve_reply_to(obj: ExchangeMessage) -> str | None:
        return obj.reply_to.message_id if obj.reply_to is not None else None

    @staticmethod
    def resolve_url(obj: ExchangeMessage, context: Any) -> str:
        request = context["request"]
        base = request.path.rsplit("/outbox", 1)[0]
        return str(request.build_absolute_uri(f"{base}/messages/{obj.pk}.xml"))


class OutboxFilters(Schema):
    since: datetime | None = None
    status: str = ""


def _caller_organisations(request: HttpRequest) -> Any:
    """An API client's organisation; for a person's session the organisations whose back office they may enter."""
    client_organisation = _client_organisation(request)
    if client_organisation is not None:
        return Organisation.objects.filter(pk=client_organisation.pk)
    return Organisation.objects.staffed_by(request.user)


@router.get("/xbeteiligung/outbox", tags=["XBeteiligung"], auth=API_AUTH,
            response={200: list[OutboxMessageOut], 400: BadRequestOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                      429: ErrorOut})  # fmt: skip
@paginate(BoundedPagination, page_size=50)
def outbox(request: HttpRequest, filters: Query[OutboxFilters]) -> Any:
    """The caller's outgoing messages (0701 statements, replies), oldest first. ``since`` (ISO 8601 with time
    zone; without one, German time) returns those created at or after that moment: keep the last ``created_at`` you saw and drop repeats by
    ``message_id``. ``status``: pending, sent or undelivered."""
    require_scope(request, EXPORT_SCOPE)
    if filters.status and filters.status not in ExchangeStatus.values:
        raise HttpError(400, f"Unbekannter Stand „{filters.status}“. Erlaubt: {', '.join(ExchangeStatus.values)}.")
    messages = (
        ExchangeMessage.objects.outgoing()
        .filter(organisation__in=_caller_organisations(request).values("pk"))
        .defer("payload").select_related("procedure", "statement", "reply_to")
    )  # fmt: skip
    if filters.since is not None:
        since = filters.since
        messages = messages.filter(created_at__gte=timezone.make_aware(since) if timezone.is_naive(since) else since)
    if filters.status:
        messages = messages.filter(status=filters.status)
    return messages.order_by("created_at", "id")


@router.get("/xbeteiligung/messages/{message_pk}.xml", tags=["XBeteiligung"], auth=API_AUTH,
            response={200: None, 400: BadRequestOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                      410: ErrorOut, 429: ErrorOut})  # fmt: skip
def message_xml(request: HttpRequest, message_pk: int) -> Any:
    """One message of the caller's organisations as it was sent or received (XBeteiligung XML)."""
    require_scope(request, EXPORT_SCOPE)
    message = (
        ExchangeMessage.objects.filter(organisation__in=_caller_organisations(request).values("pk"),
                                       pk=parse_id(message_pk) or 0)
        .select_related("organisation").first()
    )  # fmt: skip
    if message is None:
        return Status(404, {"detail": "Not Found"})
    if message.redacted_at is not None:
        return Status(410, {"detail": "Der Inhalt wurde mit der Aufbewahrungsfrist der Stellungnahmen gelöscht."})
    log_action(actor=request.user, action="xbeteiligung.fetch", obj=message, organisation=message.organisation)
    return HttpResponse(message.payload.encode("utf-8"), content_type="application/xml; charset=utf-8")
