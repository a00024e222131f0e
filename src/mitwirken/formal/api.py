"""XBeteiligung over the API: 0701 statements out, 0301/0401 procedures in (staff with a second factor)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Router, Status
from ninja.files import UploadedFile

from mitwirken.api import scopes
from mitwirken.api.auth import API_AUTH, require_scope
from mitwirken.api.schemas import BadRequestOut, ErrorOut, ImportedOut
from mitwirken.core.audit import log_action
from mitwirken.core.ids import parse_id
from mitwirken.projects.models import Project

from . import xbeteiligung
from .models import Procedure, Statement
from .xbeteiligung import MessageInvalid, import_procedure

router = Router()


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
    require_scope(request, scopes.XBETEILIGUNG_EXPORT)
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


@router.post("/procedures/{org_slug}/{project_pk}/import", tags=["XBeteiligung"], auth=API_AUTH,
          response={201: ImportedOut, 400: BadRequestOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut})  # fmt: skip
def import_0301_0401(request: HttpRequest, org_slug: str, project_pk: int, message: File[UploadedFile]) -> Any:
    """Create a procedure from raumordnung.Initiieren.0301 or kommunal.Initiieren.0401; invalid messages give 400."""
    require_scope(request, scopes.XBETEILIGUNG_IMPORT)
    project = get_object_or_404(
        Project.objects.select_related("organisation"), pk=parse_id(project_pk), organisation__slug=org_slug
    )
    if not request.user.has_perm("projects.change_project", project):
        return Status(404, {"detail": "Not Found"})
    try:
        procedure = import_procedure(message.read(), actor=request.user, project=project)
    except MessageInvalid as error:
        return Status(400, {"detail": str(error)})
    return Status(201, {"module": procedure.module.pk, "procedure_type": procedure.procedure_type,
                        "rounds": procedure.rounds.count()})  # fmt: skip
