"""Extractive summaries: the few sentences of a topic's statements that represent it best, as they were written.

A sentence is scored by how well its content-word stems match the topic's centroid (cosine between the sentence's
set of stems and the centroid's TF-IDF weights). The best sentences are taken greedily, each from another
statement and none repeating a chosen one (more than ``SAME_POINT`` of the shorter one's stems in common, typos and all), so that a campaign's sentence
that hundreds of statements share appears once. Nothing is generated or rephrased: every sentence links back to
the statement it comes from, with its offsets for highlighting.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .text import sentences

SENTENCES = 3
MIN_TERMS = 5  # shorter sentences ("Ich bin dagegen.") say nothing about the topic
MAX_TERMS = 60  # longer "sentences" are lists or text without full stops
SAME_POINT = 0.5  # share of the shorter sentence's stems in the other above which both make the same point
CANDIDATE_STATEMENTS = 300  # the statements closest to the centroid are read; further ones repeat them


@dataclass(frozen=True)
class SummarySentence:
    statement: Any  # the statement's key
    start: int
    end: int
    text: str
    score: float  # cosine to the topic's centroid, 0–1


def summarise(
    statements: Iterable[tuple[Any, str]], centroid: Mapping[str, float], count: int = SENTENCES
) -> list[SummarySentence]:
    """The ``count`` sentences closest to ``centroid`` (stem -> weight), from different statements, deduplicated.

    ``statements`` are ``(key, text)`` pairs, best read closest to the centroid first (only the first
    ``CANDIDATE_STATEMENTS`` are read).
    """
    norm = math.sqrt(sum(weight * weight for weight in centroid.values())) or 1.0
    candidates: list[tuple[float, Any, Any, frozenset[str]]] = []
    for position, (key, text) in enumerate(statements):
        if position >= CANDIDATE_STATEMENTS:
            break
        for span in sentences(text):
            stems = frozenset(span.terms)
            if not MIN_TERMS <= len(span.terms) <= MAX_TERMS:
                continue
            score = sum(centroid.get(stem, 0.0) for stem in stems) / (norm * math.sqrt(len(stems)))
            if score > 0:
                candidates.append((score, key, span, stems))
    candidates.sort(key=lambda item: (-item[0], item[2].start))
    chosen: list[SummarySentence] = []
    used_statements: set[Any] = set()
    chosen_stems: list[frozenset[str]] = []
    for score, key, span, stems in candidates:
        if key in used_statements:
            continue
        if any(len(stems & other) / min(len(stems), len(other)) > SAME_POINT for other in chosen_stems):
            continue
        chosen.append(SummarySentence(key, span.start, span.end, span.text, round(score, 3)))
        used_statements.add(key)
        chosen_stems.append(stems)
        if len(chosen) == count:
            break
    return chosen
