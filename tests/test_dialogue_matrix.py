"""Permission matrix of the dialogue module: who may do what, before, during and after each kind of phase.

Each scenario is a persona in a project of a given access mode (possibly blocked). The expected table
below is written out for a phase that allows everything ("collect", running); other phases switch the
participation columns off according to what they declare. The same expectations are then checked through
the HTTP views for the key writes (add an idea, comment, rate): status code and whether the row exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from mitwirken.dialogue import services
from mitwirken.dialogue.models import Blueprint, Idea
from mitwirken.participation import services as participation
from mitwirken.participation.models import Comment, Rating, on

from .dialogue_fixtures import make_dialogue
from .dialogue_helpers import durl, established, fresh, module_url, page_text, purl
from .factories import UserFactory

pytestmark = pytest.mark.django_db

ACTIONS = [
    "view", "add_idea", "change_own_idea", "change_other_idea", "comment", "change_own_comment",
    "change_other_comment", "rate", "flag", "moderate", "give_feedback", "export_personal_data",
]  # fmt: skip
PARTICIPATION = {"add_idea", "change_own_idea", "comment", "change_own_comment", "rate"}

# Which participation columns each phase leaves open (the rest of the table does not depend on the phase).
PHASES: dict[tuple[str, str], set[str]] = {
    ("collect", "before"): set(),
    ("collect", "during"): {"add_idea", "change_own_idea", "comment", "change_own_comment", "rate"},
    ("collect", "after"): set(),
    ("discuss", "during"): {"comment", "change_own_comment", "rate"},
    ("rate", "during"): {"rate"},
    ("result", "during"): set(),
}


@dataclass(frozen=True)
class Scenario:
    persona: str  # a persona of the ``world`` fixture
    access: str  # public / semipublic / protected
    blocked: str = ""  # "", "project", "organisation" or "other_project"
    expected: str = ""  # one Y/N per ACTIONS entry, for a running "collect" phase


Y, N = "Y", "N"
#                                              view add own oth com ownc othc rate flag mod  fb  exp
SCENARIOS: dict[str, Scenario] = {
    "anonymous@public": Scenario("anonymous", "public", expected="Y N N N N N N N N N N N"),
    "anonymous@semipublic": Scenario("anonymous", "semipublic", expected="Y N N N N N N N N N N N"),
    "anonymous@protected": Scenario("anonymous", "protected", expected="N N N N N N N N N N N N"),
    "participant@public": Scenario("citizen", "public", expected="Y Y Y N Y Y N Y Y N N N"),
    "not_invited@semipublic": Scenario("citizen", "semipublic", expected="Y N N N N N N N Y N N N"),
    "not_invited@protected": Scenario("citizen", "protected", expected="N N N N N N N N N N N N"),
    "invited@semipublic": Scenario("invited", "semipublic", expected="Y Y Y N Y Y N Y Y N N N"),
    "invited@protected": Scenario("invited", "protected", expected="Y Y Y N Y Y N Y Y N N N"),
    "blocked_project@public": Scenario("citizen", "public", "project", expected="Y N N N N N N N Y N N N"),
    "blocked_org@public": Scenario("citizen", "public", "organisation", expected="Y N N N N N N N Y N N N"),
    "blocked_org@semipublic": Scenario("invited", "semipublic", "organisation", expected="Y N N N N N N N Y N N N"),
    "blocked_elsewhere@public": Scenario("citizen", "public", "other_project", expected="Y Y Y N Y Y N Y Y N N N"),
    "moderator@semipublic": Scenario("moderator", "semipublic", expected="Y Y Y N Y Y N Y Y Y Y N"),
    "moderator_of_other_project@public": Scenario("moderator", "public", expected="Y Y Y N Y Y N Y Y N N N"),
    "org_admin@public": Scenario("org_admin", "public", expected="Y Y Y N Y Y N Y Y Y Y Y"),
    "org_admin@semipublic": Scenario("org_admin", "semipublic", expected="Y N N N N N N N Y Y Y Y"),
    "org_admin@protected": Scenario("org_admin", "protected", expected="Y N N N N N N N Y Y Y Y"),
    "other_org_admin@public": Scenario("other_org_admin", "public", expected="Y Y Y N Y Y N Y Y N N N"),
    "other_org_admin@semipublic": Scenario("other_org_admin", "semipublic", expected="Y N N N N N N N Y N N N"),
    "other_org_admin@protected": Scenario("other_org_admin", "protected", expected="N N N N N N N N N N N N"),
}


def expected_for(scenario: Scenario, phase: tuple[str, str]) -> dict[str, bool]:
    flags = scenario.expected.split()
    assert len(flags) == len(ACTIONS)
    table = {action: flag == Y for action, flag in zip(ACTIONS, flags, strict=True)}
    for action in PARTICIPATION:
        table[action] = table[action] and action in PHASES[phase]
    return table


def build(world: Any, scenario: Scenario, phase: tuple[str, str]) -> dict[str, Any]:
    """A module in the scenario's project with the phase, an idea and comment by the persona and by someone else."""
    project = getattr(world, scenario.access)
    module = make_dialogue(project, Blueprint.BRAINSTORMING, phase[0], when=phase[1])
    user = world.personas[scenario.persona]
    stranger = UserFactory(email=f"fremd-{module.pk}@example.org")
    other_idea = Idea.objects.create(module=module, author=stranger, title="Fremde Idee", text="<p>Text</p>")
    other_comment = Comment.objects.create(module=module, **on(other_idea), author=stranger, text="Fremder Kommentar")
    own_idea = own_comment = None
    if user is not None:
        own_idea = Idea.objects.create(module=module, author=user, title="Eigene Idee", text="<p>Text</p>")
        own_comment = Comment.objects.create(module=module, **on(other_idea), author=user, text="Eigener Kommentar")
    if scenario.blocked:
        admin = world.personas["org_admin"]
        if scenario.blocked == "project":
            participation.block(actor=admin, user=user, reason="Beleidigungen", project=project)
        elif scenario.blocked == "organisation":
            participation.block(actor=admin, user=user, reason="Spam", organisation=world.organisation)
        else:
            participation.block(actor=admin, user=user, reason="Anderswo", project=world.semipublic)
    established(*world.personas.values(), stranger)
    return {"module": module, "user": user, "other_idea": other_idea, "other_comment": other_comment,
            "own_idea": own_idea or other_idea, "own_comment": own_comment or other_comment}  # fmt: skip


def observed(parts: dict[str, Any]) -> dict[str, bool]:
    from django.contrib.auth.models import AnonymousUser

    user = fresh(parts["user"]) or AnonymousUser()
    module = type(parts["module"]).objects.get(pk=parts["module"].pk)
    own_idea = Idea.objects.get(pk=parts["own_idea"].pk)
    other_idea = Idea.objects.get(pk=parts["other_idea"].pk)
    own_comment = Comment.objects.get(pk=parts["own_comment"].pk)
    other_comment = Comment.objects.get(pk=parts["other_comment"].pk)
    checks = {
        "view": ("dialogue.view_module", module),
        "add_idea": ("dialogue.add_idea", module),
        "change_own_idea": ("dialogue.change_idea", own_idea),
        "change_other_idea": ("dialogue.change_idea", other_idea),
        "comment": ("participation.comment", module),
        "change_own_comment": ("participation.change_comment", own_comment),
        "change_other_comment": ("participation.change_comment", other_comment),
        "rate": ("participation.rate", module),
        "flag": ("participation.flag", other_idea),
        "moderate": ("participation.moderate", module),
        "give_feedback": ("dialogue.give_feedback", module),
        "export_personal_data": ("dialogue.export_personal_data", module),
    }
    return {action: bool(user.has_perm(perm, obj)) for action, (perm, obj) in checks.items()}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_permission_matrix(world: Any, name: str) -> None:
    scenario = SCENARIOS[name]
    wrong = []
    for phase in PHASES:
        expected = expected_for(scenario, phase)
        got = observed(build(world, scenario, phase))
        wrong += [f"{'/'.join(phase)}: {action} expected {expected[action]}, got {got[action]}"
                  for action in ACTIONS if got[action] != expected[action]]  # fmt: skip
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


def test_table_covers_every_dialogue_permission() -> None:
    """A new dialogue or participation permission must be added to the matrix."""
    import rules

    registered = {name for name in rules.permissions.permissions if name.startswith(("dialogue.", "participation."))}
    covered = {"dialogue.view_module", "dialogue.add_idea", "dialogue.change_idea", "participation.comment",
               "participation.change_comment", "participation.rate", "participation.flag", "participation.moderate",
               "dialogue.give_feedback", "dialogue.export_personal_data", "dialogue.manage_module"}  # fmt: skip
    assert registered <= covered, registered - covered


# --- the same through the views -------------------------------------------------------------------------------

HTTP_PHASES = [("collect", "before"), ("collect", "during"), ("collect", "after"), ("discuss", "during"),
               ("result", "during")]  # fmt: skip
HTTP_SCENARIOS = [
    "anonymous@public", "anonymous@protected", "participant@public", "not_invited@semipublic", "not_invited@protected",
    "invited@semipublic", "blocked_project@public", "blocked_org@public", "blocked_org@semipublic",
    "moderator@semipublic", "org_admin@public", "org_admin@semipublic", "other_org_admin@public",
    "other_org_admin@semipublic",
]  # fmt: skip


def _is_login_redirect(response: Any) -> bool:
    from django.urls import reverse

    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", HTTP_SCENARIOS)
def test_key_writes_through_the_views(world: Any, name: str) -> None:
    scenario = SCENARIOS[name]
    wrong: list[str] = []

    def check(condition: bool, message: str) -> None:
        if not condition:
            wrong.append(f"{'/'.join(phase)}: {message}")

    for phase in HTTP_PHASES:
        expected = expected_for(scenario, phase)
        parts = build(world, scenario, phase)
        module, user, idea = parts["module"], parts["user"], parts["other_idea"]
        client = world.client(scenario.persona)
        anonymous = user is None

        # add an idea
        create_url = durl(module, "idea_create")
        before = Idea.objects.filter(module=module).count()
        response = client.post(create_url, {"title": "Neue Bank am Markt", "text": "Bitte eine Bank aufstellen."})
        created = Idea.objects.filter(module=module).count() - before
        if not expected["view"]:
            check(response.status_code == 404, f"add_idea: status {response.status_code}, expected 404")
        elif anonymous:
            check(_is_login_redirect(response), f"add_idea: anonymous not sent to login ({response.status_code})")
        elif expected["add_idea"]:
            check(response.status_code == 302, f"add_idea: status {response.status_code}, expected 302")
        else:
            check(response.status_code == 403, f"add_idea: status {response.status_code}, expected 403")
            if response.status_code == 403:
                check("nicht" in page_text(response), "add_idea: the closed page gives no reason")
        check(created == (1 if expected["add_idea"] else 0), f"add_idea: {created} ideas written")

        # comment on somebody else's idea
        idea_url = durl(module, "idea", idea_pk=idea.pk)
        before = Comment.objects.filter(idea=idea).count()
        response = client.post(idea_url, {"comment-text": "Ein Kommentar dazu."})
        written = Comment.objects.filter(idea=idea).count() - before
        if not expected["view"]:
            check(response.status_code == 404, f"comment: status {response.status_code}, expected 404")
        elif anonymous:
            check(_is_login_redirect(response), f"comment: anonymous not sent to login ({response.status_code})")
        elif expected["comment"]:
            check(response.status_code == 302, f"comment: status {response.status_code}, expected 302")
        else:
            check(response.status_code == 200, f"comment: status {response.status_code}, expected 200 with a notice")
            if response.status_code == 200:
                errors = response.context["form"].non_field_errors()
                check(bool(errors), "comment: refused without a message")
        check(written == (1 if expected["comment"] else 0), f"comment: {written} comments written")

        # rate it
        response = client.post(purl(module, "rate", kind="idee", pk=idea.pk), {"value": "1"})
        ratings = Rating.objects.filter(idea=idea).count()
        if not expected["view"]:
            check(response.status_code == 404, f"rate: status {response.status_code}, expected 404")
        elif anonymous:
            check(_is_login_redirect(response), f"rate: anonymous not sent to login ({response.status_code})")
        else:
            check(response.status_code == 302, f"rate: status {response.status_code}, expected 302")
        check(ratings == (1 if expected["rate"] else 0), f"rate: {ratings} ratings written")
        idea.refresh_from_db()
        check(idea.positive_count == ratings, f"rate: counter {idea.positive_count} but {ratings} ratings")
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


# --- closed phases tell why -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "when", "notice"),
    [
        ("collect", "before", "möglich, wenn die Phase"),
        ("result", "during", "Kommentare sind in der aktuellen Phase nicht möglich."),
        ("rate", "during", "Kommentare sind in der aktuellen Phase nicht möglich."),
    ],
)
def test_closed_phase_shows_a_notice_instead_of_the_comment_form(
    world: Any, phase: str, when: str, notice: str
) -> None:
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, phase, when=when)
    idea = Idea.objects.create(module=module, title="Spielplatz", text="<p>Neue Geräte</p>")
    established(world.personas["citizen"])
    client = world.client("citizen")
    page = page_text(client.get(durl(module, "idea", idea_pk=idea.pk)))
    assert notice in page
    assert "Kommentar veröffentlichen" not in page
    response = client.post(durl(module, "idea", idea_pk=idea.pk), {"comment-text": "Trotzdem ein Kommentar"})
    assert response.status_code == 200
    assert notice in page_text(response)
    assert not Comment.objects.exists()


def test_ended_phase_says_so(world: Any) -> None:
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect", when="after")
    idea = Idea.objects.create(module=module, title="Spielplatz", text="<p>Neue Geräte</p>")
    page = page_text(world.client("citizen").get(durl(module, "idea", idea_pk=idea.pk)))
    assert "Die Beteiligung ist beendet." in page
    assert "Kommentar veröffentlichen" not in page


# --- semi-public: read, but take part only when invited -------------------------------------------------------


def test_semipublic_non_invited_reads_but_cannot_take_part(world: Any) -> None:
    module = make_dialogue(world.semipublic, Blueprint.BRAINSTORMING, "collect")
    idea = services.idea_create(user=world.personas["invited"], module=module, title="Mehr Grün",
                                text="<p>Bäume pflanzen</p>")  # fmt: skip
    participation.comment_create(user=world.personas["invited"], target=idea, text="Sehe ich auch so.")
    established(*world.personas.values())

    outsider = world.client("citizen")
    listing = page_text(outsider.get(module_url(module)))
    assert "Mehr Grün" in listing and "Idee einreichen" not in listing
    detail = page_text(outsider.get(durl(module, "idea", idea_pk=idea.pk)))
    assert "Bäume pflanzen" in detail and "Sehe ich auch so." in detail
    assert "Kommentar veröffentlichen" not in detail and 'name="value" value="1"' not in detail

    invited = world.client("invited")
    listing = page_text(invited.get(module_url(module)))
    assert "Idee einreichen" in listing
    detail = page_text(invited.get(durl(module, "idea", idea_pk=idea.pk)))
    assert "Kommentar veröffentlichen" in detail


# --- staff pages: moderation queue, feedback form, export -----------------------------------------------------

STAFF_PAGES = [
    ("anonymous", "semipublic", False, False),
    ("citizen", "public", False, False),
    ("invited", "semipublic", False, False),
    ("moderator", "semipublic", True, False),
    ("moderator", "public", False, False),
    ("org_admin", "semipublic", True, True),
    ("other_org_admin", "public", False, False),
]


@pytest.mark.parametrize(("persona", "access", "moderates", "personal"), STAFF_PAGES)
def test_staff_pages(world: Any, persona: str, access: str, moderates: bool, personal: bool) -> None:
    module = make_dialogue(getattr(world, access), Blueprint.BRAINSTORMING, "collect", when="after")
    idea = Idea.objects.create(module=module, author=world.personas["invited"], title="Idee", text="<p>Text</p>")
    client = world.client(persona)
    for url in (purl(module, "moderation"), durl(module, "feedback", idea_pk=idea.pk)):
        response = client.get(url)
        assert response.status_code == (200 if moderates else 404), (url, response.status_code)
    response = client.get(durl(module, "export", file_format="csv"))
    assert response.status_code == (200 if moderates else 404)
    if moderates:
        content = b"".join(response.streaming_content).decode("utf-8-sig")
        header = content.splitlines()[0]
        assert ("E-Mail" in header) == personal
        assert ("invited@example.org" in content) == personal
    response = client.post(durl(module, "feedback", idea_pk=idea.pk), {"status": "accepted", "text": "Machen wir."})
    idea.refresh_from_db()
    assert (idea.feedback == "accepted") == moderates
