"""Keyword suggestions for a segment: learned from the segments staff tagged, or matched by the keywords' names.

The learned model is one logistic regression per keyword (one-vs-rest) on TF-IDF of German stems, trained on the
segments of one procedure that staff tagged. Only the weights are kept (a matrix and the vocabulary), so a
suggestion is one sparse product, and it explains itself: the terms of the segment that weighed most for the
keyword. Keywords with too few tagged segments to learn from, and procedures with too few tagged segments at all,
are matched by name: the stems of the keyword's name (and, weaker, of its topic's name) found in the segment,
also inside compounds ("Lärm" in "Lärmschutzwand"). Pure: texts and ids in, suggestions out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .text import terms, word_forms

MIN_SEGMENTS = 12  # tagged segments in the procedure before anything is learned
MIN_PER_KEYWORD = 3  # a keyword is learned from at least this many segments; below, it is matched by name
MIN_PROBABILITY = 0.5  # a learned suggestion is shown from this probability on
TOP = 3
TERMS_SHOWN = 4
NAME_WEIGHT, TOPIC_WEIGHT, COMPOUND_WEIGHT = 1.0, 0.4, 0.6  # a match of the keyword counts more than its topic's
MIN_NAME_SCORE = 0.5


@dataclass(frozen=True)
class KeywordSuggestion:
    keyword_id: int
    score: float  # probability (learned) or share of the name found (by name), 0..1
    terms: tuple[str, ...]  # the words of the segment that led to it, as written
    method: str  # "learned" or "name"


@dataclass
class KeywordModel:
    vectorizer: Any  # a fitted TfidfVectorizer with analyzer=terms
    keyword_ids: np.ndarray  # the keywords learned, one row of weights each
    weights: np.ndarray  # keywords × vocabulary
    intercepts: np.ndarray
    features: np.ndarray  # the vocabulary (stems), index-aligned with the weights' columns
    samples: int  # tagged segments it learned from

    def suggest(self, text: str, *, exclude: Iterable[int] = (), top: int = TOP) -> list[KeywordSuggestion]:
        vector = self.vectorizer.transform([text])
        if vector.nnz == 0:
            return []
        columns, values = vector.indices, vector.data
        logits = self.weights[:, columns] @ values + self.intercepts
        probabilities = 1.0 / (1.0 + np.exp(-logits))
        excluded = set(exclude)
        forms = word_forms([text])
        order = sorted(range(len(self.keyword_ids)), key=lambda i: (-probabilities[i], int(self.keyword_ids[i])))
        out: list[KeywordSuggestion] = []
        for i in order:
            if probabilities[i] < MIN_PROBABILITY or len(out) >= top:
                break
            keyword_id = int(self.keyword_ids[i])
            if keyword_id in excluded:
                continue
            contributions = self.weights[i, columns] * values
            best = [j for j in np.argsort(-contributions, kind="stable")[:TERMS_SHOWN] if contributions[j] > 0]
            words = tuple(forms.get(str(self.features[columns[j]]), str(self.features[columns[j]])) for j in best)
            out.append(KeywordSuggestion(keyword_id, round(float(probabilities[i]), 3), words, "learned"))
        return out


def train(samples: Sequence[tuple[str, Sequence[int]]]) -> KeywordModel | None:
    """Learn from (segment text, its keyword ids); None when there is too little to learn from."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    samples = [(text, tuple(ids)) for text, ids in samples if ids and text.strip()]
    if len(samples) < MIN_SEGMENTS:
        return None
    counts: dict[int, int] = {}
    for _text, ids in samples:
        for keyword_id in set(ids):
            counts[keyword_id] = counts.get(keyword_id, 0) + 1
    learned = sorted(k for k, n in counts.items() if MIN_PER_KEYWORD <= n < len(samples))
    if not learned:
        return None
    vectorizer = TfidfVectorizer(analyzer=terms, sublinear_tf=True, min_df=1, dtype=np.float64)
    matrix = vectorizer.fit_transform([text for text, _ids in samples])
    weights, intercepts = [], []
    for keyword_id in learned:
        labels = np.array([keyword_id in ids for _text, ids in samples], dtype=int)
        classifier = LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear")
        classifier.fit(matrix, labels)
        weights.append(classifier.coef_[0])
        intercepts.append(classifier.intercept_[0])
    return KeywordModel(
        vectorizer=vectorizer, keyword_ids=np.array(learned), weights=np.vstack(weights),
        intercepts=np.array(intercepts), features=vectorizer.get_feature_names_out(), samples=len(samples),
    )  # fmt: skip


def suggest_by_name(
    text: str, keywords: Iterable[tuple[int, str, str]], *, exclude: Iterable[int] = (), top: int = TOP
) -> list[KeywordSuggestion]:
    """Keywords (id, name, topic name) whose name is found in the text, by stem or inside a compound."""
    stems = set(terms(text))
    forms = word_forms([text])
    excluded = set(exclude)
    found = []
    for keyword_id, name, topic in keywords:
        if keyword_id in excluded:
            continue
        score, words = 0.0, []
        for weight, part in ((NAME_WEIGHT, name), (TOPIC_WEIGHT, topic)):
            wanted = list(dict.fromkeys(terms(part)))
            if not wanted:
                continue
            hits = 0.0
            for stem in wanted:
                if stem in stems:
                    hits += 1
                    words.append(forms.get(stem, stem))
                    continue
                inside = sorted(t for t in stems if len(stem) >= 4 and stem in t)
                if inside:
                    hits += COMPOUND_WEIGHT
                    words.append(forms.get(inside[0], inside[0]))
            score += weight * hits / len(wanted)
        score = min(1.0, score)
        if score >= MIN_NAME_SCORE:
            found.append(KeywordSuggestion(keyword_id, round(score, 3), tuple(dict.fromkeys(words)), "name"))
    found.sort(key=lambda s: (-s.score, s.keyword_id))
    return found[:top]


def suggest(
    text: str, keywords: Sequence[tuple[int, str, str]], model: KeywordModel | None, *, exclude: Iterable[int] = (),
    top: int = TOP,
) -> list[KeywordSuggestion]:  # fmt: skip
    """Learned suggestions first; keywords the model does not know (new or rarely used) are matched by name."""
    excluded = set(exclude)
    known = {keyword_id for keyword_id, _name, _topic in keywords}
    learned = [s for s in (model.suggest(text, exclude=excluded, top=top) if model else []) if s.keyword_id in known]
    unknown = [k for k in keywords if model is None or k[0] not in set(model.keyword_ids.tolist())]
    by_name = suggest_by_name(text, unknown, exclude=excluded | {s.keyword_id for s in learned}, top=top)
    return (learned + by_name)[:top]
