"""Suggestions in the Abwägung: segment proposals, keywords and answers, and what staff decide about them.

The engines (``mitwirken.analysis.segments``, ``.keywords``, ``.answers``) get texts and ids from here. What they
learn from a procedure (the keyword classifier, the index of answered segments) is trained by a task and kept in
``analysis.state``; a page only loads it (once per process and training, see ``_cached``) and asks it, so the
evaluate page costs the same few queries at 5,000 answered segments as at five. Every suggestion is a proposal:
accepting one calls the ordinary ``evaluation`` service, and every accept, adjust or reject is recorded with
``analysis.decisions.record``.
"""

from __future__ import annotations

import difflib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django_tasks import task

from mitwirken.analysis import answers, decisions, keywords, segments, state
from mitwirken.analysis.models import Decision, Outcome, SuggestionKind
from mitwirken.core.ids import parse_id
from mitwirken.core.permissions import require

from . import evaluation
from .models import Keyword, Procedure, Segment, Statement, TextBlock

ANSWERS_LOOKED_AT = 8  # neighbours fetched, so that three different responses remain after dropping repeats
RETRAIN_EVERY = 10  # changes to segments that enqueue another training while one is still waiting
_CACHE_SIZE = 16  # procedures whose trained states a process keeps unpickled
_cache: OrderedDict[str, tuple[Any, Any]] = OrderedDict()


def _keywords_key(module_id: int) -> str:
    return f"module:{module_id}:keywords"


def _answers_key(module_id: int) -> str:
    return f"module:{module_id}:answers"


def _queue_key(module_id: int) -> str:
    return f"module:{module_id}:retrain"


# --- trained states ----------------------------------------------------------------------------------------------


def _stamp(procedure: Procedure) -> int:
    """Grows with every segment cut or saved in the procedure (each save raises the segment's version)."""
    row = Segment.objects.filter(statement__procedure=procedure).aggregate(n=Count("id"), v=Sum("version"))
    return int(row["n"] or 0) + int(row["v"] or 0)


def _cached(key: str) -> Any:
    """The trained value under ``key``: one small query for its meta, the unpickling only after a new training."""
    meta = state.meta(key)
    if meta is None:
        return None
    hit = _cache.get(key)
    if hit is not None and hit[0] == meta.get("trained"):
        _cache.move_to_end(key)
        return hit[1]
    loaded = state.load(key)
    value = loaded[0] if loaded else None
    _cache[key] = (meta.get("trained"), value)
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return value


def train(procedure: Procedure) -> dict[str, int]:
    """Learn the keyword classifier and the answer index from what staff did in this procedure so far."""
    module_id = procedure.module_id
    stamp = _stamp(procedure)
    procedure_segments = Segment.objects.filter(statement__procedure=procedure)
    texts = dict(procedure_segments.values_list("pk", "text"))
    tags: dict[int, list[int]] = {}
    for segment_id, keyword_id in Segment.keywords.through.objects.filter(
        segment__statement__procedure=procedure
    ).values_list("segment_id", "keyword_id"):
        tags.setdefault(segment_id, []).append(keyword_id)
    model = keywords.train([(texts[pk], sorted(ids)) for pk, ids in sorted(tags.items()) if pk in texts])
    answered = procedure_segments.exclude(response="").values_list("pk", flat=True)
    index = answers.build_index((pk, texts[pk]) for pk in answered if pk in texts)
    trained = f"{stamp}:{len(tags)}:{len(texts)}"
    state.save(_keywords_key(module_id), model, stamp=stamp, trained=trained, samples=len(tags))
    state.save(_answers_key(module_id), index, stamp=stamp, trained=trained, answered=len(index) if index else 0)
    return {"stamp": stamp, "tagged": len(tags), "answered": len(index) if index else 0}


@task()
def retrain(procedure_id: int) -> dict[str, int]:
    """Retrain one procedure's suggestions; again at once if staff changed segments meanwhile."""
    procedure = Procedure.objects.get(pk=procedure_id)
    result = train(procedure)
    if _stamp(procedure) > result["stamp"]:
        _enqueue(procedure)
    return result


def _enqueue(procedure: Procedure) -> None:
    state.save(_queue_key(procedure.module_id), None, stamp=_stamp(procedure))
    retrain.enqueue(procedure.pk)


def _maybe_retrain(procedure: Procedure) -> None:
    """Debounced: one training waits at a time; a further one only after RETRAIN_EVERY more changes."""
    now = _stamp(procedure)
    trained = (state.meta(_keywords_key(procedure.module_id)) or {}).get("stamp", -1)
    queued = (state.meta(_queue_key(procedure.module_id)) or {}).get("stamp", -1)
    if now <= trained:
        return
    if queued <= trained or now - queued >= RETRAIN_EVERY:
        _enqueue(procedure)


def note_change(procedure: Procedure) -> None:
    """Staff cut, tagged or answered a segment: retrain after the transaction, if due."""
    transaction.on_commit(lambda: _maybe_retrain(procedure))


# --- what the evaluate page shows ----------------------------------------------------------------------------------


@dataclass
class SegmentProposal:
    key: str  # "start:end" in the statement's text
    text: str
    terms: tuple[str, ...]
    score: float
    keyword: Keyword | None = None
    keyword_score: float | None = None
    keyword_terms: tuple[str, ...] = ()


@dataclass
class AnswerOption:
    segment: Segment
    score: float
    terms: tuple[str, ...]
    blocks: list[TextBlock] = field(default_factory=list)  # text blocks its response is made of


def _keyword_rows(keyword_list: list[Keyword]) -> list[tuple[int, str, str]]:
    return [(k.pk, k.name, k.topic.name) for k in keyword_list]


def _rejected(procedure: Procedure, statement: Statement) -> set[tuple[str, str]]:
    rows = Decision.objects.filter(
        module=procedure.module, outcome=Outcome.REJECTED, detail__statement=statement.pk
    ).values_list("kind", "detail")
    return {(kind, str(detail.get("key"))) for kind, detail in rows}


def _refused(rejected: set[tuple[str, str]], kind: str, segment_id: int) -> set[int]:
    """The ids rejected for one segment (keys ``<segment>:<id>``)."""
    out = set()
    for decided_kind, key in rejected:
        first, _sep, rest = key.partition(":")
        if decided_kind == kind and first == str(segment_id) and rest.isdigit():
            out.add(int(rest))
    return out


def _located(statement: Statement, segment_texts: list[str]) -> list[tuple[int, int]]:
    spans = []
    for text in segment_texts:
        start = statement.text.find(text)
        if start >= 0:
            spans.append((start, start + len(text)))
    return spans


def proposals_for(
    statement: Statement, *, index: answers.AnswerIndex | None, model: keywords.KeywordModel | None,
    keyword_list: list[Keyword], taken: list[str], rejected: set[tuple[str, str]],
) -> list[SegmentProposal]:  # fmt: skip
    """The proposed passages that no segment covers yet and nobody rejected, each with a proposed keyword."""
    covered = _located(statement, taken)
    by_id = {k.pk: k for k in keyword_list}
    rows = _keyword_rows(keyword_list)
    out = []
    for proposal in segments.propose(statement.text, idf=index.idf() if index else None):
        key = f"{proposal.start}:{proposal.end}"
        if (SuggestionKind.SEGMENT, key) in rejected:
            continue
        if any(start < proposal.end and proposal.start < end for start, end in covered):
            continue
        item = SegmentProposal(key, proposal.text, proposal.terms, proposal.score)
        suggested = keywords.suggest(proposal.text, rows, model, top=1)
        if suggested:
            item.keyword = by_id[suggested[0].keyword_id]
            item.keyword_score, item.keyword_terms = suggested[0].score, suggested[0].terms
        out.append(item)
    return out


def for_evaluate(
    *, procedure: Procedure, statement: Statement, segment_forms: list[tuple[Segment, Any]], query: Any = None
) -> dict[str, Any]:
    """Context for the evaluate page: proposals, and on each segment its keyword and answer suggestions.

    ``query`` (the request's GET) may name an answer to put into a segment's response field
    (``antwort=<segment>:segment:<id>`` or ``…:block:<id>``): the no-script way to take a suggestion.
    """
    module_id = procedure.module_id
    model = _cached(_keywords_key(module_id))
    index = _cached(_answers_key(module_id))
    keyword_list = list(Keyword.objects.filter(topic__procedure=procedure).select_related("topic"))
    rows = _keyword_rows(keyword_list)
    by_id = {k.pk: k for k in keyword_list}
    rejected = _rejected(procedure, statement)
    own = [segment for segment, _form in segment_forms]
    proposals = proposals_for(statement, index=index, model=model, keyword_list=keyword_list,
                              taken=[s.text for s in own], rejected=rejected)  # fmt: skip
    wanted: dict[int, list[answers.AnswerSuggestion]] = {}
    for segment in own:
        tagged = {k.pk for k in segment.keywords.all()}
        refused = _refused(rejected, SuggestionKind.KEYWORD, segment.pk)
        segment.keyword_suggestions = [  # type: ignore[attr-defined]
            (by_id[s.keyword_id], s) for s in keywords.suggest(segment.text, rows, model, exclude=tagged | refused)
        ]
        if index is not None and not segment.response.strip():
            refused_answers = _refused(rejected, SuggestionKind.ANSWER, segment.pk)
            wanted[segment.pk] = index.nearest(
                segment.text, exclude={segment.pk} | refused_answers, top=ANSWERS_LOOKED_AT
            )
    sources = {s.segment_id for found in wanted.values() for s in found}
    answered = Segment.objects.filter(pk__in=sources, statement__procedure=procedure).exclude(response="")
    answered_by_id = {s.pk: s for s in answered.select_related("statement").only(
        "id", "number", "text", "response", "result", "statement__reference")}  # fmt: skip
    blocks = list(TextBlock.objects.filter(procedure=procedure))
    for segment in own:
        options: list[AnswerOption] = []
        shown: set[str] = set()
        for found in wanted.get(segment.pk, []):
            source = answered_by_id.get(found.segment_id)
            # The same response once (the most similar segment that got it): a standard answer is one choice.
            if source is not None and _normalised(source.response) not in shown and len(options) < answers.TOP:
                shown.add(_normalised(source.response))
                used = [b for b in blocks if b.text.strip() and b.text.strip() in source.response]
                options.append(AnswerOption(source, found.score, found.terms, used))
        segment.answer_suggestions = options  # type: ignore[attr-defined]
    for segment, form in segment_forms:  # a page shown again after a post keeps which suggestion was taken
        posted = form.data.get(f"{form.prefix}-answer_from", "") if form.is_bound else ""
        segment.answer_from = str(posted)[:40]  # type: ignore[attr-defined]
    _prefill(query, segment_forms, answered_by_id, blocks)
    return {"segment_proposals": proposals, "suggestion_keywords": keyword_list}


def _prefill(query: Any, segment_forms: list[tuple[Segment, Any]], answered: dict[int, Segment],
             blocks: list[TextBlock]) -> None:  # fmt: skip
    chosen = (query or {}).get("antwort", "")
    parts = str(chosen).split(":")
    if len(parts) != 3 or parse_id(parts[0]) is None or parse_id(parts[2]) is None:
        return
    for segment, form in segment_forms:
        if segment.pk != parse_id(parts[0]) or form.is_bound or segment.response.strip():
            continue
        text = _source_text(parts[1], int(parts[2]), answered, blocks)
        if text is not None:
            form.initial["response"] = text
            segment.answer_from = f"{parts[1]}:{parts[2]}"  # type: ignore[attr-defined]


def _source_text(kind: str, pk: int, answered: dict[int, Segment], blocks: list[TextBlock]) -> str | None:
    if kind == "segment" and pk in answered:
        return answered[pk].response
    if kind == "block":
        return next((b.text for b in blocks if b.pk == pk), None)
    return None


# --- decisions -----------------------------------------------------------------------------------------------------


def _record(actor: Any, procedure: Procedure, kind: str, outcome: str, score: float | None,
            detail: dict[str, Any]) -> Decision:  # fmt: skip
    return decisions.record(
        actor=actor, organisation=procedure.module.project.organisation, module=procedure.module, kind=kind,
        outcome=outcome, score=score, detail=detail,
    )  # fmt: skip


def _proposal(statement: Statement, key: str) -> segments.Proposal:
    index = _cached(_answers_key(statement.procedure.module_id))
    for proposal in segments.propose(statement.text, idf=index.idf() if index else None):
        if f"{proposal.start}:{proposal.end}" == key:
            return proposal
    raise ValidationError(_("Dieser Vorschlag gilt nicht mehr. Bitte laden Sie die Seite neu."))


@transaction.atomic
def proposal_accept(
    *, actor: Any, statement: Statement, key: str, text: str, keyword_id: int | None,
    proposed_keyword_id: int | None,
) -> Segment:  # fmt: skip
    """Cut the proposed passage (or the person's adjusted one, verbatim from the statement) and tag its keyword."""
    procedure = statement.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    proposal = _proposal(statement, key)
    keyword = None
    if keyword_id is not None:
        keyword = Keyword.objects.filter(topic__procedure=procedure, pk=keyword_id).first()
        if keyword is None:
            raise ValidationError({"keyword": _("Unbekanntes Schlagwort.")})
    segment = evaluation.segment_create(actor=actor, statement=statement, text=text)
    if keyword is not None:
        segment = evaluation.segment_update(
            actor=actor, segment=segment, version=segment.version, response=segment.response,
            result=segment.result, status=segment.status, keyword_ids=[keyword.pk],
        )  # fmt: skip
    same_text = segment.text == proposal.text.strip()
    same_keyword = keyword_id == proposed_keyword_id
    _record(actor, procedure, SuggestionKind.SEGMENT,
            Outcome.ACCEPTED if same_text and same_keyword else Outcome.ADJUSTED, proposal.score,
            {"statement": statement.pk, "key": key, "segment": segment.pk, "proposed": proposal.text,
             "terms": list(proposal.terms), "taken": segment.text if not same_text else None,
             "proposed_keyword": proposed_keyword_id, "keyword": keyword_id})  # fmt: skip
    note_change(procedure)
    return segment


@transaction.atomic
def proposal_reject(*, actor: Any, statement: Statement, key: str) -> Decision:
    procedure = statement.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    proposal = _proposal(statement, key)
    return _record(actor, procedure, SuggestionKind.SEGMENT, Outcome.REJECTED, proposal.score,
                   {"statement": statement.pk, "key": key, "proposed": proposal.text,
                    "terms": list(proposal.terms)})  # fmt: skip


def _keyword_suggestion(segment: Segment, keyword: Keyword) -> keywords.KeywordSuggestion | None:
    procedure = segment.statement.procedure
    model = _cached(_keywords_key(procedure.module_id))
    rows = [(k.pk, k.name, k.topic.name) for k in Keyword.objects.filter(topic__procedure=procedure)
            .select_related("topic")]  # fmt: skip
    found = keywords.suggest(segment.text, rows, model, top=len(rows))
    return next((s for s in found if s.keyword_id == keyword.pk), None)


def _segment_keyword(segment: Segment, keyword_id: int) -> Keyword:
    keyword = Keyword.objects.filter(topic__procedure=segment.statement.procedure, pk=keyword_id).first()
    if keyword is None:
        raise ValidationError(_("Unbekanntes Schlagwort."))
    return keyword


@transaction.atomic
def keyword_accept(*, actor: Any, segment: Segment, keyword_id: int) -> Segment:
    """Tag the segment with the suggested keyword (its other keywords, response and result stay)."""
    procedure = segment.statement.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    keyword = _segment_keyword(segment, keyword_id)
    suggestion = _keyword_suggestion(segment, keyword)
    current = Segment.objects.select_for_update().get(pk=segment.pk)
    current.statement = segment.statement
    tagged = list(current.keywords.values_list("pk", flat=True))
    updated = evaluation.segment_update(
        actor=actor, segment=current, version=current.version, response=current.response, result=current.result,
        status=current.status, keyword_ids=[*tagged, keyword.pk],
    )  # fmt: skip
    _record(actor, procedure, SuggestionKind.KEYWORD, Outcome.ACCEPTED, suggestion.score if suggestion else None,
            {"statement": segment.statement_id, "segment": segment.pk, "key": f"{segment.pk}:{keyword.pk}",
             "keyword": str(keyword), "terms": list(suggestion.terms) if suggestion else [],
             "method": suggestion.method if suggestion else None})  # fmt: skip
    note_change(procedure)
    return updated


@transaction.atomic
def keyword_reject(*, actor: Any, segment: Segment, keyword_id: int) -> Decision:
    procedure = segment.statement.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    keyword = _segment_keyword(segment, keyword_id)
    suggestion = _keyword_suggestion(segment, keyword)
    return _record(actor, procedure, SuggestionKind.KEYWORD, Outcome.REJECTED,
                   suggestion.score if suggestion else None,
                   {"statement": segment.statement_id, "segment": segment.pk, "key": f"{segment.pk}:{keyword.pk}",
                    "keyword": str(keyword), "terms": list(suggestion.terms) if suggestion else [],
                    "method": suggestion.method if suggestion else None})  # fmt: skip


def _answer_score(segment: Segment, source_id: int) -> tuple[float | None, list[str]]:
    index = _cached(_answers_key(segment.statement.procedure.module_id))
    if index is None:
        return None, []
    for found in index.nearest(segment.text, exclude={segment.pk}, top=len(index), min_score=0.0):
        if found.segment_id == source_id:
            return found.score, list(found.terms)
    return None, []


@transaction.atomic
def answer_reject(*, actor: Any, segment: Segment, source_id: int) -> Decision:
    """This answered segment is no model for this one: it is not suggested for it again."""
    procedure = segment.statement.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    source = Segment.objects.filter(statement__procedure=procedure, pk=source_id).first()
    if source is None:
        raise ValidationError(_("Diesen Antwortvorschlag gibt es nicht mehr."))
    score, terms = _answer_score(segment, source_id)
    return _record(actor, procedure, SuggestionKind.ANSWER, Outcome.REJECTED, score,
                   {"statement": segment.statement_id, "segment": segment.pk, "key": f"{segment.pk}:{source_id}",
                    "source": "segment", "terms": terms})  # fmt: skip


def _normalised(text: str) -> str:
    return " ".join(text.split())


def segment_saved(*, actor: Any, segment: Segment, answer_from: str, response: str) -> Decision | None:
    """After the evaluate page saved a segment: retrain if due, and log a taken answer suggestion.

    ``answer_from`` is the hidden field the page filled when the person took a suggestion (``segment:<id>`` or
    ``block:<id>``). The saved response is compared with that suggestion as it is now: the same text (spacing
    aside) is *accepted*, a text that still contains most of it *adjusted*, anything else *rejected* (taken, then
    replaced). Nothing is logged when no suggestion was taken, so typing an answer by hand counts for nothing.
    """
    procedure = segment.statement.procedure
    note_change(procedure)
    kind, _sep, raw = (answer_from or "").partition(":")
    source_id = parse_id(raw)
    if kind not in ("segment", "block") or source_id is None:
        return None
    if kind == "segment":
        source = Segment.objects.filter(statement__procedure=procedure, pk=source_id).exclude(pk=segment.pk).first()
        suggested = source.response if source else None
        score, terms = _answer_score(segment, source_id)
    else:
        block = TextBlock.objects.filter(procedure=procedure, pk=source_id).first()
        suggested, score, terms = (block.text if block else None), None, []
    if suggested is None:
        return None
    saved, wanted = _normalised(response), _normalised(suggested)
    if saved == wanted:
        outcome = Outcome.ACCEPTED
    elif saved and difflib.SequenceMatcher(None, wanted, saved, autojunk=False).ratio() >= 0.5:
        outcome = Outcome.ADJUSTED
    else:
        outcome = Outcome.REJECTED
    return _record(actor, procedure, SuggestionKind.ANSWER, outcome, score,
                   {"statement": segment.statement_id, "segment": segment.pk,
                    "key": f"{segment.pk}:{source_id}" if kind == "segment" else f"{segment.pk}:block:{source_id}",
                    "source": kind, "source_id": source_id, "terms": terms,
                    "changed": outcome != Outcome.ACCEPTED})  # fmt: skip
