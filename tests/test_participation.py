"""The shared participation parts: generic targets, self-rating and self-flagging, block expiry, the back-office
moderation overview, follows in Mein Bereich and the URL ownership of the participation segments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from mitwirken.dialogue import services as dialogue_services
from mitwirken.dialogue.models import Blueprint
from mitwirken.participation import contrib, services, targets
from mitwirken.participation.models import Block, Comment, Flag, Follow, Rating, on
from mitwirken.projects.models import Module, Project

from .dialogue_fixtures import make_dialogue
from .dialogue_helpers import established, fresh, page_text, purl
from .factories import UserFactory

pytestmark = pytest.mark.django_db


# --- any object can take part ---------------------------------------------------------------------------------


class ProjectTarget(targets.Target):
    """A throwaway adapter: projects as if a module (events, surveys …) let people discuss and rate them."""

    model = Project
    kind = "testprojekt"
    name = "Projekt"
    followable = True

    def module(self, obj: Any) -> Module:
        return obj.modules.filter(module_type__startswith="dialogue_").first()  # type: ignore[no-any-return]

    def queryset(self, user: Any, module: Module) -> Any:
        return Project.objects.filter(pk=module.project_id)

    def attach(self, obj: Any, module: Module) -> None:
        pass

    def prefetch_queryset(self) -> Any:
        return Project.objects.select_related("organisation")

    def accepts_comments(self, obj: Any) -> tuple[bool, str]:
        return True, ""

    def accepts_ratings(self, obj: Any) -> tuple[bool, str]:
        return True, ""

    def title(self, obj: Any) -> str:
        return str(obj.title)

    def url(self, obj: Any, module: Module) -> str:
        return str(obj.get_absolute_url())


@pytest.fixture
def project_target() -> Any:
    target = ProjectTarget()
    targets.register(target)
    yield target
    targets.unregister(target)


def test_comments_ratings_flags_and_follows_attach_to_any_object(
    world: Any, project_target: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from mitwirken.core.models import Notification

    project = world.public
    module = make_dialogue(project, Blueprint.BRAINSTORMING, "collect")
    citizen, neighbour, admin = (
        world.personas["citizen"],
        UserFactory(email="n@example.org"),
        world.personas["org_admin"],
    )
    services.follow(user=neighbour, target=project)
    with django_capture_on_commit_callbacks(execute=True):
        top = services.comment_create(user=citizen, target=project, text="Wann geht es los?")
        reply = services.comment_create(user=neighbour, target=project, text="Im Frühjahr.", parent=top)
    assert top.module == module and top.content_object == project
    assert Comment.objects.of(project).count() == 2
    top.refresh_from_db()
    assert top.reply_count == 1  # no counter on projects: only the reply count is kept
    # Followers of the object and the parent's author hear of new comments.
    assert Notification.objects.filter(recipient=neighbour, title__contains="Projekt public").exists()
    assert Notification.objects.filter(recipient=citizen, title__contains="Projekt public").exists()
    assert Follow.objects.of(project).filter(user=citizen).exists()  # commenters follow

    rating = services.rate(user=citizen, target=project, value=1)
    assert rating is not None and (rating.module, rating.content_object) == (module, project)
    assert services.rate(user=citizen, target=project, value=1) is None  # the same vote again withdraws it
    assert not Rating.objects.of(project).exists()

    flag = services.flag(user=citizen, target=reply, reason="Stimmt nicht")
    assert flag.content_object == reply
    established(admin)
    page = page_text(world.client("org_admin").get(purl(module, "moderation")))
    assert "Stimmt nicht" in page and f"{project.get_absolute_url()}#kommentar-{reply.pk}" in page
    services.hide(actor=admin, target=reply, reason="Off-Topic")
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    top.refresh_from_db()
    assert top.reply_count == 0


def test_an_unregistered_object_cannot_take_part(world: Any) -> None:
    with pytest.raises(LookupError):
        services.comment_create(user=world.personas["citizen"], target=world.public, text="Hallo")


# --- nobody rates or flags their own contribution -------------------------------------------------------------


def test_nobody_rates_or_flags_their_own_contribution(world: Any) -> None:
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect")
    author, other = world.personas["citizen"], UserFactory(email="andere@example.org")
    established(author, other)
    idea = dialogue_services.idea_create(user=author, module=module, title="Bank", text="<p>Eine Bank</p>")
    comment = services.comment_create(user=author, target=idea, text="Mein eigener Kommentar")
    for call in (
        lambda: services.rate(user=author, target=idea, value=1),
        lambda: services.flag(user=author, target=idea, reason="Selbst"),
        lambda: services.flag(user=author, target=comment, reason="Selbst"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert not author.has_perm("participation.rate", idea) and author.has_perm("participation.rate", module)
    client = world.client("citizen")
    response = client.post(purl(module, "rate", kind="idee", pk=idea.pk), {"value": "1"})
    assert response.status_code == 302 and not Rating.objects.exists()
    page = page_text(client.get(purl(module, "flag", kind="kommentar", pk=comment.pk)))
    assert "Eigene Beiträge können Sie nicht melden" in page
    client.post(purl(module, "flag", kind="kommentar", pk=comment.pk), {"reason": "Selbst"})
    assert not Flag.objects.exists()
    idea_page = page_text(client.get(reverse("dialogue:idea", kwargs={
        "org_slug": world.organisation.slug, "project_slug": world.public.slug, "module_slug": module.slug,
        "idea_pk": idea.pk})))  # fmt: skip
    assert 'name="value" value="1"' not in idea_page and "Idee melden" not in idea_page
    services.rate(user=other, target=idea, value=1)
    services.flag(user=other, target=comment, reason="Werbung")
    assert Rating.objects.count() == 1 and Flag.objects.count() == 1


# --- blocks expire ----------------------------------------------------------------------------------------------


def test_a_block_with_an_end_expires_by_itself(world: Any) -> None:
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect")
    citizen, admin = world.personas["citizen"], world.personas["org_admin"]
    now = timezone.now()
    with pytest.raises(ValidationError):
        services.block(actor=admin, user=citizen, reason="Spam", project=world.public, expires_at=now - timedelta(1))
    services.block(actor=admin, user=citizen, reason="Spam", project=world.public, expires_at=now + timedelta(days=7))
    assert not fresh(citizen).has_perm("participation.comment", module)
    assert fresh(citizen).has_perm("participation.flag", module)  # reading and flagging stay
    with time_machine.travel(now + timedelta(days=8)):
        assert fresh(citizen).has_perm("participation.comment", module)
        assert module.project.pk not in Block.objects.active().values_list("project_id", flat=True)
    services.block(actor=admin, user=citizen, reason="Wieder Spam", organisation=world.organisation)
    with time_machine.travel(now + timedelta(days=800)):
        assert not fresh(citizen).has_perm("participation.comment", module)  # without an end: for good


def test_the_block_form_sets_an_end(world: Any) -> None:
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect")
    response = world.client("org_admin").post(
        purl(module, "block", user_pk=world.personas["citizen"].pk),
        {"reason": "Beleidigungen", "scope": "project", "duration": "7"},
    )
    assert response.status_code == 302
    entry = Block.objects.get()
    assert timedelta(days=6) < entry.expires_at - timezone.now() <= timedelta(days=7)


# --- the back office and Mein Bereich ---------------------------------------------------------------------------


def test_back_office_lists_waiting_moderation_per_module(world: Any) -> None:
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect")
    dialogue_services.settings_update(actor=world.personas["org_admin"], module=module, premoderation=True)
    author = world.personas["citizen"]
    idea = dialogue_services.idea_create(user=author, module=module, title="Wartet", text="<p>Text</p>")
    assert not idea.approved
    services.flag(user=world.personas["invited"], target=idea, reason="Werbung")
    url = reverse("backoffice:moderation", kwargs={"org_slug": world.organisation.slug})
    response = world.client("org_admin").get(url)
    page = page_text(response)
    assert response.status_code == 200
    assert purl(module, "moderation") in page and module.name in page
    assert [(entry.flags, entry.pending) for entry in response.context["page"].object_list] == [(1, 1)]
    dashboard = page_text(
        world.client("org_admin").get(reverse("backoffice:dashboard", kwargs={"org_slug": world.organisation.slug}))
    )
    assert url in dashboard  # the navigation links to it
    assert world.client("other_org_admin").get(url).status_code == 404
    assert world.client("citizen").get(url).status_code == 404
    [item] = contrib.staff_work(world.personas["org_admin"], world.organisation)
    assert item.count == 2 and item.url == purl(module, "moderation")


def test_mein_bereich_lists_comments_and_follows_with_their_settings(world: Any) -> None:
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect")
    citizen, other = world.personas["citizen"], world.personas["invited"]
    idea = dialogue_services.idea_create(user=other, module=module, title="Spielplatz", text="<p>Schaukel</p>")
    services.comment_create(user=citizen, target=idea, text="Bin dafür")
    services.follow(user=citizen, project=world.public, frequency="daily")
    client = world.client("citizen")
    page = page_text(client.get(reverse("accounts:overview")))
    assert "Bin dafür" in page and "Spielplatz" in page and world.public.title in page
    follow = Follow.objects.get(user=citizen, **on(idea))
    client.post(reverse("participation:follow_change", kwargs={"follow_pk": follow.pk}), {"frequency": "daily"})
    follow.refresh_from_db()
    assert follow.frequency == "daily"
    client.post(reverse("participation:follow_change", kwargs={"follow_pk": follow.pk}), {"action": "stop"})
    assert not Follow.objects.filter(pk=follow.pk).exists()
    theirs = services.follow(user=other, project=world.public)
    response = client.post(reverse("participation:follow_change", kwargs={"follow_pk": theirs.pk}), {"action": "stop"})
    assert response.status_code == 404 and Follow.objects.filter(pk=theirs.pk).exists()


# --- the participation segments under a module belong to participation ----------------------------------------


def test_a_plugin_cannot_claim_a_participation_segment(monkeypatch: Any) -> None:
    import sys
    import types

    from django.urls import path

    from mitwirken import urls
    from mitwirken.core import plugins

    fake = types.ModuleType("fake_plugin_urls")
    fake.app_name = "fake"  # type: ignore[attr-defined]
    fake.module_urlpatterns = [path("moderation/", lambda request: None)]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_plugin_urls", fake)
    monkeypatch.setitem(plugins._plugins, "fake", plugins.Plugin(key="fake", name="Fake", urls="fake_plugin_urls"))
    with pytest.raises(ImproperlyConfigured, match="moderation"):
        urls.plugin_urlpatterns()


def test_text_review_comments_keep_the_paragraph_counter(world: Any) -> None:
    module = make_dialogue(world.public, Blueprint.TEXT_REVIEW, "comment")
    paragraph = module.chapters.get().paragraphs.first()
    comment = services.comment_create(user=world.personas["citizen"], target=paragraph, text="Unklar")
    paragraph.refresh_from_db()
    assert paragraph.comment_count == 1 and comment.module == module
    services.comment_delete(user=world.personas["citizen"], comment=comment)
    paragraph.refresh_from_db()
    assert paragraph.comment_count == 0
