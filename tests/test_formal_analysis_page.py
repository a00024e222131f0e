"""The procedure's "Analyse" tab: topic proposals through the services, the acceptance page, who may see them,
bad input, and a constant number of queries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mitwirken.analysis import decisions
from mitwirken.analysis.models import Decision, Outcome, SuggestionKind
from mitwirken.core.models import AuditEntry
from mitwirken.formal import topics
from mitwirken.formal.models import Keyword, Segment, Statement, Topic

from .conftest import PERSONAS
from .formal_fixtures import make_procedure

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_off")]
STAFF = {"case_worker", "org_admin", "portal_admin"}
CORPUS = Path(__file__).parent / "analysis_corpus" / "statements.jsonl"


def corpus_texts(topic: str, count: int, kind: str = "individual") -> list[str]:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return [row["text"] for row in rows if row["topic"] == topic and row["kind"] == kind][:count]


def add_statements(procedure, texts):
    track = procedure.rounds.get().tracks.get()
    start = Statement.objects.filter(procedure=procedure).count()
    return Statement.objects.bulk_create(
        Statement(procedure=procedure, track=track, reference=f"MK-2026-ROV-{start + i + 1:06d}", text=text,
                  received_at=timezone.now(), content_sha256="0" * 64)
        for i, text in enumerate(texts)
    )  # fmt: skip


def campaign(procedure, copies):
    """One campaign letter signed ``copies`` times: the first copy leads, the others are its (proposed) members."""
    text = corpus_texts("stromtrasse", 1, kind="campaign")[0]
    statements = add_statements(procedure, [text] * copies)
    half = copies // 2
    Statement.objects.filter(pk__in=[s.pk for s in statements[1:half]]).update(lead=statements[0])
    Statement.objects.filter(pk__in=[s.pk for s in statements[half:]]).update(proposed_lead=statements[0])
    return statements[0]


@pytest.fixture
def procedure(world):
    procedure = make_procedure(world.personas["case_worker"], world.public)
    procedure.module.project = world.public
    add_statements(
        procedure, corpus_texts("kiesgrube", 25) + corpus_texts("windpark", 25) + corpus_texts("stromtrasse", 25)
    )
    return procedure


def office(world, procedure, rest=""):
    return f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/verfahren/{procedure.module.pk}/analyse/{rest}"


def test_each_campaign_counts_once(world, procedure):
    lead = campaign(procedure, 60)
    entries = topics.compute(procedure)
    members = [pk for entry in entries for pk in entry.proposal.members]
    assert len(members) == 76 and lead.pk in members  # 75 individual statements and the campaign once
    holding = next(entry for entry in entries if lead.pk in entry.proposal.members)
    assert holding.proposal.size >= 60
    assert sum(entry.proposal.size for entry in entries) == 75 + 60
    _entries, meta = topics.entries(procedure)
    assert meta["statements"] == 76 and meta["counted"] == 135 and meta["computed_at"]


def test_new_statements_are_placed_in_the_proposals_without_a_new_run(world, procedure):
    lead = campaign(procedure, 10)
    entries = topics.compute(procedure)
    wind = set(
        Statement.objects.filter(procedure=procedure, text__in=corpus_texts("windpark", 25)).values_list(
            "pk", flat=True
        )
    )
    # The proposals that are mostly about the wind farm (the run may split a topic into several).
    about_wind = {
        entry.key
        for entry in entries
        if sum(pk in wind for pk in entry.proposal.members) > len(entry.proposal.members) / 2
    }
    assert about_wind

    late_letter = add_statements(procedure, corpus_texts("windpark", 30)[25:26])[0]
    signer = add_statements(procedure, [lead.text])[0]
    Statement.objects.filter(pk=signer.pk).update(proposed_lead=lead)
    before = {entry.key: entry.proposal.size for entry in topics.entries(procedure)[0]}
    lead_topic = next(entry.key for entry in entries if lead.pk in entry.proposal.members)

    assert topics.place(procedure, [late_letter.pk, signer.pk]) == 2
    assert topics.place(procedure, [late_letter.pk, signer.pk]) == 0  # counted once
    after = {entry.key: entry for entry in topics.entries(procedure)[0]}
    assert any(late_letter.pk in after[key].proposal.members for key in about_wind)
    assert after[lead_topic].proposal.size >= before[lead_topic] + 1  # the signer counts for its lead's topic
    assert all(signer.pk not in entry.proposal.members for entry in after.values())  # … and is no voice of its own
    assert sum(entry.proposal.size for entry in after.values()) == sum(before.values()) + 2


def test_adopt_rename_merge_discard_are_decisions(world, procedure):
    actor = world.personas["case_worker"]
    entries = topics.compute(procedure)
    assert len(entries) >= 3
    first, second, third = entries[0], entries[1], entries[2]

    topic = topics.proposal_adopt(actor=actor, procedure=procedure, key=first.key, name=first.name,
                                  keywords=topics.proposed_keywords(first))  # fmt: skip
    assert topic.name == first.name
    assert list(Keyword.objects.filter(topic=topic).values_list("name", flat=True)) == sorted(
        topics.proposed_keywords(first)
    )
    topics.proposal_rename(actor=actor, procedure=procedure, key=second.key, name="Mein Thema")
    merged = topics.proposals_merge(actor=actor, procedure=procedure, key=second.key, other=third.key)
    assert merged.name == "Mein Thema" and merged.merged_from == [second.key, third.key]
    assert merged.proposal.size == second.proposal.size + third.proposal.size
    topics.proposal_adopt(actor=actor, procedure=procedure, key=merged.key, name="Mein Thema", keywords="A, B, A")
    assert list(Topic.objects.get(procedure=procedure, name="Mein Thema").keywords.values_list("name", flat=True)) == [
        "A", "B"
    ]  # fmt: skip
    rest = [entry for entry in topics.entries(procedure)[0] if entry.status == "open"]
    for entry in rest:
        topics.proposal_discard(actor=actor, procedure=procedure, key=entry.key)

    outcomes = list(Decision.objects.filter(module=procedure.module, kind=SuggestionKind.TOPIC)
                    .order_by("pk").values_list("outcome", flat=True))  # fmt: skip
    assert outcomes == [Outcome.ACCEPTED, Outcome.ADJUSTED] + [Outcome.REJECTED] * len(rest)
    rates = {row["kind"]: row for row in topics.acceptance(procedure)}
    assert rates["topic"]["decided"] == 2 + len(rest)
    assert rates["topic"]["rate"] == pytest.approx(2 / (2 + len(rest)))
    assert rates["segment"]["decided"] == 0 and rates["segment"]["rate"] is None
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"analysis.topics.adopt", "analysis.topics.rename", "analysis.topics.merge"} <= actions
    # a decided proposal cannot be decided again
    with pytest.raises(ValidationError):
        topics.proposal_discard(actor=actor, procedure=procedure, key=first.key)


def test_services_check_permissions(world, procedure):
    entries = topics.compute(procedure)
    for persona in ("citizen", "moderator", "other_org_admin"):
        with pytest.raises(PermissionDenied):
            topics.proposal_discard(actor=world.personas[persona], procedure=procedure, key=entries[0].key)
        with pytest.raises(PermissionDenied):
            topics.topics_recompute(actor=world.personas[persona], procedure=procedure)
    assert not Decision.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages_per_persona(world, procedure, persona):
    topics.compute(procedure)
    client = world.client(persona)
    expected = 200 if persona in STAFF else (302 if persona == "anonymous" else 404)
    for url in (office(world, procedure), office(world, procedure, "annahme/")):
        assert client.get(url).status_code == expected, url
    entry = topics.entries(procedure)[0][0]
    response = client.post(office(world, procedure), {"action": "discard", "proposal": entry.key})
    assert response.status_code == (302 if persona in STAFF | {"anonymous"} else 404)
    assert Decision.objects.exists() == (persona in STAFF)


def test_other_organisation_sees_nothing(world, procedure):
    topics.compute(procedure)
    client = world.client("other_org_admin")
    assert client.get(office(world, procedure)).status_code == 404
    url = f"/verwaltung/{world.other_organisation.slug}/projekte/{world.public.pk}/verfahren/{procedure.module.pk}/analyse/"
    assert client.get(url).status_code == 404


def test_page_shows_proposals_summaries_and_recompute(world, procedure, django_capture_on_commit_callbacks):
    client = world.client("case_worker")
    page = client.get(office(world, procedure)).content.decode()
    assert "Noch nicht berechnet." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(office(world, procedure), {"action": "recompute"})
    assert response.status_code == 302
    page = client.get(office(world, procedure)).content.decode()
    assert "Zuletzt berechnet am" in page
    entry = topics.entries(procedure)[0][0]
    assert entry.name in page
    sentence = entry.summary[0]
    statement = Statement.objects.get(pk=sentence.statement)
    assert f"/eingang/{statement.pk}/" in page and statement.reference in page


def test_recomputing_also_trains_the_suggestions_of_a_procedure_tagged_before(
    world, procedure, tasks, django_capture_on_commit_callbacks
):
    from mitwirken.formal import evaluation

    worker = world.personas["case_worker"]
    keyword = evaluation.keyword_add(actor=worker, procedure=procedure, topic="Umwelt", keyword="Wasser")
    statement = Statement.objects.filter(procedure=procedure).first()
    segment = Segment.objects.create(statement=statement, number=1, text=statement.text[:80])
    segment.keywords.add(keyword)  # tagged without the services, as before the analysis existed
    with django_capture_on_commit_callbacks(execute=True):
        world.client("case_worker").post(office(world, procedure), {"action": "recompute"})
    names = [result.task.name for result in tasks["finished"]]
    assert "compute_topics" in names and "retrain" in names


def test_bad_input_is_answered_next_to_the_proposal(world, procedure):
    entries = topics.compute(procedure)
    client = world.client("case_worker")
    response = client.post(office(world, procedure), {"action": "adopt", "proposal": entries[0].key, "name": "Thema",
                                                      "keywords": " , "})  # fmt: skip
    assert response.status_code == 400
    assert "Bitte geben Sie mindestens ein Schlagwort an." in response.content.decode()
    response = client.post(office(world, procedure), {"action": "rename", "proposal": entries[0].key, "name": " "})
    assert response.status_code == 400 and "Bitte geben Sie einen Namen an." in response.content.decode()
    response = client.post(office(world, procedure), {"action": "discard", "proposal": "t999"})
    assert response.status_code == 400 and "gibt es nicht mehr" in response.content.decode()
    response = client.post(office(world, procedure), {"action": "merge", "proposal": entries[0].key,
                                                      "other": entries[0].key})  # fmt: skip
    assert response.status_code == 400
    response = client.post(office(world, procedure), {"action": "explode"})
    assert response.status_code == 400
    assert not Topic.objects.exists() and not Decision.objects.exists()


def test_no_proposals_before_a_run(world, procedure):
    client = world.client("case_worker")
    response = client.post(office(world, procedure), {"action": "discard", "proposal": "t1"})
    assert response.status_code == 400 and "bitte berechnen Sie sie neu" in response.content.decode()


def test_constant_queries(world, procedure):
    client = world.client("case_worker")

    def count(url):
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    small_analysis = count(office(world, procedure))  # before a run: no proposals
    topics.compute(procedure)
    with_proposals = count(office(world, procedure))
    small_acceptance = count(office(world, procedure, "annahme/"))
    add_statements(procedure, corpus_texts("regionalplan", 60) + corpus_texts("wohngebiet", 60))
    campaign(procedure, 50)
    topics.compute(procedure)
    organisation = world.organisation
    for outcome in [Outcome.ACCEPTED] * 30 + [Outcome.REJECTED] * 20:
        for kind in (SuggestionKind.GROUP, SuggestionKind.SEGMENT, SuggestionKind.KEYWORD, SuggestionKind.ANSWER):
            decisions.record(actor=world.personas["case_worker"], organisation=organisation, module=procedure.module,
                             kind=kind, outcome=outcome)  # fmt: skip
    assert count(office(world, procedure)) == with_proposals
    assert count(office(world, procedure, "annahme/")) == small_acceptance
    assert with_proposals <= small_analysis + 1  # the statements of all proposals in one query
