"""Segment proposals: where a statement changes its topic (a TextTiling-like cut on content sentences).

Each gap between two content sentences gets the cosine similarity of the TF-IDF vectors of the sentences just
before and just after it (a window of ``WINDOW`` sentences each side). Where the similarity dips deeper than its
neighbourhood (TextTiling's *depth*), the vocabulary changes and a new concern likely begins; a paragraph break
deepens the dip, because people start a new point on a new paragraph. Every proposal is a verbatim passage of the
statement (offsets into the original text), with the terms that characterise it and the depth of the dip that
started it. Pure: text in, proposals out; the word weights may come from the procedure (``idf``).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from .text import Span, sentences, word_forms

WINDOW = 2  # sentences each side of a gap: one sentence is too little vocabulary, three blur short concerns
# A dip this deep (sum of the rises to both sides, cosine) starts a new segment. Chosen on generated statements of
# three concerns (docs/analysis.md): with paragraphs, 0.25 finds 97 % of the changes with 93 % of the cuts right;
# lower values add cuts inside a concern, higher ones miss changes. Without paragraph breaks few changes are found.
MIN_DEPTH = 0.25
PARAGRAPH_BONUS = 0.15  # a paragraph break is evidence of a new point, but people also break within one point
PARAGRAPH_APART = 0.1  # cosine of two whole paragraphs at or below which they are taken as two points
MIN_SENTENCES = 2  # a proposed segment holds at least this many sentences, unless a paragraph holds only one
TERMS_SHOWN = 5
_PARAGRAPH = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Proposal:
    start: int  # offsets into the statement's text; text == statement[start:end]
    end: int
    text: str
    terms: tuple[str, ...]  # the words that characterise this passage (most weight first), as written
    score: float  # depth of the topic change that starts (or, for the first, ends) the passage; 0 if it is all


def _vector(stems: tuple[str, ...], idf: Mapping[str, float], default_idf: float) -> dict[str, float]:
    counts = Counter(stems)
    return {t: (1 + math.log(n)) * idf.get(t, default_idf) for t, n in counts.items()}


def _add(vectors: list[dict[str, float]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for vector in vectors:
        for term, weight in vector.items():
            total[term] = total.get(term, 0.0) + weight
    return total


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(weight * b.get(term, 0.0) for term, weight in a.items())
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


def _local_idf(spans: list[Span]) -> dict[str, float]:
    df = Counter(term for span in spans for term in set(span.terms))
    n = len(spans)
    return {term: math.log((1 + n) / (1 + count)) + 1 for term, count in df.items()}


def _depths(similarities: list[float]) -> list[float]:
    """TextTiling's depth score: how far the similarity rises to the nearest peak on each side."""
    depths = []
    for i, value in enumerate(similarities):
        left = value
        for j in range(i - 1, -1, -1):
            if similarities[j] < left:
                break
            left = similarities[j]
        right = value
        for j in range(i + 1, len(similarities)):
            if similarities[j] < right:
                break
            right = similarities[j]
        depths.append((left - value) + (right - value))
    return depths


def boundaries(text: str, *, idf: Mapping[str, float] | None = None) -> tuple[list[Span], list[tuple[int, float]]]:
    """The content sentences and the chosen cuts: (index of the first sentence after the cut, depth)."""
    spans = sentences(text)
    if len(spans) < 2:
        return spans, []
    weights = idf if idf else _local_idf(spans)
    default_idf = max(weights.values(), default=1.0)
    vectors = [_vector(span.terms, weights, default_idf) for span in spans]
    gaps = range(1, len(spans))
    similarities = [_cosine(_add(vectors[max(0, g - WINDOW) : g]), _add(vectors[g : g + WINDOW])) for g in gaps]
    paragraph = [bool(_PARAGRAPH.search(text[spans[g - 1].end : spans[g].start])) for g in gaps]
    depths = [
        depth + (PARAGRAPH_BONUS if is_break else 0.0)
        for depth, is_break in zip(_depths(similarities), paragraph, strict=True)
    ]
    # Short paragraphs give a window little to compare: two paragraphs that share (almost) no weighted word are
    # two points, whatever the dip looks like.
    starts = [0, *(g for g, is_break in zip(gaps, paragraph, strict=True) if is_break), len(spans)]
    for before, gap, after in zip(starts, starts[1:], starts[2:], strict=False):
        if _cosine(_add(vectors[before:gap]), _add(vectors[gap:after])) <= PARAGRAPH_APART:
            depths[gap - 1] = max(depths[gap - 1], MIN_DEPTH)
    # Deepest dips first, each keeping MIN_SENTENCES to both sides (a one-sentence paragraph may stand alone).
    chosen: list[tuple[int, float]] = []
    for index in sorted(range(len(depths)), key=lambda i: (-depths[i], i)):
        if depths[index] < MIN_DEPTH:
            break
        gap = index + 1
        cuts = sorted([0, len(spans), *(c for c, _d in chosen), gap])
        position = cuts.index(gap)
        before, after = gap - cuts[position - 1], cuts[position + 1] - gap
        if min(before, after) < MIN_SENTENCES and not (
            paragraph[index] and _alone(paragraph, cuts[position - 1], gap, cuts[position + 1])
        ):
            continue
        chosen.append((gap, round(depths[index], 4)))
    return spans, sorted(chosen)


def _alone(paragraph: list[bool], start: int, gap: int, end: int) -> bool:
    """Whether the short piece next to ``gap`` is a whole paragraph of its own."""

    def broken(g: int) -> bool:
        return g <= 0 or g >= len(paragraph) + 1 or paragraph[g - 1]

    return broken(start) and broken(end)


def propose(text: str, *, idf: Mapping[str, float] | None = None) -> list[Proposal]:
    """The passages a statement could be cut into, in order; one passage when it stays on one topic."""
    spans, cuts = boundaries(text, idf=idf)
    if not spans:
        return []
    weights = idf if idf else _local_idf(spans)
    default_idf = max(weights.values(), default=1.0)
    forms = word_forms([text])
    edges = [0, *(gap for gap, _depth in cuts), len(spans)]
    depth_at = dict(cuts)
    proposals = []
    for number, (first, last) in enumerate(itertools.pairwise(edges)):
        start, end = spans[first].start, spans[last - 1].end
        vector = _vector(tuple(t for span in spans[first:last] for t in span.terms), weights, default_idf)
        top = sorted(vector, key=lambda term: (-vector[term], term))[:TERMS_SHOWN]
        score = depth_at.get(first) if number else depth_at.get(last)
        proposals.append(
            Proposal(start, end, text[start:end], tuple(forms.get(t, t) for t in top), float(score or 0.0))
        )
    return proposals
