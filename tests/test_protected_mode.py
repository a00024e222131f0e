"""Protected projects answer 404 to everyone not invited, on every URL that names them.

The URLs are not listed by hand: the test walks the URL resolver and takes every
pattern that contains ``project_slug`` (pages, files, modules, API), so a URL added
later is covered without touching this file.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from .factories import AttachmentFactory

pytestmark = pytest.mark.django_db


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def project_url_templates() -> list[str]:
    templates = [route for route in walk(get_resolver().url_patterns) if "project_slug" in route]
    assert len(templates) >= 5, templates  # pages, image, attachment, module and API at least
    return templates


def fill(route: str, values: dict[str, object]) -> str:
    def replace(match: re.Match[str]) -> str:
        return str(values[match.group("name")])

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", replace, route)
    path = path.replace("^", "").replace("$", "")
    return "/" + path.lstrip("/")


AUTHOR_ONLY = ("stellungnahmen/",)  # receipts: the author and staff only
SUBMITTERS_ONLY = ("/frist/",)  # statement form and review: people who may take part, not staff


RELEASE_QUEUE = ("/freigabe/",)  # agency coordinators only; no persona here coordinates an agency
NO_ACCOUNT = ("/ohne-konto/", "/bestaetigen/")  # statements without an account exist only in public projects


# Dialogue: only participants (invited people, not staff) add ideas; only authors edit; moderators moderate.
PARTICIPANTS_ONLY = ("/ideen/neu/",)
AUTHORS_ONLY = ("/bearbeiten/",)  # the idea and the comment are the invited person's
MODERATORS_ONLY = ("/rueckmeldung/", "/moderation/", "/sperren/", "/export.")
POST_ONLY = ("/bewerten/", "/folgen/", "/haushalt/")
MODERATE_ACTION = re.compile(r"/moderation/[^/]+/\d+/$")


# Surveys: the invited answer (staff who are not invited see the refusal); POST-only steps answer 405; a resume
# link with a bad signature goes back to the survey's start page.
SURVEY_PATHS = ("/seite/", "/zugang/", "/fortsetzen/", "/danke/", "/frage-bild/", "/auswertung/")
SURVEY_POST_ONLY = re.compile(r"/(zugang|fortsetzen)/$")
SURVEY_RESPONDENTS_ONLY = ("/seite/",)
SURVEY_REDIRECTS = re.compile(r"/fortsetzen/[^/]+/$")
# The survey here has unpublished results: its public results page is a preview for the project's staff only.
SURVEY_UNPUBLISHED_RESULTS = "/auswertung/"

FORMAL_PATHS = ("/unterlagen/", "/frist/", "/stellungnahmen/", "/abwaegung/", "/mitzeichnen/", "/bestaetigen/")
# Module addresses from before modules had slugs redirect for good, after the same access check.
LEGACY = re.compile(r"/projekte/[^/]+/(module|dialog|verfahren)/\d+/")


def expected_status(url: str, persona: str) -> int:
    moderators = ("moderator", "case_worker", "org_admin", "portal_admin")
    if LEGACY.search(url):
        return 301
    if SURVEY_POST_ONLY.search(url):
        return 405
    if SURVEY_REDIRECTS.search(url):
        return 302
    if SURVEY_UNPUBLISHED_RESULTS in url:
        return 200 if persona in ("case_worker", "org_admin", "portal_admin") else 404
    if any(marker in url for marker in SURVEY_RESPONDENTS_ONLY):
        # Answering is taking part in person: a portal admin's blanket rights do not make them a respondent.
        return 200 if persona in ("invited", "agency", "moderator") else 403
    if MODERATE_ACTION.search(url):
        return 405 if persona in moderators else 404
    if any(marker in url for marker in MODERATORS_ONLY):
        return 200 if persona in moderators else 404
    if any(marker in url for marker in POST_ONLY):
        return 405
    if any(marker in url for marker in PARTICIPANTS_ONLY):
        return 200 if persona in ("invited", "agency", "moderator", "portal_admin") else 403
    if any(marker in url for marker in AUTHORS_ONLY):
        return 200 if persona in ("invited", "portal_admin") else 404
    if any(marker in url for marker in RELEASE_QUEUE + NO_ACCOUNT):
        return 404
    if any(marker in url for marker in AUTHOR_ONLY):
        return 200 if persona in ("invited", "case_worker", "org_admin", "portal_admin") else 404
    if any(marker in url for marker in SUBMITTERS_ONLY):
        # Portal admins are superusers: Django grants them every permission, submitting included.
        return 200 if persona in ("invited", "agency", "moderator", "portal_admin") else 404
    return 200


@pytest.fixture
def protected_urls(world):
    from mitwirken.formal import services as formal_services

    from .formal_fixtures import make_procedure, pdf_upload

    project = world.protected
    project.image = AttachmentFactory.build().file  # any stored file will do for the image route
    project.image.name = "projects/images/bild.png"
    project.image.save("bild.png", project.image.file, save=True)
    attachment = AttachmentFactory(project=project)
    procedure = make_procedure(world.personas["case_worker"], project)
    track = procedure.rounds.get().tracks.get()
    document = formal_services.document_add(
        actor=world.personas["case_worker"], procedure=procedure, track=track, title="Plan", upload=pdf_upload()
    )
    formal_services.draft_save(user=world.personas["invited"], track=track, data={"text": "Einwand", "author_name": "A",
                               "street": "S 1", "postal_code": "55555", "city": "X"}, uploads=[pdf_upload()])  # fmt: skip
    draft = formal_services.draft_for(user=world.personas["invited"], track=track)
    statement = formal_services.statement_submit(
        user=world.personas["invited"], track=track, submission_key=str(draft.submission_key)
    )
    from mitwirken.dialogue import services as dialogue_services
    from mitwirken.dialogue.models import Blueprint
    from mitwirken.participation import services as participation

    from .dialogue_fixtures import make_dialogue

    invited = world.personas["invited"]
    invited.date_joined = invited.date_joined.replace(year=2020)
    invited.save()
    ideas_module = make_dialogue(project, Blueprint.BRAINSTORMING)
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, format="PNG")
    idea = dialogue_services.idea_create(user=invited, module=ideas_module, title="Idee", text="<p>Text</p>",
                                         image=SimpleUploadedFile("skizze.png", buffer.getvalue()), image_alt="Skizze")  # fmt: skip
    comment = participation.comment_create(user=invited, target=idea, text="Kommentar")
    text_module = make_dialogue(project, Blueprint.TEXT_REVIEW)
    from mitwirken.surveys.services import building

    from .survey_fixtures import make_survey

    survey = make_survey(project)
    info = building.question_add(actor=world.personas["org_admin"], page=survey.pages.first(), type="info",
                                 text="Hinweis", code="hinweis")  # fmt: skip
    info.image.save("karte.png", SimpleUploadedFile("karte.png", buffer.getvalue()), save=True)
    values = {
        "idea_pk": idea.pk,
        "comment_pk": comment.pk,
        "kind": "kommentar",
        "pk": comment.pk,
        "user_pk": invited.pk,
        "file_format": "csv",
        "org_slug": project.organisation.slug,
        "project_slug": project.slug,
        "rest": "",
        "attachment_pk": attachment.pk,
        "track_pk": track.pk,
        "document_pk": document.pk,
        "reference": statement.reference,
        "token": statement.cosign_token,
        "number": 1,
        "code": "kein-code",
        "key": "kein-schluessel",
        "question_pk": info.pk,
    }

    def module_for(route: str) -> Any:
        if "<slug:module_slug>/" in route and any(part in route for part in SURVEY_PATHS):
            return survey.module
        if "/absaetze/" in route:
            return text_module
        dialogue_route = "/dialog/" in route or (
            "<slug:module_slug>/" in route and not route.endswith("<slug:module_slug>/")
            and not any(part in route for part in FORMAL_PATHS)
        )  # fmt: skip
        return ideas_module if dialogue_route else procedure.module

    def attachment_for(route: str) -> int:
        return statement.attachments.get().pk if "/stellungnahmen/" in route else attachment.pk

    return [fill(route, {**values, "module_pk": module_for(route).pk, "module_slug": module_for(route).slug,
                         "attachment_pk": attachment_for(route),
                         "paragraph_pk": text_module.chapters.get().paragraphs.first().pk})
            for route in project_url_templates()]  # fmt: skip


@pytest.mark.parametrize("persona", ["anonymous", "citizen", "other_org_admin"])
def test_outsiders_get_404_everywhere(world, protected_urls, persona):
    client = world.client(persona)
    for url in protected_urls:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("persona", ["invited", "agency", "moderator", "case_worker", "org_admin", "portal_admin"])
def test_invited_and_staff_get_200_everywhere(world, protected_urls, persona):
    client = world.client(persona)
    for url in protected_urls:
        assert client.get(url).status_code == expected_status(url, persona), url


def test_revoked_access_turns_into_404(world, protected_urls):
    from mitwirken.projects import services
    from mitwirken.projects.models import ProjectMembership

    membership = ProjectMembership.objects.get(project=world.protected, user=world.personas["invited"])
    services.membership_remove(actor=world.personas["org_admin"], membership=membership)
    client = world.client("invited")
    assert all(client.get(url).status_code == 404 for url in protected_urls)


@pytest.mark.parametrize("persona", ["anonymous", "citizen", "invited"])
def test_protected_projects_never_appear_in_lists_search_feeds_or_api(world, persona):
    client = world.client(persona)
    title = world.protected.title
    for url in [
        "/",
        f"/?q={title}",
        f"/{world.organisation.slug}/",
        "/feed/",
        f"/{world.organisation.slug}/feed/",
        "/api/v1/projects",
        f"/api/v1/projects?q={title}",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert world.protected.slug not in content, url
        if "q=" not in url:  # a search page echoes the query itself
            assert title not in content, url


def test_draft_projects_are_404_for_the_public(world):
    world.public.status = "draft"
    world.public.save()
    for persona in ["anonymous", "citizen", "invited", "other_org_admin"]:
        assert world.client(persona).get(world.public.get_absolute_url()).status_code == 404
    assert world.client("case_worker").get(world.public.get_absolute_url()).status_code == 200
