"""Behaviour of the dialogue services and the views that call them.

Bad input gets a clear German message and nothing is saved; counters stay equal to a recount through every
write; pre-moderation, feedback, digests, blocks; rich text is sanitised against an XSS corpus; exports
carry what staff need and personal data only for the organisation's staff.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from mitwirken.core.models import Notification
from mitwirken.dialogue import services
from mitwirken.dialogue.models import Blueprint, Category, Idea, Label, Paragraph
from mitwirken.participation import notifications
from mitwirken.participation import services as participation
from mitwirken.participation.models import Comment, DigestItem, Follow, Frequency, Rating, on
from mitwirken.projects.models import Phase

from . import corpora
from .conftest import login
from .dialogue_fixtures import AREA, make_dialogue
from .dialogue_helpers import (
    durl,
    established,
    flash_messages,
    make_users,
    module_url,
    page_text,
    purl,
    solved_altcha_from,
)
from .factories import ProjectMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TEXT = "<p>Am Marktplatz fehlen Sitzbänke.</p>"


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def idea_by(user: Any, module: Any, **kwargs: Any) -> Idea:
    return services.idea_create(user=user, module=module, title=kwargs.pop("title", "Mehr Bänke"),
                                text=kwargs.pop("text", TEXT), **kwargs)  # fmt: skip


def assert_counters(idea: Idea) -> None:
    """The stored counters equal a recount of what is visible."""
    idea.refresh_from_db()
    visible = Comment.objects.filter(idea=idea, approved=True, hidden=False, deleted_at__isnull=True)
    assert idea.comment_count == visible.count(), "comment_count"
    for comment in Comment.objects.filter(idea=idea, parent=None):
        assert comment.reply_count == visible.filter(parent=comment).count(), f"reply_count of {comment.pk}"
    positive = Rating.objects.filter(idea=idea, value=1).count()
    negative = Rating.objects.filter(idea=idea, value=-1).count()
    assert (idea.positive_count, idea.negative_count, idea.score) == (positive, negative, positive - negative)


@pytest.fixture
def people(world: Any) -> Any:
    established(*world.personas.values())
    return world.personas


@pytest.fixture
def module(world: Any, people: Any) -> Any:
    return make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect")


# --- bad input: clear German messages, nothing saved ----------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text", "field", "message"),
    [
        ("", TEXT, "title", "Bitte geben Sie einen Titel an."),
        ("   ", TEXT, "title", "Bitte geben Sie einen Titel an."),
        ("x" * 161, TEXT, "title", "höchstens 160 Zeichen"),
        ("Bänke", "", "text", "Bitte schreiben Sie einen Text."),
        ("Bänke", "<p>  </p><script>alert(1)</script>", "text", "Bitte schreiben Sie einen Text."),
        ("Bänke", "x" * 10_001, "text", "Erlaubt sind höchstens 10000"),
        ("Bänke", "Null\x00Byte", "text", "unzulässige Steuerzeichen"),
    ],
)
def test_idea_bad_input_service(module: Any, people: Any, title: str, text: str, field: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.idea_create(user=people["citizen"], module=module, title=title, text=text)
    assert field in caught.value.message_dict
    assert message in messages_of(caught.value)
    assert not Idea.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "text": ""}, "Bitte geben Sie einen Titel an."),
        ({"title": "", "text": ""}, "Bitte beschreiben Sie Ihre Idee."),
        ({"title": "x" * 161, "text": "Text"}, "Der Titel darf höchstens 160 Zeichen lang sein (jetzt: 161)."),
        ({"title": "Bänke", "text": "x" * 10_001}, "Die Beschreibung darf höchstens 10000 Zeichen lang sein"),
        ({"title": "Bänke", "text": "<script>alert(1)</script>"}, "Bitte schreiben Sie einen Text."),
    ],
)
def test_idea_bad_input_view(world: Any, module: Any, data: dict[str, str], message: str) -> None:
    response = world.client("citizen").post(durl(module, "idea_create"), data)
    assert response.status_code == 200
    assert message in page_text(response)
    assert not Idea.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Bitte schreiben Sie einen Kommentar."),
        ("  \n ", "Bitte schreiben Sie einen Kommentar."),
        ("x" * 4001, "Erlaubt sind höchstens 4000"),
    ],
)
def test_comment_bad_input_service(module: Any, people: Any, text: str, message: str) -> None:
    idea = idea_by(people["citizen"], module)
    with pytest.raises(ValidationError) as caught:
        participation.comment_create(user=people["citizen"], target=idea, text=text)
    assert message in messages_of(caught.value)
    assert not Comment.objects.exists()
    assert_counters(idea)


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "Bitte schreiben Sie einen Kommentar."), ("x" * 4001, "Der Kommentar darf höchstens 4000 Zeichen lang sein")],
)
def test_comment_bad_input_view(world: Any, module: Any, text: str, message: str) -> None:
    idea = idea_by(world.personas["citizen"], module)
    response = world.client("citizen").post(durl(module, "idea", idea_pk=idea.pk), {"comment-text": text})
    assert response.status_code == 200
    assert message in page_text(response)
    assert not Comment.objects.exists()


@pytest.fixture
def map_module(world: Any, people: Any) -> Any:
    world.public.location = AREA
    world.public.save()
    return make_dialogue(world.public, Blueprint.MAP_IDEAS, "collect")


@pytest.mark.parametrize(
    ("lon", "lat", "message"),
    [
        (8.5, 50.05, "Der Ort liegt außerhalb des Projektgebiets"),
        (50.05, 7.6, "Der Ort liegt außerhalb des Projektgebiets"),  # swapped
        (None, None, "Bitte geben Sie den Ort an"),
        ("abc", "50", "Bitte geben Sie Breite und Länge als Zahlen an."),
        ("nan", "nan", "Der Ort liegt außerhalb des Projektgebiets"),
    ],
)
def test_location_outside_the_area_service(map_module: Any, people: Any, lon: Any, lat: Any, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        idea_by(people["citizen"], map_module, lon=lon, lat=lat)
    assert message in messages_of(caught.value)
    assert not Idea.objects.exists()


def test_location_via_the_form_without_a_map(world: Any, map_module: Any) -> None:
    client = world.client("citizen")
    url = durl(map_module, "idea_create")
    response = client.post(url, {"title": "Bank", "text": "Hier bitte", "lat": "50.5", "lon": "7.6"})
    assert response.status_code == 200
    assert "Der Ort liegt außerhalb des Projektgebiets. Bitte wählen Sie einen Ort im Gebiet." in page_text(response)
    assert 'aria-invalid="true"' in response.content.decode() or "lat" in response.context["form"].errors
    assert not Idea.objects.exists()
    response = client.post(url, {"title": "Bank", "text": "Hier bitte", "lat": "abc", "lon": "7.6"})
    assert response.status_code == 200 and "lat" in response.context["form"].errors
    assert not Idea.objects.exists()
    # the keyboard-only way: coordinates typed in, no map needed
    response = client.post(url, {"title": "Bank", "text": "Hier bitte", "lat": "50.05", "lon": "7.6"})
    assert response.status_code == 302
    idea = Idea.objects.get()
    assert (idea.lat, idea.lon) == (50.05, 7.6)


def test_the_same_rating_again_withdraws_it(world: Any, module: Any) -> None:
    idea = idea_by(world.personas["invited"], module)
    participation.rate(user=world.personas["citizen"], target=idea, value=1)
    assert participation.rate(user=world.personas["citizen"], target=idea, value=1) is None
    assert_counters(idea)
    assert (idea.positive_count, Rating.objects.count()) == (0, 0)
    client = world.client("citizen")
    response = client.post(purl(module, "rate", kind="idee", pk=idea.pk), {"value": "1"})
    assert response.status_code == 302
    assert any("gespeichert" in message for message in flash_messages(response))
    response = client.post(purl(module, "rate", kind="idee", pk=idea.pk), {"value": "1"})
    assert any("zurückgenommen" in message for message in flash_messages(response))
    assert Rating.objects.count() == 0
    assert_counters(idea)
    with pytest.raises(ValidationError) as caught:
        participation.rate(user=world.personas["citizen"], target=idea, value=2)
    assert "dafür (+1) oder dagegen" in messages_of(caught.value)


def test_commenting_in_a_closed_phase(world: Any, people: Any) -> None:
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "result")
    idea = Idea.objects.create(module=module, author=people["invited"], title="Bank", text=TEXT)
    with pytest.raises(PermissionDenied):
        participation.comment_create(user=people["citizen"], target=idea, text="Zu spät")
    response = world.client("citizen").post(durl(module, "idea", idea_pk=idea.pk), {"comment-text": "Zu spät"})
    assert response.status_code == 200
    assert "Kommentare sind in der aktuellen Phase nicht möglich." in page_text(response)
    assert not Comment.objects.exists()


# --- spam: proof of work, honeypot, rate limits ---------------------------------------------------------------

SPAM_MESSAGE = "Die Sicherheitsprüfung gegen automatisierte Beiträge ist nicht abgeschlossen."


def test_new_account_without_proof_of_work_is_refused(world: Any, module: Any) -> None:
    idea = idea_by(world.personas["invited"], module)
    bot = UserFactory(email="bot@example.org")  # joined just now
    client = login(Client(), bot)
    url = durl(module, "idea", idea_pk=idea.pk)
    page = client.get(url)
    assert "data-altcha-challenge" in page.content.decode()
    response = client.post(url, {"comment-text": "Billige Uhren!"})
    assert response.status_code == 200 and SPAM_MESSAGE in page_text(response)
    response = client.post(url, {"comment-text": "Billige Uhren!", "comment-altcha": "bm90IGEgc29sdXRpb24="})
    assert response.status_code == 200 and SPAM_MESSAGE in page_text(response)
    response = client.post(durl(module, "idea_create"), {"title": "Uhren", "text": "Billige Uhren!"})
    assert response.status_code == 200 and SPAM_MESSAGE in page_text(response)
    assert not Comment.objects.exists()
    assert Idea.objects.count() == 1


def test_new_account_with_a_solved_challenge_may_post(world: Any, module: Any) -> None:
    idea = idea_by(world.personas["invited"], module)
    person = UserFactory(email="neu@example.org")
    client = login(Client(), person)
    url = durl(module, "idea", idea_pk=idea.pk)
    solution = solved_altcha_from(client.get(url))
    response = client.post(url, {"comment-text": "Gute Idee", "comment-altcha": solution})
    assert response.status_code == 302, page_text(response)[:2000]
    form_page = client.get(durl(module, "idea_create"))
    response = client.post(
        durl(module, "idea_create"), {"title": "Neue Idee", "text": "Text", "altcha": solved_altcha_from(form_page)}
    )
    assert response.status_code == 302
    assert Comment.objects.count() == 1 and Idea.objects.count() == 2


def test_a_solved_challenge_cannot_be_replayed(world: Any, module: Any) -> None:
    """A bot that solved one challenge must not reuse the solution for every further post."""
    idea = idea_by(world.personas["invited"], module)
    client = login(Client(), UserFactory(email="bot2@example.org"))
    url = durl(module, "idea", idea_pk=idea.pk)
    solution = solved_altcha_from(client.get(url))
    assert client.post(url, {"comment-text": "Erster", "comment-altcha": solution}).status_code == 302
    response = client.post(url, {"comment-text": "Zweiter", "comment-altcha": solution})
    assert response.status_code == 200 and SPAM_MESSAGE in page_text(response)
    assert Comment.objects.count() == 1


def test_honeypot(world: Any, module: Any) -> None:
    idea = idea_by(world.personas["invited"], module)
    client = world.client("citizen")
    response = client.post(
        durl(module, "idea", idea_pk=idea.pk), {"comment-text": "Kaufen!", "comment-website": "http://spam.example"}
    )
    assert response.status_code == 200
    assert "Ihr Beitrag wurde als automatisiert erkannt und nicht gespeichert." in page_text(response)
    response = client.post(durl(module, "idea_create"), {"title": "Kaufen", "text": "Kaufen!", "website": "x"})
    assert "als automatisiert erkannt" in page_text(response)
    assert not Comment.objects.exists() and Idea.objects.count() == 1


FLOOD = "sehr viele Beiträge"


def test_flood_over_the_per_account_limit(world: Any, module: Any) -> None:
    idea = idea_by(world.personas["invited"], module)
    client = world.client("citizen")
    url = durl(module, "idea", idea_pk=idea.pk)
    with time_machine.travel(timezone.now(), tick=False):
        statuses = [client.post(url, {"comment-text": f"Beitrag {i}"}).status_code for i in range(10)]
        assert statuses == [302] * 10
        for i in range(3):
            response = client.post(url, {"comment-text": f"Zu viel {i}"})
            assert response.status_code == 200 and FLOOD in page_text(response)
        assert Comment.objects.count() == 10
        for i in range(10):
            client.post(durl(module, "idea_create"), {"title": f"Idee {i}", "text": "Text"})
        response = client.post(durl(module, "idea_create"), {"title": "Noch eine", "text": "Text"})
        assert response.status_code == 200 and FLOOD in page_text(response)
    assert Idea.objects.filter(author=world.personas["citizen"]).count() == 10
    idea.refresh_from_db()
    assert idea.comment_count == 10


def test_flood_over_the_per_address_limit(world: Any, module: Any) -> None:
    idea = idea_by(world.personas["invited"], module)
    url = durl(module, "idea", idea_pk=idea.pk)
    clients = [login(Client(), user) for user in make_users(4, prefix="flut")]
    refused = 0
    with time_machine.travel(timezone.now(), tick=False):
        for round_ in range(8):
            for number, client in enumerate(clients):
                response = client.post(url, {"comment-text": f"Runde {round_} von {number}"})
                refused += FLOOD in page_text(response)
    assert Comment.objects.count() == 30
    assert refused == 2


# --- counters -------------------------------------------------------------------------------------------------


def test_counters_through_create_reply_delete(world: Any, module: Any, people: Any) -> None:
    citizen, invited = people["citizen"], people["invited"]
    idea = idea_by(invited, module)
    top = participation.comment_create(user=citizen, target=idea, text="Oben")
    lonely = participation.comment_create(user=citizen, target=idea, text="Allein")
    reply = participation.comment_create(user=invited, target=idea, text="Antwort", parent=top)
    second = participation.comment_create(user=citizen, target=idea, text="Zweite Antwort", parent=top)
    assert_counters(idea)
    assert idea.comment_count == 4
    top.refresh_from_db()
    assert top.reply_count == 2

    participation.comment_delete(user=citizen, comment=lonely)  # no replies: the row goes
    assert not Comment.objects.filter(pk=lonely.pk).exists()
    participation.comment_delete(user=citizen, comment=top)  # replies: a placeholder stays
    top.refresh_from_db()
    assert top.deleted_at is not None and top.text == ""
    assert_counters(idea)
    assert idea.comment_count == 2
    participation.comment_delete(user=citizen, comment=top)  # deleting twice changes nothing
    assert_counters(idea)

    page = page_text(world.client("anonymous").get(durl(module, "idea", idea_pk=idea.pk)))
    assert "Dieser Kommentar wurde von der verfassenden Person gelöscht." in page
    assert "Antwort" in page and "Zweite Antwort" in page and "Oben" not in page

    participation.comment_delete(user=citizen, comment=second)
    participation.comment_delete(user=invited, comment=reply)
    assert_counters(idea)
    assert idea.comment_count == 0


def test_only_the_author_deletes(module: Any, people: Any) -> None:
    idea = idea_by(people["invited"], module)
    comment = participation.comment_create(user=people["citizen"], target=idea, text="Meins")
    with pytest.raises(PermissionDenied):
        participation.comment_delete(user=people["invited"], comment=comment)
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert_counters(idea)


def test_counters_through_hide_and_unhide(
    world: Any, module: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    idea = idea_by(people["invited"], module)
    top = participation.comment_create(user=people["citizen"], target=idea, text="Beleidigung")
    reply = participation.comment_create(user=people["invited"], target=idea, text="Antwort", parent=top)
    admin = people["org_admin"]
    with django_capture_on_commit_callbacks(execute=True):
        participation.hide(actor=admin, target=reply, reason="Beleidigend")
    assert_counters(idea)
    assert idea.comment_count == 1
    assert Notification.objects.filter(recipient=people["invited"], title__contains="ausgeblendet").exists()
    participation.hide(actor=admin, target=reply, reason="Nochmal")  # twice: no second decrement
    assert_counters(idea)
    participation.hide(actor=admin, target=top, reason="Beleidigend")
    assert_counters(idea)
    assert idea.comment_count == 0
    page = page_text(world.client("anonymous").get(durl(module, "idea", idea_pk=idea.pk)))
    assert "Von der Moderation ausgeblendet: Beleidigend" in page and "Beleidigung" not in page.replace(
        "Beleidigend", ""
    )
    participation.hide(actor=admin, target=top, reason="", hidden=False)
    participation.hide(actor=admin, target=top, reason="", hidden=False)  # twice: no second increment
    participation.hide(actor=admin, target=reply, reason="", hidden=False)
    assert_counters(idea)
    assert idea.comment_count == 2
    with pytest.raises(ValidationError) as caught:
        participation.hide(actor=admin, target=top, reason="  ")
    assert "Bitte geben Sie einen Grund an" in messages_of(caught.value)
    with pytest.raises(PermissionDenied):
        participation.hide(actor=people["citizen"], target=top, reason="Mag ich nicht")


def test_hidden_then_deleted_comment_is_not_counted_twice(module: Any, people: Any) -> None:
    idea = idea_by(people["invited"], module)
    top = participation.comment_create(user=people["citizen"], target=idea, text="Oben")
    participation.comment_create(user=people["invited"], target=idea, text="Antwort", parent=top)
    participation.hide(actor=people["org_admin"], target=top, reason="Off-Topic")
    participation.comment_delete(user=people["citizen"], comment=top)
    assert_counters(idea)
    participation.hide(actor=people["org_admin"], target=top, reason="", hidden=False)
    assert_counters(idea)
    assert idea.comment_count == 1


def test_counters_through_premoderation(world: Any, module: Any, people: Any) -> None:
    services.settings_update(actor=people["org_admin"], module=module, premoderation=True)
    idea = Idea.objects.create(module=module, author=people["invited"], title="Bank", text=TEXT)
    comment = participation.comment_create(user=people["citizen"], target=idea, text="Wartet")
    reply = participation.comment_create(user=people["citizen"], target=idea, text="Auch", parent=comment)
    assert not comment.approved
    assert_counters(idea)
    assert idea.comment_count == 0
    participation.approve(actor=people["org_admin"], target=comment)
    participation.approve(actor=people["org_admin"], target=comment)  # twice: counted once
    participation.approve(actor=people["org_admin"], target=reply)
    assert_counters(idea)
    assert idea.comment_count == 2


def test_approving_a_hidden_pending_comment_does_not_count_it(
    module: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Pre-moderation: a moderator hides a waiting comment, later approves it, later shows it again."""
    services.settings_update(actor=people["org_admin"], module=module, premoderation=True)
    idea = Idea.objects.create(module=module, author=people["invited"], title="Bank", text=TEXT)
    Follow.objects.create(user=people["invited"], **on(idea))
    comment = participation.comment_create(user=people["citizen"], target=idea, text="Grenzwertig")
    participation.hide(actor=people["org_admin"], target=comment, reason="Grenzwertig")
    with django_capture_on_commit_callbacks(execute=True):
        participation.approve(actor=people["org_admin"], target=comment)
    assert not Notification.objects.filter(recipient=people["invited"]).exists(), "followers got the hidden text"
    assert_counters(idea)
    participation.hide(actor=people["org_admin"], target=comment, reason="", hidden=False)
    assert_counters(idea)
    assert idea.comment_count == 1


def test_counters_through_rating_changes(module: Any, people: Any) -> None:
    idea = idea_by(people["invited"], module)
    participation.rate(user=people["citizen"], target=idea, value=1)
    assert_counters(idea)
    assert (idea.positive_count, idea.negative_count, idea.score) == (1, 0, 1)
    participation.rate(user=people["citizen"], target=idea, value=-1)
    assert_counters(idea)
    assert (idea.positive_count, idea.negative_count, idea.score) == (0, 1, -1)
    with pytest.raises(PermissionDenied):  # nobody rates their own idea
        participation.rate(user=people["invited"], target=idea, value=1)
    participation.rate(user=people["moderator"], target=idea, value=1)
    participation.rate(user=people["org_admin"], target=idea, value=1)
    assert_counters(idea)
    assert (idea.positive_count, idea.negative_count, idea.score) == (2, 1, 1)
    assert Rating.objects.filter(idea=idea).count() == 3


def test_paragraph_comment_counter(world: Any, people: Any) -> None:
    module = make_dialogue(world.public, Blueprint.TEXT_REVIEW, "comment")
    paragraph = Paragraph.objects.filter(chapter__module=module).first()
    top = participation.comment_create(user=people["citizen"], target=paragraph, text="Unklar formuliert")
    participation.comment_create(user=people["invited"], target=paragraph, text="Finde ich auch", parent=top)
    paragraph.refresh_from_db()
    assert paragraph.comment_count == 2
    participation.comment_delete(user=people["citizen"], comment=top)
    paragraph.refresh_from_db()
    assert paragraph.comment_count == 1
    response = world.client("citizen").post(
        durl(module, "paragraph", paragraph_pk=paragraph.pk), {"comment-text": "Über die Seite"}
    )
    assert response.status_code == 302
    paragraph.refresh_from_db()
    assert paragraph.comment_count == 2


# --- threads are two levels deep ------------------------------------------------------------------------------


def test_threads_are_two_levels_deep(world: Any, module: Any, people: Any) -> None:
    idea = idea_by(people["invited"], module)
    other = idea_by(people["invited"], module, title="Andere")
    top = participation.comment_create(user=people["citizen"], target=idea, text="Oben")
    reply = participation.comment_create(user=people["invited"], target=idea, text="Antwort", parent=top)
    for parent, target in ((reply, idea), (top, other)):
        with pytest.raises(ValidationError) as caught:
            participation.comment_create(user=people["citizen"], target=target, text="Tiefer", parent=parent)
        assert "Auf diesen Kommentar kann nicht geantwortet werden." in messages_of(caught.value)
    response = world.client("citizen").post(
        durl(module, "idea", idea_pk=idea.pk), {"comment-text": "Tiefer", "comment-parent": reply.pk}
    )
    assert response.status_code == 200
    assert "Auf diesen Kommentar kann nicht geantwortet werden." in page_text(response)
    assert Comment.objects.count() == 2
    assert_counters(idea)


def test_no_reply_to_a_removed_comment(module: Any, people: Any) -> None:
    idea = idea_by(people["invited"], module)
    top = participation.comment_create(user=people["citizen"], target=idea, text="Oben")
    participation.hide(actor=people["org_admin"], target=top, reason="Spam")
    with pytest.raises(ValidationError) as caught:
        participation.comment_create(user=people["invited"], target=idea, text="Antwort", parent=top)
    assert "gelöschten oder ausgeblendeten" in messages_of(caught.value)


# --- authors edit while the phase allows ----------------------------------------------------------------------


def _switch_phase(module: Any, phase_type: str, features: list[str]) -> None:
    Phase.objects.filter(module=module).update(phase_type=phase_type, features=features)


def test_authors_edit_only_while_the_phase_allows(world: Any, module: Any, people: Any) -> None:
    author = people["citizen"]
    idea = idea_by(author, module)
    comment = participation.comment_create(user=author, target=idea, text="Erster Gedanke")
    services.idea_update(user=author, idea=idea, title="Mehr Bänke am Markt", text="<p>Neu</p>")
    participation.comment_update(user=author, comment=comment, text="Zweiter Gedanke")
    comment.refresh_from_db()
    assert comment.text == "Zweiter Gedanke" and comment.edited_at is not None
    with pytest.raises(PermissionDenied):
        services.idea_update(user=people["invited"], idea=Idea.objects.get(pk=idea.pk), title="Fremd", text="<p>x</p>")
    with pytest.raises(PermissionDenied):
        participation.comment_update(user=people["invited"], comment=Comment.objects.get(pk=comment.pk), text="Fremd")

    _switch_phase(module, "discuss", ["comment", "rate"])  # no new ideas, so no editing of ideas
    author = type(author).objects.get(pk=author.pk)
    with pytest.raises(PermissionDenied):
        services.idea_update(user=author, idea=Idea.objects.get(pk=idea.pk), title="Später", text="<p>Später</p>")
    participation.comment_update(user=author, comment=Comment.objects.get(pk=comment.pk), text="Dritter Gedanke")
    client = world.client("citizen")
    assert client.get(durl(module, "idea_edit", idea_pk=idea.pk)).status_code == 404

    _switch_phase(module, "result", [])
    with pytest.raises(PermissionDenied):
        participation.comment_update(user=author, comment=Comment.objects.get(pk=comment.pk), text="Vierter")
    assert client.get(purl(module, "comment_edit", comment_pk=comment.pk)).status_code == 404
    response = client.post(purl(module, "comment_edit", comment_pk=comment.pk), {"text": "Vierter"})
    assert response.status_code == 404
    idea.refresh_from_db()
    comment.refresh_from_db()
    assert idea.title == "Mehr Bänke am Markt" and comment.text == "Dritter Gedanke"


def test_idea_edit_view(world: Any, module: Any, people: Any) -> None:
    idea = idea_by(people["citizen"], module)
    client = world.client("citizen")
    url = durl(module, "idea_edit", idea_pk=idea.pk)
    response = client.post(url, {"title": "", "text": "Neu"})
    assert response.status_code == 200 and "Bitte geben Sie einen Titel an." in page_text(response)
    response = client.post(url, {"title": "Neuer Titel", "text": "<p onclick='x()'>Neu</p>"})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.title == "Neuer Titel" and "onclick" not in idea.text
    assert world.client("invited").get(url).status_code == 404


# --- pre-moderation -------------------------------------------------------------------------------------------


def test_premoderation_hides_until_approved(
    world: Any, module: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    services.settings_update(actor=people["org_admin"], module=module, premoderation=True)
    module = type(module).objects.get(pk=module.pk)
    author = world.client("citizen")
    response = author.post(durl(module, "idea_create"), {"title": "Wartende Idee", "text": "Bitte prüfen"})
    assert response.status_code == 302
    idea = Idea.objects.get()
    assert not idea.approved
    assert any("sobald die Moderation" in message for message in flash_messages(response))

    detail = durl(module, "idea", idea_pk=idea.pk)
    assert world.client("anonymous").get(detail).status_code == 404
    assert world.client("invited").get(detail).status_code == 404
    assert "Wartende Idee" not in page_text(world.client("anonymous").get(module_url(module)))
    assert "Wartende Idee" not in page_text(world.client("anonymous").get(durl(module, "results")))
    own = page_text(author.get(detail))
    assert "Wartende Idee" in own and "wartet auf Freigabe" in own
    assert "Wartende Idee" in page_text(author.get(module_url(module)))
    with pytest.raises(ValidationError):
        participation.rate(user=people["invited"], target=idea, value=1)
    with pytest.raises(ValidationError):
        participation.comment_create(user=people["invited"], target=idea, text="Vorab")

    moderator = world.client("org_admin")
    assert "Wartende Idee" in page_text(moderator.get(purl(module, "moderation")))
    response = moderator.post(purl(module, "moderate", kind="idee", pk=idea.pk), {"action": "approve"})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.approved
    assert world.client("anonymous").get(detail).status_code == 200
    assert "Wartende Idee" not in page_text(moderator.get(purl(module, "moderation")))

    with django_capture_on_commit_callbacks(execute=True):
        comment = participation.comment_create(user=people["invited"], target=idea, text="Ein wartender Kommentar")
    assert not comment.approved
    assert not Notification.objects.filter(recipient=people["citizen"]).exists()
    assert "Ein wartender Kommentar" not in page_text(world.client("anonymous").get(detail))
    assert "Ein wartender Kommentar" in page_text(world.client("invited").get(detail))
    with django_capture_on_commit_callbacks(execute=True):
        participation.approve(actor=people["org_admin"], target=comment)
    assert "Ein wartender Kommentar" in page_text(world.client("anonymous").get(detail))
    assert Notification.objects.filter(recipient=people["citizen"], title__contains="Neuer Kommentar").count() == 1
    assert_counters(idea)


# --- feedback, notifications, digests -------------------------------------------------------------------------


def test_feedback_notifies_followers(
    world: Any, module: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    author, immediate, daily = people["citizen"], people["invited"], people["agency"]
    idea = idea_by(author, module)  # the author follows their idea
    participation.follow(user=immediate, target=idea, frequency=Frequency.IMMEDIATE)
    participation.follow(user=daily, target=idea, frequency=Frequency.DAILY)
    participation.follow(user=people["org_admin"], target=idea)  # the moderator follows too
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.give_feedback(actor=people["org_admin"], idea=idea, status="accepted",
                               text="<p>Wir stellen im Mai drei Bänke auf.</p><script>alert(1)</script>")  # fmt: skip
    idea.refresh_from_db()
    assert idea.feedback == "accepted" and "<script" not in idea.feedback_text
    for person in (author, immediate):
        notes = Notification.objects.filter(recipient=person)
        assert notes.count() == 1, person.email
        assert "angenommen" in notes.get().title and "Mehr Bänke" in notes.get().title
    assert not Notification.objects.filter(recipient=daily).exists()
    digest = DigestItem.objects.get(user=daily)
    assert "angenommen" in digest.title and digest.sent_at is None and str(idea.pk) in digest.url
    # notifications.tell: "the actor is never told of their own action"
    assert not Notification.objects.filter(recipient=people["org_admin"]).exists(), "the actor was told"
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([author.email, immediate.email])
    page = page_text(world.client("anonymous").get(durl(module, "idea", idea_pk=idea.pk)))
    assert "Rückmeldung der Verwaltung: angenommen" in page and "Wir stellen im Mai drei Bänke auf." in page
    with pytest.raises(ValidationError) as caught:
        services.give_feedback(actor=people["org_admin"], idea=idea, status="vielleicht", text="")
    assert "Bitte wählen Sie einen Status." in messages_of(caught.value)
    with pytest.raises(PermissionDenied):
        services.give_feedback(actor=people["citizen"], idea=idea, status="rejected", text="")


def test_comment_notifies_followers_and_the_parent_author(
    module: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    author = people["citizen"]
    idea = idea_by(author, module)
    with django_capture_on_commit_callbacks(execute=True):
        top = participation.comment_create(user=people["invited"], target=idea, text="Frage dazu")
    assert Notification.objects.filter(recipient=author).count() == 1
    assert not Notification.objects.filter(recipient=people["invited"]).exists()
    with django_capture_on_commit_callbacks(execute=True):
        participation.comment_create(user=author, target=idea, text="Antwort", parent=top)
    assert Notification.objects.filter(recipient=people["invited"]).count() == 1
    assert Notification.objects.filter(recipient=author).count() == 1  # not told of their own reply


def test_send_digests_in_batches(monkeypatch: Any, tasks: Any) -> None:
    monkeypatch.setattr(notifications, "BATCH", 2)
    users = make_users(5, prefix="digest")
    for user in users:
        DigestItem.objects.create(user=user, title=f"Neu für {user.pk}: eins", url="/eins/")
        DigestItem.objects.create(user=user, title=f"Neu für {user.pk}: zwei", url="/zwei/")
    already = DigestItem.objects.create(user=users[0], title="Alt", sent_at=timezone.now() - timedelta(days=1))
    mail.outbox.clear()
    notifications.start_daily_digests()
    by_recipient: dict[str, list[Any]] = {}
    for message in mail.outbox:
        for address in message.to:
            by_recipient.setdefault(address, []).append(message)
    assert sorted(by_recipient) == sorted(user.email for user in users)
    for user in users:
        (message,) = by_recipient[user.email]
        assert f"Neu für {user.pk}: eins" in message.body and f"Neu für {user.pk}: zwei" in message.body
        assert "Alt" not in message.body.replace("Alte", "")
    assert not DigestItem.objects.filter(sent_at__isnull=True).exists()
    already.refresh_from_db()
    assert already.sent_at < timezone.now() - timedelta(hours=1)
    batches = [result for result in tasks["enqueued"] if result.task.name == "send_digests"]
    assert len(batches) == 3, [tuple(r.args) for r in batches]
    assert [tuple(r.args) for r in batches][1:] == [(users[1].pk,), (users[3].pk,)]
    mail.outbox.clear()
    notifications.start_daily_digests()  # nothing left: nothing sent twice
    assert mail.outbox == []


def test_notification_titles_fit_their_columns(world: Any, people: Any) -> None:
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect", when="before")
    world.public.title = "P" * 200
    world.public.save()
    Phase.objects.filter(module=module).update(name="N" * 200)
    participation.follow(user=people["citizen"], project=world.public)
    participation.follow(user=people["invited"], project=world.public, frequency=Frequency.DAILY)
    phase = Phase.objects.get(module=module)
    notifications.phases_started(phase.start - timedelta(minutes=1), phase.start + timedelta(minutes=1))
    limit = Notification._meta.get_field("title").max_length
    for note in Notification.objects.all():
        assert len(note.title) <= limit
    for item in DigestItem.objects.all():
        assert len(item.title) <= DigestItem._meta.get_field("title").max_length
    assert Notification.objects.filter(recipient=people["citizen"]).exists()


# --- blocks ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["project", "organisation"])
def test_blocked_user_reads_but_cannot_take_part(world: Any, module: Any, people: Any, scope: str) -> None:
    idea = idea_by(people["invited"], module)
    citizen = people["citizen"]
    own = participation.comment_create(user=citizen, target=idea, text="Vor der Sperre")
    kwargs = {"project": world.public} if scope == "project" else {"organisation": world.organisation}
    participation.block(actor=people["org_admin"], user=citizen, reason="Wiederholt beleidigend", **kwargs)
    citizen = type(citizen).objects.get(pk=citizen.pk)
    with pytest.raises(PermissionDenied):
        idea_by(citizen, module)
    with pytest.raises(PermissionDenied):
        participation.comment_create(user=citizen, target=idea, text="Nach der Sperre")
    with pytest.raises(PermissionDenied):
        participation.rate(user=citizen, target=idea, value=1)
    with pytest.raises(PermissionDenied):
        participation.comment_update(user=citizen, comment=own, text="Geändert")
    client = world.client("citizen")
    assert client.get(module_url(module)).status_code == 200
    page = client.get(durl(module, "idea", idea_pk=idea.pk))
    assert page.status_code == 200 and "Kommentar veröffentlichen" not in page_text(page)
    assert client.get(durl(module, "idea_create")).status_code == 403
    assert Comment.objects.count() == 1 and Rating.objects.count() == 0 and Idea.objects.count() == 1


def test_block_rules(world: Any, people: Any) -> None:
    module = make_dialogue(world.semipublic, Blueprint.BRAINSTORMING, "collect")
    with pytest.raises(ValidationError) as caught:
        participation.block(actor=people["moderator"], user=people["invited"], reason=" ", project=world.semipublic)
    assert "Bitte geben Sie einen Grund an." in messages_of(caught.value)
    with pytest.raises(ValidationError) as caught:
        participation.block(
            actor=people["moderator"], user=people["moderator"], reason="Test", project=world.semipublic
        )
    assert "nicht selbst sperren" in messages_of(caught.value)
    with pytest.raises(PermissionDenied):
        participation.block(
            actor=people["moderator"], user=people["invited"], reason="Spam", organisation=world.organisation
        )
    with pytest.raises(PermissionDenied):
        participation.block(actor=people["moderator"], user=people["citizen"], reason="Spam", project=world.public)
    response = world.client("moderator").post(
        purl(module, "block", user_pk=people["invited"].pk), {"reason": "Spam", "scope": "organisation"}
    )
    assert response.status_code == 200
    assert "Nur Mitarbeitende der Organisation" in page_text(response)
    response = world.client("moderator").post(
        purl(module, "block", user_pk=people["invited"].pk), {"reason": "Spam", "scope": "project"}
    )
    assert response.status_code == 302
    invited = type(people["invited"]).objects.get(pk=people["invited"].pk)
    assert not invited.has_perm("participation.comment", module)
    assert invited.has_perm("dialogue.view_module", module)


# --- XSS ------------------------------------------------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="&#97;lert(1)">',
    '<a href="javascript:alert(1)">klick</a>',
    '<a href="JaVaScRiPt:alert(1)">klick</a>',
    '<a href=" javascript:alert(1)">klick</a>',
    '<a href="jav&#x09;ascript:alert(1)">klick</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">klick</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<div style="background:url(javascript:alert(1))">Stil</div>',
    '<p style="width: expression(alert(1))">Stil</p>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="https://example.org" onclick="alert(1)">Link</a>',
    '<p onmouseover="alert(1)">Absatz</p>',
    '<strong onfocus="alert(1)" tabindex="0" autofocus>fett</strong>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">Daten</a>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "</textarea><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    *corpora.xss_payloads(),  # the project's shared corpus (tests/corpora.py), every class of payload
]

DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "base", "frame", "frameset", "applet", "style",
                  "form", "details", "noscript"}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "background", "poster", "srcset"}


class _Executable(HTMLParser):
    """What a browser would execute: dangerous elements, event handlers, script URLs, CSS expressions."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            src = values.get("src") or ""
            if values.get("type") != "application/json" and not src.startswith("/static/"):
                self.found.append(f"<script {attrs}>")
            self.in_script = values.get("type") != "application/json"
        elif tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.found.append(f"<meta refresh {attrs}>")
        elif tag in DANGEROUS_TAGS - {"script", "form", "style", "details", "noscript"}:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            cleaned = re.sub(r"[\s\x00-\x1f]", "", (value or "")).lower()
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and re.match(r"(javascript|vbscript|data):", cleaned):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style" and ("expression(" in cleaned or "javascript:" in cleaned or "url(" in cleaned):
                self.found.append(f"<{tag} style={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and "alert" in data:
            self.found.append(f"inline script {data[:60]!r}")


def executable(markup: str) -> list[str]:
    parser = _Executable()
    parser.feed(markup)
    parser.close()
    if re.search(r"<script[^>]*>\s*alert", markup, re.IGNORECASE):
        parser.found.append("<script>alert")
    return parser.found


def stored_is_clean(text: str) -> list[str]:
    """Stored rich text: no element or attribute of the dangerous kinds at all."""
    problems = executable(text)
    parser = HTMLParser()
    tags: list[str] = []
    parser.handle_starttag = lambda tag, attrs: tags.append(tag)  # type: ignore[method-assign]
    parser.feed(text)
    problems += [f"<{tag}>" for tag in tags if tag in DANGEROUS_TAGS]
    if "<script" in text.lower():
        problems.append("<script")
    return problems


def test_xss_checker_finds_payloads() -> None:
    """The checker itself must catch what it looks for, or the corpus test proves nothing."""
    for raw in ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href=" javascript:alert(1)">x</a>',
                "<svg onload=alert(1)>", '<p style="width: expression(alert(1))">x</p>', "<iframe src=x></iframe>",
                '<a href="data:text/html;base64,xx">x</a>']:  # fmt: skip
        assert executable(raw), raw
    assert not executable("&lt;script&gt;alert(1)&lt;/script&gt; onerror=alert(1) javascript:alert(1)")


def test_xss_corpus_never_executes(world: Any, people: Any) -> None:
    assert len(XSS) >= 15
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect")
    client = world.client("citizen")
    baseline_idea = idea_by(people["invited"], module, title="Harmlos")
    clean_page = client.get(durl(module, "idea", idea_pk=baseline_idea.pk)).content.decode()
    assert executable(clean_page) == [], "the page template itself has executable parts"
    from django.core.cache import cache

    ideas = []
    for number, payload in enumerate(XSS):
        cache.clear()  # the rate limit is not what this test is about
        response = client.post(durl(module, "idea_create"),
                               {"title": payload[:160], "text": f"<p>Vorschlag {number}</p>{payload}"})  # fmt: skip
        assert response.status_code == 302, (payload, response.context["form"].errors if response.context else "")
        idea = Idea.objects.get(module=module, title=payload[:160].strip())
        ideas.append(idea)
        assert stored_is_clean(idea.text) == [], (payload, idea.text)
        cache.clear()
        response = client.post(durl(module, "idea", idea_pk=idea.pk), {"comment-text": payload})
        assert response.status_code == 302, payload
    services.give_feedback(actor=people["org_admin"], idea=ideas[0], status="in_review", text=" ".join(XSS))
    assert stored_is_clean(Idea.objects.get(pk=ideas[0].pk).feedback_text) == []

    problems = []
    for idea, payload in zip(ideas, XSS, strict=True):
        page = client.get(durl(module, "idea", idea_pk=idea.pk)).content.decode()
        problems += [f"idea page {payload!r}: {found}" for found in executable(page)]
    for number in range(1, len(XSS) // 20 + 3):
        page = client.get(module_url(module) + f"?seite={number}").content.decode()
        problems += [f"list page {number}: {found}" for found in executable(page)]
    moderator = world.client("org_admin")
    for url in (durl(module, "results"), purl(module, "moderation"), durl(module, "idea", idea_pk=ideas[0].pk)):
        problems += [f"{url}: {found}" for found in executable(moderator.get(url).content.decode())]
    assert problems == []


def test_xss_in_map_points_and_pending_queue(world: Any, map_module: Any, people: Any) -> None:
    services.settings_update(actor=people["org_admin"], module=map_module, premoderation=True)
    map_module = type(map_module).objects.get(pk=map_module.pk)
    for payload in ("</script><script>alert(1)</script>", "<img src=x onerror=alert(1)>"):
        idea = idea_by(people["citizen"], map_module, title=payload, text=f"<p>x</p>{payload}", lon=7.6, lat=50.05)
        participation.approve(actor=people["org_admin"], target=idea)
    idea_by(people["citizen"], map_module, title="<svg onload=alert(1)>", text="<p>x</p><svg onload=alert(1)>",
            lon=7.6, lat=50.05)  # fmt: skip
    for persona, url in (("anonymous", module_url(map_module)), ("org_admin", purl(map_module, "moderation")),
                         ("citizen", module_url(map_module))):  # fmt: skip
        page = world.client(persona).get(url).content.decode()
        assert executable(page) == [], (persona, url, executable(page))


def test_text_review_paragraphs_are_sanitised(world: Any, people: Any) -> None:
    module = make_dialogue(world.public, Blueprint.TEXT_REVIEW, "comment")
    services.chapter_add(actor=people["org_admin"], module=module, title="§ 2 <script>alert(1)</script>",
                         text="\n\n".join(XSS[:12]) + "\n\nNormaler Absatz")  # fmt: skip
    for paragraph in Paragraph.objects.filter(chapter__module=module):
        assert stored_is_clean(paragraph.text) == [], paragraph.text
    page = world.client("anonymous").get(module_url(module)).content.decode()
    assert executable(page) == []


# --- exports --------------------------------------------------------------------------------------------------


@pytest.fixture
def export_module(world: Any, people: Any, django_capture_on_commit_callbacks: Any) -> Any:
    world.semipublic.location = AREA
    world.semipublic.save()
    module = make_dialogue(world.semipublic, Blueprint.MAP_IDEAS, "collect")
    category, label = Category.objects.get(module=module), Label.objects.get(module=module)
    idea = services.idea_create(user=people["invited"], module=module, title="Zebrastreifen an der Schule",
                                text="<p>Die Kinder queren hier täglich.</p>", category=category, labels=[label],
                                lon=7.61, lat=50.04)  # fmt: skip
    comment = participation.comment_create(user=people["invited"], target=idea, text="Unbedingt, auch für Ältere.")
    participation.comment_create(user=people["moderator"], target=idea, text="Wir prüfen das.", parent=comment)
    neighbour = ProjectMembershipFactory(project=world.semipublic, user=UserFactory(email="nachbar@example.org")).user
    participation.rate(user=people["moderator"], target=idea, value=1)
    participation.rate(user=neighbour, target=idea, value=1)  # the author (invited) may not rate their own idea
    participation.rate(user=people["agency"], target=idea, value=-1)
    services.give_feedback(actor=people["org_admin"], idea=idea, status="implemented", text="<p>Erledigt.</p>")
    return module


def _csv(response: Any) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))


def _xlsx(response: Any) -> list[list[Any]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [["" if value is None else value for value in row] for row in workbook.active.iter_rows(values_only=True)]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize(("persona", "personal"), [("org_admin", True), ("moderator", False)])
def test_export_contents(world: Any, export_module: Any, file_format: str, persona: str, personal: bool) -> None:
    response = world.client(persona).get(durl(export_module, "export", file_format=file_format))
    assert response.status_code == 200
    rows = _csv(response) if file_format == "csv" else _xlsx(response)
    header, body = rows[0], rows[1:]
    records = [dict(zip(header, [str(v) for v in row], strict=False)) for row in body]
    ideas = [r for r in records if r["Art"] == "Idee"]
    comments = [r for r in records if r["Art"] == "Kommentar"]
    assert len(ideas) == 1 and len(comments) == 2
    idea = ideas[0]
    assert idea["Titel"] == "Zebrastreifen an der Schule"
    assert idea["Kategorie"] == "Verkehr" and idea["Merkmale"] == "Kinder"
    assert float(idea["Breite"]) == 50.04 and float(idea["Länge"]) == 7.61
    assert (idea["Zustimmung"], idea["Ablehnung"], idea["Kommentare"]) == ("2", "1", "2")
    assert idea["Status"] == "umgesetzt" and "Erledigt." in idea["Stellungnahme"]
    assert {c["Text"] for c in comments} == {"Unbedingt, auch für Ältere.", "Wir prüfen das."}
    everything = " ".join(" ".join(map(str, row)) for row in rows)
    assert ("E-Mail" in header) == personal
    assert ("invited@example.org" in everything) == personal
    assert ("moderator@example.org" in everything) == personal


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_defuses_spreadsheet_formulas(world: Any, people: Any, file_format: str) -> None:
    """Cells starting with = + - @ would run as formulas when staff open the file (CSV/formula injection)."""
    module = make_dialogue(world.semipublic, Blueprint.BRAINSTORMING, "collect")
    idea = services.idea_create(user=people["invited"], module=module, title='=HYPERLINK("https://evil.example","Hilfe")',
                                text="<p>Text</p>")  # fmt: skip
    participation.comment_create(user=people["invited"], target=idea, text="+cmd|' /C calc'!A0")
    participation.comment_create(user=people["invited"], target=idea, text="@SUM(1+1)*cmd|' /C calc'!A0")
    response = world.client("org_admin").get(durl(module, "export", file_format=file_format))
    if file_format == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        formulas = [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
        assert formulas == []
        cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    else:
        cells = [cell for row in _csv(response) for cell in row]
    assert [cell for cell in cells if cell[:1] in ("=", "+", "@")] == []


def test_export_is_for_moderators_only(world: Any, export_module: Any) -> None:
    for persona in ("anonymous", "citizen", "invited", "other_org_admin"):
        assert world.client(persona).get(durl(export_module, "export", file_format="csv")).status_code == 404
    assert world.client("org_admin").get(durl(export_module, "export", file_format="pdf")).status_code == 404


def test_follow_frequency_and_flag_messages(world: Any, module: Any, people: Any) -> None:
    idea = idea_by(people["invited"], module)
    with pytest.raises(ValidationError) as caught:
        participation.follow(user=people["citizen"], target=idea, frequency="stündlich")
    assert "wie oft" in messages_of(caught.value)
    with pytest.raises(ValidationError) as caught:
        participation.flag(user=people["citizen"], target=idea, reason=" ")
    assert "Bitte nennen Sie einen Grund." in messages_of(caught.value)
    participation.flag(user=people["citizen"], target=idea, reason="Werbung")
    with pytest.raises(ValidationError) as caught:
        participation.flag(user=people["citizen"], target=idea, reason="Werbung")
    assert "bereits gemeldet" in messages_of(caught.value)
    assert Follow.objects.filter(user=people["invited"], **on(idea)).exists()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_rating_redirect_stays_on_the_site(world: Any, module: Any, people: Any, target: str) -> None:
    idea = idea_by(people["invited"], module)
    response = world.client("citizen").post(
        purl(module, "rate", kind="idee", pk=idea.pk), {"value": "1", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == durl(module, "idea", idea_pk=idea.pk)
    response = world.client("citizen").post(
        purl(module, "rate", kind="idee", pk=idea.pk), {"value": "-1", "next": module_url(module) + "?seite=2"}
    )
    assert response["Location"] == module_url(module) + "?seite=2"
