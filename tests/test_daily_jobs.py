"""The daily jobs: follow-ups and alert digests of the Mängelmelder, phase notices and digests of dialogues."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from mitwirken.dialogue import services as dialogue_services
from mitwirken.participation import services as participation
from mitwirken.participation.models import DigestItem, Follow
from mitwirken.projects.models import Phase

from .dialogue_fixtures import make_dialogue
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_dialogue_daily_tells_followers_of_a_new_phase_and_sends_digests(world: Any) -> None:
    module = make_dialogue(world.public)
    immediate, daily = UserFactory(email="sofort@example.org"), UserFactory(email="taeglich@example.org")
    Follow.objects.create(user=immediate, project=world.public, frequency="immediate")
    Follow.objects.create(user=daily, project=world.public, frequency="daily")
    now = timezone.now()
    Phase.objects.create(module=module, phase_type="result", name="Ergebnis", features=[],
                         start=now + timedelta(hours=2), end=now + timedelta(days=30))  # fmt: skip
    with time_machine.travel(now + timedelta(hours=3), tick=False):
        call_command("dialogue_daily", stdout=StringIO())
    assert any("Neue Phase" in m.subject for m in mail.outbox if m.to == [immediate.email])
    digests = [m for m in mail.outbox if m.to == [daily.email]]
    assert len(digests) == 1 and "Ergebnis" in digests[0].body
    assert not DigestItem.objects.filter(sent_at__isnull=True).exists()
    mail.outbox.clear()
    with time_machine.travel(now + timedelta(hours=4), tick=False):
        call_command("dialogue_daily", stdout=StringIO())  # nothing new: nobody hears twice
    assert mail.outbox == []


def test_feedback_reaches_daily_followers_only_through_the_digest(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    module = make_dialogue(world.public)
    author, follower = world.personas["citizen"], UserFactory(email="leserin@example.org")
    idea = dialogue_services.idea_create(user=author, module=module, title="Bank", text="<p>Eine Bank am Weiher</p>")
    participation.follow(user=follower, target=idea, frequency="daily")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dialogue_services.give_feedback(
            actor=world.personas["org_admin"], idea=idea, status="accepted", text="Wird gemacht."
        )
    assert [m.to for m in mail.outbox] == [[author.email]]  # the author immediately, the follower not yet
    call_command("dialogue_daily", stdout=StringIO())
    assert any(m.to == [follower.email] and "Bank" in m.body for m in mail.outbox)
