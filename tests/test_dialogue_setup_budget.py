"""Issue #14 in the dialogue: staff edit, reorder and delete their topics, items, chapters and paragraphs;
ratings and following work in place (htmx) and the chosen vote again withdraws it; nobody rates or flags their
own contribution; a prioritisation with a budget is a participatory budget whose choices stay within it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from mitwirken.core.models import AuditEntry
from mitwirken.dialogue import services
from mitwirken.dialogue.models import Blueprint, Chapter, Idea, Paragraph
from mitwirken.participation import services as participation
from mitwirken.participation.models import Comment, Follow, Rating, on

from .dialogue_fixtures import make_dialogue
from .dialogue_helpers import durl, established, flash_messages, make_users, module_url, purl
from .test_dialogue_queries import assert_same, count_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_off")]

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def people(world: Any) -> Any:
    established(*world.personas.values())
    return world.personas


def setup_url(module: Any, name: str = "dialogue_setup", **kwargs: Any) -> str:
    project = module.project
    return reverse(f"backoffice:{name}", kwargs={"org_slug": project.organisation.slug, "project_pk": project.pk,
                                                 "module_pk": module.pk, **kwargs})  # fmt: skip


def items(module: Any, *titles: str, cost: int | None = None, actor: Any) -> list[Idea]:
    return [services.item_create(actor=actor, module=module, title=t, text=f"<p>{t}</p>", cost=cost) for t in titles]


def titles(module: Any) -> list[str]:
    return list(
        Idea.objects.filter(module=module, by_staff=True).order_by("position", "pk").values_list("title", flat=True)
    )


def audited(action: str) -> bool:
    return AuditEntry.objects.filter(action=action).exists()


# --- 1. editing, ordering, deleting what staff set up ----------------------------------------------------------


def test_staff_edit_reorder_and_delete_items_in_the_back_office(world: Any, people: Any) -> None:
    module = make_dialogue(world.public, Blueprint.DEBATE, "discuss")
    staff = people["case_worker"]
    first, second, third = items(module, "Parken", "Radwege", "Bäume", actor=staff)
    client = world.client("case_worker")

    response = client.post(setup_url(module), {"action": "item-up", "pk": third.pk})
    assert response.status_code == 302
    assert titles(module) == ["Parken", "Bäume", "Radwege"]
    client.post(setup_url(module), {"action": "item-down", "pk": first.pk})
    assert titles(module) == ["Bäume", "Parken", "Radwege"]
    assert audited("dialogue.move")
    # The public list shows staff topics in that order.
    page = world.client("anonymous").get(module_url(module)).content.decode()
    assert page.index("Bäume") < page.index("Parken") < page.index("Radwege")

    response = client.post(setup_url(module, "dialogue_item_edit", idea_pk=second.pk),
                           {"item-title": "Sichere Radwege", "item-text": "Breiter und getrennt."})  # fmt: skip
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.title == "Sichere Radwege" and "getrennt" in second.text
    assert audited("dialogue.item_update")
    response = client.post(
        setup_url(module, "dialogue_item_edit", idea_pk=second.pk), {"item-title": "", "item-text": ""}
    )
    assert response.status_code == 200 and "Dieses Feld ist zwingend erforderlich" in response.content.decode()

    # A topic with a comment can not be deleted; the message says why.
    participation.comment_create(user=people["citizen"], target=first, text="Mehr Parkplätze am Bahnhof.")
    response = client.post(setup_url(module), {"action": "item-delete", "pk": first.pk}, follow=True)
    assert any("kann nicht gelöscht werden" in m and "1 Kommentar" in m for m in flash_messages(response))
    assert Idea.objects.filter(pk=first.pk).exists()
    client.post(setup_url(module), {"action": "item-delete", "pk": third.pk})
    assert not Idea.objects.filter(pk=third.pk).exists()
    assert audited("dialogue.item_delete")


def test_staff_edit_reorder_and_delete_chapters_and_paragraphs(world: Any, people: Any) -> None:
    module = make_dialogue(world.public, Blueprint.TEXT_REVIEW, "comment")
    staff = people["case_worker"]
    first = Chapter.objects.get(module=module)
    second = services.chapter_add(actor=staff, module=module, title="§ 2 Gebühren", text="Eins.\n\nZwei.\n\nDrei.")
    client = world.client("case_worker")
    client.post(setup_url(module), {"action": "chapter-up", "pk": second.pk})
    assert list(Chapter.objects.filter(module=module).values_list("pk", flat=True)) == [second.pk, first.pk]

    url = setup_url(module, "dialogue_chapter_edit", chapter_pk=second.pk)
    assert client.get(url).status_code == 200
    client.post(url, {"action": "title", "title": "§ 2 Gebühren und Auslagen"})
    second.refresh_from_db()
    assert second.title == "§ 2 Gebühren und Auslagen"
    one, two, three = second.paragraphs.all()
    client.post(url, {"action": "paragraph-down", "pk": one.pk})
    assert [p.text for p in Paragraph.objects.filter(chapter=second)] == [
        "<p>Zwei.</p>",
        "<p>Eins.</p>",
        "<p>Drei.</p>",
    ]
    client.post(url, {"action": "paragraph-save", "pk": two.pk, f"p{two.pk}-text": "Zwei, berichtigt."})
    two.refresh_from_db()
    assert "berichtigt" in two.text and audited("dialogue.paragraph_update")
    participation.comment_create(user=people["citizen"], target=two, text="Warum so hoch?")
    response = client.post(url, {"action": "paragraph-delete", "pk": two.pk}, follow=True)
    assert any("kann nicht gelöscht werden" in m for m in flash_messages(response))
    client.post(url, {"action": "paragraph-delete", "pk": three.pk})
    assert not Paragraph.objects.filter(pk=three.pk).exists()
    response = client.post(setup_url(module), {"action": "chapter-delete", "pk": second.pk}, follow=True)
    assert any("Kapitel" in m and "kann nicht gelöscht werden" in m for m in flash_messages(response))
    client.post(setup_url(module), {"action": "chapter-delete", "pk": first.pk})
    assert not Chapter.objects.filter(pk=first.pk).exists() and audited("dialogue.chapter_delete")


SETUP_PERSONAS = [("anonymous", False), ("citizen", False), ("moderator", False), ("case_worker", True),
                  ("org_admin", True), ("other_org_admin", False)]  # fmt: skip


@pytest.mark.parametrize(("persona", "allowed"), SETUP_PERSONAS)
def test_only_the_organisations_staff_edit_move_and_delete(
    world: Any, people: Any, persona: str, allowed: bool
) -> None:
    module = make_dialogue(world.public, Blueprint.DEBATE, "discuss")
    first, second = items(module, "Eins", "Zwei", actor=people["case_worker"])
    chapter = Chapter.objects.create(module=module, title="K", position=1)
    paragraph = Paragraph.objects.create(chapter=chapter, text="<p>A</p>", position=1)
    Paragraph.objects.create(chapter=chapter, text="<p>B</p>", position=2)
    user = people[persona] or AnonymousUser()
    calls = [
        lambda: services.move(actor=user, obj=second, direction="up"),
        lambda: services.item_update(actor=user, item=first, title="Neu", text="Neu"),
        lambda: services.item_delete(actor=user, item=first),
        lambda: services.chapter_update(actor=user, chapter=chapter, title="Neu"),
        lambda: services.paragraph_delete(actor=user, paragraph=paragraph),
    ]
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()
    response = world.client(persona).post(setup_url(module), {"action": "item-delete", "pk": second.pk})
    assert Idea.objects.filter(pk=second.pk).exists() != allowed
    if not allowed:
        assert response.status_code in (302, 403, 404)


# --- 2. ratings and following in place; withdrawing; nobody rates or flags their own contribution -------------


def test_rating_in_place_announces_the_count_and_withdraws(world: Any, people: Any) -> None:
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect")
    idea = services.idea_create(user=people["invited"], module=module, title="Bänke", text="Mehr Bänke.")
    client = world.client("citizen")
    url = purl(module, "rate", kind="idee", pk=idea.pk)
    html = client.post(url, {"value": "1"}, **HX).content.decode()
    assert f'id="rate-idee-{idea.pk}-up"' in html and 'aria-pressed="true"' in html
    assert 'hx-swap-oob="innerHTML"' in html and "Jetzt 1 dafür, 0 dagegen." in html
    html = client.post(url, {"value": "1"}, **HX).content.decode()
    assert "zurückgenommen" in html and "Jetzt 0 dafür, 0 dagegen." in html
    assert not Rating.objects.exists()
    own = world.client("invited").post(url, {"value": "1"}, **HX).content.decode()
    assert "nicht bewerten" in own and not Rating.objects.exists()


def test_following_in_place_keeps_one_button_id(world: Any, people: Any) -> None:
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect")
    idea = services.idea_create(user=people["invited"], module=module, title="Bänke", text="Mehr Bänke.")
    client = world.client("citizen")
    html = client.post(purl(module, "follow"), {"kind": "idee", "pk": idea.pk}, **HX).content.decode()
    assert f'id="follow-idee-{idea.pk}-button"' in html and "Sie folgen dieser Idee." in html
    assert "Sie folgen jetzt." in html and Follow.objects.filter(user=people["citizen"]).count() == 1
    html = client.post(purl(module, "follow"), {"kind": "idee", "pk": idea.pk, "action": "stop"}, **HX).content.decode()
    assert f'id="follow-idee-{idea.pk}-button"' in html and "Dieser Idee folgen" in html
    assert not Follow.objects.filter(user=people["citizen"]).exists()
    # Without JavaScript the same form redirects back.
    response = client.post(purl(module, "follow"), {})
    assert response.status_code == 302


OWN = ["anonymous", "citizen", "moderator", "case_worker"]


@pytest.mark.parametrize("persona", OWN)
@pytest.mark.parametrize("whose", ["own", "other"])
@pytest.mark.parametrize("what", ["idea", "comment"])
def test_nobody_rates_or_flags_their_own_contribution(
    world: Any, people: Any, persona: str, whose: str, what: str
) -> None:
    """Matrix: persona × own/other contribution × idea/comment → rate, flag; the button is not offered either."""
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect")
    user = people[persona]
    author = user if (whose == "own" and user is not None) else people["agency"]
    idea = services.idea_create(user=people["agency"] if what == "comment" else author, module=module, title="Bänke",
                                text="Mehr Bänke.")  # fmt: skip
    target = idea if what == "idea" else participation.comment_create(user=author, target=idea, text="Gute Idee.")
    is_own = user is not None and whose == "own"
    viewer = user if user is not None else AnonymousUser()
    may_rate = viewer.has_perm("participation.rate", target)
    may_flag = viewer.has_perm("participation.flag", target)
    signed_in = user is not None
    assert may_flag == (signed_in and not is_own)
    if what == "idea":
        assert may_rate == (signed_in and not is_own)
    if what == "idea":
        page = world.client(persona).get(durl(module, "idea", idea_pk=idea.pk)).content.decode()
        assert (f'id="rate-idee-{idea.pk}-up"' in page) == may_rate
        assert ("Idee melden" in page) == (signed_in and not is_own)
    if is_own:
        with pytest.raises(PermissionDenied):
            participation.flag(user=user, target=target, reason="Spam")


# --- 5. the participatory budget -------------------------------------------------------------------------------


@pytest.fixture
def budget_module(world: Any, people: Any) -> Any:
    module = make_dialogue(world.public, Blueprint.PRIORITISATION, "rate")
    services.settings_update(actor=people["case_worker"], module=module, premoderation=False, budget=100_000)
    return module


def test_budget_choices_stay_within_the_budget(world: Any, people: Any, budget_module: Any) -> None:
    staff, citizen = people["case_worker"], people["citizen"]
    park, school, bridge = (items(budget_module, title, cost=cost, actor=staff)[0]
                            for title, cost in (("Park", 40_000), ("Schule", 50_000), ("Brücke", 30_000)))  # fmt: skip
    assert services.budget_choose(user=citizen, item=park, chosen=True) == 40_000
    assert services.budget_choose(user=citizen, item=school, chosen=True) == 90_000
    with pytest.raises(ValidationError) as caught:
        services.budget_choose(user=citizen, item=bridge, chosen=True)
    assert "mehr als das Budget von 100.000 €" in " ".join(caught.value.messages)
    assert services.budget_spent(citizen, budget_module) == 90_000
    assert services.budget_choose(user=citizen, item=park, chosen=False) == 50_000
    assert services.budget_choose(user=citizen, item=bridge, chosen=True) == 80_000
    park.refresh_from_db()
    bridge.refresh_from_db()
    assert (park.positive_count, bridge.positive_count) == (0, 1)
    # Single ratings are not a way around the budget.
    with pytest.raises(ValidationError):
        participation.rate(user=citizen, target=park, value=1)
    # The page shows the running total; the no-JS form redirects, htmx swaps the item and the total.
    client = world.client("citizen")
    page = client.get(module_url(budget_module)).content.decode()
    assert "80.000 €</strong> von 100.000 € gewählt" in page and "noch 20.000 € übrig" in page
    url = durl(budget_module, "budget_choose", idea_pk=park.pk)
    response = client.post(url, {"action": "choose"})
    assert response.status_code == 302 and any("mehr als das Budget" in m for m in flash_messages(response))
    html = client.post(url, {"action": "choose"}, **HX).content.decode()
    assert f'id="vorschlag-{park.pk}-button"' in html and "mehr als das Budget" in html
    html = client.post(
        durl(budget_module, "budget_choose", idea_pk=bridge.pk), {"action": "remove"}, **HX
    ).content.decode()
    assert "Gewählt: 50.000 € von 100.000 €; übrig: 50.000 €." in html and 'hx-swap-oob="innerHTML"' in html
    results = world.client("anonymous").get(durl(budget_module, "results")).content.decode()
    assert "Schule" in results and "Im Budget" in results


def test_budget_back_office_sets_budget_and_costs(world: Any, people: Any) -> None:
    module = make_dialogue(world.public, Blueprint.PRIORITISATION, "rate")
    client = world.client("case_worker")
    response = client.post(setup_url(module), {"action": "settings", "settings-budget": "-5"})
    assert response.status_code == 200 and services.settings_for(module).budget is None
    client.post(setup_url(module), {"action": "settings", "settings-budget": "250000"})
    module.refresh_from_db()
    assert services.settings_for(type(module).objects.get(pk=module.pk)).budget == 250_000
    response = client.post(setup_url(module), {"action": "item", "item-title": "Spielplatz", "item-text": "Neu."})
    assert "braucht jeder Vorschlag Kosten" in response.content.decode()
    client.post(
        setup_url(module), {"action": "item", "item-title": "Spielplatz", "item-text": "Neu.", "item-cost": "12000"}
    )
    assert Idea.objects.get(module=module).cost == 12_000
    # Outside a prioritisation there is no budget.
    debate = make_dialogue(world.public, Blueprint.DEBATE, "discuss")
    with pytest.raises(ValidationError):
        services.settings_update(actor=people["case_worker"], module=debate, premoderation=False, budget=10)


BUDGET_MATRIX = [
    # persona, phase, may choose
    ("anonymous", "rate", False), ("citizen", "rate", True), ("invited", "rate", True), ("moderator", "rate", True),
    ("citizen", "result", False), ("citizen", "discuss", True),
]  # fmt: skip


@pytest.mark.parametrize(("persona", "phase", "allowed"), BUDGET_MATRIX)
def test_who_may_choose_in_a_budget(world: Any, people: Any, persona: str, phase: str, allowed: bool) -> None:
    module = make_dialogue(world.public, Blueprint.PRIORITISATION, phase)
    services.settings_update(actor=people["case_worker"], module=module, premoderation=False, budget=1000)
    item = items(module, "Park", cost=100, actor=people["case_worker"])[0]
    response = world.client(persona).post(durl(module, "budget_choose", idea_pk=item.pk), {"action": "choose"})
    assert response.status_code == 302
    assert Rating.objects.of(item).exists() == allowed


@pytest.mark.parametrize("persona", ["anonymous", "citizen"])
def test_budget_list_has_constant_queries(world: Any, people: Any, budget_module: Any, persona: str) -> None:
    voters = make_users(3, prefix="waehler")

    def add(count: int) -> None:
        start = Idea.objects.filter(module=budget_module).count()
        new = Idea.objects.bulk_create(Idea(module=budget_module, by_staff=True, title=f"Vorschlag {start + i}",
                                            text="<p>x</p>", cost=1000 + i, position=start + i) for i in range(count))  # fmt: skip
        Rating.objects.bulk_create(Rating(module=budget_module, **on(idea), user=voter, value=1)
                                   for idea in new[::3] for voter in [*voters, people["citizen"]])  # fmt: skip

    client = world.client(persona)
    add(5)
    few = count_queries(client, module_url(budget_module))
    add(300)
    assert_same(few, count_queries(client, module_url(budget_module)), f"budget list as {persona}")
    assert_same(few, count_queries(client, module_url(budget_module) + "?seite=3"), f"budget page 3 as {persona}")


def test_comment_on_a_staff_item_blocks_its_delete_but_not_its_edit(world: Any, people: Any) -> None:
    module = make_dialogue(world.public, Blueprint.DEBATE, "discuss")
    (topic,) = items(module, "Marktplatz", actor=people["case_worker"])
    topic.module = module
    participation.comment_create(user=people["citizen"], target=topic, text="Mehr Schatten!")
    services.item_update(actor=people["case_worker"], item=topic, title="Marktplatz neu", text="Neu")
    with pytest.raises(ValidationError):
        services.item_delete(actor=people["case_worker"], item=topic)
    assert Comment.objects.filter(idea=topic).count() == 1


# --- 3. calls to action on the project page, the start page's promise and topic filter ------------------------


def test_project_page_calls_to_action_and_home_topic_filter(world: Any, people: Any) -> None:
    from mitwirken.projects.models import Topic

    world.public.topics = [Topic.MOBILITY, Topic.ENVIRONMENT]
    world.public.save(update_fields=["topics"])
    running = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect")
    later = make_dialogue(world.public, Blueprint.TEXT_REVIEW, "comment", when="before")
    over = make_dialogue(world.public, Blueprint.DEBATE, "discuss", when="after")
    client = world.client("anonymous")
    page = client.get(world.public.get_absolute_url()).content.decode()
    assert "Idee einreichen" in page  # the running module names its own call to action
    assert "Entwurf kommentieren" not in page and "Mitmachen ist ab dem" in page  # not yet
    assert "Mitdiskutieren" not in page  # over
    assert later.name in page and over.name in page and running.name in page

    home = client.get("/").content.decode()
    assert "und mehr" not in home and "Dialoge" in home
    found = client.get(f"/?topic={Topic.MOBILITY.value}").content.decode()
    assert world.public.title in found
    assert world.public.title not in client.get(f"/?topic={Topic.CULTURE.value}").content.decode()
    # "planung" is not part of "umwelt", and a key never matches inside another one.
    assert world.public.title not in client.get(f"/?topic={Topic.PLANNING.value}").content.decode()


@pytest.mark.parametrize("typed", ["Eins.", "Eins.\n\nZwei & drei.\nVier", "<p>a <strong>b</strong></p>"])
def test_staff_edit_the_text_they_typed_not_its_html(typed: str) -> None:
    stored = services.rich_html(typed)
    assert services.rich_html(services.editable_text(stored)) == stored
    if "<" not in typed:
        assert services.editable_text(stored) == typed


# --- blocks (Sperren) expire: for a number of days, or at the end of a chosen day -----------------------------


def test_a_block_until_a_chosen_day_ends_at_its_end_in_berlin(world: Any, people: Any) -> None:
    import datetime as dt
    import zoneinfo

    import time_machine

    from mitwirken.participation.models import Block

    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect")
    idea = services.idea_create(user=people["invited"], module=module, title="Bänke", text="Mehr Bänke.")
    troll = people["citizen"]
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    client = world.client("org_admin")
    url = purl(module, "block", user_pk=troll.pk)
    response = client.post(url, {"reason": "Beleidigungen", "scope": "project", "until": "2001-01-01"})
    assert response.status_code == 200 and "in der Zukunft" in response.content.decode()
    assert not Block.objects.exists()
    day = (dt.datetime.now(berlin) + dt.timedelta(days=3)).date()
    response = client.post(url, {"reason": "Beleidigungen", "scope": "project", "until": day.isoformat()})
    assert response.status_code == 302
    block = Block.objects.get()
    assert block.expires_at == dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=berlin)
    assert not Block.objects.get().user.has_perm("participation.rate", idea)
    last_minute = dt.datetime.combine(day, dt.time(23, 59), tzinfo=berlin)
    with time_machine.travel(last_minute, tick=False):
        from .dialogue_helpers import fresh

        assert not fresh(troll).has_perm("participation.rate", idea)  # still blocked on the last day
    with time_machine.travel(last_minute + dt.timedelta(minutes=2), tick=False):
        assert fresh(troll).has_perm("participation.rate", idea)  # the day after, free again
