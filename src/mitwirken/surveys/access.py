"""The one way a back-office view fetches a survey: inside the organisation's projects, of the survey type, and
only for staff with the right; 404 for everything else."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from mitwirken.organisations.models import Organisation
from mitwirken.projects.access import project_for_staff

from .blueprints import MODULE_TYPE
from .models import Survey
from .services import building


def staff_survey(
    user: Any, organisation: Organisation, project_pk: int, module_pk: int, permission: str = "surveys.manage"
) -> Survey:
    project = project_for_staff(organisation, project_pk)
    module = get_object_or_404(project.modules, pk=module_pk, module_type=MODULE_TYPE)
    module.project = project
    if not user.has_perm(permission, module):
        raise Http404
    return building.survey_for(module)
