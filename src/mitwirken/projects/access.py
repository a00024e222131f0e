"""Fetch a project (and its parts) for a user in one step; 404 for anyone who may not see it."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from mitwirken.core import plugins

from .models import Module, Project, ProjectAttachment


def project_for_viewer(user: Any, org_slug: str, project_slug: str) -> Project:
    project = get_object_or_404(
        Project.objects.select_related("organisation"), organisation__slug=org_slug, slug=project_slug
    )
    if not user.has_perm("projects.view_project", project):
        raise Http404
    return project


def module_for_viewer(
    user: Any, org_slug: str, project_slug: str, module_slug: str, *, plugin: str = ""
) -> tuple[Project, Module]:
    """A module at its address under a project the user may see; with ``plugin``, only a module of its types.

    Every module page of every plugin fetches its module here, so a dialogue URL never serves a formal
    procedure and a protected project's modules are 404 to outsiders.
    """
    project = project_for_viewer(user, org_slug, project_slug)
    module = get_object_or_404(project.modules.prefetch_related("phases"), slug=module_slug)
    if plugin:
        owner = plugins.plugin_of(module.module_type)
        if owner is None or owner.key != plugin:
            raise Http404
    module.project = project
    return project, module


def attachment_for_viewer(user: Any, org_slug: str, project_slug: str, attachment_pk: int) -> ProjectAttachment:
    project = project_for_viewer(user, org_slug, project_slug)
    return get_object_or_404(ProjectAttachment, project=project, pk=attachment_pk)


def project_for_staff(organisation: Any, project_pk: int) -> Project:
    """A project inside the back office of ``organisation``; others' projects are 404."""
    return get_object_or_404(Project.objects.select_related("organisation"), organisation=organisation, pk=project_pk)
