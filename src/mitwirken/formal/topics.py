"""Topic proposals and summaries for a procedure: computed by the task worker, decided by staff.

The proposals of the last run are kept with ``analysis.state`` under ``module:<pk>:topics``; staff rename, merge,
discard or adopt them (an adopted proposal becomes one of the procedure's topics with keywords, through
``evaluation.keyword_add``). Every decision is audited and counted for the acceptance rates (kind "topic"). A new
run replaces the open proposals; topics adopted earlier stay what they are. Between runs, a new statement is placed
in the nearest proposal with the run's fitted steps (``place``), kept under ``module:<pk>:topics-placer``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from mitwirken.analysis import decisions, state
from mitwirken.analysis import summaries as summary_engine
from mitwirken.analysis import topics as topic_engine
from mitwirken.analysis.models import Decision, Outcome, SuggestionKind, TrainedState
from mitwirken.core.audit import log_action
from mitwirken.core.permissions import require

from . import evaluation, suggestions
from .models import Procedure, Statement, Topic

SHOWN_KINDS = (SuggestionKind.GROUP, SuggestionKind.TOPIC, SuggestionKind.SEGMENT, SuggestionKind.KEYWORD,
               SuggestionKind.ANSWER)  # fmt: skip
KEYWORDS = 5  # proposed keywords per topic: the top terms


@dataclass
class Entry:
    """One proposal as staff see it: the engine's proposal, its name, what happened to it, its summary."""

    proposal: topic_engine.TopicProposal
    name: str
    summary: list[summary_engine.SummarySentence]
    status: str = "open"  # open, adopted, discarded
    adjusted: bool = False  # renamed or merged: adopting it then counts as "adjusted"
    topic_id: int | None = None
    merged_from: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.proposal.key


def state_key(procedure: Procedure) -> str:
    return f"module:{procedure.module_id}:topics"


def placer_key(procedure: Procedure) -> str:
    return f"module:{procedure.module_id}:topics-placer"


def _voices(procedure: Procedure) -> tuple[list[tuple[int, str]], dict[int, int]]:
    """Each campaign once, by its lead (confirmed or proposed), weighted by its signers; members are skipped."""
    rows = (
        Statement.objects.filter(procedure=procedure, lead__isnull=True, proposed_lead__isnull=True)
        .annotate(confirmed=Count("members", distinct=True),
                  proposed=Count("proposed_members", distinct=True, filter=Q(proposed_members__lead__isnull=True)))
        .order_by("received_at", "pk").values_list("pk", "text", "confirmed", "proposed")
    )  # fmt: skip
    statements: list[tuple[int, str]] = []
    weights: dict[int, int] = {}
    for pk, text, confirmed, proposed in rows.iterator(chunk_size=2000):
        statements.append((pk, text))
        weights[pk] = 1 + confirmed + proposed
    return statements, weights


def compute(procedure: Procedure) -> list[Entry]:
    statements, weights = _voices(procedure)
    result = topic_engine.propose(statements, weights)
    texts = dict(statements)
    entries = [
        Entry(proposal, proposal.name, summary_engine.summarise(
            ((key, texts[key]) for key in proposal.members), proposal.centroid))
        for proposal in result.proposals
    ]  # fmt: skip
    state.save(state_key(procedure), entries, computed_at=timezone.now().isoformat(), k=result.k,
               statements=result.statements, counted=result.counted, placed=[],
               silhouettes={str(k): round(v, 3) for k, v in result.silhouettes.items()})  # fmt: skip
    if result.placer is not None:
        state.save(placer_key(procedure), result.placer)
    else:
        state.forget(placer_key(procedure))
    return entries


def place(procedure: Procedure, statement_ids: list[int]) -> int:
    """Count new statements into the proposals of the last run without re-clustering; returns how many.

    A member of a mass objection (proposed or confirmed) counts for its lead's proposal; any other statement
    joins the proposal whose centre is nearest (``Placer``). Each statement is counted once (the run's
    ``placed`` list), into open and adopted proposals, not into discarded ones.
    """
    loaded = state.load(placer_key(procedure))
    if loaded is None:
        return 0
    placer: topic_engine.Placer = loaded[0]
    with transaction.atomic():
        TrainedState.objects.select_for_update().filter(key=state_key(procedure)).first()
        current, meta = entries(procedure)
        if meta is None:
            return 0
        seen = set(meta.get("placed", []))
        by_part = {part: entry for entry in current for part in entry.key.split("+")}
        by_voice = {pk: entry for entry in current for pk in entry.proposal.members}
        rows = Statement.objects.filter(procedure=procedure, pk__in=statement_ids).exclude(pk__in=seen)
        counted = []
        for pk, text, lead, proposed in rows.order_by("pk").values_list("pk", "text", "lead_id", "proposed_lead_id"):
            if pk in by_voice:  # a voice of the run itself
                continue
            voice = lead or proposed
            entry = by_voice.get(voice) if voice else by_part.get(placer.place(text) or "")
            if entry is None or entry.status == "discarded":
                continue
            if not voice:
                entry.proposal.members.append(pk)
                by_voice[pk] = entry
            entry.proposal.size += 1
            counted.append(pk)
        if counted:
            _save(procedure, current, {**meta, "placed": sorted(seen | set(counted))})
        return len(counted)


@task()
def compute_topics(procedure_id: int) -> int:
    """Cluster the procedure's statements into topic proposals with summaries (one run replaces the last)."""
    procedure = Procedure.objects.get(pk=procedure_id)
    return len(compute(procedure))


def topics_recompute(*, actor: Any, procedure: Procedure) -> None:
    require(actor, "formal.manage_procedure", procedure.module)
    log_action(actor=actor, action="analysis.topics.compute", obj=procedure,
               organisation=procedure.module.project.organisation)  # fmt: skip
    transaction.on_commit(lambda: compute_topics.enqueue(procedure.pk), robust=True)
    # The keyword and answer suggestions learn from what is tagged so far too (a procedure whose segments were
    # tagged before the analysis existed has not been trained yet).
    suggestions.note_change(procedure)


def entries(procedure: Procedure) -> tuple[list[Entry], dict[str, Any] | None]:
    loaded = state.load(state_key(procedure))
    if loaded is None:
        return [], None
    return loaded[0], loaded[1]


# --- staff's decisions -----------------------------------------------------------------------------------------


def _locked(procedure: Procedure) -> tuple[list[Entry], dict[str, Any]]:
    TrainedState.objects.select_for_update().filter(key=state_key(procedure)).first()
    current, meta = entries(procedure)
    if meta is None:
        raise ValidationError(_("Es gibt keine Themenvorschläge; bitte berechnen Sie sie neu."))
    return current, meta


def _open(current: list[Entry], key: str) -> Entry:
    for entry in current:
        if entry.key == key and entry.status == "open":
            return entry
    raise ValidationError(_("Diesen Themenvorschlag gibt es nicht mehr; vielleicht wurde er gerade bearbeitet."))


def _save(procedure: Procedure, current: list[Entry], meta: dict[str, Any]) -> None:
    state.save(state_key(procedure), current, **meta)


def _decide(actor: Any, procedure: Procedure, entry: Entry, outcome: str, **detail: Any) -> None:
    decisions.record(
        actor=actor, organisation=procedure.module.project.organisation, module=procedure.module,
        kind=SuggestionKind.TOPIC, outcome=outcome,
        detail={"proposal": entry.key, "terms": entry.proposal.terms, "size": entry.proposal.size, **detail},
    )  # fmt: skip


def _name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ValidationError({"name": _("Bitte geben Sie einen Namen an.")})
    if len(name) > 120:
        raise ValidationError({"name": _("Der Name darf höchstens 120 Zeichen lang sein.")})
    return name


@transaction.atomic
def proposal_rename(*, actor: Any, procedure: Procedure, key: str, name: str) -> Entry:
    require(actor, "formal.manage_procedure", procedure.module)
    name = _name(name)
    current, meta = _locked(procedure)
    entry = _open(current, key)
    old, entry.name, entry.adjusted = entry.name, name, entry.adjusted or name != entry.proposal.name
    _save(procedure, current, meta)
    log_action(actor=actor, action="analysis.topics.rename", obj=procedure,
               organisation=procedure.module.project.organisation, changes={"from": old, "to": name})  # fmt: skip
    return entry


@transaction.atomic
def proposals_merge(*, actor: Any, procedure: Procedure, key: str, other: str) -> Entry:
    require(actor, "formal.manage_procedure", procedure.module)
    if key == other:
        raise ValidationError({"other": _("Bitte wählen Sie einen anderen Vorschlag zum Zusammenführen.")})
    current, meta = _locked(procedure)
    first, second = _open(current, key), _open(current, other)
    proposal = topic_engine.merge(first.proposal, second.proposal)
    summary = sorted(first.summary + second.summary, key=lambda s: -s.score)[: summary_engine.SENTENCES]
    merged = Entry(proposal, first.name if first.adjusted else proposal.name, summary, adjusted=True,
                   merged_from=[*(first.merged_from or [first.key]), *(second.merged_from or [second.key])])  # fmt: skip
    current = [entry for entry in current if entry not in (first, second)]
    current.insert(0, merged)
    _save(procedure, current, meta)
    log_action(actor=actor, action="analysis.topics.merge", obj=procedure,
               organisation=procedure.module.project.organisation, changes={"merged": [key, other]})  # fmt: skip
    return merged


@transaction.atomic
def proposal_discard(*, actor: Any, procedure: Procedure, key: str) -> None:
    require(actor, "formal.manage_procedure", procedure.module)
    current, meta = _locked(procedure)
    entry = _open(current, key)
    entry.status = "discarded"
    _save(procedure, current, meta)
    _decide(actor, procedure, entry, Outcome.REJECTED, merged_from=entry.merged_from)
    log_action(actor=actor, action="analysis.topics.discard", obj=procedure,
               organisation=procedure.module.project.organisation, changes={"proposal": entry.name})  # fmt: skip


def proposed_keywords(entry: Entry) -> list[str]:
    return entry.proposal.terms[:KEYWORDS]


def _keywords(value: str | list[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    keywords: list[str] = []
    for item in items:
        word = " ".join(item.split())
        if word and word not in keywords:
            if len(word) > 120:
                raise ValidationError({"keywords": _("Ein Schlagwort darf höchstens 120 Zeichen lang sein.")})
            keywords.append(word)
    if not keywords:
        raise ValidationError({"keywords": _("Bitte geben Sie mindestens ein Schlagwort an.")})
    return keywords


@transaction.atomic
def proposal_adopt(*, actor: Any, procedure: Procedure, key: str, name: str, keywords: str | list[str]) -> Topic:
    """Make the proposal one of the procedure's topics with these keywords (comma-separated or a list)."""
    require(actor, "formal.manage_procedure", procedure.module)
    name, words = _name(name), _keywords(keywords)
    current, meta = _locked(procedure)
    entry = _open(current, key)
    for word in words:
        keyword = evaluation.keyword_add(actor=actor, procedure=procedure, topic=name, keyword=word)
    topic = keyword.topic
    adjusted = entry.adjusted or name != entry.name or words != proposed_keywords(entry)
    entry.status, entry.topic_id, entry.name = "adopted", topic.pk, name
    _save(procedure, current, meta)
    _decide(actor, procedure, entry, Outcome.ADJUSTED if adjusted else Outcome.ACCEPTED, topic=name,
            keywords=words, merged_from=entry.merged_from)  # fmt: skip
    log_action(actor=actor, action="analysis.topics.adopt", obj=procedure,
               organisation=procedure.module.project.organisation,
               changes={"topic": name, "keywords": words, "proposal": entry.key})  # fmt: skip
    return topic


# --- what the page shows ---------------------------------------------------------------------------------------


@dataclass
class Shown:
    entry: Entry
    examples: list[Statement]
    summary: list[tuple[summary_engine.SummarySentence, Statement | None]]
    keywords: str


def page(procedure: Procedure, organisation: Any) -> dict[str, Any]:
    """The open proposals with their examples and summaries (one query for all statements), and the run's facts."""
    current, meta = entries(procedure)
    open_entries = [entry for entry in current if entry.status == "open"]
    wanted = {pk for entry in open_entries for pk in entry.proposal.examples}
    wanted |= {sentence.statement for entry in open_entries for sentence in entry.summary}
    statements = {s.pk: s for s in Statement.objects.filter(procedure=procedure, pk__in=wanted)
                  .only("pk", "reference", "text", "procedure_id")}  # fmt: skip
    kwargs = {"org_slug": organisation.slug, "project_pk": procedure.module.project_id,
              "module_pk": procedure.module_id}  # fmt: skip
    for statement in statements.values():
        statement.backoffice_url = reverse(  # type: ignore[attr-defined]
            "backoffice:procedure_statement", kwargs={**kwargs, "statement_pk": statement.pk}
        )
    shown = [
        Shown(entry, [statements[pk] for pk in entry.proposal.examples if pk in statements],
              [(sentence, statements.get(sentence.statement)) for sentence in entry.summary],
              ", ".join(proposed_keywords(entry)))
        for entry in open_entries
    ]  # fmt: skip
    done = [entry for entry in current if entry.status != "open"]
    computed_at = None
    if meta and meta.get("computed_at"):
        from datetime import datetime

        computed_at = datetime.fromisoformat(meta["computed_at"])
    return {"proposals": shown, "done": done, "meta": meta, "computed_at": computed_at}


def acceptance(procedure: Procedure) -> list[dict[str, Any]]:
    """Per kind of suggestion: decided, accepted, adjusted, rejected and the share taken (one query)."""
    rates = Decision.objects.filter(module=procedure.module).rates()
    return [{"kind": kind.value, **rates[kind.value]} for kind in SHOWN_KINDS]
