"""Staff rights exist only in a session confirmed with the second factor – on every page, the API and the admin.

The routes come from the URL resolver, so a page added later is covered without touching this file.
A staff member (case worker, organisation admin, portal admin) signed in with the password only must
see exactly what a citizen without any role sees – or be sent to confirm the session with TOTP.
"""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone

from mitwirken.core.models import AuditEntry
from mitwirken.projects.models import Project

from .event_fixtures import event_values
from .factories import AttachmentFactory, ProjectFactory, UserFactory
from .survey_fixtures import make_survey
from .test_protected_mode import FORMAL_PATHS, SURVEY_PATHS, fill, walk
from .volunteering_fixtures import volunteering_values

pytestmark = pytest.mark.django_db

STAFF = ["case_worker", "org_admin", "portal_admin"]
SECOND_FACTOR_PAGES = ("/konto/2fa/",)


def password_only(user) -> Client:
    """A session after the password step only: no "mfa" record, as every new staff member has at first."""
    client = Client()
    client.force_login(user)
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [{"method": "password", "at": time.time()}]
    session.save()
    return client


def routes() -> list[str]:
    # The Django admin is walked in its own test; allauth's own pages need no staff rights.
    return [
        route
        for route in walk(get_resolver().url_patterns)
        if not route.startswith(("admin/", "konto/", "i18n/")) and "(?P<" not in route
    ]


@pytest.fixture
def values(world):
    from mitwirken.dialogue import services as dialogue_services
    from mitwirken.dialogue.models import Blueprint
    from mitwirken.formal import evaluation
    from mitwirken.formal import services as formal_services
    from mitwirken.participation import services as participation
    from mitwirken.reports.models import CategoryTemplate, Report

    from .dialogue_fixtures import make_dialogue
    from .formal_fixtures import make_procedure, pdf_upload

    project = world.protected
    attachment = AttachmentFactory(project=project)
    staff = world.personas["case_worker"]
    procedure = make_procedure(staff, project)
    track = procedure.rounds.get().tracks.get()
    document = formal_services.document_add(actor=staff, procedure=procedure, track=track, title="Plan",
                                            upload=pdf_upload())  # fmt: skip
    invited = world.personas["invited"]
    formal_services.draft_save(user=invited, track=track, data={"text": "Einwand", "author_name": "A",
                               "street": "S 1", "postal_code": "55555", "city": "X"})  # fmt: skip
    draft = formal_services.draft_for(user=invited, track=track)
    statement = formal_services.statement_submit(user=invited, track=track, submission_key=str(draft.submission_key))
    segment = evaluation.segment_create(actor=staff, statement=statement, text=statement.text)
    invited.date_joined = invited.date_joined.replace(year=2020)
    invited.save()
    ideas = make_dialogue(project, Blueprint.BRAINSTORMING)
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, format="PNG")
    idea = dialogue_services.idea_create(user=invited, module=ideas, title="Idee", text="<p>Text</p>",
                                         image=SimpleUploadedFile("s.png", buffer.getvalue()), image_alt="Skizze")  # fmt: skip
    comment = participation.comment_create(user=invited, target=idea, text="Kommentar")
    text_module = make_dialogue(project, Blueprint.TEXT_REVIEW)
    category = CategoryTemplate.objects.create(code="walk", name="Walk")
    report = Report.objects.create(organisation=world.organisation, category=category, description="Loch",
                                   lon=7.6, lat=50.0, status="open")  # fmt: skip
    draft_project = ProjectFactory(organisation=world.organisation, status="draft", slug="entwurf", title="Entwurf")
    from mitwirken.organisations.models import OrganisationInvitation

    invitation = OrganisationInvitation.objects.create(organisation=world.organisation, email="neu@example.org",
                                                       role="admin", expires_at=timezone.now() + timedelta(days=3))  # fmt: skip
    survey = make_survey(project)
    return {
        **event_values(world.organisation),
        **volunteering_values(world.organisation),
        "page_pk": survey.pages.first().pk, "question_pk": survey.questions.first().pk, "answer_set_pk": 1, "number": 1,
        "survey_module": survey.module, "key": "x",
        "org_slug": project.organisation.slug, "project_slug": project.slug, "project_pk": project.pk,
        "procedure_module": procedure.module.pk, "ideas_module": ideas.pk, "text_module": text_module.pk,
        "modules": {"procedure": procedure.module, "ideas": ideas, "text": text_module}, "rest": "",
        "attachment_pk": attachment.pk, "track_pk": track.pk, "document_pk": document.pk,
        "reference": statement.reference, "statement_pk": statement.pk, "segment_pk": segment.pk, "token": statement.cosign_token,
        "idea_pk": idea.pk, "comment_pk": comment.pk, "kind": "kommentar", "pk": comment.pk, "user_pk": invited.pk,
        "file_format": "csv", "paragraph_pk": text_module.chapters.get().paragraphs.first().pk,
        "report_pk": report.pk, "photo_pk": 1, "phase_pk": project.modules.first().phases.first().pk,
        "membership_pk": world.organisation.memberships.first().pk, "invitation_pk": invitation.pk, "code": "walk", "path": "x",
        "draft_project": draft_project,
        "contact_pk": 1, "group_pk": 1, "video_pk": 1, "round_pk": procedure.rounds.first().pk, "message_pk": 1, "identity_pk": 1, "provider": "bundid",
        "chapter_pk": text_module.chapters.get().pk, "client_pk": _api_client(world).pk,
        "z": 1, "x": 0, "y": 0,
    }  # fmt: skip


def _api_client(world):
    """A partner system's access of the organisation: revoking it is a POST that must change nothing here."""
    from datetime import timedelta

    from django.utils import timezone

    from mitwirken.api.services import client_create

    client, _key = client_create(actor=world.personas["org_admin"], organisation=world.organisation, name="Cockpit",
                                 scopes=["xbeteiligung.import"], expires_at=timezone.now() + timedelta(days=30))  # fmt: skip
    return client


def urls(values) -> list[str]:
    filled = []
    modules = values["modules"]
    for route in routes():
        module = modules["procedure"]
        under_module = "<slug:module_slug>/" in route and not route.endswith("<slug:module_slug>/")
        if "/dialog/" in route or (under_module and not any(part in route for part in FORMAL_PATHS)):
            module = modules["text"] if "/absaetze/" in route else modules["ideas"]
        if "/umfrage/" in route or (under_module and any(part in route for part in SURVEY_PATHS)):
            module = values["survey_module"]
        url = fill(route, {**values, "module_pk": module.pk, "module_slug": module.slug,
                           "pk": values["report_pk"] if "maengelmelder" in route else values["pk"]})  # fmt: skip
        filled.append(url)
    return filled


def sent_to_second_factor(response) -> bool:
    # Pages redirect to the second factor; the API cannot redirect and answers 403 with the same hint.
    if response.status_code == 403 and response.get("Content-Type", "").startswith("application/json"):
        return "zweiten Faktor" in response.json().get("detail", "")
    return response.status_code == 302 and response["Location"].startswith(SECOND_FACTOR_PAGES)


def status(response) -> object:
    if response.status_code in (301, 302):
        return ("redirect", response["Location"].split("?")[0])
    return response.status_code


@pytest.mark.parametrize("persona", STAFF)
def test_every_url_without_the_second_factor_shows_no_more_than_to_a_citizen(world, values, persona):
    staff = password_only(world.personas[persona])
    citizen = password_only(UserFactory(email="nobody@example.org"))
    checked = 0
    for url in urls(values):
        response = staff.get(url)
        if sent_to_second_factor(response):
            continue
        assert status(response) == status(citizen.get(url)), url
        checked += 1
    assert checked >= 50
    # the findings of the probe, named: draft and protected projects, another citizen's receipt, exports
    for url in [
        values["draft_project"].get_absolute_url(),
        world.protected.get_absolute_url(),
        f"/{values['org_slug']}/projekte/{values['project_slug']}/{values['modules']['procedure'].slug}/"
        f"stellungnahmen/{values['reference']}/eingangsbestaetigung.pdf",
        f"/{values['org_slug']}/projekte/{values['project_slug']}/{values['modules']['ideas'].slug}/export.csv",
        f"/{values['org_slug']}/projekte/{values['project_slug']}/{values['modules']['ideas'].slug}/moderation/",
    ]:
        assert staff.get(url).status_code == 404, url
    # … and the same session confirmed with the second factor has the rights again
    from .conftest import login

    confirmed = login(Client(), world.personas[persona])
    assert confirmed.get(values["draft_project"].get_absolute_url()).status_code == 200


@pytest.mark.parametrize("persona", STAFF)
def test_every_post_without_the_second_factor_changes_nothing(world, values, persona):
    staff_user = world.personas[persona]
    staff = password_only(staff_user)
    audit_before = AuditEntry.objects.count()
    payload = {"action": "publish", "title": "x", "role": "admin", "status": "published", "email": "x@example.org",
               "text": "x", "reason": "x", "enabled": "1", "template": "1"}  # fmt: skip
    for url in urls(values):
        if url.startswith("/api/"):
            continue  # the API is walked below with its own payloads
        staff.post(url, payload)
    assert AuditEntry.objects.count() == audit_before
    assert Project.objects.get(pk=values["draft_project"].pk).status == "draft"
    from mitwirken.dialogue.models import Idea

    assert Idea.objects.get(pk=values["idea_pk"]).feedback == ""


@pytest.mark.parametrize("persona", STAFF)
def test_api_without_the_second_factor_has_no_staff_rights(world, values, persona):
    staff = password_only(world.personas[persona])
    base = f"/api/v1/procedures/{values['org_slug']}"
    import_url = f"{base}/{world.public.pk}/import"
    # 403, not 400: authorisation must fail before the message is even read. The API's session login refuses
    # staff without the second factor on every route (api/auth.py), with a hint where to confirm it.
    refused = staff.post(import_url, {"message": SimpleUploadedFile("x.xml", b"<x/>")})
    assert refused.status_code == 403 and "zweiten Faktor" in refused.json()["detail"]
    statement = f"{base}/{world.protected.pk}/{values['procedure_module']}/statements/{values['reference']}.xml"
    assert staff.get(statement).status_code == 403
    assert staff.get(f"/api/v1/projects/{values['org_slug']}/{values['draft_project'].slug}").status_code == 404
    assert staff.get(f"/api/v1/projects/{values['org_slug']}/{values['project_slug']}").status_code == 404
    listed = staff.get("/api/v1/projects").content.decode()
    assert "entwurf" not in listed and values["project_slug"] not in listed


@pytest.mark.parametrize("persona", STAFF)
def test_django_admin_needs_the_second_factor(world, persona):
    staff = password_only(world.personas[persona])
    for url in ["/admin/", "/admin/accounts/user/", "/admin/mfa/authenticator/", "/admin/core/auditentry/"]:
        response = staff.get(url, follow=True)
        assert response.status_code in (403, 200), url
        assert b"Portaladministration" not in response.content or response.status_code == 403, url
        assert not any(
            (hop[0].startswith("/admin/") and hop[0] != "/admin/login/") for hop in response.redirect_chain[1:]
        ), url
    first = staff.get("/admin/", follow=True).redirect_chain
    if persona == "portal_admin":
        assert any(hop[0].startswith(SECOND_FACTOR_PAGES) for hop in first), first


def test_django_admin_with_the_second_factor_and_its_csp(world):
    from .conftest import login

    client = login(Client(), world.personas["portal_admin"])
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert re.search(r"<script>|\son\w+=", response.content.decode()) is None


def test_superuser_powers_outside_a_request_are_unchanged(world):
    """Management commands and the task worker have no session: the stored roles apply there."""
    assert world.personas["portal_admin"].has_perm("projects.change_project", world.protected)
    assert world.personas["case_worker"].has_perm("projects.change_project", world.protected)


def test_citizen_roles_need_no_second_factor(world):
    for persona in ["invited", "moderator", "agency"]:
        assert password_only(world.personas[persona]).get(world.protected.get_absolute_url()).status_code == 200


def test_staff_rights_expire_with_the_staff_session_age(world, settings):
    from .conftest import login

    settings.MITWIRKEN_STAFF_SESSION_MAX_AGE = 10 * 3600
    client = login(Client(), world.personas["org_admin"])
    session = client.session
    old = time.time() - settings.MITWIRKEN_STAFF_SESSION_MAX_AGE - 60
    session["account_authentication_methods"] = [{"method": "password", "at": old}, {"method": "mfa", "at": old}]
    session.save()
    response = client.get(f"/verwaltung/{world.organisation.slug}/")
    assert response.status_code == 302 and response["Location"].startswith("/konto/2fa/reauthenticate/")
    draft = ProjectFactory(organisation=world.organisation, status="draft")
    assert client.get(draft.get_absolute_url()).status_code == 404
