"""Permissions on projects, composed from role × access mode × status.

Module apps build on these: e.g. a dialogue rule is
``can_participate & module_allows("comment")``.
"""

from __future__ import annotations

from typing import Any

import rules

from mitwirken.organisations.rules import is_org_staff, is_portal_admin

from .models import AccessMode, ParticipantRole, ProjectStatus, project_of
from .roles import project_roles


def _project(obj: Any) -> Any:
    """Rules receive projects, modules or anything inside a module; all resolve to their project."""
    return project_of(obj)


@rules.predicate
def is_project_org_staff(user: Any, obj: Any) -> bool:
    project = _project(obj)
    return project is not None and is_org_staff(user, project.organisation)


@rules.predicate
def is_invited(user: Any, obj: Any) -> bool:
    project = _project(obj)
    return project is not None and project.pk in project_roles(user)


@rules.predicate
def is_project_moderator(user: Any, obj: Any) -> bool:
    project = _project(obj)
    return project is not None and project_roles(user).get(project.pk) == ParticipantRole.MODERATOR


@rules.predicate
def is_agency_member(user: Any, obj: Any) -> bool:
    project = _project(obj)
    return project is not None and project_roles(user).get(project.pk) == ParticipantRole.AGENCY


@rules.predicate
def is_published(user: Any, obj: Any) -> bool:
    project = _project(obj)
    return project is not None and project.is_published


@rules.predicate
def is_running(user: Any, obj: Any) -> bool:
    """Published and not archived: the only state in which people take part."""
    project = _project(obj)
    return project is not None and project.status == ProjectStatus.PUBLISHED


@rules.predicate
def is_listed(user: Any, obj: Any) -> bool:
    project = _project(obj)
    return project is not None and project.access in (AccessMode.PUBLIC, AccessMode.SEMIPUBLIC)


@rules.predicate
def is_open_to_all(user: Any, obj: Any) -> bool:
    project = _project(obj)
    return project is not None and project.access == AccessMode.PUBLIC


def module_allows(action: str) -> rules.Predicate:
    """True while the module's current phase declares ``action``."""

    @rules.predicate(name=f"module_allows:{action}")
    def predicate(user: Any, module: Any) -> bool:
        return module is not None and module.allows(action)

    return predicate


is_staff_of_project = is_portal_admin | is_project_org_staff

can_view = is_staff_of_project | (is_published & (is_listed | is_invited))
can_participate = rules.is_authenticated & is_running & (is_open_to_all | is_invited)

rules.add_perm("projects.view_project", can_view)
rules.add_perm("projects.participate_in_project", can_participate)
rules.add_perm("projects.change_project", is_staff_of_project)
rules.add_perm("projects.publish_project", is_staff_of_project)
rules.add_perm("projects.manage_invitations", is_staff_of_project)
rules.add_perm("projects.moderate_project", is_staff_of_project | (is_running & is_project_moderator))


@rules.predicate
def is_staff_of_organisation(user: Any, organisation: Any) -> bool:
    return is_org_staff(user, organisation)


# The address book of public agencies belongs to an organisation; every case worker uses it for invitations.
rules.add_perm("projects.manage_agency_contacts", is_portal_admin | is_staff_of_organisation)
