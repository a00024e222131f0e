"""Mass objections: the near-duplicate engine proposes groups, case workers confirm, take out, merge and split.

The engine (``mitwirken.analysis.nearduplicates``) keeps an index per procedure in ``analysis.state`` under
``module:<module id>:neardup``. A batch run (``regroup``) rebuilds it over all statements in arrival order; a new
statement is placed in it by ``place_statements`` (enqueue through ``enqueue_analysis``). Both write the proposal
onto the statements: ``proposed_lead``, ``group_score`` and ``group_explanation`` (why, and what the statement adds
to its lead, with offsets for highlighting).

What staff decided is never overwritten by the engine: a statement with a confirmed ``lead``, the lead of a
confirmed group and a statement taken out of a group (``grouping_declined``) keep what staff left them. Confirming,
merging and splitting are decisions, so they set ``lead``; every decision is audited and logged in
``analysis.decisions`` for the acceptance rates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_tasks import task

from mitwirken.analysis import decisions, state
from mitwirken.analysis.models import Decision, Outcome, SuggestionKind, TrainedState
from mitwirken.core.audit import log_action
from mitwirken.core.permissions import require

from . import topics
from .models import Procedure, Statement, StatementQuerySet

if TYPE_CHECKING:  # the engine (numpy, rapidfuzz) loads in the worker, not with every service that enqueues
    from mitwirken.analysis.nearduplicates import Group, Member, NearDuplicateIndex

BATCH = 500  # rows per bulk_update
PROPOSAL_FIELDS = ["proposed_lead", "group_score", "group_explanation"]


def state_key(procedure_id_or_module: Procedure | int) -> str:
    module_id = (
        procedure_id_or_module.module_id
        if isinstance(procedure_id_or_module, Procedure)
        else Procedure.objects.values_list("module_id", flat=True).get(pk=procedure_id_or_module)
    )
    return f"module:{module_id}:neardup"


# --- reading groups ----------------------------------------------------------------------------------------------


def members_of(lead: Statement | int) -> QuerySet[Statement]:
    """A group's members: confirmed under the lead, or proposed for it and neither confirmed elsewhere nor taken out."""
    return Statement.objects.filter(
        Q(lead=lead) | Q(lead__isnull=True, proposed_lead=lead, grouping_declined=False)
    ).order_by("received_at", "id")


def _count(queryset: QuerySet[Statement]) -> Any:
    # All rows are of one procedure: grouping by it counts them in one row, as a correlated subquery.
    return Coalesce(Subquery(queryset.order_by().values("procedure_id").annotate(n=Count("id")).values("n")[:1]), 0)


def group_leads(procedure: Procedure) -> StatementQuerySet:
    """The leads of the procedure's groups, proposed or confirmed, in arrival order, with their counts.

    Annotated: ``member_count``, ``confirmed_count``, ``own_point_count``; a page of leads costs one query
    whatever its groups' sizes.
    """
    confirmed = Statement.objects.filter(lead=OuterRef("pk"))
    pending = Statement.objects.filter(proposed_lead=OuterRef("pk"), lead__isnull=True, grouping_declined=False)
    members = Statement.objects.filter(
        Q(lead=OuterRef("pk")) | Q(proposed_lead=OuterRef("pk"), lead__isnull=True, grouping_declined=False)
    )
    return (
        Statement.objects.filter(procedure=procedure, lead__isnull=True)
        .filter(Exists(confirmed) | Exists(pending))
        .annotate(
            member_count=_count(members),
            confirmed_count=_count(confirmed),
            own_point_count=_count(members.filter(group_explanation__own_point=True)),
        )
        .order_by("received_at", "id")
    )


# --- proposals -----------------------------------------------------------------------------------------------------


@dataclass
class _Facts:
    """What staff decided, which the engine must leave alone."""

    lead_of: dict[int, int]  # confirmed member -> its lead
    declined: set[int]
    confirmed_leads: set[int]

    def owned_by_staff(self, pk: int) -> bool:
        return pk in self.lead_of or pk in self.declined or pk in self.confirmed_leads


def _facts(procedure_id: int, ids: Iterable[int] | None = None) -> _Facts:
    rows = Statement.objects.filter(procedure_id=procedure_id).filter(Q(lead__isnull=False) | Q(grouping_declined=True))
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    lead_of: dict[int, int] = {}
    declined: set[int] = set()
    for pk, lead_id, is_declined in rows.values_list("pk", "lead_id", "grouping_declined"):
        if lead_id is not None:
            lead_of[pk] = lead_id
        if is_declined:
            declined.add(pk)
    leads = Statement.objects.filter(procedure_id=procedure_id, lead__isnull=False)
    if ids is not None:
        leads = leads.filter(lead__in=list(ids))
    return _Facts(lead_of, declined, set(leads.values_list("lead_id", flat=True).distinct()))


def _proposals(group: Group, facts: _Facts) -> dict[int, tuple[int | None, Member | None]]:
    """Statement -> (proposed lead, how it was found) for the statements of one engine group that the engine owns.

    The lead is the group's earliest statement that was not taken out; if staff confirmed it under another lead,
    the group is proposed for that one, so nothing is ever nested.
    """
    members = {cast(int, member.key): member for member in group.members}
    keys = [cast(int, key) for key in group.keys]  # the engine is fed statement ids
    left = [key for key in keys if key not in facts.declined]
    if len(left) < 2:
        return {key: (None, None) for key in keys if not facts.owned_by_staff(key)}
    target = facts.lead_of.get(left[0], left[0])
    proposals: dict[int, tuple[int | None, Member | None]] = {}
    for key in keys:
        if facts.owned_by_staff(key):
            continue
        proposals[key] = (None, None) if key == target else (target, members.get(key))
    return proposals


def explanation(member: Member | None, lead_text: str, text: str) -> tuple[float | None, dict[str, Any]]:
    """The score and the stored explanation of a proposed member: why, shared terms, and what it adds to the lead."""
    from mitwirken.analysis.nearduplicates import what_it_adds

    additions = what_it_adds(lead_text, text)
    why = member.explanation if member is not None else additions.explanation
    return why.score, {
        "summary": why.summary(),
        "terms": list(why.terms),
        "identical": why.identical,
        "via": member.via if member is not None else None,
        "adds": [{"text": p.text, "start": p.start, "end": p.end} for p in additions.passages],
        "own_point": additions.substantial,
    }


def _texts(ids: Iterable[int]) -> dict[int, str]:
    return dict(Statement.objects.filter(pk__in=list(ids)).values_list("pk", "text"))


def _write(proposals: dict[int, tuple[int | None, Member | None]], *, force: Iterable[int] = ()) -> int:
    """Store proposals that differ from what the statements hold (and those in ``force``); returns how many."""
    forced = set(force)
    changed: list[Statement] = []
    written = 0
    ids = list(proposals)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        current = {
            pk: (lead, score)
            for pk, lead, score in Statement.objects.filter(pk__in=chunk).values_list(
                "pk", "proposed_lead_id", "group_score"
            )
        }
        todo = [
            pk for pk in chunk
            if pk in current and (pk in forced or current[pk][0] != proposals[pk][0]
                                  or (proposals[pk][0] is not None and current[pk][1] is None))
        ]  # fmt: skip
        if not todo:
            continue
        texts = _texts({*todo, *(lead for pk in todo if (lead := proposals[pk][0]) is not None)})
        for pk in todo:
            lead, member = proposals[pk]
            if lead is None:
                changed.append(Statement(pk=pk, proposed_lead_id=None, group_score=None, group_explanation={}))
            else:
                score, detail = explanation(member, texts.get(lead, ""), texts[pk])
                changed.append(Statement(pk=pk, proposed_lead_id=lead, group_score=score, group_explanation=detail))
        Statement.objects.bulk_update(changed, PROPOSAL_FIELDS, batch_size=BATCH)
        written += len(changed)
        changed.clear()
    return written


def _lock(procedure_id: int) -> None:
    """One placement or batch run per procedure at a time: the stored index is read, extended and written back.

    The lock is the state's own row, not the procedure's: submissions (which count on the procedure row) are
    never held up by a batch run.
    """
    key = state_key(procedure_id)
    TrainedState.objects.get_or_create(key=key, defaults={"data": b"", "meta": {}})  # empty: never loads
    TrainedState.objects.select_for_update().filter(key=key).values_list("pk", flat=True).first()
    if connection.vendor == "sqlite":  # no row locks: a write takes the database's write lock now, not at the end
        TrainedState.objects.filter(key=key).update(meta=F("meta"))


def _arrivals(procedure_id: int) -> Iterator[tuple[int, str]]:
    rows = Statement.objects.filter(procedure_id=procedure_id).order_by("received_at", "id")
    return rows.values_list("pk", "text").iterator(chunk_size=2000)


def _save(procedure_id: int, index: NearDuplicateIndex) -> None:
    state.save(state_key(procedure_id), index, statements=len(index), groups=len(index.groups()))


@task()
def regroup(procedure_id: int) -> int:
    """Batch run: rebuild the procedure's index over all statements and store every statement's proposal.

    Idempotent: a second run over the same statements changes nothing. Returns the number of groups.
    """
    with transaction.atomic():
        from mitwirken.analysis.nearduplicates import build_index

        _lock(procedure_id)
        placed: list[int] = []
        index = build_index(_recording(_arrivals(procedure_id), placed))
        facts = _facts(procedure_id)
        proposals: dict[int, tuple[int | None, Member | None]] = {}
        for group in index.groups():
            proposals.update(_proposals(group, facts))
        # Statements in no group any more lose an earlier proposal.
        stale = Statement.objects.filter(procedure_id=procedure_id, proposed_lead__isnull=False).values_list(
            "pk", flat=True
        )
        for pk in stale:
            if pk not in proposals and not facts.owned_by_staff(pk):
                proposals[pk] = (None, None)
        _write(proposals)
        _save(procedure_id, index)
        _mark_placed(placed)
        return len(index.groups())


def _recording(rows: Iterator[tuple[int, str]], placed: list[int]) -> Iterator[tuple[int, str]]:
    for pk, text in rows:
        placed.append(pk)
        yield pk, text


def _mark_placed(ids: list[int]) -> None:
    for start in range(0, len(ids), 5000):
        Statement.objects.filter(pk__in=ids[start : start + 5000], grouping_placed=False).update(grouping_placed=True)


@task()
def place_statements(procedure_id: int, statement_ids: list[int]) -> int:
    """Incremental: add new statements to the stored index (a batch run if there is none) and store their proposals.

    Takes every statement of the procedure not placed yet, not only ``statement_ids``: loading and writing the
    index of a large procedure costs seconds, so in a deadline rush the first task places all that arrived and the
    tasks queued after it end at once. Idempotent: a statement already in the index is not added again. Returns
    how many were added.
    """
    pending = Statement.objects.filter(procedure_id=procedure_id, grouping_placed=False)
    if not pending.exists():
        return 0
    with transaction.atomic():
        _lock(procedure_id)
        loaded = state.load(state_key(procedure_id))
        if loaded is None:
            regroup.call(procedure_id)
            return len(statement_ids)
        index: NearDuplicateIndex = loaded[0]
        added: list[int] = []
        placed: list[int] = []
        for pk, text in pending.order_by("received_at", "id").values_list("pk", "text"):
            placed.append(pk)
            try:
                index.group_of(pk)
            except KeyError:
                index.add(pk, text)
                added.append(pk)
        touched: set[int] = set()
        groups: list[Group] = []
        for pk in added:
            group = index.group_of(pk)
            if group is not None and group.lead not in touched:
                touched.update(cast(int, key) for key in group.keys)
                groups.append(group)
        facts = _facts(procedure_id, touched | set(added))
        proposals: dict[int, tuple[int | None, Member | None]] = {}
        for group in groups:
            proposals.update(_proposals(group, facts))
        _write(proposals)
        if added:
            _save(procedure_id, index)
        _mark_placed(placed)
    # Into the topic proposals too, once the groups are known (a campaign letter counts for its lead's topic).
    topics.place(Procedure.objects.get(pk=procedure_id), placed)
    return len(added)


def enqueue_analysis(procedure: Procedure, statement_ids: Iterable[int]) -> None:
    """Place new statements in the procedure's mass-objection groups once the current transaction commits.

    Call it from every service that creates statements (portal, staff recording, imports), inside the same
    transaction, with the new statements' ids; many ids in one call are one task. Nothing is enqueued if the
    transaction rolls back.
    """
    ids = [int(pk) for pk in statement_ids]
    if ids:
        procedure_id = procedure.pk
        transaction.on_commit(lambda: place_statements.enqueue(procedure_id, ids))


def start_regroup(*, actor: Any, procedure: Procedure) -> None:
    """The button „Gruppen neu berechnen“: a batch run in the background."""
    require(actor, "formal.manage_procedure", procedure.module)
    _audit(actor, "statements.regroup", procedure, procedure)
    procedure_id = procedure.pk
    transaction.on_commit(lambda: regroup.enqueue(procedure_id))


# --- staff decisions -----------------------------------------------------------------------------------------------


def _audit(actor: Any, action: str, obj: Any, procedure: Procedure, changes: dict[str, Any] | None = None) -> None:
    log_action(actor=actor, action=action, obj=obj, organisation=procedure.module.project.organisation, changes=changes)


def _decide(actor: Any, procedure: Procedure, outcome: str, score: float | None, detail: dict[str, Any]) -> None:
    decisions.record(
        actor=actor, organisation=procedure.module.project.organisation, module=procedure.module,
        kind=SuggestionKind.GROUP, outcome=outcome, score=score, detail=detail,
    )  # fmt: skip


def _locked_lead(procedure: Procedure, lead_id: int) -> Statement:
    lead = Statement.objects.select_for_update().filter(procedure=procedure, pk=lead_id).first()
    if lead is None:
        raise ValidationError(_("Diese Stellungnahme gehört nicht zu diesem Verfahren."))
    if lead.lead_id:
        raise ValidationError(
            _("Eine Stellungnahme, die selbst zu einer Gruppe gehört, kann keine Leitstellungnahme sein.")
        )
    return lead


def _confirm_under(lead: Statement, members: Iterable[Statement]) -> tuple[int, int]:
    """Set ``lead`` on members; those adding an own point need their own response. Returns (members, own points)."""
    updated, own = [], 0
    for member in members:
        member.lead_id = lead.pk
        member.proposed_lead_id = lead.pk
        member.grouping_declined = False
        if (member.group_explanation or {}).get("own_point"):
            member.needs_own_response = True
            own += 1
        updated.append(member)
    Statement.objects.bulk_update(
        updated, ["lead", "proposed_lead", "grouping_declined", "needs_own_response"], batch_size=BATCH
    )
    return len(updated), own


def _explain_against(lead: Statement, members: list[Statement]) -> None:
    """Recompute what each member adds to a (new) lead, keeping how it was found."""
    for member in members:
        old = member.group_explanation or {}
        score, detail = explanation(None, lead.text, member.text)
        if old.get("summary"):  # how the engine found it stays the reason given
            detail.update({k: old[k] for k in ("summary", "terms", "identical", "via") if k in old})
            score = member.group_score if member.group_score is not None else score
        member.group_score, member.group_explanation = score, detail
    Statement.objects.bulk_update(members, ["group_score", "group_explanation"], batch_size=BATCH)


@transaction.atomic
def group_confirm(*, actor: Any, procedure: Procedure, lead_id: int) -> int:
    """Confirm the group as it stands: every proposed member gets the lead; the lead's Abwägung serves them."""
    require(actor, "formal.manage_procedure", procedure.module)
    lead = _locked_lead(procedure, lead_id)
    pending = list(
        Statement.objects.select_for_update()
        .filter(procedure=procedure, proposed_lead=lead, lead__isnull=True, grouping_declined=False)
        .only("id", "group_explanation", "group_score")
    )  # fmt: skip
    count, own = _confirm_under(lead, pending)
    declined = Decision.objects.filter(  # staff took statements out of the proposal first: adjusted
        module=procedure.module, kind=SuggestionKind.GROUP, outcome=Outcome.REJECTED, detail__lead=lead.reference
    ).exists()
    scores = [s.group_score for s in pending if s.group_score is not None]
    _audit(actor, "statements.group", lead, procedure, {"members": count, "own_points": own})
    _decide(actor, procedure, Outcome.ADJUSTED if declined else Outcome.ACCEPTED, min(scores) if scores else None,
            {"action": "confirm", "lead": lead.reference, "members": count, "own_points": own})  # fmt: skip
    return count


@transaction.atomic
def group_move_out(*, actor: Any, procedure: Procedure, statement_id: int) -> Statement:
    """Take a statement out of its group; the engine does not propose it again."""
    require(actor, "formal.manage_procedure", procedure.module)
    statement = Statement.objects.select_for_update().filter(procedure=procedure, pk=statement_id).first()
    if statement is None:
        raise ValidationError(_("Diese Stellungnahme gehört nicht zu diesem Verfahren."))
    if members_of(statement).exists():
        raise ValidationError(_("Die Leitstellungnahme lässt sich nicht herausnehmen. Trennen Sie stattdessen die "
                                "übrigen Stellungnahmen als neue Gruppe ab."))  # fmt: skip
    lead_id = statement.lead_id or statement.proposed_lead_id
    if lead_id is None:
        raise ValidationError(_("Diese Stellungnahme gehört zu keiner Gruppe."))
    lead_reference = Statement.objects.values_list("reference", flat=True).get(pk=lead_id)
    Statement.objects.filter(pk=statement.pk).update(
        lead=None, proposed_lead=None, grouping_declined=True, needs_own_response=False
    )
    _audit(actor, "statements.ungroup", statement, procedure, {"lead": lead_reference})
    _decide(actor, procedure, Outcome.REJECTED, statement.group_score,
            {"action": "move_out", "lead": lead_reference, "statement": statement.reference,
             "explanation": statement.group_explanation})  # fmt: skip
    statement.refresh_from_db()
    return statement


@transaction.atomic
def group_merge(*, actor: Any, procedure: Procedure, lead_id: int, other_reference: str) -> Statement:
    """Two groups are one campaign: the later lead and its members join the earlier lead's group (confirmed)."""
    require(actor, "formal.manage_procedure", procedure.module)
    first = _locked_lead(procedure, lead_id)
    other_id = (
        Statement.objects.filter(procedure=procedure, reference__iexact=other_reference.strip())
        .values_list("pk", flat=True).first()
    )  # fmt: skip
    if other_id is None:
        raise ValidationError({"reference": _("Keine Stellungnahme mit dieser Vorgangsnummer in diesem Verfahren.")})
    other = _locked_lead(procedure, other_id)
    if other.pk == first.pk:
        raise ValidationError({"reference": _("Bitte nennen Sie die Leitstellungnahme einer anderen Gruppe.")})
    target, joining = sorted((first, other), key=lambda s: (s.received_at, s.pk))
    moved = [joining, *members_of(joining).select_for_update()]
    _explain_against(target, moved)
    count, own = _confirm_under(target, moved)
    others = list(members_of(target).filter(lead__isnull=True).select_for_update())
    extra, extra_own = _confirm_under(target, others)
    _audit(actor, "statements.group_merge", target, procedure, {"merged": joining.reference, "members": count + extra})
    _decide(actor, procedure, Outcome.ADJUSTED, None,
            {"action": "merge", "lead": target.reference, "merged": joining.reference, "members": count + extra,
             "own_points": own + extra_own})  # fmt: skip
    return target


@transaction.atomic
def group_split(*, actor: Any, procedure: Procedure, lead_id: int, member_ids: Iterable[int]) -> Statement:
    """The selected members form a group of their own under the earliest of them (confirmed)."""
    require(actor, "formal.manage_procedure", procedure.module)
    lead = _locked_lead(procedure, lead_id)
    chosen = list(members_of(lead).filter(pk__in=list(member_ids)).select_for_update())
    if len(chosen) < 2:
        raise ValidationError(_("Bitte wählen Sie mindestens zwei Stellungnahmen der Gruppe aus."))
    new_lead, *members = chosen  # members_of is in arrival order
    Statement.objects.filter(pk=new_lead.pk).update(
        lead=None, proposed_lead=None, group_score=None, group_explanation={}, needs_own_response=False,
        grouping_declined=False,
    )  # fmt: skip
    new_lead.refresh_from_db()
    _explain_against(new_lead, members)
    count, own = _confirm_under(new_lead, members)
    _audit(actor, "statements.group_split", new_lead, procedure, {"from": lead.reference, "members": count})
    _decide(actor, procedure, Outcome.ADJUSTED, None,
            {"action": "split", "lead": lead.reference, "new_lead": new_lead.reference, "members": count,
             "own_points": own})  # fmt: skip
    return new_lead


def marked_text(text: str, passages: Iterable[dict[str, Any]]) -> SafeString:
    """The text, escaped, with the passages it adds to its lead in ``<mark>`` (offsets as ``what_it_adds`` gave)."""
    parts: list[str] = []
    position = 0
    for passage in sorted(passages, key=lambda p: int(p.get("start", 0))):
        start, end = int(passage.get("start", 0)), int(passage.get("end", 0))
        if start < position or end <= start or end > len(text):
            continue  # overlapping or out of range (a text edited since): never mark the wrong words
        parts.append(escape(text[position:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # every piece of text is escaped above
