"""Permission matrices: every rule × every persona × every project state, with explicit expectations."""

from __future__ import annotations

from datetime import timedelta

import pytest
import rules
import time_machine
from django.utils import timezone

from mitwirken.projects.rules import can_participate, module_allows

from .conftest import PERSONAS

pytestmark = pytest.mark.django_db

STAFF = {"case_worker", "org_admin", "portal_admin"}
MEMBERS = {"invited", "agency", "moderator"}
EVERYONE = set(PERSONAS)
AUTHENTICATED = EVERYONE - {"anonymous"}


def expected_view(access: str, status: str) -> set[str]:
    if status == "draft":
        return STAFF
    if access == "protected":
        return STAFF | MEMBERS
    return EVERYONE


def expected_participate(access: str, status: str) -> set[str]:
    if status != "published":
        return set()
    if access == "public":
        return AUTHENTICATED
    return MEMBERS


def expected_moderate(access: str, status: str) -> set[str]:
    moderators = {"moderator"} if status == "published" and access != "public" else set()
    return STAFF | moderators


MATRIX = {
    "projects.view_project": expected_view,
    "projects.participate_in_project": expected_participate,
    "projects.change_project": lambda access, status: STAFF,
    "projects.publish_project": lambda access, status: STAFF,
    "projects.manage_invitations": lambda access, status: STAFF,
    "projects.moderate_project": expected_moderate,
}


@pytest.mark.parametrize("status", ["draft", "published", "archived"])
@pytest.mark.parametrize("access", ["public", "semipublic", "protected"])
@pytest.mark.parametrize("permission", sorted(MATRIX))
def test_project_permission_matrix(world, permission, access, status):
    project = getattr(world, access)
    project.status = status
    project.save()
    allowed = {
        persona for persona in PERSONAS if rules.has_perm(permission, world.personas[persona] or _anonymous(), project)
    }
    assert allowed == MATRIX[permission](access, status)


ORGANISATION_MATRIX = {
    "organisations.enter_backoffice": {"case_worker", "org_admin", "portal_admin"},
    "organisations.add_project": {"case_worker", "org_admin", "portal_admin"},
    "organisations.change_organisation": {"org_admin", "portal_admin"},
    "organisations.manage_members": {"org_admin", "portal_admin"},
    "organisations.view_auditlog": {"org_admin", "portal_admin"},
}


@pytest.mark.parametrize("permission", sorted(ORGANISATION_MATRIX))
def test_organisation_permission_matrix(world, permission):
    allowed = {
        persona
        for persona in PERSONAS
        if rules.has_perm(permission, world.personas[persona] or _anonymous(), world.organisation)
    }
    assert allowed == ORGANISATION_MATRIX[permission]
    # The other organisation's admin is an admin there, and only there.
    assert rules.has_perm(permission, world.personas["other_org_admin"], world.other_organisation)


def test_only_portal_admins_may_create_organisations(world):
    allowed = {
        p for p in PERSONAS if rules.has_perm("organisations.add_organisation", world.personas[p] or _anonymous())
    }
    assert allowed == {"portal_admin"}


@pytest.mark.parametrize(
    ("moment", "expected"),
    [("before", False), ("start", True), ("during", True), ("last_second", True), ("end", False), ("after", False)],
)
@pytest.mark.parametrize("persona", PERSONAS)
def test_phase_feature_rule_over_time(world, persona, moment, expected):
    """A module rule = participation right × the running phase declares the action (here: comment)."""
    module = world.semipublic.modules.get()
    phase = module.phases.get()
    start = timezone.now().replace(microsecond=0) + timedelta(days=5)
    phase.start, phase.end, phase.features = start, start + timedelta(days=7), ["comment"]
    phase.save()
    at = {
        "before": start - timedelta(days=1),
        "start": start,
        "during": start + timedelta(days=3),
        "last_second": start + timedelta(days=7, seconds=-1),
        "end": start + timedelta(days=7),
        "after": start + timedelta(days=8),
    }[moment]
    can_comment = can_participate & module_allows("comment")
    with time_machine.travel(at, tick=False):
        module = type(module).objects.prefetch_related("phases").get(pk=module.pk)
        allowed = can_comment.test(world.personas[persona] or _anonymous(), module)
    assert allowed == (expected and persona in MEMBERS)


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()
