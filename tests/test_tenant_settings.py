"""No setting a tenant's admin can change affects another tenant's data, routing or mail.

The probe's takeover: the Ministerium's admin set its own parent and an area over Beispielhausen, then
took on a category with an outside forwarding address; a citizen's report in Beispielhausen went to the
Ministerium and was mailed out. Parent and area are now the portal administrators' to set. The walk below
posts hostile values to every back-office route of the attacker's organisation (from the URL resolver,
so later settings pages are covered) and then checks the victim's rows, the routing and the mail.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict

from mitwirken.organisations.models import Organisation, OrganisationKind, OrganisationRole
from mitwirken.reports import routing
from mitwirken.reports import services as report_services
from mitwirken.reports.models import CategoryTemplate, OrganisationCategory, Report

from .conftest import login, with_second_factor
from .factories import MembershipFactory, OrganisationFactory, ProjectFactory, UserFactory
from .reports_fixtures import box
from .test_protected_mode import fill
from .test_tenant_isolation import backoffice_routes

pytestmark = pytest.mark.django_db

POINT = (7.6, 50.0)
AREA = box(7.5, 49.9, 7.7, 50.1)
OUTSIDE = "abfluss@evil.example"
TOWN_FORWARD = "rathaus@beispielhausen.example"


@pytest.fixture
def tenants(db: Any) -> dict[str, Any]:
    ministry = OrganisationFactory(slug="ministerium", name="Ministerium", kind=OrganisationKind.LAND)
    town = OrganisationFactory(slug="beispielhausen", name="Beispielhausen", boundary=AREA)
    potholes = CategoryTemplate.objects.create(code="schlagloch", name="Schlagloch")
    lights = CategoryTemplate.objects.create(code="laterne", name="Laterne")
    OrganisationCategory.objects.create(organisation=town, template=potholes, forward_email=TOWN_FORWARD)
    town_admin = MembershipFactory(organisation=town, role=OrganisationRole.ADMIN, user__email="b@example.org").user
    attacker = with_second_factor(
        MembershipFactory(organisation=ministry, role=OrganisationRole.ADMIN, user__email="m@example.org").user
    )
    citizen = UserFactory(email="buerger@example.org")
    existing = Report.objects.create(organisation=town, category=potholes, description="Alt", lon=POINT[0],
                                     lat=POINT[1], status="open")  # fmt: skip
    return {"ministry": ministry, "town": town, "potholes": potholes, "lights": lights, "town_admin": town_admin,
            "attacker": attacker, "citizen": citizen, "existing": existing}  # fmt: skip


def victim_state(town: Organisation, existing: Report) -> dict[str, Any]:
    town = Organisation.objects.get(pk=town.pk)
    return {
        "organisation": {key: value for key, value in model_to_dict(town).items() if key != "logo"},
        "children": sorted(town.children.values_list("pk", flat=True)),
        "categories": sorted(
            OrganisationCategory.objects.filter(organisation=town).values_list(
                "template_id", "forward_email", "questions"
            )
        ),
        "members": sorted(town.memberships.values_list("user_id", "role")),
        "existing_report": model_to_dict(Report.objects.get(pk=existing.pk)),
    }


def routes_of_the_point(tenants: dict[str, Any]) -> dict[str, Any]:
    result = {}
    for category in (tenants["potholes"], tenants["lights"]):
        try:
            result[category.code] = routing.route(lon=POINT[0], lat=POINT[1], category=category).organisation.slug
        except ValidationError:
            result[category.code] = None
    return result


def test_tenant_admin_cannot_set_parent_or_area(tenants):
    from django.test import Client

    client = login(Client(), tenants["attacker"])
    ministry = tenants["ministry"]
    page = client.get(f"/verwaltung/{ministry.slug}/einstellungen/").content.decode()
    assert 'name="parent"' not in page and 'name="boundary"' not in page
    response = client.post(f"/verwaltung/{ministry.slug}/einstellungen/", {
        "name": "Ministerium", "kind": "land", "parent": tenants["town"].pk, "boundary": json.dumps(box(7.59, 49.99, 7.61, 50.01)),
        "imprint": "<p>I</p>", "privacy_notice": "<p>D</p>", "accessibility_statement": "<p>B</p>",
    })  # fmt: skip
    assert response.status_code == 302
    ministry.refresh_from_db()
    assert ministry.parent_id is None and ministry.boundary is None and ministry.bbox_min_lon is None


def test_service_refuses_parent_and_area_from_a_tenant_admin(tenants):
    from django.core.exceptions import PermissionDenied

    from mitwirken.organisations import services

    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=tenants["attacker"], organisation=tenants["ministry"],
                                     parent=tenants["town"], boundary=AREA)  # fmt: skip


def test_portal_admin_still_sets_parent_and_area(tenants):
    from django.test import Client

    portal = with_second_factor(UserFactory(email="portal@example.org", is_superuser=True, is_staff=True))
    client = login(Client(), portal)
    ministry = tenants["ministry"]
    page = client.get(f"/verwaltung/{ministry.slug}/einstellungen/").content.decode()
    assert 'name="parent"' in page and 'name="boundary"' in page


def test_every_setting_of_one_tenant_leaves_other_tenants_alone(tenants, tasks, django_capture_on_commit_callbacks):
    from django.test import Client

    ministry, town = tenants["ministry"], tenants["town"]
    own_project = ProjectFactory(organisation=ministry, status="draft")
    own_report = Report.objects.create(organisation=ministry, category=tenants["lights"], description="Eigen",
                                       lon=9.0, lat=49.0, status="open")  # fmt: skip
    before, routes_before = victim_state(town, tenants["existing"]), routes_of_the_point(tenants)
    assert routes_before == {"schlagloch": "beispielhausen", "laterne": None}
    client = login(Client(), tenants["attacker"])
    values = {"org_slug": ministry.slug, "project_pk": own_project.pk, "report_pk": own_report.pk,
              "membership_pk": MembershipFactory(organisation=ministry).pk, "invitation_pk": 0, "module_pk": 0, "attachment_pk": 0, "phase_pk": 0, "statement_pk": 0, "segment_pk": 0,
              "file_format": "csv", "page_pk": 0, "question_pk": 0, "answer_set_pk": 0, "number": 1,
              "event_pk": 0, "series_pk": 0, "manage_token": "x", "engagement_pk": 0,
              "round_pk": 0, "track_pk": 0, "idea_pk": 0, "chapter_pk": 0, "document_pk": 0, "contact_pk": 0, "group_pk": 0, "video_pk": 0, "client_pk": 0, "message_pk": 0}  # fmt: skip
    hostile = {
        "parent": town.pk, "boundary": json.dumps(AREA), "forward_email": OUTSIDE, "enabled": "1",
        "email": tenants["town_admin"].email, "role": "admin", "organisation": town.pk, "name": "Beispielhausen",
        "kind": "ortsgemeinde", "imprint": "<p>I</p>", "privacy_notice": "<p>D</p>",
        "accessibility_statement": "<p>B</p>", "questions": "Frage | Pflicht", "title": "Vorlage", "text": "Text",
    }  # fmt: skip
    walked = 0
    for route in backoffice_routes():
        url = fill(route, values)
        for action in ["", "add", "questions", "invite", "remove", "delete", "status", "note"]:
            for template in (tenants["potholes"], tenants["lights"]):
                client.post(url, {**hostile, "action": action, "template": template.pk,
                                  "handler": OrganisationCategory.objects.filter(organisation=ministry).first().pk
                                  if OrganisationCategory.objects.filter(organisation=ministry).exists() else ""})  # fmt: skip
        walked += 1
    assert walked >= 12
    # The attacker did take on both categories with the outside address: that is its own business …
    assert OrganisationCategory.objects.filter(organisation=ministry, forward_email=OUTSIDE).count() == 2
    # … but nothing of Beispielhausen changed, and reports there still go to Beispielhausen only.
    assert victim_state(town, tenants["existing"]) == before
    assert routes_of_the_point(tenants) == routes_before
    ministry.refresh_from_db()
    assert ministry.parent_id is None and ministry.boundary is None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = report_services.report_create(category=tenants["potholes"], lon=POINT[0], lat=POINT[1],
                                               description="Tiefes Loch", user=tenants["citizen"])  # fmt: skip
    assert report.organisation == town
    recipients = {address for message in mail.outbox for address in message.to}
    assert OUTSIDE not in recipients and TOWN_FORWARD in recipients
    with pytest.raises(ValidationError):
        report_services.report_create(category=tenants["lights"], lon=POINT[0], lat=POINT[1],
                                      description="Dunkel", user=tenants["citizen"])  # fmt: skip
    assert not Report.objects.filter(organisation=ministry).exclude(pk=own_report.pk).exists()
