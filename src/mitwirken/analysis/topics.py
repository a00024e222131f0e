"""Topic proposals: the statements of a procedure clustered by their words, each cluster named by its top terms.

Local and deterministic (fixed seeds), no network. The steps:

1. Every statement becomes a TF-IDF vector of its content-word stems (``analysis.text.terms``); a campaign is
   passed in once, by its lead, so that a letter signed 3,000 times is one voice for the clustering and still
   counts 3,000 in the figures shown (``weights``).
2. The vectors are reduced to ``DIMENSIONS`` latent dimensions (LSA) and clustered with k-means for every k from 2
   to ``MAX_TOPICS``; k is the one with the best silhouette (cosine), preferring fewer proposals when another k is
   within ``SILHOUETTE_SLACK`` (a proposal too many costs the case worker a merge, the criterion barely differs).
3. A proposal is named by the stems that weigh most in its centroid compared with the whole procedure, shown as
   the word form written most often ("Radwege", not "radweg"), with its size and the statements closest to its
   centroid as examples.

Nothing is decided here: staff rename, merge, discard or adopt proposals (``formal.topics``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .text import terms, word_forms

Key = Hashable

MAX_TOPICS = 12  # more proposals than a case worker reads in one sitting; merging is cheaper than splitting
MIN_PER_TOPIC = 5  # statements per proposal on average: k never exceeds n / 5
MIN_STATEMENTS = 10  # fewer statements are read, not clustered
DIMENSIONS = 100  # LSA dimensions; topics in the test set separate from about 30 on
SILHOUETTE_SLACK = 0.01  # on the test set the true k scores 0.158 and k=10 0.159: within the slack, fewer wins
SELECTION_SAMPLE = 5000  # k is chosen on at most this many statements; the final clustering uses all
TOP_TERMS = 8
EXAMPLES = 3
SEED = 20250318


@dataclass
class TopicProposal:
    key: str  # stable within one computation: "t1", "t2", …; merged ones "t1+t3"
    terms: list[str]  # the top terms as written most often, most distinctive first
    stems: list[str]
    weights: list[float]  # of the terms, for explanations and merging
    members: list[Any]  # keys of the statements (campaigns by their lead), closest to the centroid first
    size: int  # statements counted with their campaign's signers (sum of the weights)
    examples: list[Any]
    centroid: dict[str, float] = field(default_factory=dict)  # stem -> weight (TF-IDF mean), for summaries

    @property
    def name(self) -> str:
        return ", ".join(self.terms[:3])


@dataclass
class Placer:
    """The fitted steps of one clustering: places a new statement in the nearest proposal without re-clustering."""

    vectorizer: Any
    reduction: Any  # the LSA (TruncatedSVD)
    centres: np.ndarray  # one normalised centre per proposal, in LSA space
    keys: list[str]  # the proposal of each centre

    def place(self, text: str) -> str | None:
        """The key of the nearest proposal, or None when the text has none of the procedure's words."""
        from sklearn.preprocessing import normalize

        vector = self.vectorizer.transform([text])
        if not vector.nnz:
            return None
        point = normalize(self.reduction.transform(vector))[0]
        return self.keys[int(np.argmax(self.centres @ point))]


@dataclass
class Topics:
    proposals: list[TopicProposal]
    k: int
    silhouettes: dict[int, float]  # the criterion per k, shown as the reason for the number of proposals
    statements: int  # distinct voices clustered
    counted: int  # with campaign signers
    placer: Placer | None = None


def vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    # Words in one statement only name nobody's topic; words in most statements name every topic.
    return TfidfVectorizer(analyzer=terms, min_df=2, max_df=0.5, sublinear_tf=True, dtype=np.float32)


def _choose_k(points: np.ndarray) -> tuple[int, dict[int, float]]:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = points.shape[0]
    upper = max(2, min(MAX_TOPICS, n // MIN_PER_TOPIC))
    if n > SELECTION_SAMPLE:
        points = points[np.random.default_rng(SEED).choice(n, SELECTION_SAMPLE, replace=False)]
    scores: dict[int, float] = {}
    for k in range(2, upper + 1):
        labels = KMeans(k, n_init=4, random_state=SEED).fit_predict(points)
        if len(set(labels)) < 2:
            continue
        scores[k] = float(silhouette_score(points, labels, metric="cosine", sample_size=min(2000, len(points)),
                                           random_state=SEED))  # fmt: skip
    if not scores:
        return 2, scores
    best = max(scores.values())
    return min(k for k, score in scores.items() if score >= best - SILHOUETTE_SLACK), scores


def propose(
    statements: Sequence[tuple[Any, str]], weights: dict[Any, int] | None = None, k: int | None = None
) -> Topics:
    """Cluster ``(key, text)`` pairs (each campaign once) into topic proposals; ``weights``: signers per key."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    weights = weights or {}
    keys = [key for key, _text in statements]
    texts = [text for _key, text in statements]
    counted = sum(weights.get(key, 1) for key in keys)
    if len(keys) < MIN_STATEMENTS:
        return Topics([], 0, {}, len(keys), counted)
    vec = vectorizer()
    try:
        matrix = vec.fit_transform(texts)
    except ValueError:  # no word occurs in two statements
        return Topics([], 0, {}, len(keys), counted)
    stems = vec.get_feature_names_out()
    dims = min(DIMENSIONS, matrix.shape[1] - 1, matrix.shape[0] - 1)
    if dims < 2:
        return Topics([], 0, {}, len(keys), counted)
    reduction = TruncatedSVD(dims, random_state=SEED)
    points = normalize(reduction.fit_transform(matrix))
    scores: dict[int, float] = {}
    if k is None:
        k, scores = _choose_k(points)
    labels = KMeans(k, n_init=4, random_state=SEED).fit_predict(points)
    forms = word_forms(texts)
    overall = np.asarray(matrix.mean(axis=0)).ravel()
    proposals: list[TopicProposal] = []
    centres: list[np.ndarray] = []
    for label in range(k):
        rows = np.flatnonzero(labels == label)
        if not len(rows):
            continue
        centroid = np.asarray(matrix[rows].mean(axis=0)).ravel()
        distinct = centroid - overall
        top = [i for i in np.argsort(-distinct)[:TOP_TERMS] if distinct[i] > 0]
        centre = points[rows].mean(axis=0)
        centres.append(centre / (np.linalg.norm(centre) or 1.0))
        order = rows[np.argsort(-(points[rows] @ centre))]
        members = [keys[i] for i in order]
        keep = np.argsort(-centroid)[:200]
        proposals.append(TopicProposal(
            key="", terms=[forms.get(stems[i], stems[i]) for i in top], stems=[str(stems[i]) for i in top],
            weights=[round(float(distinct[i]), 4) for i in top], members=members,
            size=sum(weights.get(key, 1) for key in members), examples=members[:EXAMPLES],
            centroid={str(stems[i]): float(centroid[i]) for i in keep if centroid[i] > 0},
        ))  # fmt: skip
    ranking = sorted(range(len(proposals)), key=lambda i: (-proposals[i].size, proposals[i].stems))
    proposals = [proposals[i] for i in ranking]
    for number, proposal in enumerate(proposals, 1):
        proposal.key = f"t{number}"
    placer = Placer(vec, reduction, np.array([centres[i] for i in ranking]), [proposal.key for proposal in proposals])
    return Topics(proposals, k, scores, len(keys), counted, placer)


def merge(first: TopicProposal, second: TopicProposal) -> TopicProposal:
    """One proposal of two: members and figures added, terms re-ranked by their weight in both, by size."""
    total = (first.size + second.size) or 1
    combined: dict[str, float] = defaultdict(float)
    shown: dict[str, str] = {}
    for proposal in (first, second):
        share = proposal.size / total
        for stem, form, weight in zip(proposal.stems, proposal.terms, proposal.weights, strict=False):
            combined[stem] += weight * share
            shown.setdefault(stem, form)
    centroid: dict[str, float] = defaultdict(float)
    for proposal in (first, second):
        for stem, weight in proposal.centroid.items():
            centroid[stem] += weight * proposal.size / total
    ranked = sorted(combined, key=lambda stem: -combined[stem])[:TOP_TERMS]
    return TopicProposal(
        key=f"{first.key}+{second.key}", terms=[shown[s] for s in ranked], stems=ranked,
        weights=[round(combined[s], 4) for s in ranked], members=first.members + second.members,
        size=first.size + second.size, examples=(first.examples + second.examples)[:EXAMPLES],
        centroid=dict(centroid),
    )  # fmt: skip
