"""Read API (OpenAPI at /api/v1/openapi.json). Access rules are the same predicates as the pages."""

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Query, Schema
from ninja.pagination import PageNumberPagination, paginate

from mitwirken.core import plugins
from mitwirken.organisations.models import Organisation
from mitwirken.projects import access
from mitwirken.projects.forms import ProjectFilterForm
from mitwirken.projects.views import filtered_projects

from .schemas import ErrorOut, OrganisationOut, ProjectDetailOut, ProjectOut

api = NinjaAPI(
    title="mitwirken API",
    version="1.0.0",
    description="Offene Schnittstelle des Beteiligungsportals. Geschützte Projekte antworten Unbefugten mit 404.",
    docs_url=None,  # the interactive docs would load scripts from a CDN; the schema itself is served
    urls_namespace="api-1.0.0",
)


class ProjectFilters(Schema):
    q: str = ""
    organisation: str = ""
    module_type: str = ""
    timing: str = ""


@api.get("/organisations", response=list[OrganisationOut], tags=["Organisationen"])
@paginate(PageNumberPagination, page_size=50)
def list_organisations(request: HttpRequest) -> Any:
    return Organisation.objects.select_related("parent").order_by("name")


@api.get("/projects", response=list[ProjectOut], tags=["Projekte"])
@paginate(PageNumberPagination, page_size=20)
def list_projects(request: HttpRequest, filters: Query[ProjectFilters]) -> Any:
    """Public and semi-public projects, filtered like the start page."""
    form = ProjectFilterForm({key: value for key, value in filters.dict().items() if value})
    return filtered_projects(form).for_list()


@api.get(
    "/projects/{org_slug}/{project_slug}",
    response={200: ProjectDetailOut, 404: ErrorOut},
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
