"""Every dialogue page answers for readers, participants and moderators; the basic flows work end to end."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from mitwirken.dialogue import services
from mitwirken.dialogue.models import Blueprint, Idea
from mitwirken.participation import services as participation
from mitwirken.participation.models import Comment, Rating

from .conftest import login
from .dialogue_fixtures import AREA, make_dialogue
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def urls(module: Any, idea: Any = None, paragraph: Any = None) -> list[str]:
    project = module.project
    base = {"org_slug": project.organisation.slug, "project_slug": project.slug, "module_slug": module.slug}
    result = [reverse("projects:module", kwargs=base), reverse("dialogue:results", kwargs=base)]
    if idea is not None:
        result.append(reverse("dialogue:idea", kwargs={**base, "idea_pk": idea.pk}))
    if paragraph is not None:
        result.append(reverse("dialogue:paragraph", kwargs={**base, "paragraph_pk": paragraph.pk}))
    return result


@pytest.mark.parametrize("blueprint", list(Blueprint))
def test_every_blueprint_renders_for_reader_participant_and_moderator(world: Any, blueprint: str) -> None:
    project = world.public
    project.location = AREA
    project.save()
    module = make_dialogue(project, blueprint)
    idea = paragraph = None
    citizen = world.personas["citizen"]
    if blueprint in (Blueprint.BRAINSTORMING, Blueprint.MAP_IDEAS):
        idea = services.idea_create(user=citizen, module=module, title="Mehr Bänke", text="<p>Am Markt fehlen Bänke.</p>",
                                    lon=7.6 if blueprint == Blueprint.MAP_IDEAS else None,
                                    lat=50.05 if blueprint == Blueprint.MAP_IDEAS else None)  # fmt: skip
    elif blueprint == Blueprint.TEXT_REVIEW:
        paragraph = module.chapters.get().paragraphs.first()
    else:
        idea = services.item_create(
            actor=world.personas["org_admin"], module=module, title="Tempo 30", text="<p>Thema</p>"
        )
    for persona in ("anonymous", "citizen", "moderator", "org_admin"):
        client = world.client(persona)
        for url in urls(module, idea, paragraph):
            response = client.get(url)
            assert response.status_code == 200, (persona, url, response.status_code)


def test_participant_posts_comments_replies_and_rates(world: Any, client: Any) -> None:
    module = make_dialogue(world.public)
    author, other = world.personas["citizen"], UserFactory(email="zweite@example.org")
    idea = services.idea_create(user=author, module=module, title="Radweg", text="<p>Bitte einen Radweg.</p>")
    login(client, other)
    base = reverse("dialogue:idea", kwargs={"org_slug": "musterkreis", "project_slug": world.public.slug,
                                            "module_slug": module.slug, "idea_pk": idea.pk})  # fmt: skip
    other.date_joined = other.date_joined.replace(year=2020)  # an established account: no proof of work asked
    other.save()
    response = client.post(base, {"comment-text": "Gute Idee!"})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    top = Comment.objects.get()
    response = client.post(base, {"comment-text": "Und eine Antwort", "comment-parent": top.pk})
    assert response.status_code == 302
    assert Comment.objects.filter(parent=top).count() == 1
    idea.refresh_from_db()
    assert idea.comment_count == 2
    client.post(base.replace(f"ideen/{idea.pk}/", f"bewerten/idee/{idea.pk}/"), {"value": "1"})
    idea.refresh_from_db()
    assert (idea.positive_count, idea.score) == (1, 1) and Rating.objects.count() == 1
    page = client.get(base).content.decode()
    assert "Gute Idee!" in page and "Und eine Antwort" in page
    assert Idea.objects.count() == 1


def test_moderator_lifts_a_project_block_but_not_an_organisation_block(world: Any) -> None:
    from mitwirken.participation.models import Block

    module = make_dialogue(world.semipublic)
    invited = world.personas["invited"]
    participation.block(
        actor=world.personas["moderator"], user=invited, reason="Beleidigungen", project=world.semipublic
    )
    participation.block(actor=world.personas["org_admin"], user=invited, reason="Spam", organisation=world.organisation)
    url = reverse("participation:moderation", kwargs={"org_slug": "musterkreis", "project_slug": world.semipublic.slug,
                                                 "module_slug": module.slug})  # fmt: skip
    moderator = world.client("moderator")
    page = moderator.get(url).content.decode()
    assert "Beleidigungen" in page and "Spam" in page
    org_block = Block.objects.get(organisation=world.organisation)
    moderator.post(url, {"action": "unblock", "block": org_block.pk})
    assert Block.objects.filter(pk=org_block.pk).exists()  # only the organisation's staff may lift that one
    project_block = Block.objects.get(project=world.semipublic)
    moderator.post(url, {"action": "unblock", "block": project_block.pk})
    assert not Block.objects.filter(pk=project_block.pk).exists()
    assert world.client("invited").get(url).status_code == 404  # participants never see the queue


def test_moderators_hear_of_flags_once_and_of_pending_contributions_in_the_digest(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from mitwirken.core.models import Notification
    from mitwirken.participation.models import DigestItem

    module = make_dialogue(world.semipublic)
    moderator, invited = world.personas["moderator"], world.personas["invited"]
    idea = services.idea_create(user=invited, module=module, title="Vereinsheim", text="Ein Heim für alle")
    with django_capture_on_commit_callbacks(execute=True):
        participation.flag(user=world.personas["agency"], target=idea, reason="Werbung")
        participation.flag(user=moderator, target=idea, reason="Auch Werbung")
    assert Notification.objects.filter(recipient=moderator, title__contains="gemeldet").count() == 1
    services.settings_update(actor=world.personas["org_admin"], module=module, premoderation=True)
    with django_capture_on_commit_callbacks(execute=True):
        participation.comment_create(user=invited, target=idea, text="Wartet")
    assert DigestItem.objects.filter(user=moderator, title__contains="wartet auf Freigabe").count() == 1


def test_reading_a_dialogue_writes_no_settings(world: Any) -> None:
    """Reads never write: the settings row appears only when staff change a setting."""
    from mitwirken.dialogue.models import DialogueSettings

    module = make_dialogue(world.public)
    idea = services.idea_create(user=world.personas["citizen"], module=module, title="Bank", text="<p>Bank</p>")
    client = world.client("invited")
    for url in (module.get_absolute_url(), reverse("dialogue:idea", kwargs={
            "org_slug": "musterkreis", "project_slug": world.public.slug, "module_slug": module.slug, "idea_pk": idea.pk})):  # fmt: skip
        assert client.get(url).status_code == 200
    assert not DialogueSettings.objects.exists()
    services.settings_update(actor=world.personas["org_admin"], module=module, premoderation=True)
    assert DialogueSettings.objects.get(module=module).blueprint == "brainstorming"
