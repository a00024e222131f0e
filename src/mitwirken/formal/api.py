"""XBeteiligung over the API: 0701 statements out, 0301/0401 procedures in (staff with a second factor)."""

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Router, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from mitwirken.api.schemas import BadRequestOut, ErrorOut, ImportedOut
from mitwirken.core.audit import log_action
from mitwirken.core.ids import parse_id
from mitwirken.organisations.access import session_used_second_factor
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
    _require_second_factor(request)
    return procedure


def _require_second_factor(request: HttpRequest) -> None:
    if settings.MITWIRKEN_STAFF_MFA_REQUIRED and not session_used_second_factor(request):
        raise Http404


@router.get("/procedures/{org_slug}/{project_pk}/{module_pk}/statements/{reference}.xml", tags=["XBeteiligung"],
         auth=django_auth, response={200: None, 400: BadRequestOut, 401: ErrorOut, 404: ErrorOut})  # fmt: skip
def statement_0701(request: HttpRequest, org_slug: str, project_pk: int, module_pk: int, reference: str) -> Any:
    """One statement as allgemein.stellungnahme.Neuabgegeben.0701 (staff of the running organisation only)."""
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


@router.post("/procedures/{org_slug}/{project_pk}/import", tags=["XBeteiligung"], auth=django_auth,
          response={201: ImportedOut, 400: BadRequestOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})  # fmt: skip
def import_0301_0401(request: HttpRequest, org_slug: str, project_pk: int, message: File[UploadedFile]) -> Any:
    """Create a procedure from raumordnung.Initiieren.0301 or kommunal.Initiieren.0401; invalid messages give 400."""
    project = get_object_or_404(
        Project.objects.select_related("organisation"), pk=parse_id(project_pk), organisation__slug=org_slug
    )
    if not request.user.has_perm("projects.change_project", project):
        return Status(404, {"detail": "Not Found"})
    _require_second_factor(request)
    try:
        procedure = import_procedure(message.read(), actor=request.user, project=project)
    except MessageInvalid as error:
        return Status(400, {"detail": str(error)})
    return Status(201, {"module": procedure.module.pk, "procedure_type": procedure.procedure_type,
                        "rounds": procedure.rounds.count()})  # fmt: skip
