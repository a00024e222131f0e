"""Topic proposals and summaries on the labelled test set (tests/analysis_corpus): does clustering recover the six
procedures' topics when every campaign counts once, and are the summaries real, distinct sentences?"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from mitwirken.analysis import summaries, topics

CORPUS = Path(__file__).parent / "analysis_corpus" / "statements.jsonl"


@pytest.fixture(scope="module")
def corpus():
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    signers = Counter(row["group"] for row in rows if row["kind"] == "campaign")
    seen: set[str] = set()
    voices = []
    for row in rows:  # each campaign once, by its first copy (its lead)
        if row["kind"] == "campaign":
            if row["group"] in seen:
                continue
            seen.add(row["group"])
        voices.append(row)
    weights = {row["id"]: signers.get(row["group"], 1) for row in voices}
    return voices, weights, {row["id"]: row for row in voices}


@pytest.fixture(scope="module")
def result(corpus):
    voices, weights, _by_id = corpus
    return topics.propose([(row["id"], row["text"]) for row in voices], weights)


def purity(result, by_id) -> float:
    hits = sum(Counter(by_id[key]["topic"] for key in p.members).most_common(1)[0][1] for p in result.proposals)
    return hits / sum(len(p.members) for p in result.proposals)


def test_proposals_recover_the_corpus_topics(corpus, result):
    voices, weights, by_id = corpus
    # Measured: k = 6 (silhouette 0.159 at k = 7 is within the slack of 0.158 at 6), purity 0.987.
    assert result.k == 6
    assert purity(result, by_id) >= 0.95
    assert sum(len(p.members) for p in result.proposals) == len(voices) == result.statements
    assert result.counted == sum(weights.values()) == 2914  # every signer counted in the figures
    topics_found = {Counter(by_id[key]["topic"] for key in p.members).most_common(1)[0][0] for p in result.proposals}
    assert topics_found == {"ortsumgehung", "windpark", "regionalplan", "kiesgrube", "stromtrasse", "wohngebiet"}


def test_proposals_are_named_by_words_as_written(result):
    names = " ".join(term for p in result.proposals for term in p.terms)
    for word in ("Kiesgrube", "Ortsumgehung", "Windpark", "Sandhausen"):
        assert word in names
    for proposal in result.proposals:
        assert proposal.terms and len(proposal.terms) == len(proposal.stems) == len(proposal.weights)
        assert all(weight > 0 for weight in proposal.weights)
        assert proposal.examples == proposal.members[: topics.EXAMPLES]
        assert proposal.size >= len(proposal.members)
    assert [p.key for p in result.proposals] == [f"t{n}" for n in range(1, len(result.proposals) + 1)]


def test_proposals_are_deterministic(corpus, result):
    voices, weights, _by_id = corpus
    again = topics.propose([(row["id"], row["text"]) for row in voices], weights)
    assert [(p.terms, p.members) for p in again.proposals] == [(p.terms, p.members) for p in result.proposals]


def test_summaries_are_distinct_sentences_of_the_cluster(corpus, result):
    _voices, _weights, by_id = corpus
    for proposal in result.proposals:
        summary = summaries.summarise(((key, by_id[key]["text"]) for key in proposal.members), proposal.centroid)
        assert len(summary) == summaries.SENTENCES
        assert len({sentence.statement for sentence in summary}) == len(summary)  # from different statements
        for sentence in summary:
            assert sentence.statement in proposal.members
            assert by_id[sentence.statement]["text"][sentence.start : sentence.end] == sentence.text
            assert 0 < sentence.score <= 1
        assert [s.score for s in summary] == sorted((s.score for s in summary), reverse=True)
        # the most representative sentence names the topic's own place or object
        assert any(term in summary[0].text for term in proposal.terms[:4])


def test_merge_adds_members_and_reranks_terms(result):
    first, second = result.proposals[0], result.proposals[1]
    merged = topics.merge(first, second)
    assert merged.members == first.members + second.members
    assert merged.size == first.size + second.size
    assert merged.key == f"{first.key}+{second.key}"
    assert set(merged.terms) <= set(first.terms) | set(second.terms)


def test_too_few_statements_give_no_proposals():
    assert topics.propose([(n, "Der Radweg an der Hauptstraße fehlt.") for n in range(5)]).proposals == []
    assert topics.propose([(n, "Nein.") for n in range(30)]).proposals == []
    assert topics.propose([]).proposals == []
