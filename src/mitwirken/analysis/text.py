"""The one way the analysis reads German text: content sentences without the letter frame, and word stems.

Every engine (near-duplicates, topics, segments, keywords, answers, summaries, moderation hints) uses these, so a
word is the same word everywhere: casefolded, function words dropped, reduced by the German Snowball stemmer that
PostgreSQL's full-text search uses ("Radwege" and "Radweg" are one term), figures kept as written.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from .nearduplicates import _TOKEN, STOPWORDS, _stem, prepare

__all__ = ["STOPWORDS", "Span", "analyzer", "sentences", "terms", "word_forms"]


class Span(NamedTuple):
    start: int  # offsets into the original text, for highlighting and for cutting segments
    end: int
    text: str
    terms: tuple[str, ...]


def terms(text: str) -> list[str]:
    """The content-word stems of a text, in order (a scikit-learn ``analyzer``)."""
    return [stem for stem in (_stem(token) for token in _TOKEN.findall((text or "").casefold())) if stem]


analyzer = terms


def sentences(text: str) -> list[Span]:
    """The content sentences of a statement in order, greeting, sign-off and sender lines left out."""
    prepared = prepare(text or "")
    return [Span(s.start, s.end, prepared.text[s.start : s.end], s.terms) for s in prepared.sentences]


def word_forms(texts: Iterable[str]) -> dict[str, str]:
    """For every stem the word form written most often, to show people words instead of stems ("Radwege", not
    "radweg"; capitalised as written, so nouns stay nouns)."""
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for token in _TOKEN.findall(text or ""):
            stem = _stem(token.casefold())
            if stem:
                forms[stem][token] += 1
    return {stem: counter.most_common(1)[0][0] for stem, counter in forms.items()}
