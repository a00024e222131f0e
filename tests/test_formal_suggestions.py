"""Suggestions in the Abwägung: services, decision log, retraining, the evaluate page, permissions, query counts."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mitwirken.analysis import state
from mitwirken.analysis.models import Decision, Outcome, SuggestionKind
from mitwirken.formal import evaluation, suggestions
from mitwirken.formal.models import Segment, Statement
from tests.analysis_corpus import make_corpus as corpus

from .conftest import login
from .formal_fixtures import make_procedure

pytestmark = pytest.mark.django_db
TOPIC = next(t for t in corpus.TOPICS if t.key == "windpark")
CONCERNS = ["artenschutz", "wasser", "landschaft", "kosten"]
NAMES = {"artenschutz": "Artenschutz", "wasser": "Grundwasser", "landschaft": "Landschaftsbild", "kosten": "Kosten"}
RESPONSES = {
    "artenschutz": "Die Kartierung wird über eine volle Vegetationsperiode wiederholt.",
    "wasser": "Ein hydrogeologisches Gutachten mit weiteren Messstellen wird beauftragt.",
    "landschaft": "Die Sichtbeziehungen werden in einer Visualisierung dargestellt.",
    "kosten": "Die Wirtschaftlichkeit wurde geprüft und ist gegeben.",
}


def paragraph(rng: random.Random, concern: str) -> str:
    return corpus._own_paragraph(rng, TOPIC, concern)


def letter(*paragraphs: str) -> str:
    return "Sehr geehrte Damen und Herren,\n\n" + "\n\n".join(paragraphs) + "\n\nMit freundlichen Grüßen\nErika Muster"


_counter = iter(range(1, 10**6))


def add_statement(procedure: Any, text: str) -> Statement:
    track = procedure.rounds.get().tracks.get()
    statement = Statement.objects.create(
        procedure=procedure, track=track, reference=f"MK-2026-ROV-{next(_counter):06d}", text=text,
        received_at=timezone.now(), content_sha256="0" * 64, author_name="Erika Muster",
    )  # fmt: skip
    statement.procedure = procedure
    return statement


@pytest.fixture
def worker(world: Any) -> Any:
    return world.personas["case_worker"]


@pytest.fixture
def procedure(world: Any, worker: Any) -> Any:
    procedure = make_procedure(worker, world.public)
    for concern in CONCERNS:
        evaluation.keyword_add(actor=worker, procedure=procedure, topic="Windpark", keyword=NAMES[concern])
    return procedure


def keyword_ids(procedure: Any) -> dict[str, int]:
    from mitwirken.formal.models import Keyword

    by_name = {k.name: k.pk for k in Keyword.objects.filter(topic__procedure=procedure)}
    return {concern: by_name[name] for concern, name in NAMES.items()}


def answered_history(procedure: Any, worker: Any, statements: int = 8, seed: int = 3) -> list[Segment]:
    """Statements of two concerns each, cut, tagged and answered by staff: what the suggestions learn from."""
    rng = random.Random(seed)
    ids = keyword_ids(procedure)
    done = []
    for i in range(statements):
        concerns = [CONCERNS[i % 4], CONCERNS[(i + 1) % 4]]
        parts = [paragraph(rng, c) for c in concerns]
        statement = add_statement(procedure, letter(*parts))
        for concern, part in zip(concerns, parts, strict=True):
            segment = evaluation.segment_create(actor=worker, statement=statement, text=part)
            segment = evaluation.segment_update(
                actor=worker, segment=segment, version=segment.version, response=RESPONSES[concern],
                result="noted", status=segment.status, keyword_ids=[ids[concern]],
            )  # fmt: skip
            done.append(segment)
    return done


def proposals(statement: Statement) -> list[suggestions.SegmentProposal]:
    return suggestions.proposals_for(statement, index=None, model=None, keyword_list=[], taken=[], rejected=set())


def first_proposal(statement: Statement) -> suggestions.SegmentProposal:
    return proposals(statement)[0]


def evaluate_url(statement: Statement) -> str:
    project = statement.procedure.module.project
    return (
        f"/verwaltung/{project.organisation.slug}/projekte/{project.pk}/verfahren/"
        f"{statement.procedure.module.pk}/eingang/{statement.pk}/"
    )


def test_training_stores_states_and_the_page_suggests_from_them(client: Any, procedure: Any, worker: Any) -> None:
    answered_history(procedure, worker, statements=10)
    result = suggestions.train(procedure)
    assert result["tagged"] == 20 and result["answered"] == 20
    assert state.meta(f"module:{procedure.module_id}:keywords")["samples"] == 20
    rng = random.Random(99)
    new = add_statement(procedure, letter(paragraph(rng, "wasser"), paragraph(rng, "artenschutz")))
    login(client, worker)
    page = client.get(evaluate_url(new))
    assert page.status_code == 200
    proposals = page.context["segment_proposals"]
    assert len(proposals) == 2
    assert [p.keyword.name for p in proposals] == ["Grundwasser", "Artenschutz"]
    assert all(p.text in new.text for p in proposals)
    html = page.content.decode()
    assert "Vorgeschlagene Abschnitte" in html and "Prägende Begriffe" in html


def test_accepting_a_proposal_cuts_and_tags_and_is_logged(procedure: Any, worker: Any) -> None:
    rng = random.Random(5)
    statement = add_statement(procedure, letter(paragraph(rng, "wasser"), paragraph(rng, "kosten")))
    proposal = first_proposal(statement)
    ids = keyword_ids(procedure)
    segment = suggestions.proposal_accept(actor=worker, statement=statement, key=proposal.key, text=proposal.text,
                                          keyword_id=ids["wasser"], proposed_keyword_id=ids["wasser"])  # fmt: skip
    assert segment.text == proposal.text.strip()
    assert list(segment.keywords.values_list("pk", flat=True)) == [ids["wasser"]]
    decision = Decision.objects.get()
    assert (decision.kind, decision.outcome) == (SuggestionKind.SEGMENT, Outcome.ACCEPTED)
    assert decision.detail["statement"] == statement.pk and decision.actor == worker
    assert decision.organisation == procedure.module.project.organisation and decision.module == procedure.module


def test_a_moved_boundary_is_adjusted_and_must_stay_verbatim(procedure: Any, worker: Any) -> None:
    rng = random.Random(6)
    statement = add_statement(procedure, letter(paragraph(rng, "wasser"), paragraph(rng, "kosten")))
    proposal = first_proposal(statement)
    shorter = proposal.text.split(". ")[0] + "."
    with pytest.raises(ValidationError):
        suggestions.proposal_accept(actor=worker, statement=statement, key=proposal.key, text=shorter + " erfunden",
                                    keyword_id=None, proposed_keyword_id=None)  # fmt: skip
    assert not Segment.objects.exists() and not Decision.objects.exists()
    suggestions.proposal_accept(actor=worker, statement=statement, key=proposal.key, text=shorter, keyword_id=None,
                                proposed_keyword_id=None)  # fmt: skip
    assert Decision.objects.get().outcome == Outcome.ADJUSTED
    assert Decision.objects.get().detail["taken"] == shorter


def test_rejected_proposals_are_not_shown_again(client: Any, procedure: Any, worker: Any) -> None:
    rng = random.Random(7)
    statement = add_statement(procedure, letter(paragraph(rng, "wasser"), paragraph(rng, "kosten")))
    login(client, worker)
    first = client.get(evaluate_url(statement)).context["segment_proposals"]
    response = client.post(evaluate_url(statement) + "vorschlaege/abschnitt/",
                           {"key": first[0].key, "decision": "reject", "text": first[0].text})  # fmt: skip
    assert response.status_code == 302
    assert Decision.objects.get().outcome == Outcome.REJECTED
    after = client.get(evaluate_url(statement)).context["segment_proposals"]
    assert [p.key for p in after] == [p.key for p in first[1:]]


def test_keyword_suggestions_accept_and_reject(client: Any, procedure: Any, worker: Any) -> None:
    answered_history(procedure, worker, statements=10)
    suggestions.train(procedure)
    rng = random.Random(11)
    statement = add_statement(procedure, letter(paragraph(rng, "landschaft")))
    segment = evaluation.segment_create(actor=worker, statement=statement, text=statement.text.split("\n\n")[1])
    login(client, worker)
    page = client.get(evaluate_url(statement))
    shown = next(s for s, _form in page.context["segment_forms"] if s.pk == segment.pk).keyword_suggestions
    keyword, suggestion = shown[0]
    assert keyword.name == "Landschaftsbild" and suggestion.method == "learned" and suggestion.terms
    url = evaluate_url(statement) + f"abschnitte/{segment.pk}/vorschlaege/schlagwort/"
    assert client.post(url, {"keyword": keyword.pk}).status_code == 302
    segment.refresh_from_db()
    assert [k.name for k in segment.keywords.all()] == ["Landschaftsbild"] and segment.version == 2
    accepted = Decision.objects.get(kind=SuggestionKind.KEYWORD)
    assert accepted.outcome == Outcome.ACCEPTED and accepted.score == suggestion.score
    other = keyword_ids(procedure)["kosten"]
    assert client.post(url + "?decision=reject", {"keyword": other}).status_code == 302
    assert Decision.objects.filter(kind=SuggestionKind.KEYWORD, outcome=Outcome.REJECTED).count() == 1
    page = client.get(evaluate_url(statement))
    shown = next(s for s, _form in page.context["segment_forms"] if s.pk == segment.pk).keyword_suggestions
    assert other not in [k.pk for k, _s in shown] and keyword.pk not in [k.pk for k, _s in shown]


def test_a_keyword_taken_from_the_segments_form_keeps_what_was_typed_in_every_segment(
    client: Any, procedure: Any, worker: Any
) -> None:
    answered_history(procedure, worker, statements=10)
    suggestions.train(procedure)
    rng = random.Random(11)
    statement = add_statement(procedure, letter(paragraph(rng, "landschaft"), paragraph(rng, "kosten")))
    first, second = (
        evaluation.segment_create(actor=worker, statement=statement, text=part)
        for part in statement.text.split("\n\n")[1:3]
    )
    login(client, worker)
    page = client.get(evaluate_url(statement))
    keyword = next(s for s, _form in page.context["segment_forms"] if s.pk == first.pk).keyword_suggestions[0][0]
    # The whole segments form as the browser posts it when „Übernehmen“ is pressed, with unsaved typing in both.
    form = {"action": "segment_update"}
    for segment, typed in ((first, "Entwurf zum Landschaftsbild"), (second, "Entwurf zu den Kosten")):
        form |= {f"s{segment.pk}-version": segment.version, f"s{segment.pk}-response": typed,
                 f"s{segment.pk}-result": "", f"s{segment.pk}-status": segment.status}  # fmt: skip
    url = evaluate_url(statement) + f"abschnitte/{first.pk}/vorschlaege/schlagwort/"
    response = client.post(url, {**form, "keyword": keyword.pk})

    assert response.status_code == 200  # shown again, not redirected away from the typed text
    html = response.content.decode()
    assert "Entwurf zum Landschaftsbild" in html and "Entwurf zu den Kosten" in html
    assert "noch nicht gespeichert" in html or "data-warn-unsaved-dirty" in html
    first.refresh_from_db()
    assert [k.pk for k in first.keywords.all()] == [keyword.pk] and first.response == ""  # only the keyword saved
    shown = dict(response.context["segment_forms"])
    first_form = next(form for segment, form in shown.items() if segment.pk == first.pk)
    assert first_form["version"].value() == str(first.version)  # saving the typed response next is no conflict
    assert str(keyword.pk) in [str(value) for value in first_form["keywords"].value()]


def test_keywords_fall_back_to_names_without_training(client: Any, procedure: Any, worker: Any) -> None:
    statement = add_statement(procedure, letter("Die Kosten sind viel zu hoch. Das Grundwasser ist in Gefahr."))
    segment = evaluation.segment_create(actor=worker, statement=statement, text="Die Kosten sind viel zu hoch.")
    login(client, worker)
    page = client.get(evaluate_url(statement))
    shown = next(s for s, _form in page.context["segment_forms"] if s.pk == segment.pk).keyword_suggestions
    assert [(k.name, s.method, s.terms) for k, s in shown] == [("Kosten", "name", ("Kosten",))]


def answer_post(segment: Segment, response: str, answer_from: str) -> dict[str, Any]:
    prefix = f"s{segment.pk}"
    return {"action": "segment_update", "segment": segment.pk, f"{prefix}-version": segment.version,
            f"{prefix}-response": response, f"{prefix}-result": "", f"{prefix}-status": segment.status,
            f"{prefix}-answer_from": answer_from}  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "outcome"),
    [
        (lambda text: text, Outcome.ACCEPTED),
        (lambda text: text + " Ergänzt.", Outcome.ADJUSTED),
        (lambda text: "Etwas ganz anderes.", Outcome.REJECTED),
    ],
)
def test_a_saved_answer_taken_from_a_suggestion_is_logged(client: Any, procedure: Any, worker: Any, edit: Any,
                                                          outcome: str) -> None:  # fmt: skip
    history = answered_history(procedure, worker, statements=6)
    suggestions.train(procedure)
    rng = random.Random(21)
    statement = add_statement(procedure, letter(paragraph(rng, "wasser")))
    segment = evaluation.segment_create(actor=worker, statement=statement, text=statement.text.split("\n\n")[1])
    login(client, worker)
    page = client.get(evaluate_url(statement))
    options = next(s for s, _form in page.context["segment_forms"] if s.pk == segment.pk).answer_suggestions
    best = options[0]
    assert best.segment.response == RESPONSES["wasser"] and best.score > 0.2 and best.terms
    assert best.segment.pk in {s.pk for s in history}
    # Without script: the link fills the response field and names the suggestion in the hidden field.
    page = client.get(evaluate_url(statement) + f"?antwort={segment.pk}:segment:{best.segment.pk}")
    html = page.content.decode()
    assert f'value="segment:{best.segment.pk}"' in html and RESPONSES["wasser"] in html
    client.post(
        evaluate_url(statement), answer_post(segment, edit(best.segment.response), f"segment:{best.segment.pk}")
    )
    decision = Decision.objects.get(kind=SuggestionKind.ANSWER)
    assert decision.outcome == outcome and decision.score == best.score
    assert decision.detail["source_id"] == best.segment.pk


def test_an_answer_typed_by_hand_logs_nothing_and_a_rejected_one_disappears(
    client: Any, procedure: Any, worker: Any
) -> None:
    answered_history(procedure, worker, statements=6)
    suggestions.train(procedure)
    rng = random.Random(22)
    statement = add_statement(procedure, letter(paragraph(rng, "kosten")))
    segment = evaluation.segment_create(actor=worker, statement=statement, text=statement.text.split("\n\n")[1])
    login(client, worker)
    options = next(s for s, _f in client.get(evaluate_url(statement)).context["segment_forms"]).answer_suggestions
    url = evaluate_url(statement) + f"abschnitte/{segment.pk}/vorschlaege/antwort/"
    assert client.post(url, {"source": options[0].segment.pk}).status_code == 302
    assert Decision.objects.get().outcome == Outcome.REJECTED
    again = next(s for s, _f in client.get(evaluate_url(statement)).context["segment_forms"]).answer_suggestions
    assert options[0].segment.pk not in [o.segment.pk for o in again]
    client.post(evaluate_url(statement), answer_post(segment, "Von Hand geschrieben.", ""))
    assert Decision.objects.count() == 1


def test_services_check_permissions(world: Any, procedure: Any, worker: Any) -> None:
    rng = random.Random(8)
    statement = add_statement(procedure, letter(paragraph(rng, "wasser")))
    proposal = first_proposal(statement)
    for persona in ("citizen", "agency", "moderator", "other_org_admin"):
        with pytest.raises(PermissionDenied):
            suggestions.proposal_reject(actor=world.personas[persona], statement=statement, key=proposal.key)
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 302),
        ("citizen", 404),
        ("agency", 404),
        ("moderator", 404),
        ("other_org_admin", 404),
        ("case_worker", 302),
        ("org_admin", 302),
    ],
)
def test_endpoint_matrix(client: Any, world: Any, procedure: Any, worker: Any, persona: str, expected: int) -> None:
    rng = random.Random(9)
    statement = add_statement(procedure, letter(paragraph(rng, "wasser"), paragraph(rng, "kosten")))
    segment = evaluation.segment_create(actor=worker, statement=statement, text=statement.text.split("\n\n")[1])
    key = proposals(statement)[-1].key
    keyword = keyword_ids(procedure)["kosten"]
    if world.personas[persona] is not None:
        login(client, world.personas[persona])
    base = evaluate_url(statement)
    posts = [
        (base + "vorschlaege/abschnitt/", {"key": key, "decision": "reject"}),
        (base + f"abschnitte/{segment.pk}/vorschlaege/schlagwort/?decision=reject", {"keyword": keyword}),
        (base + f"abschnitte/{segment.pk}/vorschlaege/antwort/", {"source": segment.pk}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == expected, (url, response.status_code)
        if expected == 302 and persona != "anonymous":
            assert "/eingang/" in response["Location"]
    allowed = persona in ("case_worker", "org_admin")
    # Posts only; to anybody else the address is as closed as to a post.
    assert client.get(base + "vorschlaege/abschnitt/").status_code == (405 if allowed else expected)
    assert Decision.objects.exists() == allowed


def test_retraining_is_enqueued_after_tagging_and_debounced(
    procedure: Any, worker: Any, tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answered_history(procedure, worker, statements=2)
    assert state.meta(f"module:{procedure.module_id}:answers") is None  # nothing noted through the page yet
    rng = random.Random(12)
    statement = add_statement(procedure, letter(paragraph(rng, "kosten")))
    proposal = first_proposal(statement)
    with django_capture_on_commit_callbacks(execute=True):
        suggestions.proposal_accept(actor=worker, statement=statement, key=proposal.key, text=proposal.text,
                                    keyword_id=keyword_ids(procedure)["kosten"], proposed_keyword_id=None)  # fmt: skip
    retrains = [t for t in tasks["finished"] if t.task.name == "retrain"]
    assert len(retrains) == 1
    meta = state.meta(f"module:{procedure.module_id}:answers")
    assert meta is not None and meta["answered"] == 4
    # Trained and current: the next page change enqueues again, an unchanged procedure never.
    suggestions._maybe_retrain(procedure)
    assert len([t for t in tasks["enqueued"] if t.task.name == "retrain"]) == 1


def test_evaluate_page_query_count_does_not_grow(client: Any, procedure: Any, worker: Any) -> None:
    """More answered segments and keywords in the procedure cost the page no query (the trained states hold them)."""
    answered_history(procedure, worker, statements=4)
    suggestions.train(procedure)
    rng = random.Random(13)
    statement = add_statement(procedure, letter(paragraph(rng, "wasser"), paragraph(rng, "kosten"),
                                                paragraph(rng, "landschaft")))  # fmt: skip
    evaluation.segment_create(actor=worker, statement=statement, text=statement.text.split("\n\n")[1])
    login(client, worker)
    url = evaluate_url(statement)

    def count() -> int:
        client.get(url)  # the trained states are unpickled once per process and training
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    small = count()
    answered_history(procedure, worker, statements=40, seed=4)
    for i in range(20):
        evaluation.keyword_add(actor=worker, procedure=procedure, topic=f"Thema {i}", keyword=f"Schlagwort {i}")
    suggestions.train(procedure)
    assert count() == small


def test_suggestions_cost_the_same_queries_for_one_segment_or_many(procedure: Any, worker: Any) -> None:
    """The suggestions' own queries do not grow with the segments on the page (each segment form still loads
    the keyword choices once: a cost of the existing form, not of the suggestions)."""
    answered_history(procedure, worker, statements=6)
    suggestions.train(procedure)
    rng = random.Random(14)
    parts = [paragraph(rng, c) for c in CONCERNS]
    statement = add_statement(procedure, letter(*parts))

    def count() -> int:
        forms = [(s, _Unbound()) for s in statement.segments.prefetch_related("keywords")]
        suggestions.for_evaluate(procedure=procedure, statement=statement, segment_forms=forms)
        with CaptureQueriesContext(connection) as context:
            context_data = suggestions.for_evaluate(procedure=procedure, statement=statement, segment_forms=forms)
        assert context_data["segment_proposals"] or forms
        return len(context.captured_queries)

    evaluation.segment_create(actor=worker, statement=statement, text=parts[0])
    one = count()
    for part in parts[1:]:
        evaluation.segment_create(actor=worker, statement=statement, text=part)
    assert count() == one <= 8


class _Unbound:
    is_bound = False
    prefix = ""
    initial: dict[str, Any] = {}
