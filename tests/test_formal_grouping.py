"""Mass objections in the Abwägung: the near-duplicate engine proposes groups, case workers confirm, take out,
merge and split them (formal/grouping.py), the groups pages, the inbox filter and the export column."""

from __future__ import annotations

import functools
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from mitwirken.analysis import state
from mitwirken.analysis.models import Decision, Outcome
from mitwirken.core.models import AuditEntry
from mitwirken.formal import evaluation, exports, grouping, services
from mitwirken.formal.models import Statement

from .formal_fixtures import make_procedure
from .test_query_counts import count_queries

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).parent / "analysis_corpus" / "statements.jsonl"
# Two campaigns on the wind farm (a copy with an added paragraph, copies with typos, reordered and reworded ones)
# and ten individual statements on the same topic, in the corpus's (arrival) order.
CAMPAIGN_SMALL = "windpark-kampagne-4"
CAMPAIGN_LARGE = "windpark-kampagne-1"


@functools.cache
def corpus() -> tuple[dict[str, Any], ...]:
    with CORPUS.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    windpark = [row for row in rows if row["topic"] == "windpark"]
    small = [row for row in windpark if row["group"] == CAMPAIGN_SMALL]
    large = [row for row in windpark if row["group"] == CAMPAIGN_LARGE][:12]
    individual = [row for row in windpark if row["kind"] == "individual"][:10]
    return tuple(sorted(small + large + individual, key=lambda row: row["id"]))


def small_campaign() -> list[dict[str, Any]]:
    """The plain copy first, then the others in corpus order (the first of them adds a paragraph)."""
    rows = [row for row in corpus() if row["group"] == CAMPAIGN_SMALL]
    return sorted(rows, key=lambda row: row["variations"] != ["none"])


@pytest.fixture
def procedure(world: Any) -> Any:
    return make_procedure(world.personas["case_worker"], world.public)


@pytest.fixture
def track(procedure: Any) -> Any:
    return procedure.rounds.get().tracks.get()


def worker(world: Any) -> Any:
    return world.personas["case_worker"]


def record(world: Any, track: Any, text: str, minutes_ago: int) -> Statement:
    return services.statement_record(
        actor=worker(world), track=track, received_at=timezone.now() - timedelta(minutes=minutes_ago),
        channel="letter", text=text, author_name="Einwender",
    )  # fmt: skip


def record_corpus(world: Any, track: Any, rows: Any = None) -> dict[str, Statement]:
    """The corpus statements, received a minute apart in corpus order; corpus id -> statement."""
    rows = corpus() if rows is None else rows
    return {row["id"]: record(world, track, row["text"], 10_000 - n) for n, row in enumerate(rows)}


def fresh(statement: Statement) -> Statement:
    return Statement.objects.get(pk=statement.pk)


def proposals(procedure: Any) -> dict[int, tuple[Any, ...]]:
    return {
        pk: (lead, round(score, 6) if score is not None else None, explanation.get("summary"),
             json.dumps(explanation.get("adds")), explanation.get("own_point"))
        for pk, lead, score, explanation in Statement.objects.filter(procedure=procedure).values_list(
            "pk", "proposed_lead_id", "group_score", "group_explanation")
    }  # fmt: skip


def backoffice(world: Any, procedure: Any, path: str = "") -> str:
    return f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/verfahren/{procedure.module.pk}/{path}"


# --- the tasks ---------------------------------------------------------------------------------------------------


def test_the_batch_run_proposes_the_campaigns_and_leaves_individual_statements_alone(world, procedure, track):
    statements = record_corpus(world, track)
    assert grouping.regroup.call(procedure.pk) == 2
    rows = {row["id"]: row for row in corpus()}
    leads = {}
    for campaign in (CAMPAIGN_SMALL, CAMPAIGN_LARGE):
        ids = [key for key, row in rows.items() if row["group"] == campaign]
        lead = statements[ids[0]]  # the earliest copy leads
        leads[campaign] = lead
        assert fresh(lead).proposed_lead_id is None
        for key in ids[1:]:
            member = fresh(statements[key])
            assert member.proposed_lead_id == lead.pk, (key, rows[key]["variations"])
            assert 0.44 <= member.group_score <= 1
            assert member.group_explanation["summary"]
            assert member.lead_id is None  # a proposal, not a decision
    for key, row in rows.items():
        if row["kind"] == "individual":
            assert fresh(statements[key]).proposed_lead_id is None
    # What a copy adds: an added paragraph is an own point, with offsets into the member's text; a copy with typos
    # or reordered paragraphs adds nothing.
    for key, row in rows.items():
        member = fresh(statements[key])
        if member.proposed_lead_id is None:
            continue
        explanation = member.group_explanation
        if "paragraph_added" in row["variations"]:
            assert explanation["own_point"] and explanation["adds"]
            for passage in explanation["adds"]:
                assert member.text[passage["start"] : passage["end"]] == passage["text"]
        if set(row["variations"]) <= {"none", "typos", "reordered"}:
            assert not explanation["own_point"]  # a sentence the lead lacks may be shown, but is no own point
    stored = state.load(grouping.state_key(procedure))
    assert stored is not None and len(stored[0]) == len(corpus()) and stored[1]["groups"] == 2
    before = proposals(procedure)
    grouping.regroup.call(procedure.pk)  # idempotent
    assert proposals(procedure) == before


def test_placing_statements_one_by_one_gives_the_batch_result(world, procedure, track):
    rows = corpus()
    statements = record_corpus(world, track, rows[:20])
    grouping.regroup.call(procedure.pk)
    for n, row in enumerate(rows[20:], start=20):
        statements[row["id"]] = record(world, track, row["text"], 10_000 - n)
        assert grouping.place_statements.call(procedure.pk, [statements[row["id"]].pk]) == 1
        assert grouping.place_statements.call(procedure.pk, [statements[row["id"]].pk]) == 0  # idempotent
    incremental = proposals(procedure)
    assert sum(1 for lead, *_ in incremental.values() if lead) == len(rows) - 10 - 2

    state.forget(grouping.state_key(procedure))
    Statement.objects.filter(procedure=procedure).update(proposed_lead=None, group_score=None, group_explanation={})
    grouping.regroup.call(procedure.pk)
    batch = proposals(procedure)
    # The same groups and the same own points. The scores differ in the last digits: a batch run weighs words by
    # all statements before comparing, a placement by those seen so far (docs/analysis.md, "Incremental").
    assert {pk: (row[0], row[4]) for pk, row in batch.items()} == {
        pk: (row[0], row[4]) for pk, row in incremental.items()
    }
    assert all(abs((batch[pk][1] or 0) - (row[1] or 0)) < 0.02 for pk, row in incremental.items())


def test_one_placement_catches_up_with_every_statement_waiting_and_the_next_ends_without_the_index(
    world, procedure, track, monkeypatch
):
    rows = corpus()
    record_corpus(world, track, rows[:20])
    grouping.regroup.call(procedure.pk)
    rush = [record(world, track, row["text"], 100 - n) for n, row in enumerate(rows[20:30])]
    assert grouping.place_statements.call(procedure.pk, [rush[0].pk]) == len(rush)
    assert not Statement.objects.filter(procedure=procedure, grouping_placed=False).exists()

    def must_not_load(key: str) -> Any:
        raise AssertionError("the index of a procedure with nothing to place was loaded")

    monkeypatch.setattr(state, "load", must_not_load)
    assert all(grouping.place_statements.call(procedure.pk, [statement.pk]) == 0 for statement in rush[1:])


def test_a_new_statement_is_placed_after_the_commit(world, procedure, track, django_capture_on_commit_callbacks):
    rows = [row for row in corpus() if row["group"] == CAMPAIGN_SMALL]
    with django_capture_on_commit_callbacks(execute=True):
        lead = record(world, track, rows[0]["text"], 60)
    assert state.load(grouping.state_key(procedure)) is not None  # no index yet: the first placement built it
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        member = record(world, track, rows[1]["text"], 30)
    assert len(callbacks) >= 1
    assert fresh(member).proposed_lead_id == lead.pk
    # The portal's submission path enqueues too.
    with django_capture_on_commit_callbacks(execute=True):
        user = world.personas["citizen"]
        services.draft_save(user=user, track=track, data={
            "text": rows[2]["text"], "author_name": "Erika", "street": "Weg 1", "postal_code": "55555", "city": "Ort",
        })  # fmt: skip
        key = str(services.draft_for(user=user, track=track).submission_key)
        online = services.statement_submit(user=user, track=track, submission_key=key)
    assert fresh(online).proposed_lead_id == lead.pk


def test_enqueue_analysis_waits_for_the_commit(world, procedure, track, django_capture_on_commit_callbacks):
    rows = [row for row in corpus() if row["group"] == CAMPAIGN_SMALL]
    first, second = (record(world, track, row["text"], 60 - n) for n, row in enumerate(rows[:2]))
    assert fresh(second).proposed_lead_id is None  # the test's transaction never commits: nothing ran
    with django_capture_on_commit_callbacks(execute=True):
        grouping.enqueue_analysis(procedure, [first.pk, second.pk])
    assert fresh(second).proposed_lead_id == first.pk


def test_the_batch_run_keeps_what_staff_decided(world, procedure, track):
    statements = record_corpus(world, track)
    grouping.regroup.call(procedure.pk)
    rows = [row for row in corpus() if row["group"] == CAMPAIGN_SMALL]
    lead, out, *rest = (statements[row["id"]] for row in rows)
    grouping.group_move_out(actor=worker(world), procedure=procedure, statement_id=out.pk)
    grouping.group_confirm(actor=worker(world), procedure=procedure, lead_id=lead.pk)
    confirmed = {s.pk: (s.lead_id, s.needs_own_response) for s in map(fresh, rest)}
    grouping.regroup.call(procedure.pk)
    out = fresh(out)
    assert out.grouping_declined and out.proposed_lead_id is None and out.lead_id is None
    assert {s.pk: (s.lead_id, s.needs_own_response) for s in map(fresh, rest)} == confirmed


# --- staff decisions ---------------------------------------------------------------------------------------------


@pytest.fixture
def proposed(world, procedure, track):
    """The small campaign, proposed: lead (the plain copy), then five members in arrival order (the first adds a
    paragraph of its own)."""
    rows = small_campaign()
    statements = [record(world, track, row["text"], 100 - n) for n, row in enumerate(rows)]
    grouping.regroup.call(procedure.pk)
    return statements


def test_confirming_sets_the_lead_and_flags_own_points(world, procedure, proposed):
    lead, *members = proposed
    assert grouping.group_confirm(actor=worker(world), procedure=procedure, lead_id=lead.pk) == len(members)
    for member in map(fresh, members):
        assert member.lead_id == lead.pk
        assert member.needs_own_response == bool(member.group_explanation["own_point"])
    assert any(fresh(m).needs_own_response for m in members)  # the copy with the added paragraph
    assert AuditEntry.objects.filter(action="statements.group").exists()
    decision = Decision.objects.get()
    assert decision.outcome == Outcome.ACCEPTED and decision.detail["members"] == len(members)


def test_the_lead_answers_members_that_add_nothing_and_own_points_need_their_own_answer(world, procedure, proposed):
    lead, *members = proposed
    grouping.group_confirm(actor=worker(world), procedure=procedure, lead_id=lead.pk)
    segment = evaluation.segment_create(actor=worker(world), statement=lead, text=lead.text.split("\n\n")[2].strip())
    evaluation.segment_update(actor=worker(world), segment=segment, version=1, response="Wird geprüft.",
                              result="considered", status="released")  # fmt: skip
    plain = next(m for m in map(fresh, members) if not m.needs_own_response)
    own = next(m for m in map(fresh, members) if m.needs_own_response)
    assert [s.response for s in evaluation.effective_segments(plain)] == ["Wird geprüft."]
    assert evaluation.effective_segments(own) == []  # not answered until its own point is
    passage = own.group_explanation["adds"][0]["text"]
    evaluation.segment_create(actor=worker(world), statement=own, text=passage)
    assert [s.statement_id for s in evaluation.effective_segments(own)] == [lead.pk, own.pk]


def test_moving_a_statement_out(world, procedure, proposed):
    lead, first, *rest = proposed
    grouping.group_move_out(actor=worker(world), procedure=procedure, statement_id=first.pk)
    first = fresh(first)
    assert first.grouping_declined and first.proposed_lead_id is None and first.lead_id is None
    assert list(grouping.members_of(lead).values_list("pk", flat=True)) == [s.pk for s in rest]
    with pytest.raises(ValidationError):
        grouping.group_move_out(actor=worker(world), procedure=procedure, statement_id=lead.pk)  # lead: split
    assert Decision.objects.get().outcome == Outcome.REJECTED
    grouping.group_confirm(actor=worker(world), procedure=procedure, lead_id=lead.pk)
    assert fresh(first).lead_id is None
    assert Decision.objects.filter(outcome=Outcome.ADJUSTED).count() == 1  # confirmed after taking one out


def test_splitting_and_merging(world, procedure, proposed):
    lead, *members = proposed
    chosen = members[2:]
    new_lead = grouping.group_split(actor=worker(world), procedure=procedure, lead_id=lead.pk,
                                    member_ids=[m.pk for m in reversed(chosen)])  # fmt: skip
    assert new_lead.pk == chosen[0].pk  # the earliest of them leads
    assert fresh(new_lead).lead_id is None and fresh(new_lead).proposed_lead_id is None
    assert {m.pk for m in grouping.members_of(new_lead)} == {m.pk for m in chosen[1:]}
    assert all(fresh(m).lead_id == new_lead.pk for m in chosen[1:])
    assert {m.pk for m in grouping.members_of(lead)} == {m.pk for m in members[:2]}
    with pytest.raises(ValidationError):
        grouping.group_split(actor=worker(world), procedure=procedure, lead_id=lead.pk, member_ids=[members[0].pk])
    # Merged again, from the later group's page: the earlier lead leads, everything is confirmed.
    target = grouping.group_merge(actor=worker(world), procedure=procedure, lead_id=new_lead.pk,
                                  other_reference=lead.reference.lower())  # fmt: skip
    assert target.pk == lead.pk
    assert {m.pk for m in grouping.members_of(lead)} == {m.pk for m in members}
    assert all(fresh(m).lead_id == lead.pk for m in members)
    assert not grouping.members_of(new_lead).exists()
    with pytest.raises(ValidationError):
        grouping.group_merge(actor=worker(world), procedure=procedure, lead_id=lead.pk, other_reference="XX-0")
    with pytest.raises(ValidationError):  # a member cannot lead
        grouping.group_merge(actor=worker(world), procedure=procedure, lead_id=members[0].pk,
                             other_reference=lead.reference)  # fmt: skip
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"statements.group_split", "statements.group_merge"} <= actions
    assert [d.detail["action"] for d in Decision.objects.order_by("pk")] == ["split", "merge"]


ALLOWED = {"case_worker", "org_admin"}


@pytest.mark.parametrize(
    "persona", ["anonymous", "citizen", "invited", "agency", "moderator", "case_worker", "org_admin", "other_org_admin"]
)
def test_every_decision_needs_the_right_to_manage_the_procedure(world, procedure, proposed, persona):
    actor = world.personas[persona] or AnonymousUser()
    lead, first, second, third, *_ = proposed
    calls = [
        lambda: grouping.group_move_out(actor=actor, procedure=procedure, statement_id=first.pk),
        lambda: grouping.group_split(actor=actor, procedure=procedure, lead_id=lead.pk,
                                     member_ids=[second.pk, third.pk]),
        lambda: grouping.group_merge(actor=actor, procedure=procedure, lead_id=lead.pk,
                                     other_reference=second.reference),
        lambda: grouping.group_confirm(actor=actor, procedure=procedure, lead_id=lead.pk),
        lambda: grouping.start_regroup(actor=actor, procedure=procedure),
    ]  # fmt: skip
    for call in calls:
        if persona in ALLOWED:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()
    if persona not in ALLOWED:
        assert not Decision.objects.exists() and fresh(first).proposed_lead_id == lead.pk
    status = world.client(persona).get(backoffice(world, procedure, f"masseneinwendungen/{lead.pk}/")).status_code
    assert (status == 200) == (persona in ALLOWED)


# --- pages -------------------------------------------------------------------------------------------------------


def test_the_group_page_marks_what_a_member_adds_and_escapes_the_rest(world, procedure, track):
    text = small_campaign()[0]["text"]
    lead = record(world, track, text, 100)
    extra = (
        "Außerdem <script>alert(1)</script> fürchte ich um den Rotmilan am Hohen Kamm, dessen Horst 400 Meter neben "
        "Anlage 3 liegt."
    )
    member = record(world, track, f"{text}\n\n{extra}", 90)
    grouping.regroup.call(procedure.pk)
    assert fresh(member).proposed_lead_id == lead.pk
    html = (
        world.client("case_worker").get(backoffice(world, procedure, f"masseneinwendungen/{lead.pk}/")).content.decode()
    )
    assert "<mark>Außerdem &lt;script&gt;alert(1)&lt;/script&gt; fürchte ich um den Rotmilan" in html
    assert "<script>alert(1)" not in html
    assert "eigener Punkt" in html and "Warum in der Gruppe" in html and "Gruppe bestätigen" in html


def test_group_actions_from_the_page(world, procedure, proposed):
    lead, first, *rest = proposed
    client = world.client("case_worker")
    url = backoffice(world, procedure, f"masseneinwendungen/{lead.pk}/")
    assert client.post(url, {"move_out": first.pk}).status_code == 302
    assert fresh(first).grouping_declined
    response = client.post(url, {"action": "confirm"})
    assert response.status_code == 302 and response["Location"].endswith(url)
    assert all(fresh(m).lead_id == lead.pk for m in rest)
    response = client.post(url, {"action": "split", "selected": [first.pk]}, follow=True)
    assert "mindestens zwei" in response.content.decode()  # an error message, never a 500
    member_url = backoffice(world, procedure, f"masseneinwendungen/{rest[0].pk}/")
    assert client.get(member_url)["Location"].endswith(url)  # a member's group is its lead's
    regroup = client.post(backoffice(world, procedure, "masseneinwendungen/"))
    assert regroup.status_code == 302 and AuditEntry.objects.filter(action="statements.regroup").exists()


def test_the_groups_list_has_a_constant_query_count(world, procedure, track):
    rows = [row for row in corpus() if row["group"] == CAMPAIGN_SMALL]
    client = world.client("case_worker")
    url = backoffice(world, procedure, "masseneinwendungen/")

    def add_group(n: int) -> None:
        lead = record(world, track, f"Gruppe {n}\n\n" + rows[0]["text"], 5000 - 10 * n)
        for k in range(2):
            member = record(world, track, f"Gruppe {n}\n\n" + rows[0]["text"], 4000 - 10 * n - k)
            Statement.objects.filter(pk=member.pk).update(
                proposed_lead=lead, group_score=0.9, group_explanation={"own_point": k == 0}
            )

    add_group(0)
    few = count_queries(client, url)
    for n in range(1, 8):
        add_group(n)
    assert count_queries(client, url) == few
    html = client.get(url).content.decode()
    assert html.count("vorgeschlagen") >= 8 and "8 Gruppen" in html


def test_the_inbox_filters_statements_that_need_their_own_response(world, procedure, proposed):
    lead, *members = proposed
    grouping.group_confirm(actor=worker(world), procedure=procedure, lead_id=lead.pk)
    own = [m.reference for m in map(fresh, members) if m.needs_own_response]
    client = world.client("case_worker")
    html = client.get(backoffice(world, procedure, "eingang/?own_response=on")).content.decode()
    assert all(reference in html for reference in own)
    assert lead.reference not in html and "braucht eigene Erwiderung" in html
    few = count_queries(client, backoffice(world, procedure, "eingang/?own_response=on"))
    Statement.objects.filter(procedure=procedure).update(needs_own_response=True)
    assert count_queries(client, backoffice(world, procedure, "eingang/?own_response=on")) == few
    evaluate = client.get(backoffice(world, procedure, f"eingang/{members[0].pk}/")).content.decode()
    assert "braucht eigene Erwiderung" in evaluate


def test_the_export_names_the_group(world, procedure, proposed):
    lead, *members = proposed
    grouping.group_confirm(actor=worker(world), procedure=procedure, lead_id=lead.pk)
    xlsx = world.client("case_worker").get(backoffice(world, procedure, "abwaegungstabelle.xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[12] == "Leitstellungnahme" and header[-1] == "Gruppe"
    by_reference = {row[0]: row for row in rows}
    assert by_reference[lead.reference][-1] == f"Leitstellungnahme ({len(members)} Mitglieder)"
    for member in map(fresh, members):
        row = by_reference[member.reference]
        assert row[12] == lead.reference
        assert row[-1] == ("Mitglied, braucht eigene Erwiderung" if member.needs_own_response else "Mitglied")
    assert exports.HEADER[-1] == "Gruppe"


@pytest.mark.django_db(transaction=True)
def test_two_placements_at_once_keep_both_statements(world, procedure, track, monkeypatch):
    """Each placement reads the stored index, adds and writes it back: without the lock one would lose the other."""
    import threading
    import time

    load = state.load

    def slow_load(key: str) -> Any:
        loaded = load(key)
        time.sleep(0.5)  # both placements are surely under way before either writes back
        return loaded

    monkeypatch.setattr(grouping.state, "load", slow_load)

    from django.db import connection

    rows = small_campaign()
    lead = record(world, track, rows[0]["text"], 100)
    grouping.regroup.call(procedure.pk)
    with monkeypatch.context() as patch:  # recorded without their placement: the two threads place them
        patch.setattr(services, "enqueue_analysis", lambda procedure, ids: None)
        first, second = (record(world, track, row["text"], 90 - n) for n, row in enumerate(rows[1:3]))
    assert len(load(grouping.state_key(procedure))[0]) == 1
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def place(pk: int) -> None:
        try:
            start.wait()
            grouping.place_statements.call(procedure.pk, [pk])
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(pk,)) for pk in (first.pk, second.pk)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    index, meta = load(grouping.state_key(procedure))
    assert len(index) == 3 and meta["statements"] == 3
    assert set(index.group_of(first.pk).keys) == {lead.pk, first.pk, second.pk}  # in the order they were placed
    assert {fresh(first).proposed_lead_id, fresh(second).proposed_lead_id} == {lead.pk}
