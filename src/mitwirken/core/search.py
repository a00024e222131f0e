"""Full-text search: PostgreSQL's German text search where production runs, word-by-word substring matching on SQLite.

A searchable model declares its document once, with a weight per field (A counts most)::

    search_document = search.document_field(title="A", text="B")

and lists ``search.DocumentIndex(fields=["search_document"], name=…)`` in its ``Meta.indexes``. On PostgreSQL the
document is a stored, generated ``tsvector`` column (``setweight(to_tsvector('german', …))``) with a GIN index: the
database keeps it current on every insert and update, bulk ones and data migrations included, so no code path can
forget it. German stemming finds inflected forms ("Radwege" finds "Radweg"), and every word is also matched as a
prefix, which finds compounds that begin with it ("Radweg" finds "Radwegenetz"). On SQLite the column stays NULL and
:func:`matching` looks for every word as a substring of the same fields: simple, correct, and fast enough for
development and the test suite.

:func:`highlight` marks the matches in a text for display. It stems with the same Snowball algorithm PostgreSQL
uses, so what is marked is what was found, on either database.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache, reduce
from operator import and_, or_
from typing import Any, TypeVar

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections, models
from django.db.models import F, Func, Q, Value
from django.db.models.lookups import Exact
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

CONFIG = "german"
FIELD = "search_document"
MAX_WORDS = 8
WEIGHTS = ("A", "B", "C", "D")

Q_ = TypeVar("Q_", bound=models.QuerySet[Any])


class Document(models.Func):
    """The weighted ``tsvector`` of some text fields of the same row; NULL on databases without text search."""

    output_field = SearchVectorField()

    def __init__(self, **weights: str) -> None:
        if not weights or any(weight not in WEIGHTS for weight in weights.values()):
            raise ValueError(f"weights must be one of {WEIGHTS}: {weights}")
        self.weights = weights
        super().__init__(*(F(name) for name in weights))

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:
        return "NULL", []

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        # Literals, not parameters: this is the expression of a generated column, i.e. part of DDL. The explicit
        # regconfig makes to_tsvector immutable, which PostgreSQL requires of a generated column.
        parts = []
        for expression, weight in zip(self.source_expressions, self.weights.values(), strict=True):
            sql, params = compiler.compile(expression)
            if params:
                raise ValueError("a search document is built from columns only")
            parts.append(f"setweight(to_tsvector('{CONFIG}'::regconfig, coalesce({sql}, '')), '{weight}')")
        return " || ".join(parts), []


def document_field(**weights: str) -> models.GeneratedField:
    """The stored search document of a model: ``document_field(title="A", text="B")``."""
    return models.GeneratedField(expression=Document(**weights), output_field=SearchVectorField(), db_persist=True)


class DocumentIndex(GinIndex):
    """The GIN index of a search document on PostgreSQL; elsewhere an ordinary index of the (NULL) column."""

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        return models.Index.create_sql(self, model, schema_editor, using=using, **kwargs)


def words(query: str) -> list[str]:
    """The words of a search as people type them; punctuation separates words and is never syntax."""
    return re.findall(r"\w+", query.lower())[:MAX_WORDS]


def fields_of(model: type[models.Model]) -> list[str]:
    field = model._meta.get_field(FIELD)
    return list(field.expression.weights)  # type: ignore[union-attr]


def uses_text_search(queryset: models.QuerySet[Any]) -> bool:
    return bool(connections[queryset.db].vendor == "postgresql")


def matching(queryset: Q_, query: str, *, also: Q | None = None) -> Q_:
    """The rows that contain every word of ``query``, annotated with ``search_rank`` (higher is better).

    ``also`` adds rows found another way, e.g. by their reference number; they rank like the rest.
    """
    terms = words(query)
    if not terms:  # only punctuation: nothing contains no word
        condition: Q = also if also is not None else Q(pk__in=[])
        return queryset.filter(condition).annotate(search_rank=Value(0.0, output_field=models.FloatField()))
    substrings = reduce(
        and_, (reduce(or_, (Q(**{f"{name}__icontains": term}) for name in fields_of(queryset.model))) for term in terms)
    )
    if uses_text_search(queryset):
        # Each word as a quoted lexeme with a prefix match; \\w+ leaves nothing that tsquery could read as syntax.
        tsquery = SearchQuery(" & ".join(f"'{term}':*" for term in terms), search_type="raw", config=CONFIG)
        # A search of stop words only ("ohne", "über alles") leaves an empty tsquery, which matches nothing; such a
        # search looks for the words as typed instead. to_tsquery and numnode are immutable, so PostgreSQL folds
        # the test while planning: for any other search the second branch is gone and the GIN index is used.
        only_stop_words: Exact[Any] = Exact(Func(tsquery, function="numnode", output_field=models.IntegerField()), 0)
        condition = Q(**{FIELD: tsquery}) | (Q(only_stop_words) & substrings)
        rank: Any = SearchRank(F(FIELD), tsquery)
    else:
        condition = substrings
        rank = Value(0.0, output_field=models.FloatField())
    if also is not None:
        condition |= also
    return queryset.filter(condition).annotate(search_rank=rank)


@cache
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer(CONFIG)


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    # Remembered: a page of search results stems every word of 20 texts, most of them words seen before.
    return str(_stemmer().stemWord(word.lower()))


def _matches(token: str, stems: list[str], terms: list[str]) -> bool:
    lowered = token.lower()
    stem = _stem(lowered)
    return any(stem.startswith(s) for s in stems) or any(term in lowered for term in terms)


def text_of_html(html: str) -> str:
    """The readable text of sanitised HTML (an idea's description), for :func:`highlight`."""
    from html import unescape

    from django.utils.html import strip_tags

    return unescape(strip_tags(html or ""))


def highlight(text: str, query: str, *, length: int = 0) -> SafeString:
    """``text`` escaped, with the words the search found in ``<mark>``.

    With ``length``, an excerpt of about that many characters around the first match (the start of the text when
    nothing matches), with "…" where it was cut.
    """
    terms = words(query)
    text = text or ""
    if not terms:
        shown = text if not length or len(text) <= length else text[:length].rstrip() + " …"
        return mark_safe(escape(shown))
    stems = [_stem(term) for term in terms]
    tokens = list(re.finditer(r"\w+", text))
    found = [token for token in tokens if _matches(token.group(), stems, terms)]
    start, end = 0, len(text)
    if length and len(text) > length:
        first = found[0].start() if found else 0
        start = max(0, first - length // 3)
        if start:  # begin at a word
            start = next((token.start() for token in tokens if token.start() >= start), start)
        end = min(len(text), start + length)
        if end < len(text):  # end after a word
            end = next((token.end() for token in reversed(tokens) if token.end() <= end), end)
    out: list[str] = ["… " if start else ""]
    position = start
    for token in found:
        if token.start() < start or token.end() > end:
            continue
        out.append(escape(text[position : token.start()]))
        out.append(f"<mark>{escape(token.group())}</mark>")
        position = token.end()
    out.append(escape(text[position:end]))
    out.append(" …" if end < len(text) else "")
    return mark_safe("".join(out))
