"""Every analysis engine runs with the network switched off: nothing may open a connection or resolve a name.

The engines are local by design (docs/analysis.md); this test makes sure that no library they use downloads a
model, a stop-word list or a tokenizer behind their back. Engines written later are taken in when present.
"""

from __future__ import annotations

import importlib
import json
import pickle
import socket
from collections import Counter
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "analysis_corpus" / "statements.jsonl"


@pytest.fixture
def no_network(monkeypatch):
    attempts: list[str] = []

    def refuse(name):
        def blocked(*args, **kwargs):
            attempts.append(f"{name}{args[:2]!r}")
            raise OSError(f"network access attempted during analysis: {name}")

        return blocked

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("socket.getaddrinfo"))
    yield attempts
    assert attempts == [], attempts


def optional(name):
    try:
        return importlib.import_module(f"mitwirken.analysis.{name}")
    except ImportError:
        return None


def sample():
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return rows[:400]


def test_every_engine_runs_without_network(no_network):
    rows = sample()
    pairs = [(row["id"], row["text"]) for row in rows]
    ran = []

    from mitwirken.analysis import moderation, nearduplicates, summaries, text, topics

    groups = nearduplicates.group_statements(pairs)
    assert groups
    nearduplicates.what_it_adds(rows[0]["text"], rows[1]["text"])
    assert text.terms(rows[0]["text"]) and text.sentences(rows[0]["text"])
    ran.append("nearduplicates")

    result = topics.propose(pairs)
    assert result.proposals
    by_id = dict(pairs)
    for proposal in result.proposals:
        assert summaries.summarise(((key, by_id[key]) for key in proposal.members), proposal.centroid)
    ran += ["topics", "summaries"]

    hidden = [(f"GRATIS Angebot {n}!!! https://example.com/{n}", True) for n in range(25)]
    model = moderation.train(hidden + [(row["text"][:400], False) for row in rows[:25]])
    assert model is not None
    pickle.loads(pickle.dumps(model)).hints([rows[30]["text"]])  # noqa: S301 - as analysis.state stores it
    ran.append("moderation")

    segments = optional("segments")
    if segments is not None:
        for row in rows[:20]:
            segments.propose(row["text"])
        ran.append("segments")

    topic_ids = {name: number for number, name in enumerate(sorted({row["topic"] for row in rows}), 1)}
    labelled = [(row["text"], [topic_ids[row["topic"]]]) for row in rows[:120]]
    keywords = optional("keywords")
    if keywords is not None:
        keyword_model = keywords.train(labelled)
        catalogue = [(number, name, name) for name, number in topic_ids.items()]
        keywords.suggest(rows[200]["text"], catalogue, keyword_model)
        keywords.suggest(rows[200]["text"], catalogue, None)
        ran.append("keywords")

    answers = optional("answers")
    if answers is not None:
        index = answers.build_index((n, row["text"]) for n, row in enumerate(rows[:100]))
        assert index is not None
        index.nearest(rows[150]["text"])
        ran.append("answers")

    assert Counter(ran)["topics"] == 1 and {"nearduplicates", "topics", "summaries", "moderation"} <= set(ran)


def test_the_guard_itself_catches_a_connection(monkeypatch):
    """The fixture would notice: a connection attempt under it is recorded and refused."""
    attempts: list[str] = []

    def blocked(*args, **kwargs):
        attempts.append("getaddrinfo")
        raise OSError("blocked")

    monkeypatch.setattr(socket, "getaddrinfo", blocked)
    with pytest.raises(OSError):
        socket.create_connection(("example.org", 80), timeout=1)
    assert attempts == ["getaddrinfo"]
