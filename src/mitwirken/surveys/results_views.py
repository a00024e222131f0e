"""The public results page of a survey (``auswertung/``): only when staff published them, only what they chose."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from mitwirken.projects.access import module_for_viewer

from . import results
from .backoffice_results import results_map_settings
from .models import Survey
from .questionnaire import Questionnaire


def public_results(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str) -> HttpResponse:
    """404 until published; the project's staff always see it, as a preview of what the public will see."""
    project, module = module_for_viewer(request.user, org_slug, project_slug, module_slug, plugin="surveys")
    survey = Survey.objects.filter(module=module).first()
    if survey is None:
        raise Http404
    survey.module = module
    preview = request.user.has_perm("surveys.view_results", module)
    if not survey.results_published and not preview:
        raise Http404
    questionnaire = Questionnaire(survey)
    found = results.build(survey, questionnaire, public=True, pages=request.GET)
    return render(request, "surveys/results.html", {
        "project": project, "organisation": project.organisation, "module": module, "survey": survey,
        "phase": module.active_phase(), "results": found, "preview": preview and not survey.results_published,
        "can_view_results": preview, **results_map_settings(questionnaire, found),
    })  # fmt: skip
