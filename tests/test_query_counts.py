"""List pages run the same number of queries at 10 and at 1,000 rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mitwirken.core.models import AccessibilityFeedback, AuditEntry, Notification
from mitwirken.organisations.models import OrganisationMembership
from mitwirken.projects.models import (
    AccessCode,
    Invitation,
    Module,
    Phase,
    Project,
    ProjectMembership,
    new_access_code,
)

from .factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_off")]


def add_projects(organisation, count):
    now = timezone.now()
    start = Project.objects.count()
    projects = Project.objects.bulk_create(
        Project(organisation=organisation, slug=f"massen-{start + i}", title=f"Massenprojekt {start + i}",
                summary="Kurz", status="published", access="public", published_at=now,
                first_phase_start=now - timedelta(days=1), last_phase_end=now + timedelta(days=5))
        for i in range(count)
    )  # fmt: skip
    modules = Module.objects.bulk_create(Module(project=p, module_type="information", name="Info") for p in projects)
    Phase.objects.bulk_create(
        Phase(
            module=m, phase_type="information", name="Info", start=now - timedelta(days=1), end=now + timedelta(days=5)
        )
        for m in modules
    )


def add_people(world, count):
    users = [UserFactory.build(email=f"masse{i}-{timezone.now().timestamp()}@example.org") for i in range(count)]
    from mitwirken.accounts.models import User

    users = User.objects.bulk_create(users)
    OrganisationMembership.objects.bulk_create(
        OrganisationMembership(organisation=world.organisation, user=u, role="staff") for u in users
    )
    ProjectMembership.objects.bulk_create(ProjectMembership(project=world.protected, user=u) for u in users)
    Invitation.objects.bulk_create(
        Invitation(
            project=world.protected, email=u.email, token=f"t-{u.pk}", expires_at=timezone.now() + timedelta(days=3)
        )
        for u in users
    )
    AccessCode.objects.bulk_create(AccessCode(project=world.protected, code=new_access_code()) for _ in users)
    AuditEntry.objects.bulk_create(
        AuditEntry(organisation=world.organisation, actor=u, action="test.action", object_repr="x") for u in users
    )
    AccessibilityFeedback.objects.bulk_create(
        AccessibilityFeedback(organisation=world.organisation, message="Kontrast zu gering") for _ in users
    )
    Notification.objects.bulk_create(Notification(recipient=world.personas["citizen"], title="Hallo") for _ in users)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


PROJECT_LISTS = [
    ("anonymous", "/"),
    ("anonymous", "/?timing=open&module_type=information"),
    ("anonymous", "/?q=Massenprojekt&seite=2"),
    ("citizen", "/"),
    ("anonymous", "/musterkreis/"),
    ("anonymous", "/feed/"),
    ("anonymous", "/api/v1/projects"),
    ("anonymous", "/api/v1/projects?page=2"),
    ("org_admin", "/verwaltung/musterkreis/"),
]


@pytest.mark.parametrize(("persona", "url"), PROJECT_LISTS)
def test_project_lists_have_constant_query_counts(world, persona, url):
    add_projects(world.organisation, 25)  # enough for a second page of the API (20 a page)
    client = world.client(persona)
    small = count_queries(client, url)
    add_projects(world.organisation, 975)
    assert count_queries(client, url) == small


PEOPLE_LISTS = [
    ("org_admin", "/verwaltung/musterkreis/mitglieder/"),
    ("org_admin", "/verwaltung/musterkreis/protokoll/"),
    ("org_admin", "/verwaltung/musterkreis/rueckmeldungen/"),
    ("org_admin", "/verwaltung/musterkreis/projekte/{protected}/teilnehmende/"),
    ("citizen", "/benachrichtigungen/"),
    ("anonymous", "/api/v1/organisations"),
]


@pytest.mark.parametrize(("persona", "url"), PEOPLE_LISTS)
def test_people_lists_have_constant_query_counts(world, persona, url):
    url = url.format(protected=world.protected.pk)
    add_people(world, 10)
    client = world.client(persona)
    small = count_queries(client, url)
    add_people(world, 990)
    assert count_queries(client, url) == small


@pytest.mark.parametrize("url", ["/", "/api/v1/projects", "/verwaltung/musterkreis/projekte/neu/"])
def test_pages_with_organisation_choices_do_not_grow_with_tenants(world, url):
    """About 200 tenants share one instance: choice lists must not cost a query per organisation."""
    from .factories import OrganisationFactory

    client = world.client("org_admin")
    small = count_queries(client, url)
    OrganisationFactory.create_batch(30)
    assert count_queries(client, url) == small


def test_start_page_stays_small_in_absolute_terms(world):
    add_projects(world.organisation, 50)
    assert count_queries(world.client("anonymous"), "/") <= 8
