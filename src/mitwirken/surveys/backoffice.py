"""Back-office set-up of a survey (placeholder until the builder lands)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation
from mitwirken.projects.access import project_for_staff

from .blueprints import MODULE_TYPE
from .services import building


@backoffice_view()
def builder(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    project = project_for_staff(organisation, project_pk)
    module = get_object_or_404(project.modules, pk=module_pk)
    if module.module_type != MODULE_TYPE:
        raise Http404
    module.project = project
    survey = building.survey_for(module)
    return render(request, "surveys/backoffice/builder.html", {
        "organisation": organisation, "project": project, "module": module, "survey": survey,
        "section": "projects", "tab": "modules",
    })  # fmt: skip
