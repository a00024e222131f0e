"""Project set-up in the back office (issue #14): the address from the title, the publishing checklist, and
editing and deleting modules and phases while nobody has contributed."""

from __future__ import annotations

from typing import Any

import pytest

from mitwirken.core.models import AuditEntry
from mitwirken.core.text import german_slug
from mitwirken.projects.models import Module, Phase, Project

from .conftest import PERSONAS
from .dialogue_fixtures import make_dialogue
from .dialogue_helpers import bulk_ideas, make_users
from .factories import ModuleFactory, PhaseFactory, ProjectFactory
from .formal_fixtures import make_procedure, pdf_upload

pytestmark = pytest.mark.django_db

STAFF = {"case_worker", "org_admin", "portal_admin"}


def office(world: Any, project: Any) -> str:
    return f"/verwaltung/{world.organisation.slug}/projekte/{project.pk}/"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Spielplatz am Märchenbrunnen", "spielplatz-am-maerchenbrunnen"),
        ("Große Straße: Über Öffnungszeiten", "grosse-strasse-ueber-oeffnungszeiten"),
        ("Café à la carte – 2027!", "cafe-a-la-carte-2027"),
        ("ÄÖÜ", "aeoeue"),
    ],
)
def test_german_slug(title: str, slug: str) -> None:
    assert german_slug(title) == slug


def _create(client: Any, world: Any, title: str, slug: str = "") -> Any:
    return client.post(f"/verwaltung/{world.organisation.slug}/projekte/neu/", {
        "title": title, "slug": slug, "summary": "Kurz", "access": "public",
    })  # fmt: skip


def test_the_address_is_proposed_from_the_title_and_unique_per_organisation(world: Any) -> None:
    client = world.client("case_worker")
    _create(client, world, "Spielplatz am Märchenbrunnen")
    _create(client, world, "Spielplatz am Märchenbrunnen")
    # What the browser proposed while typing is taken: the server makes it unique, as for an empty field.
    _create(client, world, "Spielplatz am Märchenbrunnen", "spielplatz-am-maerchenbrunnen")
    slugs = sorted(Project.objects.filter(title="Spielplatz am Märchenbrunnen").values_list("slug", flat=True))
    assert slugs == [
        "spielplatz-am-maerchenbrunnen",
        "spielplatz-am-maerchenbrunnen-2",
        "spielplatz-am-maerchenbrunnen-3",
    ]
    ProjectFactory(organisation=world.other_organisation, slug="rathausplatz", title="Rathausplatz")
    _create(client, world, "Rathausplatz")
    assert Project.objects.filter(organisation=world.organisation, slug="rathausplatz").exists()


def test_an_address_chosen_by_hand_is_kept_and_an_emptied_one_stays(world: Any) -> None:
    client = world.client("case_worker")
    _create(client, world, "Neuer Spielplatz", "spielplatz")
    project = Project.objects.get(title="Neuer Spielplatz")
    assert project.slug == "spielplatz"
    client.post(office(world, project), {"title": "Anderer Titel", "slug": "", "summary": "Kurz", "access": "public"})
    project.refresh_from_db()
    assert (project.title, project.slug) == ("Anderer Titel", "spielplatz")


def test_a_taken_address_chosen_by_hand_is_refused_in_german(world: Any) -> None:
    response = _create(world.client("case_worker"), world, "Irgendwas", world.public.slug)
    assert response.status_code == 200
    assert "existiert bereits" in response.content.decode()


# --- publishing -------------------------------------------------------------------------------------------------


@pytest.fixture
def draft(world: Any) -> Any:
    project = ProjectFactory(organisation=world.organisation, slug="entwurf", title="Entwurf", status="draft",
                             published_at=None, contact_email="", description="")  # fmt: skip
    return project


def test_publishing_asks_for_confirmation_after_the_checklist(world: Any, draft: Any) -> None:
    client = world.client("case_worker")
    PhaseFactory(module=ModuleFactory(project=draft))
    response = client.post(office(world, draft) + "status/", {"action": "publish"})
    assert response["Location"].endswith(office(world, draft) + "veroeffentlichen/")
    draft.refresh_from_db()
    assert draft.status == "draft", "not without confirmation"
    html = client.get(response["Location"]).content.decode()
    assert "Eine Ansprechperson ist angegeben" in html and "empfohlen" in html
    assert "Ja, jetzt veröffentlichen" in html  # recommendations only warn
    client.post(office(world, draft) + "status/", {"action": "publish", "confirmed": "1"})
    draft.refresh_from_db()
    assert draft.status == "published"
    assert AuditEntry.objects.filter(action="project.publish", object_id=str(draft.pk)).exists()


def test_missing_essentials_block_publishing_with_a_german_explanation(world: Any, draft: Any) -> None:
    client = world.client("case_worker")
    module = ModuleFactory(project=draft, name="Infoseite")
    html = client.get(office(world, draft) + "veroeffentlichen/").content.decode()
    assert "Modul „Infoseite“ hat Phasen mit Beginn und Ende" in html and "fehlt" in html
    assert "Ja, jetzt veröffentlichen" not in html
    response = client.post(office(world, draft) + "status/", {"action": "publish", "confirmed": "1"}, follow=True)
    assert "kann nicht veröffentlicht werden" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
    PhaseFactory(module=module)
    client.post(office(world, draft) + "status/", {"action": "publish", "confirmed": "1"})
    draft.refresh_from_db()
    assert draft.status == "published"


def test_a_formal_procedure_needs_documents_before_publishing(world: Any, draft: Any) -> None:
    from mitwirken.formal import services

    procedure = make_procedure(world.personas["case_worker"], draft)
    client = world.client("case_worker")
    html = client.get(office(world, draft) + "veroeffentlichen/").content.decode()
    assert f"Verfahren „{procedure.module.name}“ hat Unterlagen" in html
    assert "Ja, jetzt veröffentlichen" not in html
    services.document_add(actor=world.personas["case_worker"], procedure=procedure, title="Plan",
                          upload=pdf_upload(), track=procedure.rounds.get().tracks.get())  # fmt: skip
    assert "Ja, jetzt veröffentlichen" in client.get(office(world, draft) + "veroeffentlichen/").content.decode()


# --- modules and phases -----------------------------------------------------------------------------------------


def test_a_module_is_renamed_and_deleted_while_nobody_contributed(world: Any, draft: Any) -> None:
    client = world.client("case_worker")
    module = ModuleFactory(project=draft, name="Alt")
    PhaseFactory(module=module)
    client.post(office(world, draft) + f"module/{module.pk}/", {"name": "Neu", "description": "Text"})
    module.refresh_from_db()
    assert module.name == "Neu"
    assert AuditEntry.objects.filter(action="module.update", object_id=str(module.pk)).exists()
    client.post(office(world, draft) + f"module/{module.pk}/", {"action": "delete"})
    assert not Module.objects.filter(pk=module.pk).exists()
    assert not Phase.objects.filter(module_id=module.pk).exists()
    assert AuditEntry.objects.filter(action="module.delete", object_id=str(module.pk)).exists()


def test_a_module_and_its_phases_with_contributions_stay(world: Any) -> None:
    module = make_dialogue(world.public)
    bulk_ideas(module, 3, make_users(1))
    phase = module.phases.first()
    client = world.client("case_worker")
    response = client.post(office(world, world.public) + f"module/{module.pk}/", {"action": "delete"}, follow=True)
    assert "kann nicht gelöscht werden, weil es bereits Beiträge gibt: 3 Ideen" in response.content.decode()
    response = client.post(office(world, world.public) + f"phasen/{phase.pk}/", {"action": "delete"}, follow=True)
    assert "Die Phase „" in response.content.decode() and "3 Ideen" in response.content.decode()
    assert Module.objects.filter(pk=module.pk).exists() and Phase.objects.filter(pk=phase.pk).exists()
    assert not AuditEntry.objects.filter(action__in=["module.delete", "phase.remove"]).exists()


def test_a_text_review_with_comments_but_no_ideas_stays(world: Any) -> None:
    from mitwirken.dialogue.models import Chapter, Paragraph
    from mitwirken.participation.models import Comment, on

    module = make_dialogue(world.public)
    paragraph = Paragraph.objects.create(chapter=Chapter.objects.create(module=module, title="§ 1"), text="<p>Text</p>")
    Comment.objects.create(module=module, author=make_users(1)[0], text="Bitte ändern.", **on(paragraph))
    response = world.client("case_worker").post(
        office(world, world.public) + f"module/{module.pk}/", {"action": "delete"}, follow=True
    )
    assert "kann nicht gelöscht werden, weil es bereits Beiträge gibt: 1 Kommentar" in response.content.decode()
    assert Module.objects.filter(pk=module.pk).exists()


def test_a_phase_without_contributions_is_deleted_and_audited(world: Any, draft: Any) -> None:
    phase = PhaseFactory(module=ModuleFactory(project=draft))
    world.client("case_worker").post(office(world, draft) + f"phasen/{phase.pk}/", {"action": "delete"})
    assert not Phase.objects.filter(pk=phase.pk).exists()
    assert AuditEntry.objects.filter(action="phase.remove", object_id=str(phase.pk)).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_edit_modules_and_see_the_checklist(world: Any, persona: str) -> None:
    module = ModuleFactory(project=world.public, name="Matrix")
    client = world.client(persona)
    pages = [office(world, world.public) + f"module/{module.pk}/", office(world, world.public) + "veroeffentlichen/"]
    for url in pages:
        status = client.get(url).status_code
        assert (status == 200) == (persona in STAFF), (url, status)
    client.post(pages[0], {"action": "delete"})
    assert Module.objects.filter(pk=module.pk).exists() == (persona not in STAFF)
