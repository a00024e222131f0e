"""The idea list's cards are a Jinja2 partial (core/jinja.py) inside the Django page. Every part of a card shows
what the idea holds: author or administration or deleted account, date, category, labels, feedback, approval,
moderation, excerpt or search match, comment and rating counts, place; the rating form for those who may rate; the
reader's language; and whatever a participant typed escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.urls import reverse

from mitwirken.dialogue import services
from mitwirken.dialogue.models import Category, Feedback, Idea, Label
from mitwirken.participation import services as participation

from .dialogue_fixtures import make_dialogue
from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(world: Any) -> Any:
    return make_dialogue(world.public)


def list_url(module: Any) -> str:
    project = module.project
    return reverse("projects:module", kwargs={"org_slug": project.organisation.slug, "project_slug": project.slug,
                                              "module_slug": module.slug})  # fmt: skip


def cards(html: str) -> dict[str, str]:
    """Each card by its title's text."""
    found = re.findall(r'<li class="idea-card">.*?</li>', html, flags=re.S)
    return {re.sub(r"<[^>]+>", "", re.search(r"<h3.*?</h3>", card, flags=re.S).group(0)): card  # type: ignore[union-attr]
            for card in found}  # fmt: skip


def make_idea(world: Any, module: Any, title: str, **fields: Any) -> Idea:
    idea = services.idea_create(user=fields.pop("user", world.personas["citizen"]), module=module, title=title,
                                text=fields.pop("text", "<p>Text</p>"))  # fmt: skip
    labels = fields.pop("labels", [])
    if fields:
        Idea.objects.filter(pk=idea.pk).update(**fields)
    idea.labels.set(labels)
    return Idea.objects.get(pk=idea.pk)


def test_a_plain_card(world: Any, module: Any) -> None:
    made = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # already 2 July in Berlin
    text = "<p>Am Markt fehlen B&auml;nke &amp; Tische. " + "Mehr Sitzplätze im Schatten. " * 12 + "</p>"
    idea = make_idea(world, module, "Mehr Bänke", text=text, created_at=made, comment_count=1, positive_count=3,
                     negative_count=1)  # fmt: skip
    card = cards(world.client("anonymous").get(list_url(module)).content.decode())["Mehr Bänke"]
    href = reverse("dialogue:idea", kwargs={"org_slug": module.project.organisation.slug,
                                            "project_slug": module.project.slug, "module_slug": module.slug,
                                            "idea_pk": idea.pk})  # fmt: skip
    assert f'<a class="kern-link" href="{href}">Mehr Bänke</a>' in card
    assert f"{world.personas['citizen'].public_name} · 2. Juli 2026</p>" in card
    excerpt = re.search(r'<p class="kern-body">(.*?)</p>', card, flags=re.S).group(1)  # type: ignore[union-attr]
    assert excerpt.startswith("Am Markt fehlen Bänke &amp; Tische.") and excerpt.endswith("…")
    assert "<span>1 Kommentar</span> · <span>3 dafür, 1 dagegen</span>" in card
    assert "idea-badges" not in card and "mit Ort" not in card and "rate-form" not in card


def test_every_mark_a_card_can_carry(world: Any, module: Any) -> None:
    label = Label.objects.get(module=module)
    category = Category.objects.get(module=module)
    make_idea(world, module, "Vorgabe", by_staff=True, category=category, labels=[label],
              feedback=Feedback.IN_REVIEW, lat=50.05, lon=7.6, comment_count=2)  # fmt: skip
    make_idea(world, module, "Ohne Konto", user=UserFactory(email="weg@example.org"))
    Idea.objects.filter(title="Ohne Konto").update(author=None)
    make_idea(world, module, "Ausgeblendet", hidden=True, hidden_reason="Werbung")
    make_idea(world, module, "Wartet", approved=False)
    body = world.client("moderator").get(list_url(module)).content.decode()
    found = cards(body)
    staff = found["Vorgabe"]
    assert "Vorgegeben von der Verwaltung · " in staff and " · Verkehr</p>" in staff
    assert '<span class="kern-label">Kinder</span>' in staff and "Rückmeldung: in Prüfung" in staff
    assert "2 Kommentare" in staff and "mit Ort auf der Karte" in staff
    assert "Gelöschtes Konto · " in found["Ohne Konto"]
    assert "Von der Moderation ausgeblendet: Werbung" in found["Ausgeblendet"]
    assert "Wartet" not in found  # waiting for approval: only its author sees it in the list
    assert "wartet auf Freigabe" in cards(world.client("citizen").get(list_url(module)).content.decode())["Wartet"]


def test_search_marks_the_match_and_what_people_typed_is_escaped(world: Any, module: Any) -> None:
    make_idea(world, module, '<script>alert("x")</script> Werkstatt', text="<p>Eine offene Werkstatt für alle</p>")
    body = world.client("anonymous").get(list_url(module), {"q": "Werkstatt"}).content.decode()
    [card] = re.findall(r'<li class="idea-card">.*?</li>', body, flags=re.S)
    assert "<script>" not in card and "&lt;script&gt;" in card
    assert card.count("<mark>Werkstatt</mark>") == 2  # in the title and in the excerpt


def test_those_who_may_rate_get_the_form_with_their_own_rating(world: Any, module: Any) -> None:
    other = make_idea(world, module, "Fremde Idee", user=UserFactory(email="andere@example.org"), positive_count=0)
    make_idea(world, module, "Eigene Idee")
    citizen = world.personas["citizen"]
    participation.rate(user=citizen, target=other, value=1)
    found = cards(world.client("citizen").get(list_url(module)).content.decode())
    rated = found["Fremde Idee"]
    assert f'id="rate-idee-{other.pk}"' in rated and 'name="csrfmiddlewaretoken"' in rated
    assert (
        f'id="rate-idee-{other.pk}-up" class="kern-btn kern-btn--small kern-btn--primary" aria-pressed="true"' in rated
    )
    assert 'name="next" value="/' in rated and "dafür, " not in rated  # the counts are on the buttons
    own = found["Eigene Idee"]
    assert "rate-form" not in own and "0 dafür, 0 dagegen" in own  # nobody rates their own idea


def test_the_card_speaks_the_readers_language(world: Any, module: Any) -> None:
    make_idea(world, module, "Bänke", comment_count=2, feedback=Feedback.ACCEPTED, by_staff=True)
    client = world.client("anonymous")
    client.cookies["django_language"] = "en"
    card = cards(client.get(list_url(module), HTTP_ACCEPT_LANGUAGE="en").content.decode())["Bänke"]
    assert "2 comments" in card and "0 for, 0 against" in card
    assert "Kommentare" not in card and "dafür" not in card and "Vorgegeben" not in card
