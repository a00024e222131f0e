"""Read API (OpenAPI at /api/v1/openapi.json). Access rules are the same predicates as the pages."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from mitwirken.core import plugins
from mitwirken.organisations.models import Organisation
from mitwirken.projects import access
from mitwirken.projects.forms import ProjectFilterForm
from mitwirken.projects.views import filtered_projects

from .auth import RateLimited
from .schemas import BadRequestOut, ErrorOut, OrganisationOut, ProjectDetailOut, ProjectOut

MAX_PAGE = 1_000_000
logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="mitwirken API",
    version="1.0.0",
    description=(
        "Offene Schnittstelle des Beteiligungsportals. Geschützte Projekte antworten Unbefugten mit 404. "
        "Geschützte Endpunkte nehmen einen API-Schlüssel eines Fachverfahrens an (Kopfzeile "
        "`Authorization: Bearer <Schlüssel>`, angelegt in der Verwaltung unter „Schnittstellen-Zugänge“) oder die "
        "Sitzung einer Person, die für Verwaltungsrechte mit dem zweiten Faktor bestätigt sein muss."
    ),
    docs_url=None,  # the interactive docs would load scripts from a CDN; the schema itself is served
    urls_namespace="api-1.0.0",
)


@api.exception_handler(Exception)
def unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """An unforeseen error is logged with its traceback; the client gets a plain answer, also in development
    (ninja would otherwise hand it to Django, whose debug page is a traceback)."""
    if isinstance(exc, PermissionDenied):
        return api.create_response(request, {"detail": "Dafür fehlt Ihnen die Berechtigung."}, status=403)
    logger.exception("API error at %s", request.path)
    return api.create_response(
        request, {"detail": "Interner Fehler. Der Betrieb des Portals ist informiert."}, status=500
    )


@api.exception_handler(NinjaValidationError)
def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """Malformed parameters are the client's error: 400 with the details (ninja's default would be 422)."""
    return api.create_response(request, {"detail": exc.errors}, status=400)


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    """429 says when to try again, so a partner system can back off instead of hammering."""
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


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


def _mount_plugin_routers() -> None:
    """Each plugin's router joins the one API (and its OpenAPI schema); core imports none of them."""
    for plugin in plugins.all_plugins():
        router = plugin.load("api")
        if router is not None:
            api.add_router("/", router)


_mount_plugin_routers()
