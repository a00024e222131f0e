"""Near-duplicate grouping of statements: mass objections, local, deterministic and explainable.

A campaign letter that thousands sign comes back with other greetings and senders, typos, a sentence or a
paragraph added or removed, paragraphs reordered, or reworded sentence by sentence. Individual statements on the
same topic share its vocabulary but not its sentences. So two texts are compared *sentence by sentence*:

1. The letter frame is dropped (greeting, sign-off, sender and address lines, date, subject, e-mail): it is the
   same in unrelated letters and different in copies of one.
2. Every sentence of one text gets at most one partner in the other, best pairs first. A partner is the same
   sentence give or take typos (``rapidfuzz``), which counts fully, or a sentence sharing enough word stems
   (German Snowball stemmer), which counts with its similarity. Stems are weighted by how rare they are among
   the distinct sentences seen so far, so "Hiermit erhebe ich Einwendungen" weighs little and "149 Hektar" much;
   two sentences with different figures are no partners (650 m is not 1,050 m).
3. The score is the smaller of the two shares of content that found a partner. A copy scores near 1, a copy with
   an own paragraph or a shortened copy about 0.5–0.8, a reworded copy about 0.45–0.9, a statement that borrows
   one argument of a letter or shares its topic rarely more than 0.4. Two texts belong together from
   ``GROUP_SCORE`` on, with at least ``MIN_SHARED`` content words in partnered sentences.

Grouping is incremental. A new statement whose content lines equal an earlier one's (in any order) joins it at
once. Otherwise it is compared with a few *representatives* of the groups so far (the lead and the variants that
differ most from it), found through the rarest stems it shares with them; pairs with too little vocabulary in
common are not aligned at all. It joins the group of its best partner; if it is close to two groups, they are one
campaign and are merged. A batch run (``build_index``, ``group_statements``) first counts the sentences of its
first ``WARM_UP`` statements, then adds all statements one by one in the given order: the lead of a group is its
earliest statement, and statements added later one at a time give the same groups as a batch run including them.

Texts with fewer than ``MIN_TERMS`` content words are never grouped: too short to tell a campaign from two people
who happen to write the same sentence.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from array import array
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import snowballstemmer
from rapidfuzz import fuzz

# Thresholds, measured on tests/analysis_corpus (docs/analysis.md has the figures).
MIN_TERMS = 20  # content words; the shortest campaign letter in the test set has 26, a postcard fewer
SAME_SENTENCE = 88  # rapidfuzz ratio: two or three typos in a sentence stay above, another place name mostly not
ALIGN_MIN = 0.3  # weighted share of common stems below which two sentences are not partners at all
GROUP_SCORE = 0.44  # reworded members mostly score above 0.5, unrelated letters on one topic rarely above 0.45
MIN_SHARED = MIN_TERMS  # content words in partnered sentences: a few common sentences in two short letters are chance
NEAR_COPY = 0.85  # a member this close to a representative teaches the index nothing new
MAX_REPRESENTATIVES = 12  # per group: enough for the variants of a campaign, bounded for speed
CANDIDATE_TERMS = 40  # the rarest words of a new text that look up candidates
MAX_CANDIDATES = 6  # representatives compared with one new text (8 found nothing more in the test sets)
MIN_OVERLAP = 0.3  # weighted share of stems two texts have in common; every join in the test set had 0.39 or more
MERGE_SCORE = 0.6  # two groups become one only through a statement that is this close to both
SPLIT_LOOKUP = 0.8  # after a near copy, other groups found nearly as strongly are checked too: same campaign?
ADDITION_TERMS = 5  # new content words that make additions worth reading (a one-line "I agree" has fewer)
LEFTOVER_PARTNER = 0.1  # a sentence without partner and one of the lead's without partner that share this much

# Function words; content words are what is left, reduced to their stem.
# fmt: off
STOPWORDS = frozenset((
    "aber", "alle", "allem", "allen", "aller", "alles", "als", "also", "am", "an", "andere", "anderen", "auch", "auf",
    "aus", "bei", "beim", "bin", "bis", "bitte", "bzw", "da", "dabei", "damit", "dann", "darauf", "darf", "darum",
    "das", "dass", "dem", "den", "denen", "der", "deren", "des", "dessen", "die", "dies", "diese", "diesem", "diesen",
    "dieser", "dieses", "doch", "dort", "du", "durch", "ein", "eine", "einem", "einen", "einer", "eines", "einmal",
    "er", "es", "etwa", "euch", "euer", "für", "gegen", "hat", "hatte", "hätte", "haben", "habe", "hier", "hin",
    "ich", "ihm", "ihn", "ihnen", "ihr", "ihre", "ihrem", "ihren", "ihrer", "im", "in", "ins", "ist", "ja", "je",
    "jede", "jedem", "jeden", "jeder", "jedes", "jetzt", "kann", "kein", "keine", "keinem", "keinen", "keiner",
    "können", "könnte", "man", "mehr", "mein", "meine", "meinem", "meinen", "meiner", "mich", "mir", "mit", "muss",
    "müssen", "musste", "nach", "nicht", "nichts", "noch", "nun", "nur", "ob", "oder", "ohne", "schon", "sehr",
    "sein", "seine", "seinem", "seinen", "seiner", "sich", "sie", "sind", "so", "soll", "sollen", "sollte", "sondern",
    "sowie", "über", "um", "und", "uns", "unser", "unsere", "unserem", "unseren", "unserer", "unter", "viel", "vom",
    "von", "vor", "war", "wäre", "waren", "warum", "was", "weil", "wenn", "wer", "werde", "werden", "wie", "wieder",
    "wir", "wird", "wo", "wurde", "wurden", "zu", "zum", "zur", "zwar", "zwischen"
))
# fmt: on

_stemmer = snowballstemmer.stemmer("german")  # the stemmer PostgreSQL's German full-text search uses
_stems: dict[str, str] = {}  # token -> stem ("" for a function word); German has fewer word forms than letters


def _stem(token: str) -> str:
    stem = _stems.get(token)
    if stem is None:
        if token[0].isdigit():
            stem = token.replace(".", "").replace(",", "")
        elif len(token) < 2 or token in STOPWORDS:
            stem = ""
        else:
            stem = str(_stemmer.stemWord(token))
        if len(_stems) < 500_000:  # bounded: typos make new tokens forever
            _stems[token] = stem
    return stem


_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")
_GREETING = re.compile(
    r"^(sehr geehrte[rs]?|liebe[rs]?|hallo|guten (tag|morgen|abend)|moin|servus|grüß gott)\b[^,!\n]*[,!]?\s*",
    re.IGNORECASE,
)
_SIGNOFF = re.compile(
    r"^((mit )?(freundliche[nm]?|beste[nm]?|herzliche[nm]?|viele[n]?|liebe[n]?|schöne[n]?) (grüße?n?|gruß)"
    r"|mfg|vg|lg|hochachtungsvoll|gruß|grüße)\b",
    re.IGNORECASE,
)
_FIELD = re.compile(
    r"^(betreff|betr|az|aktenzeichen|an das|an die|an den|name|anschrift|adresse|e-mail|email|telefon|tel"
    r"|absender|datum|unterschrift)\b",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_SENTENCE_END = re.compile(r"[.!?;:…]\s*$")
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[„\"(]?[A-ZÄÖÜ0-9])")
_ABBREVIATION = re.compile(
    r"\b(nr|dr|abs|bzw|ca|vgl|str|st|prof|usw|ggf|inkl|evtl|az|z\. ?b|u\. ?a|d\. ?h|\d{1,2})\.$", re.I
)


def is_frame_line(line: str) -> bool:
    """Greeting, sign-off, sender, address, date, subject and similar lines: the letter, not its argument."""
    words = line.split()
    if _GREETING.match(line) and len(words) <= 8:
        return True
    if _SIGNOFF.match(line) and len(words) <= 6:
        return True
    if _FIELD.match(line) and len(words) <= 15:
        return True
    if "@" in line and len(words) <= 6:
        return True
    # names, street and town, dates, subject lines: short and not a sentence
    return len(words) <= 8 and not _SENTENCE_END.search(line)


# --- preparing a text ------------------------------------------------------------------------------------------------


class Sentence(NamedTuple):
    start: int  # character offsets in the original text, for highlighting
    end: int
    norm: str  # folded case, no punctuation: what typo-tolerant matching compares
    terms: tuple[str, ...]  # stems of the content words, in order
    numbers: frozenset[str]  # the figures, which a copy must repeat exactly


class Prepared(NamedTuple):
    text: str
    sentences: tuple[Sentence, ...]
    size: int  # content words
    fingerprint: str  # the same for the same sentences in any order

    def sentence_text(self, i: int) -> str:
        sentence = self.sentences[i]
        return self.text[sentence.start : sentence.end]


def _content_lines(text: str) -> Iterable[tuple[int, str]]:
    position = 0
    for raw in text.split("\n"):
        start, position = position, position + len(raw) + 1
        stripped = raw.strip()
        if not stripped or (stripped.count(" ") < 15 and is_frame_line(stripped)):  # a frame line is short
            continue
        start += len(raw) - len(raw.lstrip())
        greeting = _GREETING.match(stripped)
        if greeting and greeting.group(0).rstrip().endswith((",", "!")):  # "Sehr geehrte Damen und Herren, hiermit …"
            start += greeting.end()
            stripped = stripped[greeting.end() :]
        yield start, stripped


def _split(line: str) -> list[str]:
    pieces: list[str] = []
    for piece in _SPLIT.split(line):
        if pieces and _ABBREVIATION.search(pieces[-1]):  # "Nr. 47", "Dr. Berger", "12. Mai"
            pieces[-1] += " " + piece
        else:
            pieces.append(piece)
    return pieces


_NO_NUMBERS: frozenset[str] = frozenset()
# A campaign's paragraphs come back thousands of times; typos and own texts never do. So a line is kept from its
# second appearance on, and both memories start afresh when they are full rather than grow.
_lines: dict[str, tuple[Sentence, ...]] = {}
_lines_seen: set[int] = set()
LINE_CACHE = 20_000


def _line_sentences(line: str) -> tuple[Sentence, ...]:
    """The sentences of one line, with offsets relative to it."""
    cached = _lines.get(line)
    if cached is not None:
        return cached
    sentences = _parse_line(line)
    key = hash(line)
    if key in _lines_seen:
        if len(_lines) >= LINE_CACHE:
            _lines.clear()
        _lines[line] = sentences
    else:
        if len(_lines_seen) >= 10 * LINE_CACHE:
            _lines_seen.clear()
        _lines_seen.add(key)
    return sentences


def _parse_line(line: str) -> tuple[Sentence, ...]:
    known = _stems.get
    sentences = []
    position = 0
    for piece in _split(line):
        at = line.find(piece, position)
        position = at + len(piece)
        tokens = _TOKEN.findall(piece.casefold())
        stems = [known(token) for token in tokens]
        if None in stems:
            stems = [stem if stem is not None else _stem(token) for stem, token in zip(stems, tokens, strict=True)]
        terms = tuple(stem for stem in stems if stem)
        if terms:
            numbers = frozenset(t for t in terms if t[0].isdigit()) if _DIGIT.search(piece) else _NO_NUMBERS
            sentences.append(Sentence(at, at + len(piece), " ".join(tokens).replace("ß", "ss"), terms, numbers))
    return tuple(sentences)


def _copy_key(lines: list[tuple[int, str]]) -> str:
    """The same for the same content lines in any order, whatever letter surrounds them."""
    return hashlib.sha256(
        "\n".join(sorted(" ".join(line.casefold().split()) for _, line in lines)).encode()
    ).hexdigest()


def prepare(text: str, lines: list[tuple[int, str]] | None = None) -> Prepared:
    """The content sentences of a statement, without its letter frame."""
    text = text or ""
    sentences = []
    for offset, line in _content_lines(text) if lines is None else lines:
        for start, end, norm, terms, numbers in _line_sentences(line):
            sentences.append(Sentence(start + offset, end + offset, norm, terms, numbers))
    fingerprint = hashlib.sha256("\n".join(sorted(s.norm for s in sentences)).encode()).hexdigest()
    return Prepared(text, tuple(sentences), sum(len(s.terms) for s in sentences), fingerprint)


# --- comparing two texts ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """Why two statements belong together."""

    score: float  # the smaller of the two coverages
    coverage: float  # share of this statement's content with a partner in the other
    other_coverage: float  # share of the other statement's content with a partner in this one
    verbatim: int  # sentences matched word for word or with typos
    reworded: int  # sentences matched by their words only
    shared_words: int  # content words in the matched sentences
    passages: tuple[str, ...] = ()  # the longest shared sentences
    terms: tuple[str, ...] = ()  # the rarest shared words
    identical: bool = False  # the same sentences (in any order), only the letter around them differs

    def summary(self) -> str:
        """For the case worker's screen."""
        if self.identical:
            return "Gleicher Text; nur Anrede, Absender, Datum oder Reihenfolge weichen ab."
        text = (
            f"{round(self.coverage * 100)} % dieses Textes und {round(self.other_coverage * 100)} % des "
            f"Vergleichstextes entsprechen sich Satz für Satz ({self.verbatim} Sätze wörtlich oder mit Tippfehlern, "
            f"{self.reworded} umformuliert)."
        )
        if self.terms:
            text += " Gemeinsame Begriffe: " + ", ".join(self.terms) + "."
        return text


@dataclass(frozen=True)
class Passage:
    text: str
    start: int  # character offsets in the member's text
    end: int


@dataclass(frozen=True)
class Additions:
    """What a member says that its lead does not."""

    passages: tuple[Passage, ...]
    substantial: bool  # an own point worth reading, not just a "Dem schließe ich mich an"
    explanation: Explanation


class _Weights:
    """How rare a stem is: counted over distinct sentences, so a letter copied 5,000 times counts once."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.terms: list[str] = []
        self.df = np.zeros(4096, dtype=np.float64)
        self.numeric = np.zeros(4096, dtype=bool)  # the stem is a figure
        self.sentences = 0
        self._seen: set[int] = set()

    def id(self, term: str) -> int:
        number = self.ids.get(term)
        if number is None:
            number = self.ids[term] = len(self.terms)
            self.terms.append(term)
            if number >= len(self.df):
                self.df = np.concatenate([self.df, np.zeros(len(self.df))])
                self.numeric = np.concatenate([self.numeric, np.zeros(len(self.numeric), dtype=bool)])
            self.numeric[number] = term[0].isdigit()
        return number

    def ids_of(self, terms: Collection[str]) -> list[int]:
        known = self.ids.get
        ids = [known(term) for term in terms]
        if None in ids:
            ids = [self.id(term) for term in terms]
        return ids  # type: ignore[return-value]  # no None left

    def observe(self, doc: Prepared) -> None:
        for sentence in doc.sentences:
            key = hash(sentence.norm)
            if key not in self._seen:
                self._seen.add(key)
                self.sentences += 1
                ids = self.ids_of(dict.fromkeys(sentence.terms))  # in text order: ids never depend on hashing
                self.df[ids] += 1

    def idf(self, term_ids: np.ndarray) -> np.ndarray:
        return np.log((self.sentences + 1) / (self.df[term_ids] + 1)) + 1


class _Matrix:
    """A text's sentences as rows over its distinct stems, for aligning all sentence pairs in one product."""

    __slots__ = ("_local", "doc", "figures", "indices", "indptr", "numeric", "rows", "term_ids", "words")

    def __init__(self, doc: Prepared, weights: _Weights) -> None:
        self.doc = doc
        lengths = np.array([len(s.terms) for s in doc.sentences], dtype=np.int64)
        ids = np.array(weights.ids_of([t for s in doc.sentences for t in s.terms]), dtype=np.int64)
        pairs = np.unique(np.repeat(np.arange(len(lengths)), lengths) << 32 | ids)  # (sentence, stem), once each
        self.rows = pairs >> 32  # sentence of each entry
        self.indices = pairs & 0xFFFFFFFF  # stem ids, sentence after sentence
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(self.rows, minlength=len(lengths)))])
        self.term_ids = np.unique(self.indices)  # the distinct stems of the text, sorted
        self.figures = np.array([bool(s.numbers) for s in doc.sentences], dtype=bool)
        self.words = lengths.astype(np.float64)
        self.numeric = weights.numeric[self.term_ids]
        self._local: np.ndarray | None = None

    @property
    def local(self) -> np.ndarray:
        """Sentence × own stems, 0/1 (built when the text is first compared against)."""
        if self._local is None:
            self._local = self.project(self)
        return self._local

    def project(self, other: _Matrix) -> np.ndarray:
        """Another text's sentences over this text's stems (stems this text lacks cannot be shared)."""
        at = np.searchsorted(self.term_ids, other.indices)
        at[at == len(self.term_ids)] = 0
        hit = self.term_ids[at] == other.indices
        matrix = np.zeros((len(other.doc.sentences), len(self.term_ids)))
        matrix[other.rows[hit], at[hit]] = 1.0
        return matrix


@dataclass
class _Alignment:
    pairs: list[tuple[int, int, float, bool]]  # (sentence in a, sentence in b, similarity, verbatim)
    coverage_a: float
    coverage_b: float
    shared_words: float  # content words in partnered sentences (the smaller side), weighted by similarity

    @property
    def score(self) -> float:
        return min(self.coverage_a, self.coverage_b)

    @property
    def joins(self) -> bool:
        return self.score >= GROUP_SCORE and self.shared_words >= MIN_SHARED


def _similarity(a: _Matrix, b: _Matrix, weights: _Weights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sentence × sentence: the weight of the stems two sentences share, relative to both (0 to 1); and the
    weight of every sentence of a and of b."""
    idf_b = weights.idf(b.term_ids)
    in_b = b.project(a)
    shared = (in_b * idf_b) @ b.local.T
    mass_a = np.add.reduceat(weights.idf(a.indices), a.indptr[:-1])
    mass_b = b.local @ idf_b
    similarity: np.ndarray = shared / np.sqrt(np.outer(mass_a, mass_b))
    if a.figures.any() and b.figures.any():  # other figures, another claim: 650 m is not 1,050 m
        same_figure = in_b[:, b.numeric] @ b.local[:, b.numeric].T
        similarity[np.outer(a.figures, b.figures) & (same_figure == 0)] = 0.0
    return similarity, mass_a, mass_b


def _greedy(similarity: np.ndarray, minimum: float) -> list[tuple[int, int]]:
    """One partner each at most, the most similar pairs first (ties in reading order)."""
    candidates = np.argwhere(similarity >= minimum)
    order = np.lexsort((candidates[:, 1], candidates[:, 0], -similarity[candidates[:, 0], candidates[:, 1]]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for i, j in candidates[order].tolist():
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j))
    return pairs


def _align(a: _Matrix, b: _Matrix, weights: _Weights) -> _Alignment:
    """Pair every sentence of a with at most one of b, best pairs first."""
    if not a.doc.sentences or not b.doc.sentences:
        return _Alignment([], 0.0, 0.0, 0.0)
    similarity, mass_a, mass_b = _similarity(a, b, weights)
    verbatim = np.zeros(similarity.shape, dtype=bool)
    # Typos break stems but not characters: every pair that might be partners is also compared letter by letter.
    for i, j in np.argwhere(similarity >= ALIGN_MIN).tolist():
        sa, sb = a.doc.sentences[i], b.doc.sentences[j]
        if sa.numbers == sb.numbers and fuzz.ratio(sa.norm, sb.norm, score_cutoff=SAME_SENTENCE):
            similarity[i, j] = 1.0
            verbatim[i, j] = True
    pairs = [(i, j, float(similarity[i, j]), bool(verbatim[i, j])) for i, j in _greedy(similarity, ALIGN_MIN)]
    if not pairs:
        return _Alignment([], 0.0, 0.0, 0.0)
    first, second, weight = (np.array(column) for column in list(zip(*pairs, strict=True))[:3])
    coverage_a = float(mass_a[first] @ weight / mass_a.sum())
    coverage_b = float(mass_b[second] @ weight / mass_b.sum())
    shared_words = min(float(a.words[first] @ weight), float(b.words[second] @ weight))
    return _Alignment(pairs, min(coverage_a, 1.0), min(coverage_b, 1.0), shared_words)


def _words(doc: Prepared, stems: list[str]) -> tuple[str, ...]:
    """The stems as the text writes them (first occurrence), for people."""
    written = dict.fromkeys(stems, "")
    missing = len(written)
    for sentence in doc.sentences:
        if missing and not written.keys().isdisjoint(sentence.terms):
            for token in _TOKEN.findall(doc.text[sentence.start : sentence.end]):
                stem = _stem(token.casefold())
                if written.get(stem) == "":
                    written[stem] = token
                    missing -= 1
    return tuple(written[stem] or stem for stem in stems)


def _explain(alignment: _Alignment, a: _Matrix, b: _Matrix, weights: _Weights) -> Explanation:
    verbatim = [i for i, _, _, copy in alignment.pairs if copy]
    passages = sorted((a.doc.sentence_text(i) for i in verbatim), key=lambda t: (-len(t), t))[:3]
    common = np.intersect1d(a.term_ids, b.term_ids)
    rarest = common[np.lexsort((common, -weights.idf(common)))][:8]
    return Explanation(
        score=round(alignment.score, 3),
        coverage=round(alignment.coverage_a, 3),
        other_coverage=round(alignment.coverage_b, 3),
        verbatim=len(verbatim),
        reworded=len(alignment.pairs) - len(verbatim),
        shared_words=round(alignment.shared_words),
        passages=tuple(passages),
        terms=_words(a.doc, [weights.terms[n] for n in rarest.tolist()]),
    )


def _pair(text: str, other: str) -> tuple[_Matrix, _Matrix, _Weights]:
    weights = _Weights()
    docs = prepare(text), prepare(other)
    for doc in docs:
        weights.observe(doc)
    return _Matrix(docs[0], weights), _Matrix(docs[1], weights), weights


def compare(text: str, other: str) -> Explanation:
    """How much two statements correspond, and why (word weights from the two texts alone)."""
    a, b, weights = _pair(text, other)
    return _explain(_align(a, b, weights), a, b, weights)


def what_it_adds(lead_text: str, member_text: str) -> Additions:
    """The passages of a member that its lead does not contain: a case worker reads these, not the whole letter.

    Greeting, sender, date and sign-off are not content. A sentence with a partner in the lead (the same give or
    take typos, or reworded) is not new, and a thoroughly reworded sentence still leaves a sentence of the lead
    without partner that shares some of its words: such leftovers are paired too. What remains is added when
    most of its words are not the lead's, and *substantial* from ``ADDITION_TERMS`` new content words on, so a
    "Dem schließe ich mich an" does not count.
    """
    member, lead, weights = _pair(member_text, lead_text)
    alignment = _align(member, lead, weights)
    left = [i for i in range(len(member.doc.sentences)) if i not in {p[0] for p in alignment.pairs}]
    orphans = [j for j in range(len(lead.doc.sentences)) if j not in {p[1] for p in alignment.pairs}]
    if left and orphans:  # second round among the leftovers, with a low bar
        similarity = _similarity(member, lead, weights)[0][np.ix_(left, orphans)]
        paired = {k for k, _ in _greedy(similarity, LEFTOVER_PARTNER)}
        left = [i for k, i in enumerate(left) if k not in paired]
    lead_terms = {t for sentence in lead.doc.sentences for t in sentence.terms}
    added, words = [], 0
    for i in left:
        terms = set(member.doc.sentences[i].terms)
        new = sum(1 for t in terms if t not in lead_terms)
        if new >= 2 and new >= len(terms) / 2:
            added.append(i)
            words += new
    runs: list[list[int]] = []
    for i in added:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    passages = []
    for run in runs:
        first, last = member.doc.sentences[run[0]], member.doc.sentences[run[-1]]
        passages.append(Passage(member.doc.text[first.start : last.end], first.start, last.end))
    return Additions(tuple(passages), words >= ADDITION_TERMS, _explain(alignment, member, lead, weights))


# --- the index -------------------------------------------------------------------------------------------------------

Key = Hashable


@dataclass(frozen=True)
class Member:
    key: Key
    via: Key  # the statement it was found similar to: the lead or another member of the group
    explanation: Explanation
    merged: bool = False  # led a group of its own until a later statement (via) showed both are one campaign


@dataclass(frozen=True)
class Group:
    lead: Key
    members: tuple[Member, ...]

    @property
    def keys(self) -> tuple[Key, ...]:
        return (self.lead, *(m.key for m in self.members))


@dataclass
class _GroupState:
    lead: Key
    members: list[Member] = field(default_factory=list)
    representatives: int = 0
    merged_into: int | None = None  # another group this one turned out to be part of
    lead_matrix: _Matrix | None = None


@dataclass
class _Representative:
    key: Key
    group: int
    matrix: _Matrix


@dataclass
class _Match:
    alignment: _Alignment
    representative: _Representative


class NearDuplicateIndex:
    """Statements added one at a time; each joins the group of its closest earlier statement, if any."""

    def __init__(self) -> None:
        self._weights = _Weights()
        self._groups: list[_GroupState] = []
        self._representatives: list[_Representative] = []
        self._postings: dict[int, array[int]] = {}  # stem -> representatives containing it
        self._fingerprints: dict[str, tuple[int, Key]] = {}  # sentences -> (group, first statement with them)
        self._copies: dict[str, tuple[int, Key, int]] = {}  # content lines -> (group, first statement, words)
        self._group_of: dict[Key, int] = {}
        self._arrival: dict[Key, int] = {}

    def __len__(self) -> int:
        return len(self._group_of)

    def add(self, key: Key, text: str) -> Group | None:
        """Index one statement; the group it joined (lead and members so far), or None if it stands alone."""
        lines = list(_content_lines(text or ""))
        copy_key = _copy_key(lines)
        copy = self._copies.get(copy_key)
        if copy is not None and key not in self._group_of:  # the lines of an earlier statement: no need to read on
            group, first, words = copy
            self._arrival[key] = len(self._arrival)
            explanation = Explanation(1.0, 1.0, 1.0, 0, 0, words, identical=True)
            return self._join(key, self._root(group), Member(key, first, explanation))
        return self._add(key, prepare(text, lines), copy_key)

    def groups(self) -> list[Group]:
        """Groups of two or more statements, in the order their leads arrived; members in arrival order."""
        return [self._group(state) for state in self._groups if state.members and state.merged_into is None]

    def group_of(self, key: Key) -> Group | None:
        state = self._groups[self._root(self._group_of[key])]
        return self._group(state) if state.members else None

    def _group(self, state: _GroupState) -> Group:
        return Group(state.lead, tuple(state.members))

    def _root(self, group: int) -> int:
        while (parent := self._groups[group].merged_into) is not None:
            group = parent
        return group

    def _add(self, key: Key, doc: Prepared, copy_key: str) -> Group | None:
        if key in self._group_of:
            raise ValueError(f"statement {key!r} is already indexed")
        self._arrival[key] = len(self._arrival)
        if doc.size < MIN_TERMS:
            self._group_of[key] = self._new_group(key)
            return None
        group, member = self._match(key, doc)
        self._copies.setdefault(copy_key, (group, key, doc.size))
        if member is None:
            self._group_of[key] = group
            return None
        return self._join(key, group, member)

    def _match(self, key: Key, doc: Prepared) -> tuple[int, Member | None]:
        """The group a statement belongs to (a new one if none fits) and how it is related to it."""
        known = self._fingerprints.get(doc.fingerprint)
        if known is not None:  # the same sentences, reordered
            explanation = Explanation(1.0, 1.0, 1.0, len(doc.sentences), 0, doc.size, identical=True)
            return self._root(known[0]), Member(key, known[1], explanation)
        self._weights.observe(doc)
        matrix = _Matrix(doc, self._weights)
        matches: dict[int, _Match] = {}  # best partner per group
        candidates = self._candidates(matrix)
        weight = float(self._weights.idf(matrix.term_ids).sum())
        for slot, found in candidates:
            representative = self._representatives[slot]
            group = self._root(representative.group)
            if group in matches:  # one partner per group decides; others would only add time
                continue
            placed = bool(matches) and max(m.alignment.score for m in matches.values()) >= NEAR_COPY
            if placed and found < SPLIT_LOOKUP * candidates[0][1]:
                break  # a near copy is placed; only a group just as close could be the same campaign
            if self._overlap(matrix, weight, representative.matrix) < MIN_OVERLAP:
                continue  # too few words in common to correspond sentence by sentence: not worth aligning
            alignment = _align(matrix, representative.matrix, self._weights)
            if alignment.joins:
                matches[group] = _Match(alignment, representative)
        if not matches:
            group = self._new_group(key)
            self._fingerprints[doc.fingerprint] = (group, key)
            self._represent(key, group, matrix)
            return group, None
        best = max(matches.values(), key=lambda m: (m.alignment.score, -m.representative.group))
        close = sorted(g for g, m in matches.items() if m.alignment.score >= MERGE_SCORE)
        if len(close) > 1:  # close to two groups: they are one campaign, the earliest lead leads
            for other in close[1:]:
                self._merge(other, close[0], key, matrix)
            group = close[0]
        else:
            group = self._root(best.representative.group)
        self._fingerprints.setdefault(doc.fingerprint, (group, key))
        if best.alignment.score < NEAR_COPY and self._groups[group].representatives < MAX_REPRESENTATIVES:
            self._represent(key, group, matrix)  # a variant that differs: later variants may resemble it more
        explanation = _explain(best.alignment, matrix, best.representative.matrix, self._weights)
        return group, Member(key, best.representative.key, explanation)

    def _overlap(self, matrix: _Matrix, weight: float, other: _Matrix) -> float:
        """The smaller share of the two texts' stem weight that they have in common."""
        common = float(self._weights.idf(np.intersect1d(matrix.term_ids, other.term_ids, assume_unique=True)).sum())
        return common / max(weight, float(self._weights.idf(other.term_ids).sum()))

    def _merge(self, group: int, into: int, bridge: Key, matrix: _Matrix) -> None:
        """Two groups turned out to be one campaign: a statement resembles both."""
        source, target = self._groups[group], self._groups[into]
        source.merged_into = into
        if source.lead_matrix is None:  # cannot happen: only represented statements are found as candidates
            raise RuntimeError(f"group of {source.lead!r} has no represented lead")
        alignment = _align(source.lead_matrix, matrix, self._weights)
        explanation = _explain(alignment, source.lead_matrix, matrix, self._weights)
        target.members.append(Member(source.lead, bridge, explanation, merged=True))
        target.members.extend(source.members)
        target.members.sort(key=lambda m: self._arrival[m.key])
        target.representatives += source.representatives
        source.members = []

    def _new_group(self, key: Key) -> int:
        self._groups.append(_GroupState(key))
        return len(self._groups) - 1

    def _join(self, key: Key, group: int, member: Member) -> Group:
        state = self._groups[group]
        state.members.append(member)
        self._group_of[key] = group
        return self._group(state)

    def _represent(self, key: Key, group: int, matrix: _Matrix) -> None:
        slot = len(self._representatives)
        self._representatives.append(_Representative(key, group, matrix))
        state = self._groups[group]
        state.representatives += 1
        if key == state.lead:
            state.lead_matrix = matrix
        for term in matrix.term_ids.tolist():
            self._postings.setdefault(term, array("i")).append(slot)

    def _candidates(self, matrix: _Matrix) -> list[tuple[int, float]]:
        """Representatives sharing the most of this text's rarest stems, strongest first, two per group at most."""
        terms = np.array([t for t in matrix.term_ids.tolist() if t in self._postings], dtype=np.int64)
        if not len(terms):
            return []
        idf = self._weights.idf(terms)
        common = max(50, len(self._representatives) // 20)  # a stem in every 20th text finds everything
        lists, weights = [], []
        for k in np.lexsort((terms, -idf))[:CANDIDATE_TERMS].tolist():
            postings = self._postings[int(terms[k])]
            if len(postings) <= common:
                lists.append(np.frombuffer(postings, dtype=np.int32))
                weights.append(float(idf[k]))
        if not lists:
            return []
        slots = np.concatenate(lists)
        scores = np.bincount(slots, np.repeat(weights, [len(x) for x in lists]), len(self._representatives))
        found = np.flatnonzero(scores)
        chosen: list[tuple[int, float]] = []
        per_group: dict[int, int] = {}
        for slot in found[np.lexsort((found, -scores[found]))].tolist():
            group = self._root(self._representatives[slot].group)
            if per_group.get(group, 0) < 2:  # a large campaign must not crowd out the rest
                per_group[group] = per_group.get(group, 0) + 1
                chosen.append((slot, float(scores[slot])))
                if len(chosen) == MAX_CANDIDATES:
                    break
        return chosen


WARM_UP = 2000  # statements whose sentences are counted before the first comparison


def build_index(statements: Iterable[tuple[Key, str]]) -> NearDuplicateIndex:
    """An index of (key, text) pairs, given in the order they arrived, ready for further statements.

    The word weights are first taken from the sentences of the first ``WARM_UP`` statements, so that the early
    comparisons already know which phrases everybody uses; then the statements are added one by one. Adding the
    last statements later, one at a time, gives the same groups as including them here.
    """
    index = NearDuplicateIndex()
    iterator = iter(statements)
    early = [(key, prepare(text)) for key, text in itertools.islice(iterator, WARM_UP)]
    for _, doc in early:
        index._weights.observe(doc)
    for key, doc in early:
        index._add(key, doc, _copy_key(list(_content_lines(doc.text))))
    for key, text in iterator:
        index.add(key, text)
    return index


def group_statements(statements: Iterable[tuple[Key, str]]) -> list[Group]:
    """Group (key, text) pairs, given in the order they arrived; the earliest statement of a group leads it."""
    return build_index(statements).groups()
