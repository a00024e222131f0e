"""Moderation hints: how likely a new contribution is one the organisation's moderators would hide.

Learned from the organisation's own decisions only (contributions its moderators hid against ones they let
stand), with a linear classifier (logistic regression) on the TF-IDF of content-word stems plus a few simple
signals (links, shouting, exclamation marks, length). Linear, so that every hint names what weighed: the terms
and signals of *this* text with the largest contribution towards "hide".

A hint only orders the moderation queue; it never hides, approves or withholds anything. With fewer than
``MIN_PER_CLASS`` decisions of either kind there is no model and no hint: a handful of examples teaches the
classifier the names of the people involved, not the netiquette.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .text import terms, word_forms

MIN_PER_CLASS = 20
MAX_PER_CLASS = 5000  # the newest decisions; older ones say less about today's spam
REASONS = 4
VERSION = 1

_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
_UPPER_WORD = re.compile(r"\b[A-ZÄÖÜ]{4,}\b")


@dataclass(frozen=True)
class Hint:
    probability: float  # 0–1: share of the organisation's similar decisions that were "hide", as the model sees it
    reasons: tuple[str, ...]  # what weighed towards "hide" in this text

    @property
    def percent(self) -> int:
        return round(self.probability * 100)


def _signals(text: str) -> list[float]:
    words = max(1, len(text.split()))
    return [
        min(len(_LINK.findall(text)), 5) / 5,
        min(len(_UPPER_WORD.findall(text)) / words * 5, 1.0),
        min(text.count("!") / 5, 1.0),
        min(words / 300, 1.0),
    ]


_SIGNAL_NAMES = ("Links", "Großbuchstaben", "Ausrufezeichen", "Länge")


class ModerationModel:
    """A trained classifier with what it needs to explain itself; pickled into ``analysis.state``."""

    def __init__(self, vectorizer: Any, classifier: Any, forms: dict[str, str], counts: dict[str, int]) -> None:
        self.vectorizer = vectorizer
        self.classifier = classifier
        self.forms = forms
        self.counts = counts  # {"hidden": n, "kept": n}: shown as the basis of the hints
        self.version = VERSION

    def _matrix(self, texts: Sequence[str]) -> Any:
        from scipy.sparse import csr_matrix, hstack

        return hstack([self.vectorizer.transform(texts), csr_matrix(np.array([_signals(t) for t in texts]))]).tocsr()

    def hints(self, texts: Sequence[str]) -> list[Hint]:
        if not texts:
            return []
        matrix = self._matrix(texts)
        probabilities = self.classifier.predict_proba(matrix)[:, 1]
        coef = self.classifier.coef_[0]
        names = list(self.vectorizer.get_feature_names_out())
        hints = []
        for row, probability in enumerate(probabilities):
            values = matrix.getrow(row)
            contributions = sorted(
                ((float(coef[i] * v), i) for i, v in zip(values.indices, values.data, strict=True) if coef[i] * v > 0),
                reverse=True,
            )[:REASONS]
            reasons = tuple(
                self.forms.get(names[i], names[i]) if i < len(names) else str(_SIGNAL_NAMES[i - len(names)])
                for _weight, i in contributions
            )
            hints.append(Hint(float(probability), reasons))
        return hints


def train(examples: Iterable[tuple[str, bool]]) -> ModerationModel | None:
    """``(text, hidden)`` pairs; None when either kind has fewer than ``MIN_PER_CLASS`` examples."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    pairs = [(text or "", bool(hidden)) for text, hidden in examples]
    hidden = sum(1 for _text, label in pairs if label)
    kept = len(pairs) - hidden
    if hidden < MIN_PER_CLASS or kept < MIN_PER_CLASS:
        return None
    texts = [text for text, _label in pairs]
    labels = np.array([label for _text, label in pairs], dtype=int)
    vectorizer = TfidfVectorizer(analyzer=terms, min_df=2, sublinear_tf=True, dtype=np.float32)
    try:
        words = vectorizer.fit_transform(texts)
    except ValueError:
        return None
    matrix = hstack([words, csr_matrix(np.array([_signals(t) for t in texts]))]).tocsr()
    # Balanced: a queue with few hidden contributions must not learn "never hide".
    classifier = LogisticRegression(C=4.0, class_weight="balanced", max_iter=1000, random_state=0)
    classifier.fit(matrix, labels)
    return ModerationModel(vectorizer, classifier, word_forms(texts), {"hidden": hidden, "kept": kept})
