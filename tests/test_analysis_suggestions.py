"""The suggestion engines (segments, keywords, answers) on generated German statements: quality and determinism.

The statements are built from the concerns of the labelled corpus generator (``tests/analysis_corpus``): each
concern paragraph is a person's own wording of one point, so where one ends and which keyword it gets is known.
"""

from __future__ import annotations

import pickle
import random

from mitwirken.analysis import answers, keywords, segments
from mitwirken.analysis.text import sentences
from tests.analysis_corpus import make_corpus as corpus

TOPIC = next(t for t in corpus.TOPICS if t.key == "windpark")
CONCERNS = sorted(corpus._concerns(TOPIC))
HEAD = "Sehr geehrte Damen und Herren,\n\n"
TAIL = "\n\nMit freundlichen Grüßen\nErika Muster\nWaldstraße 3\n12345 Altenweiler"


def concern_paragraph(rng: random.Random, concern: str, *, own: bool = True) -> str:
    if own:
        return corpus._own_paragraph(rng, TOPIC, concern)
    roles = corpus._concerns(TOPIC)[concern]
    values = corpus._slot_values(rng, TOPIC)
    return " ".join(corpus.render_paragraph(corpus._paragraph(rng, concern, roles, values, full=True)))


def multi_topic(rng: random.Random, n: int = 3, *, own: bool = True, separator: str = "\n\n") -> tuple[str, list[int]]:
    """A letter of ``n`` concerns; the offsets where the second and later concerns begin."""
    parts = [concern_paragraph(rng, c, own=own) for c in rng.sample(CONCERNS, n)]
    text = HEAD + separator.join(parts) + TAIL
    starts, position = [], len(HEAD)
    for part in parts:
        starts.append(position)
        position += len(part) + len(separator)
    return text, starts[1:]


def boundary_quality(statements: list[tuple[str, list[int]]]) -> tuple[float, float]:
    found = right = true = 0
    for text, truth in statements:
        spans = sentences(text)

        def sentence_at(offset: int, spans: list = spans) -> int:
            return min(range(len(spans)), key=lambda i: abs(spans[i].start - offset))

        wanted = {sentence_at(o) for o in truth}
        got = {sentence_at(p.start) for p in segments.propose(text)[1:]}
        found, right, true = found + len(got), right + len(got & wanted), true + len(wanted)
    return right / max(found, 1), right / true


def test_topic_changes_at_paragraphs_are_found() -> None:
    rng = random.Random(20250318)
    own = [multi_topic(rng, 3) for _ in range(150)]
    prepared = [multi_topic(rng, 3, own=False) for _ in range(150)]
    for statements in (own, prepared):
        precision, recall = boundary_quality(statements)
        print(f"segment boundaries: precision {precision:.3f}, recall {recall:.3f}")
        assert recall >= 0.9 and precision >= 0.9, (precision, recall)


def test_a_vocabulary_change_without_a_paragraph_is_found_when_it_is_clear() -> None:
    text = HEAD + (
        "Die Windräder stehen viel zu nah an den Wohnhäusern in Altenweiler. Der Abstand der Windräder zu den "
        "Wohnhäusern muss mindestens tausend Meter betragen. Nachts hören wir die Windräder bis in die Wohnhäuser. "
        "Außerdem ist das Grundwasser unter dem Baufeld gefährdet. Die Fundamente reichen bis in das Grundwasser. "
        "Ein Gutachten zum Grundwasser mit mehr Messstellen fehlt."
    ) + TAIL  # fmt: skip
    proposals = segments.propose(text)
    assert [p.text.split(".")[0] for p in proposals] == [
        "Die Windräder stehen viel zu nah an den Wohnhäusern in Altenweiler",
        "Außerdem ist das Grundwasser unter dem Baufeld gefährdet",
    ]
    assert "Grundwasser" in proposals[1].terms and proposals[1].score >= segments.MIN_DEPTH
    assert "Windräder" in proposals[0].terms


def test_proposals_are_verbatim_passages_without_the_letter_frame() -> None:
    rng = random.Random(4)
    for _ in range(30):
        text, _truth = multi_topic(rng, 3)
        proposals = segments.propose(text)
        for proposal in proposals:
            assert text[proposal.start : proposal.end] == proposal.text and proposal.text.strip() == proposal.text
            assert "Grüßen" not in proposal.text and "Sehr geehrte" not in proposal.text
        assert [p.start for p in proposals] == sorted(p.start for p in proposals)


def test_a_statement_on_one_point_is_one_proposal_and_an_empty_one_none() -> None:
    text = HEAD + "Die Windräder sind zu laut. Nachts hören wir das Rauschen der Windräder bis ins Schlafzimmer." + TAIL
    proposals = segments.propose(text)
    assert len(proposals) == 1 and proposals[0].score == 0.0
    assert segments.propose("") == [] and segments.propose(HEAD + TAIL) == []


def tagged(rng: random.Random, n: int) -> list[tuple[str, str]]:
    return [(concern_paragraph(rng, c), c) for c in (rng.choice(CONCERNS) for _ in range(n))]


IDS = {concern: number for number, concern in enumerate(CONCERNS, start=1)}
# The keyword catalogue a case worker might set up: a name per concern, under the procedure's topic.
NAMES = {"abstand_wohnen": "Abstand zur Wohnbebauung", "alternativen": "Alternativen", "artenschutz": "Artenschutz",
         "bauverkehr": "Baustellenverkehr", "belastung": "Belastung der Anwohner", "denkmal": "Denkmalschutz",
         "flaeche": "Flächenverbrauch", "kosten": "Kosten", "landschaft": "Landschaftsbild",
         "verfahren": "Verfahren", "wald": "Wald", "wasser": "Grundwasser"}  # fmt: skip
CATALOGUE = [(IDS[c], NAMES[c], "Windpark") for c in CONCERNS]


def top1(suggest, samples: list[tuple[str, str]]) -> float:  # type: ignore[no-untyped-def]
    hits = 0
    for text, concern in samples:
        found = suggest(text)
        hits += bool(found) and found[0].keyword_id == IDS[concern]
    return hits / len(samples)


def test_the_classifier_learns_from_tagged_segments_and_beats_matching_names() -> None:
    rng = random.Random(7)
    model = keywords.train([(text, [IDS[c]]) for text, c in tagged(rng, 240)])
    assert model is not None and model.samples == 240
    held_out = tagged(random.Random(8), 300)
    learned = top1(lambda text: keywords.suggest(text, CATALOGUE, model), held_out)
    by_name = top1(lambda text: keywords.suggest_by_name(text, CATALOGUE), held_out)
    print(f"keywords top-1: learned {learned:.3f}, by name {by_name:.3f}")
    assert learned >= 0.9 and learned - by_name >= 0.3, (learned, by_name)
    text = next(text for text, _c in held_out if keywords.suggest(text, CATALOGUE, model))
    suggestion = keywords.suggest(text, CATALOGUE, model)[0]
    assert suggestion.method == "learned" and 0.5 <= suggestion.score <= 1 and suggestion.terms
    assert all(term in text for term in suggestion.terms)  # shown as written in the segment


def test_too_little_to_learn_falls_back_to_names_and_new_keywords_are_matched_by_name() -> None:
    rng = random.Random(9)
    assert keywords.train([(text, [IDS[c]]) for text, c in tagged(rng, keywords.MIN_SEGMENTS - 1)]) is None
    found = keywords.suggest("Die geplante Lärmschutzwand ist zu niedrig.", [(99, "Lärm", "Immissionen")], None)
    assert [(s.keyword_id, s.method, s.terms) for s in found] == [(99, "name", ("Lärmschutzwand",))]
    model = keywords.train([(text, [IDS[c]]) for text, c in tagged(rng, 120)])
    catalogue = [*CATALOGUE, (99, "Lärm", "Immissionen")]
    found = keywords.suggest("Die geplante Lärmschutzwand ist zu niedrig.", catalogue, model)
    assert 99 in [s.keyword_id for s in found if s.method == "name"]
    assert keywords.suggest("Die Kosten.", CATALOGUE, model, exclude=[IDS["kosten"]])[:1] != [IDS["kosten"]]


def test_answers_are_ranked_by_similarity_with_shared_terms() -> None:
    rng = random.Random(10)
    history = tagged(rng, 300)
    index = answers.build_index((pk, text) for pk, (text, _c) in enumerate(history, start=1))
    assert index is not None and len(index) == 300
    same = 0
    queries = tagged(random.Random(11), 100)
    for text, concern in queries:
        found = index.nearest(text)
        assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
        assert all(s.score >= answers.MIN_SCORE and s.terms for s in found)
        same += bool(found) and history[found[0].segment_id - 1][1] == concern
    print(f"answers: nearest answered segment of the same concern {same / len(queries):.2f}")
    assert same / len(queries) >= 0.85
    text, _c = history[0]
    assert index.nearest(text)[0].segment_id == 1 and index.nearest(text, exclude=[1])[0].segment_id != 1
    assert index.nearest("und oder aber") == []
    assert answers.build_index([]) is None


def test_engines_are_deterministic_and_survive_pickling() -> None:
    rng = random.Random(12)
    history = tagged(rng, 150)
    samples = [(text, [IDS[c]]) for text, c in history]
    shuffled = samples[:]
    random.Random(1).shuffle(shuffled)
    one, two = keywords.train(samples), keywords.train(samples)
    assert one is not None and two is not None
    restored = pickle.loads(pickle.dumps(one))  # noqa: S301 - our own object
    index_a = answers.build_index((pk, t) for pk, (t, _c) in enumerate(history))
    index_b = answers.build_index(reversed([(pk, t) for pk, (t, _c) in enumerate(history)]))
    assert index_a is not None and index_b is not None
    for text, _c in tagged(random.Random(13), 40):
        assert one.suggest(text) == two.suggest(text) == restored.suggest(text)
        assert index_a.nearest(text) == index_b.nearest(text)
        assert segments.propose(text) == segments.propose(text)
