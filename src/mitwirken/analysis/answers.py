"""Answer suggestions: the segments already answered in a procedure that are most like a new one.

A TF-IDF index (German stems, sublinear counts, rows normalised) over the answered segments of one procedure; a
segment's neighbours are the rows with the highest cosine, each with the terms they share (the product of both
weights, most first). The responses themselves stay in the database: the index holds ids, so a response changed
after training is shown as it is now. Pure: texts and ids in, neighbours out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .text import terms, word_forms

TOP = 3
MIN_SCORE = 0.2  # below this cosine the answered segment is about something else (checked on generated concerns)
TERMS_SHOWN = 5


@dataclass(frozen=True)
class AnswerSuggestion:
    segment_id: int
    score: float  # cosine, 0..1
    terms: tuple[str, ...]  # shared words, as written in the new segment


@dataclass
class AnswerIndex:
    vectorizer: Any
    matrix: Any  # CSR, one normalised row per answered segment
    ids: np.ndarray
    features: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def idf(self) -> dict[str, float]:
        """The procedure's word weights (for the segment proposals), built once per loaded index."""
        cached: dict[str, float] | None = self.__dict__.get("_idf")
        if cached is None:
            cached = dict(zip(self.features.tolist(), self.vectorizer.idf_.tolist(), strict=True))
            self.__dict__["_idf"] = cached
        return cached

    def nearest(
        self, text: str, *, exclude: Iterable[int] = (), top: int = TOP, min_score: float = MIN_SCORE
    ) -> list[AnswerSuggestion]:
        query = self.vectorizer.transform([text])
        if query.nnz == 0 or not len(self.ids):
            return []
        scores = (self.matrix @ query.T).toarray().ravel()
        excluded = set(exclude)
        wanted = min(len(scores), top + len(excluded) + 8)  # enough to skip the excluded, and ties at the edge
        best = np.argpartition(-scores, wanted - 1)[:wanted] if wanted < len(scores) else np.arange(len(scores))
        candidates = [int(i) for i in best if scores[i] >= min_score]
        order = sorted(candidates, key=lambda i: (-round(float(scores[i]), 9), int(self.ids[i])))
        forms = word_forms([text])
        weights = dict(zip(query.indices.tolist(), query.data.tolist(), strict=True))
        out = []
        for i in order:
            if int(self.ids[i]) in excluded:
                continue
            row = self.matrix[i]
            shared = sorted(
                (
                    (weights[j] * w, j)
                    for j, w in zip(row.indices.tolist(), row.data.tolist(), strict=True)
                    if j in weights
                ),
                key=lambda pair: (-pair[0], pair[1]),
            )[:TERMS_SHOWN]
            words = tuple(forms.get(str(self.features[j]), str(self.features[j])) for _w, j in shared)
            out.append(AnswerSuggestion(int(self.ids[i]), round(float(scores[i]), 3), words))
            if len(out) >= top:
                break
        return out


def build_index(items: Iterable[tuple[int, str]]) -> AnswerIndex | None:
    """The index over (segment id, segment text) of answered segments; None when there is nothing to index."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    pairs = sorted((int(pk), text) for pk, text in items if text and text.strip())
    if not pairs:
        return None
    vectorizer = TfidfVectorizer(analyzer=terms, sublinear_tf=True, dtype=np.float64)
    try:
        matrix = vectorizer.fit_transform([text for _pk, text in pairs]).tocsr()
    except ValueError:  # only function words: nothing to compare by
        return None
    return AnswerIndex(vectorizer, matrix, np.array([pk for pk, _text in pairs]), vectorizer.get_feature_names_out())
