"""Results of a survey, aggregated in SQL with a number of queries that does not grow with the responses.

One ``build`` reads: the respondents (1 query), the answers counted per question, matrix row and option (1), the
respondents per question (1), mean/min/max of numbers, scales and dates (1), the medians of all numeric questions
(1, with window functions, which SQLite ≥ 3.25 and PostgreSQL both have), and per question with free texts a page
of them (2) and per location question its points (1). Filters (an option of a single-choice question, a date
range of submission) become one subquery of response ids that every read shares.

The public page uses the same reads with ``public=True``: only the questions staff chose, and only the free texts
staff selected one by one.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page as PaginatorPage
from django.db import connection
from django.db.models import Aggregate, Avg, Count, DecimalField, F, Max, Min, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from mitwirken.core.pagination import CountedPaginator

from . import questions
from .models import Answer, Question, QuestionType, Response, Survey, new_results_key
from .questionnaire import Questionnaire

TEXT_PAGE_SIZE = 20
MAP_POINTS = 500  # per location question: more points say nothing more on a map and make the page heavy
PUBLIC_DECIMALS = 3  # published locations are rounded to about 100 m, so a home address does not show
TONES = 8  # colour classes of stacked bars (matrix), cycled

# Questions a filter may name: one answer per respondent, chosen from a fixed list.
FILTER_TYPES = (QuestionType.SINGLE, QuestionType.YES_NO, QuestionType.SCALE)
CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.YES_NO, QuestionType.SCALE)
NUMERIC_TYPES = (QuestionType.NUMBER, QuestionType.SCALE)
TEXT_TYPES = (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)


# --- filters ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Which responses count: those that chose ``choice`` in question ``question_id``, submitted in a range."""

    question_id: int | None = None
    choice: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    @property
    def active(self) -> bool:
        return bool(self.question_id or self.date_from or self.date_to)


def filter_choices(questionnaire: Questionnaire) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for the filter field: one group per single-choice question, ``"<pk>:<option>"`` each."""
    groups = []
    for question in questionnaire.questions:
        if question.type in FILTER_TYPES:
            options = [(f"{question.pk}:{choice.code}", choice.label) for choice in choices_of(questionnaire, question)]
            groups.append((question.text, options))
    return groups


def parse_filter(questionnaire: Questionnaire, value: str) -> tuple[int, str] | None:
    """``"<pk>:<option>"`` from the filter field, checked against the questionnaire; ``None`` otherwise."""
    pk, _sep, code = (value or "").partition(":")
    question = next((q for q in questionnaire.questions if str(q.pk) == pk and q.type in FILTER_TYPES), None)
    if question is None or code not in {choice.code for choice in choices_of(questionnaire, question)}:
        return None
    return question.pk, code


def responses(survey: Survey, filters: Filters) -> QuerySet[Response]:
    chosen = Response.objects.filter(survey=survey)
    if filters.date_from:
        chosen = chosen.filter(submitted_on__gte=filters.date_from)
    if filters.date_to:
        chosen = chosen.filter(submitted_on__lte=filters.date_to)
    if filters.question_id:
        chosen = chosen.filter(
            pk__in=Answer.objects.filter(question_id=filters.question_id, choice=filters.choice).values("response_id")
        )
    return chosen


def answers_of(survey: Survey, question_ids: list[int], filters: Filters) -> QuerySet[Answer]:
    """The answers that count. Unfiltered, no subquery: the answers of the survey's questions are all of them."""
    answers = Answer.objects.filter(question_id__in=question_ids)
    if filters.active:
        answers = answers.filter(response_id__in=responses(survey, filters).values("pk"))
    return answers


# --- what the page shows --------------------------------------------------------------------------------------


@dataclass
class Bar:
    code: str
    label: str
    count: int
    percent: float
    tone: int = 0

    @property
    def width(self) -> int:
        """The CSS class step (``survey-w-<n>``): whole percent, so the strict CSP needs no inline style."""
        return max(0, min(100, round(self.percent)))


@dataclass
class MatrixLine:
    code: str
    label: str
    answered: int
    bars: list[Bar]


@dataclass
class Ranked:
    code: str
    label: str
    mean_rank: float | None
    firsts: int
    first_percent: float

    @property
    def width(self) -> int:
        return max(0, min(100, round(self.first_percent)))


@dataclass
class Stats:
    count: int = 0
    mean: Decimal | None = None
    median: Decimal | None = None
    minimum: Any = None
    maximum: Any = None


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    bars: list[Bar] = field(default_factory=list)
    matrix: list[MatrixLine] = field(default_factory=list)
    scale: list[Bar] = field(default_factory=list)  # the answer scale of a matrix, for the legend
    ranking: list[Ranked] = field(default_factory=list)
    stats: Stats | None = None
    texts: PaginatorPage | None = None
    text_param: str = ""
    text_query: str = ""  # the other parameters of the page, kept by this list's page links
    points: list[dict[str, Any]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """Which part of ``results_question.html`` draws the question."""
        kind = self.question.type
        if kind in CHOICE_TYPES:
            return "choice"
        return "text" if kind in TEXT_TYPES else str(kind)

    @property
    def multiple(self) -> bool:
        return self.question.type == QuestionType.MULTIPLE

    @property
    def anchor(self) -> str:
        return f"frage-{self.question.code}"

    @property
    def points_id(self) -> str:
        return f"orte-{self.question.pk}"

    @property
    def list_id(self) -> str:
        return f"{self.question.code}-orte"


@dataclass
class Results:
    respondents: int
    items: list[QuestionResult]
    filters: Filters
    public: bool

    @property
    def points(self) -> list[dict[str, Any]]:
        return [point for item in self.items for point in item.points]


def choices_of(questionnaire: Questionnaire, question: Question) -> list[questions.Choice]:
    """The options in their order (answer sets, scales and yes/no included), with "Sonstiges" where offered."""
    choices = list(questionnaire.item(question).field.choices)
    if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE) and question.config.get("other"):
        choices.append(questions.Choice(questions.OTHER, _("Sonstiges")))
    return choices


def percent(count: int, total: int) -> float:
    return 100.0 * count / total if total else 0.0


def text_param(question: Question) -> str:
    """Each question's free texts page on their own (``?texte-<code>=2``), so paging one keeps the others."""
    return f"texte-{question.code}"


def build(
    survey: Survey, questionnaire: Questionnaire, *, filters: Filters | None = None, public: bool = False,
    pages: Mapping[str, str] | None = None,
) -> Results:  # fmt: skip
    filters = filters or Filters()
    shown = [q for q in questionnaire.questions if questions.has_answer(q.type) and (q.publish or not public)]
    ids = [question.pk for question in shown]
    answers = answers_of(survey, ids, filters)
    tally = _tally(survey, answers, shown, filters)
    items = []
    for question in shown:
        item = QuestionResult(question, answered=tally.answered.get(question.pk, 0))
        _fill(item, questionnaire, tally.groups.get(question.pk, {}), tally.stats.get(question.pk))
        if has_texts(question):
            item.text_param = text_param(question)
            texts = _text_count(question, tally.groups.get(question.pk, {}), public)
            item.texts = _texts(answers, question, public, texts, (pages or {}).get(item.text_param))
            item.text_query = urlencode(
                [(key, value) for key, value in (pages or {}).items() if key != item.text_param]
            )
        if question.type == QuestionType.LOCATION:
            item.points = _points(question, tally.points.get(question.pk, []), public)
        items.append(item)
    return Results(tally.respondents, items, filters, public)


# --- the cache ------------------------------------------------------------------------------------------------

# The counts are read anew only when the answers changed: the key names the survey's state of answers
# (``Survey.results_key``, new with every submission and every edit that removes answers), the questions shown and
# the filters. With them: how many free texts each question has and the map points (through a filter, each cost a
# scan of the question's answers). The pages of free texts are read on every request (staff select from them).
CACHE_SECONDS = 24 * 3600


@dataclass
class Tally:
    """What the counting queries found: everything of the results that grows with the answers."""

    respondents: int
    groups: Groups
    answered: dict[int, int]
    stats: dict[int, Stats]
    points: dict[int, list[tuple[Any, Any]]]  # (lat, lon) of the first MAP_POINTS places per location question


def cache_key(survey: Survey, shown: list[tuple[int, str]], filters: Filters) -> str:
    """Read from the database, not from ``survey``: an instance loaded before a submission has the old key."""
    state = Survey.objects.filter(pk=survey.pk).values_list("results_key", flat=True).first()
    # "v2": the tally also holds the counts of free texts and the map points; one cached before has neither.
    what = repr((shown, filters.question_id, filters.choice, filters.date_from, filters.date_to))
    return f"surveys:results:v2:{survey.pk}:{state}:{hashlib.sha256(what.encode()).hexdigest()[:24]}"


def changed(survey: Survey | int) -> None:
    """Retire the cached results of a survey: call it in every write that adds, removes or alters answers, in the
    same transaction (a rollback then keeps the old key, which still names the answers as they are)."""
    Survey.objects.filter(pk=getattr(survey, "pk", survey)).update(results_key=new_results_key())


def _tally(survey: Survey, answers: QuerySet[Answer], shown: list[Question], filters: Filters) -> Tally:
    # With the types: how a question is counted depends on it (distinct respondents, medians, date ranges).
    key = cache_key(survey, [(q.pk, q.type) for q in shown], filters)
    found = cache.get(key)
    if found is None:
        groups = _groups(answers, shown)
        found = Tally(responses(survey, filters).count(), dict(groups), _answered(answers, shown, groups),
                      _stats(answers, shown, groups), _point_rows(answers, shown))  # fmt: skip
        cache.set(key, found, CACHE_SECONDS)
    return found


# --- the reads ------------------------------------------------------------------------------------------------


Groups = dict[int, dict[tuple[str, str], dict[str, Any]]]


def _groups(answers: QuerySet[Answer], shown: list[Question]) -> Groups:
    """One pass over the answers, grouped by question, matrix row and chosen code: the count and the aggregates
    that the tallies, the respondent counts and the statistics are all made of. Answers without a code (texts,
    numbers, dates, places) form one group per question."""
    rows = (
        answers.filter(question_id__in=[q.pk for q in shown]).values("question_id", "row", "choice")
        .annotate(n=Count("id"), mean=Avg("number"), firsts=Count("id", filter=Q(number=1)), low=Min("number"),
                  high=Max("number"), first=Min("date"), last=Max("date"), texts=Count("id", filter=~Q(text="")),
                  published=Count("id", filter=~Q(text="") & Q(text_published=True)))
        .order_by()
    )  # fmt: skip
    found: Groups = defaultdict(dict)
    for row in rows:
        found[row["question_id"]][(row["row"], row["choice"])] = row
    return found


# Types whose answer is several rows (one per chosen option, matrix row or ranked item): only there do respondents
# have to be counted DISTINCT, which is the expensive kind of count.
MULTI_ROW_TYPES = (QuestionType.MULTIPLE, QuestionType.MATRIX, QuestionType.RANKING)


def _answered(answers: QuerySet[Answer], shown: list[Question], groups: Groups) -> dict[int, int]:
    """Respondents per question: the rows of a single-row answer (from the groups), distinct responses where an
    answer has several rows."""
    found = {q.pk: sum(group["n"] for group in groups.get(q.pk, {}).values())
             for q in shown if q.type not in MULTI_ROW_TYPES}  # fmt: skip
    several = [q.pk for q in shown if q.type in MULTI_ROW_TYPES]
    if several:
        rows = (
            answers.filter(question_id__in=several).values("question_id")
            .annotate(n=Count("response_id", distinct=True)).order_by()
        )  # fmt: skip
        found.update({row["question_id"]: row["n"] for row in rows})
    return found


def _stats(answers: QuerySet[Answer], shown: list[Question], groups: Groups) -> dict[int, Stats]:
    """Count, mean, median, minimum and maximum of numbers and scales; the range of dates."""
    found = {}
    for question in shown:
        parts = [group for group in groups.get(question.pk, {}).values() if group["n"]]
        if question.type == QuestionType.DATE and parts:
            found[question.pk] = Stats(sum(p["n"] for p in parts), minimum=min(p["first"] for p in parts),
                                       maximum=max(p["last"] for p in parts))  # fmt: skip
        elif question.type in NUMERIC_TYPES and parts:
            count = sum(p["n"] for p in parts)
            total = sum(_decimal(p["mean"]) * p["n"] for p in parts)  # type: ignore[operator]
            found[question.pk] = Stats(count, total / count, None, min(p["low"] for p in parts),
                                       max(p["high"] for p in parts))  # fmt: skip
    for question_id, median in _medians(answers, [q.pk for q in shown if q.type in NUMERIC_TYPES]).items():
        found[question_id].median = median
    return found


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5) WITHIN GROUP (ORDER BY …)``: one sort per question, no window."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DecimalField()


def _medians(answers: QuerySet[Answer], question_ids: list[int]) -> dict[int, Decimal]:
    """The median of every numeric question in one query.

    PostgreSQL has it built in (``Median``). Elsewhere (SQLite in development and tests) each answer gets its
    position within its question (ROW_NUMBER) and the question's count (COUNT OVER); only the rows at positions
    ⌊(n+1)/2⌋ and ⌊(n+2)/2⌋ come back – one for an odd count, two for an even one – and are averaged here.
    """
    if not question_ids:
        return {}
    numbers = answers.filter(question_id__in=question_ids, number__isnull=False)
    if connection.vendor == "postgresql":
        rows = numbers.values("question_id").annotate(median=Median("number")).order_by()
        return {row["question_id"]: Decimal(str(row["median"])) for row in rows}
    ranked = (
        numbers.annotate(position=Window(RowNumber(), partition_by=[F("question_id")], order_by=[F("number").asc(), F("id").asc()]),
                         total=Window(Count("id"), partition_by=[F("question_id")]))
        .filter(Q(position=(F("total") + 1) / 2) | Q(position=(F("total") + 2) / 2))
        .values_list("question_id", "number")
    )  # fmt: skip
    middles: dict[int, list[Decimal]] = defaultdict(list)
    for question_id, number in ranked:
        middles[question_id].append(Decimal(str(number)))
    return {question_id: sum(values, Decimal(0)) / len(values) for question_id, values in middles.items()}


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def has_texts(question: Question) -> bool:
    return question.type in TEXT_TYPES or (
        question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE) and bool(question.config.get("other"))
    )


def text_answers(answers: QuerySet[Answer], question: Question, public: bool) -> QuerySet[Answer]:
    """Free texts of a question (for a choice question: what "Sonstiges" says); public: only those selected."""
    texts = answers.filter(question_id=question.pk).exclude(text="")
    if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        texts = texts.filter(choice=questions.OTHER)
    if public:
        texts = texts.filter(text_published=True)
    return texts.order_by("response_id", "pk").only("pk", "text", "text_published", "response_id")


def _text_count(question: Question, groups: dict[tuple[str, str], dict[str, Any]], public: bool) -> int:
    """How many texts ``text_answers`` lists, from the counted groups."""
    only_other = question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE)
    return sum(group["published" if public else "texts"] for (_row, choice), group in groups.items()
               if not only_other or choice == questions.OTHER)  # fmt: skip


def _texts(
    answers: QuerySet[Answer], question: Question, public: bool, count: int, number: str | None
) -> PaginatorPage:
    return CountedPaginator(text_answers(answers, question, public), TEXT_PAGE_SIZE, count=count).get_page(number)


def _point_rows(answers: QuerySet[Answer], shown: list[Question]) -> dict[int, list[tuple[Any, Any]]]:
    """The places of each location question (through a filter this reads many answers: it is cached)."""
    return {
        question.pk: list(
            answers.filter(question_id=question.pk, lat__isnull=False, lon__isnull=False)
            .order_by("response_id").values_list("lat", "lon")[:MAP_POINTS]
        )
        for question in shown if question.type == QuestionType.LOCATION
    }  # fmt: skip


def _points(question: Question, rows: list[tuple[Any, Any]], public: bool) -> list[dict[str, Any]]:
    digits = PUBLIC_DECIMALS if public else 6
    return [{"lat": round(float(lat or 0), digits), "lon": round(float(lon or 0), digits), "title": question.text,
             "url": f"#{question.code}-orte"} for lat, lon in rows]  # fmt: skip


# --- turning counts into bars ---------------------------------------------------------------------------------


def _fill(item: QuestionResult, questionnaire: Questionnaire, tally: dict[tuple[str, str], dict[str, Any]],
          stats: Stats | None) -> None:  # fmt: skip
    question = item.question
    item.stats = stats
    if question.type in CHOICE_TYPES:
        # Single choice: shares of those who answered add up to 100 %. Multiple choice: share of respondents
        # who answered the question and chose the option, so the shares add up to more than 100 %.
        item.bars = [_bar(choice, tally.get(("", choice.code), {}).get("n", 0), item.answered)
                     for choice in choices_of(questionnaire, question)]  # fmt: skip
    elif question.type == QuestionType.MATRIX:
        _fill_matrix(item, questionnaire, tally)
    elif question.type == QuestionType.RANKING:
        _fill_ranking(item, questionnaire, tally)


def _bar(choice: questions.Choice, count: int, total: int, tone: int = 0) -> Bar:
    return Bar(choice.code, choice.label, count, percent(count, total), tone)


def _fill_matrix(
    item: QuestionResult, questionnaire: Questionnaire, tally: dict[tuple[str, str], dict[str, Any]]
) -> None:
    field_ = questionnaire.item(item.question).field
    scale = list(field_.choices)
    item.scale = [Bar(choice.code, choice.label, 0, 0.0, index % TONES) for index, choice in enumerate(scale)]
    for row in field_.rows:
        counts = [tally.get((row.code, choice.code), {}).get("n", 0) for choice in scale]
        total = sum(counts)
        bars = [
            _bar(choice, count, total, index % TONES)
            for index, (choice, count) in enumerate(zip(scale, counts, strict=True))
        ]
        item.matrix.append(MatrixLine(row.code, row.label, total, bars))


def _fill_ranking(
    item: QuestionResult, questionnaire: Questionnaire, tally: dict[tuple[str, str], dict[str, Any]]
) -> None:
    ranked = []
    for choice in choices_of(questionnaire, item.question):
        found = tally.get(("", choice.code), {})
        mean = found.get("mean")
        firsts = found.get("firsts", 0)
        ranked.append(Ranked(choice.code, choice.label, None if mean is None else float(mean), firsts,
                             percent(firsts, item.answered)))  # fmt: skip
    # Best first: the lowest mean rank; items nobody ranked go last.
    item.ranking = sorted(ranked, key=lambda entry: (entry.mean_rank is None, entry.mean_rank or 0))
