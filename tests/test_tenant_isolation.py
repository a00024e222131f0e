"""Staff of one organisation get 404 for every back-office object of another.

Like the protected-mode test, the routes come from the URL resolver (namespace
``backoffice``), so new back-office pages are covered automatically.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import get_resolver

from mitwirken.core.models import AuditEntry
from mitwirken.projects.models import Project

from .factories import AttachmentFactory, MembershipFactory, ModuleFactory, PhaseFactory, ProjectFactory
from .test_protected_mode import fill, walk

pytestmark = pytest.mark.django_db


def backoffice_routes() -> list[str]:
    resolver = get_resolver()
    namespace = next(r for r in resolver.url_patterns if getattr(r, "namespace", None) == "backoffice")
    routes = [str(namespace.pattern) + route for route in walk(namespace.url_patterns)]
    return [route for route in routes if "org_slug" in route]


@pytest.fixture
def foreign_objects(world):
    other = world.other_organisation
    project = ProjectFactory(organisation=other, status="draft", access="protected", slug="geheim")
    phase = PhaseFactory(module=ModuleFactory(project=project))
    attachment = AttachmentFactory(project=project)
    membership = MembershipFactory(organisation=other)
    from django.utils import timezone

    from mitwirken.formal import services as formal_services

    from .formal_fixtures import make_procedure

    procedure = make_procedure(world.personas["other_org_admin"], project)
    statement = formal_services.statement_record(
        actor=world.personas["other_org_admin"], track=procedure.rounds.get().tracks.get(), received_at=timezone.now(),
        channel="letter", text="Einwand per Brief", author_name="Erika Muster",
    )  # fmt: skip
    from mitwirken.formal.evaluation import segment_create

    segment = segment_create(actor=world.personas["other_org_admin"], statement=statement, text="Einwand")
    from mitwirken.reports.models import CategoryTemplate, Report

    category = CategoryTemplate.objects.create(code="isolation", name="Isolation")
    report = Report.objects.create(organisation=other, category=category, description="Fremd", lon=7.6, lat=50.0,
                                   status="open")  # fmt: skip
    from mitwirken.organisations.models import OrganisationInvitation

    invitation = OrganisationInvitation.objects.create(
        organisation=other, email="fremd@example.org", role="admin", expires_at=timezone.now() + timedelta(days=3)
    )
    from mitwirken.organisations.models import SignLanguageVideo
    from mitwirken.projects.models import AgencyContact, AgencyGroup

    group = AgencyGroup.objects.create(organisation=other, name="Fremde Gruppe")
    contact = AgencyContact.objects.create(organisation=other, name="Fremde Stelle", email="stelle@fremd.example")
    video = SignLanguageVideo.objects.create(
        organisation=other, title="Fremd", text_version="Text", external_url="https://video.example/1"
    )
    from mitwirken.dialogue.models import Chapter

    from .dialogue_fixtures import make_dialogue
    from .dialogue_helpers import bulk_ideas, make_users
    from .event_fixtures import event_values

    foreign_dialogue = make_dialogue(project)
    bulk_ideas(foreign_dialogue, 1, make_users(1))
    chapter = Chapter.objects.create(module=foreign_dialogue, title="Fremdes Kapitel")
    from mitwirken.formal.models import ExchangeMessage

    from .volunteering_fixtures import volunteering_values

    message = ExchangeMessage.objects.create(organisation=other, direction="out", message_type="x.y.0701",
                                             status="undelivered", payload="<fremd/>")  # fmt: skip
    return {
        "message_pk": message.pk,
        **event_values(other),
        **volunteering_values(other),
        # Surveys: ids of another organisation's survey parts (any id fails: the module is checked first).
        "page_pk": 1,
        "question_pk": 1,
        "answer_set_pk": 1,
        "number": 1,
        "invitation_pk": invitation.pk,
        "report_pk": report.pk,
        "project_pk": project.pk,
        "module_pk": procedure.module.pk,
        "phase_pk": phase.pk,
        "membership_pk": membership.pk,
        "statement_pk": statement.pk,
        "segment_pk": segment.pk,
        "attachment_pk": attachment.pk,
        "group_pk": group.pk,
        "contact_pk": contact.pk,
        "video_pk": video.pk,
        "round_pk": procedure.rounds.get().pk,
        "idea_pk": foreign_dialogue.ideas.get().pk,
        "chapter_pk": chapter.pk,
        "client_pk": _foreign_api_client(world).pk,
        "track_pk": procedure.rounds.get().tracks.get().pk,
        "document_pk": procedure.documents.first().pk if procedure.documents.exists() else 0,
        "file_format": "xlsx",
    }


@pytest.mark.parametrize("persona", ["case_worker", "org_admin"])
def test_every_backoffice_url_of_another_organisation_is_404(world, foreign_objects, persona):
    client = world.client(persona)
    routes = backoffice_routes()
    assert len(routes) >= 12
    audit_before = AuditEntry.objects.count()
    for route in routes:
        url = fill(route, {"org_slug": world.other_organisation.slug, **foreign_objects})
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "publish", "title": "x", "role": "admin"}).status_code == 404, url
    assert AuditEntry.objects.count() == audit_before
    assert Project.objects.get(pk=foreign_objects["project_pk"]).status == "draft"


@pytest.mark.parametrize("persona", ["case_worker", "org_admin"])
def test_foreign_ids_under_the_own_organisation_are_404(world, foreign_objects, persona):
    """Swapping only the id (keeping one's own slug) must not reach another tenant's object either."""
    client = world.client(persona)
    for route in backoffice_routes():
        if not any(key in route for key in foreign_objects):
            continue
        url = fill(route, {"org_slug": world.organisation.slug, **foreign_objects})
        # POST-only actions answer GET with 405 before looking anything up, which reveals nothing.
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"action": "publish"}).status_code == 404, url
    assert Project.objects.get(pk=foreign_objects["project_pk"]).status == "draft"


def test_own_backoffice_is_reachable(world):
    client = world.client("org_admin")
    for route in ["", "einstellungen/", "mitglieder/", "protokoll/", "projekte/neu/"]:
        assert client.get(f"/verwaltung/{world.organisation.slug}/{route}").status_code == 200, route


def test_participants_and_citizens_have_no_backoffice(world):
    for persona in ["citizen", "invited", "moderator", "other_org_admin"]:
        assert world.client(persona).get(f"/verwaltung/{world.organisation.slug}/").status_code == 404


def test_case_worker_cannot_reach_admin_only_pages(world):
    client = world.client("case_worker")
    for route in ["einstellungen/", "mitglieder/", "protokoll/"]:
        assert client.get(f"/verwaltung/{world.organisation.slug}/{route}").status_code == 404


def test_staff_without_second_factor_is_sent_to_set_it_up(world):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=world.personas["case_worker"]).delete()
    response = world.client("case_worker").get(f"/verwaltung/{world.organisation.slug}/")
    assert response.status_code == 302
    assert "/2fa/" in response["Location"]


def test_staff_must_confirm_the_session_with_the_second_factor(world):
    from django.test import Client

    client = Client()
    client.force_login(world.personas["org_admin"])  # e.g. a password-only login: no "mfa" record in the session
    response = client.get(f"/verwaltung/{world.organisation.slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/2fa/reauthenticate/")


def test_admin_login_goes_through_the_portal_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")


def test_django_admin_is_for_portal_admins_only(world):
    assert world.client("portal_admin").get("/admin/").status_code == 200
    for persona in ["org_admin", "case_worker", "citizen"]:
        assert world.client(persona).get("/admin/").status_code == 302  # to the admin login


def _foreign_api_client(world):
    from django.utils import timezone

    from mitwirken.api.services import client_create

    client, _key = client_create(actor=world.personas["other_org_admin"], organisation=world.other_organisation,
                                 name="Fremdes Fachverfahren", scopes=["xbeteiligung.export"],
                                 expires_at=timezone.now() + timedelta(days=30))  # fmt: skip
    return client
