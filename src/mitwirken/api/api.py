"""Read API (OpenAPI at /api/v1/openapi.json). Access rules are the same predicates as the pages."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import django_auth
from pydantic import Field

from mitwirken.core.ids import parse_id
from mitwirken.organisations.models import Organisation
from mitwirken.projects import access
from mitwirken.projects.forms import ProjectFilterForm
from mitwirken.projects.views import filtered_projects

from .schemas import BadRequestOut, ErrorOut, ImportedOut, OrganisationOut, ProjectDetailOut, ProjectOut

MAX_PAGE = 1_000_000

api = NinjaAPI(
    title="mitwirken API",
    version="1.0.0",
    description="Offene Schnittstelle des Beteiligungsportals. Geschützte Projekte antworten Unbefugten mit 404.",
    docs_url=None,  # the interactive docs would load scripts from a CDN; the schema itself is served
    urls_namespace="api-1.0.0",
)


@api.exception_handler(NinjaValidationError)
def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """Malformed parameters are the client's error: 400 with the details (ninja's default would be 422)."""
    return api.create_response(request, {"detail": exc.errors}, status=400)


class BoundedPagination(PageNumberPagination):
    """Page numbers within what can exist; a page past the last one is 404, never an overflowing OFFSET."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=100)

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        if pagination.page > 1 and not result["items"]:
            raise HttpError(404, "Diese Seite gibt es nicht.")
        return result


class ProjectFilters(Schema):
    q: str = ""
    organisation: str = ""
    module_type: str = ""
    timing: str = ""


@api.get(
    "/organisations", response={200: list[OrganisationOut], 400: BadRequestOut, 404: ErrorOut}, tags=["Organisationen"]
)
@paginate(BoundedPagination, page_size=50)
def list_organisations(request: HttpRequest) -> Any:
    return Organisation.objects.select_related("parent").order_by("name")


@api.get("/projects", response={200: list[ProjectOut], 400: BadRequestOut, 404: ErrorOut}, tags=["Projekte"])
@paginate(BoundedPagination, page_size=20)
def list_projects(request: HttpRequest, filters: Query[ProjectFilters]) -> Any:
    """Public and semi-public projects, filtered like the start page."""
    form = ProjectFilterForm({key: value for key, value in filters.dict().items() if value})
    return filtered_projects(form).for_list()


@api.get(
    "/projects/{org_slug}/{project_slug}",
    response={200: ProjectDetailOut, 400: BadRequestOut, 404: ErrorOut},
    tags=["Projekte"],
)
def get_project(request: HttpRequest, org_slug: str, project_slug: str) -> Any:
    project = access.project_for_viewer(request.user, org_slug, project_slug)
    # Prefetch with the project attached, so nested resolvers need no further queries.
    return (
        type(project)
        .objects.select_related("organisation")
        .prefetch_related("modules__phases", "attachments__project__organisation")
        .get(pk=project.pk)
    )


def _staff_procedure(request: HttpRequest, org_slug: str, project_pk: int, module_pk: int) -> Any:
    """A procedure for a staff session confirmed with the second factor; 404 for everyone else."""
    from django.conf import settings
    from django.http import Http404

    from mitwirken.formal.models import Procedure
    from mitwirken.organisations.access import session_used_second_factor

    if parse_id(project_pk) is None or parse_id(module_pk) is None:
        raise Http404
    procedure = (
        Procedure.objects.select_related("module__project__organisation")
        .filter(module__pk=module_pk, module__project__pk=project_pk, module__project__organisation__slug=org_slug)
        .first()
    )
    if procedure is None or not request.user.has_perm("formal.manage_procedure", procedure.module):
        raise Http404
    if settings.MITWIRKEN_STAFF_MFA_REQUIRED and not session_used_second_factor(request):
        raise Http404
    return procedure


@api.get("/procedures/{org_slug}/{project_pk}/{module_pk}/statements/{reference}.xml", tags=["XBeteiligung"],
         auth=django_auth, response={200: None, 400: BadRequestOut, 401: ErrorOut, 404: ErrorOut})  # fmt: skip
def statement_0701(request: HttpRequest, org_slug: str, project_pk: int, module_pk: int, reference: str) -> Any:
    """One statement as allgemein.stellungnahme.Neuabgegeben.0701 (staff of the running organisation only)."""
    from mitwirken.core.audit import log_action
    from mitwirken.formal import xbeteiligung
    from mitwirken.formal.models import Statement

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


@api.post("/procedures/{org_slug}/{project_pk}/import", tags=["XBeteiligung"], auth=django_auth,
          response={201: ImportedOut, 400: BadRequestOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})  # fmt: skip
def import_0301_0401(request: HttpRequest, org_slug: str, project_pk: int, message: File[UploadedFile]) -> Any:
    """Create a procedure from raumordnung.Initiieren.0301 or kommunal.Initiieren.0401; invalid messages give 400."""
    from django.shortcuts import get_object_or_404

    from mitwirken.formal.xbeteiligung import MessageInvalid, import_procedure
    from mitwirken.projects.models import Project

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
