"""Mängelmelder permissions as a matrix: every persona × every rule × three organisations.

Columns: the persona's organisation "musterkreis" (case worker, org admin), "anderswo" (the other
organisation's admin) and "lbm" (the agency persona's agency, where it has project roles only).
"""

from __future__ import annotations

from typing import Any

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from mitwirken.core.models import AuditEntry
from mitwirken.reports import services
from mitwirken.reports.models import Report, ReportStatus, ReportUpdate

from .conftest import PERSONAS
from .reports_fixtures import make_report, road_handled_by

pytestmark = pytest.mark.django_db

PERMS = ["handle_reports", "moderate_reports", "manage_api_clients", "manage_categories", "manage_settings"]
ORGANISATIONS = ["musterkreis", "anderswo", "lbm"]

# persona → perm → allowed on (musterkreis, anderswo, lbm)
NONE = (False, False, False)
EXPECTED: dict[str, dict[str, tuple[bool, bool, bool]]] = {
    "anonymous": {
        "handle_reports": NONE, "moderate_reports": NONE, "manage_api_clients": NONE, "manage_categories": NONE,
        "manage_settings": NONE,
    },
    "citizen": {
        "handle_reports": NONE, "moderate_reports": NONE, "manage_api_clients": NONE, "manage_categories": NONE,
        "manage_settings": NONE,
    },
    "invited": {
        "handle_reports": NONE, "moderate_reports": NONE, "manage_api_clients": NONE, "manage_categories": NONE,
        "manage_settings": NONE,
    },
    # Project roles (agency member, project moderator) give no rights over an organisation's reports.
    "agency": {
        "handle_reports": NONE, "moderate_reports": NONE, "manage_api_clients": NONE, "manage_categories": NONE,
        "manage_settings": NONE,
    },
    "moderator": {
        "handle_reports": NONE, "moderate_reports": NONE, "manage_api_clients": NONE, "manage_categories": NONE,
        "manage_settings": NONE,
    },
    "case_worker": {
        "handle_reports": (True, False, False),
        "moderate_reports": (True, False, False),
        "manage_api_clients": NONE,
        "manage_categories": NONE,
        "manage_settings": NONE,
    },
    "org_admin": {
        "handle_reports": (True, False, False),
        "moderate_reports": (True, False, False),
        "manage_api_clients": (True, False, False),
        "manage_categories": (True, False, False),
        "manage_settings": (True, False, False),
    },
    "other_org_admin": {
        "handle_reports": (False, True, False),
        "moderate_reports": (False, True, False),
        "manage_api_clients": (False, True, False),
        "manage_categories": (False, True, False),
        "manage_settings": (False, True, False),
    },
    "portal_admin": {
        "handle_reports": (True, True, True),
        "moderate_reports": (True, True, True),
        "manage_api_clients": (True, True, True),
        "manage_categories": (True, True, True),
        "manage_settings": (True, True, True),
    },
}  # fmt: skip

MAY_HANDLE_MUSTERKREIS = {"case_worker", "org_admin", "portal_admin"}


def actor(world: Any, persona: str) -> Any:
    return world.personas[persona] or AnonymousUser()


def test_the_table_lists_every_persona():
    assert list(EXPECTED) == PERSONAS
    assert all(list(row) == PERMS for row in EXPECTED.values())


@pytest.mark.parametrize("persona", PERSONAS)
def test_report_permissions_matrix(world, persona):
    user = actor(world, persona)
    organisations = [world.organisation, world.other_organisation, world.agency_organisation]
    assert [organisation.slug for organisation in organisations] == ORGANISATIONS
    actual = {perm: tuple(user.has_perm(f"reports.{perm}", org) for org in organisations) for perm in PERMS}
    assert actual == EXPECTED[persona]


@pytest.fixture
def musterkreis_report(world: Any) -> Report:
    road = road_handled_by(world.organisation)
    return make_report(
        None,
        category=road,
        organisation=world.organisation,
        point=(7.5, 49.5),
        reporter=world.personas["citizen"],
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_responsible_staff_and_portal_admins_change_the_status(world, musterkreis_report, persona):
    user = actor(world, persona)
    report = musterkreis_report
    if persona in MAY_HANDLE_MUSTERKREIS:
        services.report_change_status(actor=user, report=report, status=ReportStatus.IN_PROGRESS, message="Prüfen")
        report.refresh_from_db()
        assert report.status == ReportStatus.IN_PROGRESS
        assert ReportUpdate.objects.filter(report=report, status=ReportStatus.IN_PROGRESS).count() == 1
        assert AuditEntry.objects.filter(action="report.status", object_id=str(report.pk)).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.report_change_status(actor=user, report=report, status=ReportStatus.IN_PROGRESS, message="x")
        report.refresh_from_db()
        assert (report.status, report.status_message) == (ReportStatus.OPEN, "")
        assert ReportUpdate.objects.count() == 0
        assert not AuditEntry.objects.filter(action="report.status").exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_responsible_staff_and_portal_admins_hide_a_report(world, musterkreis_report, persona):
    user = actor(world, persona)
    report = musterkreis_report
    if persona in MAY_HANDLE_MUSTERKREIS:
        services.report_hide(actor=user, report=report, reason="Beleidigung")
        assert Report.objects.get(pk=report.pk).hidden is True
    else:
        with pytest.raises(PermissionDenied):
            services.report_hide(actor=user, report=report, reason="Beleidigung")
        assert Report.objects.get(pk=report.pk).hidden is False
        assert not AuditEntry.objects.filter(action="report.hide").exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_reporter_reviews_a_report_and_everybody_signed_in_may_support(world, musterkreis_report, persona):
    """Object rules on a report reported by the citizen: "Ist es behoben?" is the reporter's alone (staff and
    portal admins cannot answer it for them, so the rule itself is asked: superusers pass every ``has_perm``);
    supporting needs an account (one's own report is refused with a message)."""
    user = actor(world, persona)
    assert rules.has_perm("reports.review_report", user, musterkreis_report) is (persona == "citizen")
    assert user.has_perm("reports.support_report", musterkreis_report) is (persona != "anonymous")
