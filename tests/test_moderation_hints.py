"""Moderation hints: learned per organisation from its moderators' decisions, they order the queue and explain
themselves, never hide anything, and stay silent with too few decisions."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mitwirken.analysis import moderation, state
from mitwirken.analysis.models import Decision, Outcome, SuggestionKind
from mitwirken.dialogue import services as dialogue_services
from mitwirken.dialogue.models import Blueprint, Idea
from mitwirken.participation import moderation_hints

from .dialogue_fixtures import make_dialogue
from .dialogue_helpers import established, page_text, purl

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_off")]

PLACES = ["Marktplatz", "Bahnhofstraße", "Schulweg", "Stadtpark", "Lindenallee", "Rathausplatz", "Mühlbach"]
WISHES = ["ein sicherer Radweg", "mehr Bänke", "eine Ampel", "Bäume gegen die Hitze", "ein Spielplatz",
          "breitere Gehwege", "eine Bushaltestelle mit Dach", "Fahrradbügel"]  # fmt: skip
SPAM = ["GRATIS Kredit ohne Schufa", "Casino Bonus sofort", "Billige Uhren und Pillen", "Schnell reich werden",
        "Follower kaufen", "Krypto Gewinn garantiert"]  # fmt: skip
INSULTS = ["Ihr Idioten im Rathaus", "Alles Versager und Lügner", "Diese Deppen haben keine Ahnung"]


def normal(rng: random.Random) -> str:
    place, wish = rng.choice(PLACES), rng.choice(WISHES)
    return rng.choice([
        f"Am {place} fehlt {wish}. Kinder und ältere Menschen wären dort sicherer unterwegs.",
        f"Ich schlage für den Bereich {place} {wish} vor, weil dort viele Familien wohnen.",
        f"{wish.capitalize()} am {place} würde allen helfen, die dort täglich zu Fuß gehen.",
    ])  # fmt: skip


def bad(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return f"{rng.choice(SPAM)}!!! Jetzt klicken: https://example.com/{rng.randint(1, 999)} www.angebot{rng.randint(1, 99)}.example"
    return f"{rng.choice(INSULTS)}! {rng.choice(INSULTS)}! {rng.choice(PLACES)} ist euch doch egal!!!"


def examples(count: int, seed: int = 7) -> list[tuple[str, bool]]:
    rng = random.Random(seed)
    return [(bad(rng), True) for _ in range(count)] + [(normal(rng), False) for _ in range(count)]


def test_no_model_with_fewer_than_twenty_of_each_kind():
    assert moderation.train(examples(19)) is None
    assert moderation.train(examples(40)[:40] + examples(40)[40:59]) is None  # 40 hidden, 19 kept
    assert moderation.train(examples(20)) is not None


def test_hints_score_and_explain_on_held_out_texts():
    model = moderation.train(examples(60, seed=1))
    assert model is not None and model.counts == {"hidden": 60, "kept": 60}
    held_out = examples(40, seed=2)
    hints = model.hints([text for text, _hidden in held_out])
    right = sum((hint.probability >= 0.5) == hidden for hint, (_text, hidden) in zip(hints, held_out, strict=True))
    assert right / len(held_out) >= 0.95  # generated texts: an easy case, not a measure of real netiquette breaks
    spam = model.hints(["GRATIS Kredit ohne Schufa!!! https://example.com/x"])[0]
    assert spam.probability > 0.5 and spam.reasons
    assert set(spam.reasons) & {"GRATIS", "Kredit", "Schufa", "Links", "Ausrufezeichen"}
    assert model.hints(["Am Marktplatz fehlt eine Ampel für die Schulkinder."])[0].probability < 0.5
    assert model.hints([]) == []


def make_history(module: Any, author: Any, hidden: int, kept: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    Idea.objects.bulk_create(
        [Idea(module=module, author=author, title="Vorschlag", text=f"<p>{bad(rng)}</p>", hidden=True,
              hidden_reason="Netiquette") for _ in range(hidden)]
        + [Idea(module=module, author=author, title="Vorschlag", text=f"<p>{normal(rng)}</p>") for _ in range(kept)]
    )  # fmt: skip


@pytest.fixture
def dialogue(world):
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect")
    dialogue_services.settings_update(actor=world.personas["org_admin"], module=module, premoderation=True)
    established(world.personas["citizen"], world.personas["org_admin"])
    return module


def test_model_per_organisation_from_its_own_decisions(world, dialogue):
    make_history(dialogue, world.personas["citizen"], hidden=25, kept=30)
    assert moderation_hints.retrain(world.organisation) is not None
    stored = state.meta(moderation_hints.state_key(world.organisation.pk))
    assert stored["hidden"] == 25 and stored["kept"] == 30
    assert moderation_hints.retrain(world.other_organisation) is None  # no decisions there: no model, no hint
    assert moderation_hints.model_for(world.other_organisation.pk) is None
    # deleted or too few: the model is dropped again
    Idea.objects.filter(pk__in=list(Idea.objects.filter(hidden=True).values_list("pk", flat=True)[:10])).delete()
    assert moderation_hints.retrain(world.organisation) is None
    assert moderation_hints.model_for(world.organisation.pk) is None


def test_queue_is_sorted_with_reasons_and_nothing_is_hidden(world, dialogue):
    citizen = world.personas["citizen"]
    make_history(dialogue, citizen, hidden=30, kept=30)
    moderation_hints.retrain(world.organisation)
    first = dialogue_services.idea_create(user=citizen, module=dialogue, title="Radweg",
                                          text="<p>Am Schulweg fehlt ein sicherer Radweg für die Kinder.</p>")  # fmt: skip
    second = dialogue_services.idea_create(user=citizen, module=dialogue, title="Angebot",
                                           text="<p>GRATIS Kredit ohne Schufa!!! https://example.com/kredit</p>")  # fmt: skip
    response = world.client("org_admin").get(purl(dialogue, "moderation"))
    pending = response.context["pending"]
    assert [row["target"].pk for row in pending] == [second.pk, first.pk]
    assert pending[0]["hint"].probability > 0.5 > pending[1]["hint"].probability
    page = page_text(response)
    assert "Hinweis der Analyse" in page and "Nur eine Sortierhilfe" in page
    assert page.index("Angebot") < page.index("Radweg")
    for idea in (first, second):
        idea.refresh_from_db()
        assert (idea.approved, idea.hidden) == (False, False)  # the hint never decides


def test_without_a_model_the_queue_keeps_its_order_and_shows_no_hint(world, dialogue):
    citizen = world.personas["citizen"]
    make_history(dialogue, citizen, hidden=5, kept=30)
    moderation_hints.retrain(world.organisation)
    first = dialogue_services.idea_create(user=citizen, module=dialogue, title="Radweg", text="<p>Radweg bitte.</p>")
    second = dialogue_services.idea_create(user=citizen, module=dialogue, title="Angebot",
                                           text="<p>GRATIS Kredit!!! https://example.com</p>")  # fmt: skip
    response = world.client("org_admin").get(purl(dialogue, "moderation"))
    assert [row["target"].pk for row in response.context["pending"]] == [first.pk, second.pk]
    assert "Hinweis der Analyse" not in page_text(response)


def test_decisions_are_logged_against_the_hint_and_retrain(world, dialogue, tasks, django_capture_on_commit_callbacks):
    citizen = world.personas["citizen"]
    make_history(dialogue, citizen, hidden=30, kept=30)
    moderation_hints.retrain(world.organisation)
    spam = dialogue_services.idea_create(user=citizen, module=dialogue, title="Angebot",
                                         text="<p>Casino Bonus sofort!!! https://example.com/casino</p>")  # fmt: skip
    client = world.client("org_admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(purl(dialogue, "moderate", kind="idee", pk=spam.pk),
                               {"action": "hide", "reason": "Werbung"})  # fmt: skip
    assert response.status_code == 302
    decision = Decision.objects.get(kind=SuggestionKind.MODERATION)
    assert decision.outcome == Outcome.ACCEPTED and decision.score > 0.5 and decision.detail["reasons"]
    assert decision.organisation == world.organisation
    names = [result.task.name for result in tasks["enqueued"]]
    assert "retrain_moderation_hints" in names
    assert state.meta(moderation_hints.state_key(world.organisation.pk))["hidden"] == 31


def test_queue_queries_do_not_grow_with_hints(world, dialogue):
    citizen = world.personas["citizen"]
    client = world.client("org_admin")

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(purl(dialogue, "moderation")).status_code == 200
        return len(context.captured_queries)

    dialogue_services.idea_create(user=citizen, module=dialogue, title="Eins", text="<p>Radweg am Markt.</p>")
    without_model = count()
    make_history(dialogue, citizen, hidden=30, kept=30)
    moderation_hints.retrain(world.organisation)
    with_model = count()
    for n in range(10):
        dialogue_services.idea_create(user=citizen, module=dialogue, title=f"Idee {n}", text=f"<p>Bank Nummer {n}.</p>")
    assert count() == with_model <= without_model + 1  # one query loads the organisation's model


def test_retraining_is_debounced(world, monkeypatch):
    """A burst of decisions schedules one deferred retraining, five minutes after the first."""
    scheduled = []

    class Backend:
        supports_defer = True

    class FakeTask:
        def get_backend(self):
            return Backend()

        def using(self, run_after):
            scheduled.append(run_after)
            return self

        def enqueue(self, organisation_id):
            scheduled.append(organisation_id)

    monkeypatch.setattr(moderation_hints, "retrain_moderation_hints", FakeTask())
    from django.utils import timezone

    before = timezone.now()
    for _ in range(5):
        moderation_hints.schedule_retrain(world.organisation)
    moderation_hints.schedule_retrain(world.other_organisation)
    assert len(scheduled) == 4  # (run_after, id) for each organisation once
    assert scheduled[1] == world.organisation.pk and scheduled[3] == world.other_organisation.pk
    assert scheduled[0] - before >= moderation_hints.DEBOUNCE
