"""Permissions on organisations. Names follow ``organisations.<verb>_<model>``."""

from __future__ import annotations

from typing import Any

import rules

from mitwirken.accounts import second_factor

from .models import OrganisationRole
from .roles import organisation_roles


@rules.predicate
def is_portal_admin(user: Any) -> bool:
    """A superuser in a session confirmed with the second factor."""
    return second_factor.is_portal_admin(user)


@rules.predicate
def is_org_admin(user: Any, organisation: Any) -> bool:
    return organisation is not None and organisation_roles(user).get(organisation.pk) == OrganisationRole.ADMIN


@rules.predicate
def is_org_staff(user: Any, organisation: Any) -> bool:
    """Admins and case workers of the organisation."""
    return organisation is not None and organisation.pk in organisation_roles(user)


rules.add_perm("organisations.add_organisation", is_portal_admin)
rules.add_perm("organisations.enter_backoffice", is_portal_admin | is_org_staff)
rules.add_perm("organisations.change_organisation", is_portal_admin | is_org_admin)
rules.add_perm("organisations.manage_members", is_portal_admin | is_org_admin)
rules.add_perm("organisations.view_auditlog", is_portal_admin | is_org_admin)
rules.add_perm("organisations.add_project", is_portal_admin | is_org_staff)
# Sign-language videos: the portal's (no organisation) by portal administrators, an organisation's by its staff.
rules.add_perm("organisations.manage_sign_language_videos", is_portal_admin | is_org_staff)
