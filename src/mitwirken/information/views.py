from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mitwirken.projects.models import Module, Project


def render_module(request: HttpRequest, project: Project, module: Module) -> HttpResponse:
    return render(
        request,
        "information/module.html",
        {"project": project, "organisation": project.organisation, "module": module, "phases": module.phases.all(),
         "active_phase": module.active_phase()},
    )  # fmt: skip
