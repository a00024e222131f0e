"""The Abwägung: assignment, keywords, segments with responses and results, mass objections (``grouping``).

Every write re-checks ``formal.manage_procedure`` and is audited. Segments are
edited under optimistic locking: an update names the version it started from,
and a concurrent change makes it fail with a conflict instead of overwriting.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, QuerySet
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action
from mitwirken.core.permissions import require

from .models import Keyword, Procedure, Result, Segment, Statement, StatementStatus, TextBlock, Topic


class EditConflict(ValidationError):
    """Someone else saved the segment since it was opened."""


def _audit(actor: Any, action: str, obj: Any, procedure: Procedure, changes: dict[str, Any] | None = None) -> None:
    log_action(actor=actor, action=action, obj=obj, organisation=procedure.module.project.organisation, changes=changes)


def _statements(procedure: Procedure, ids: Iterable[int]) -> QuerySet[Statement]:
    return Statement.objects.filter(procedure=procedure, pk__in=list(ids))


@transaction.atomic
def statements_assign(*, actor: Any, procedure: Procedure, statement_ids: Iterable[int], assignee: Any) -> int:
    require(actor, "formal.manage_procedure", procedure.module)
    if assignee is not None and not assignee.has_perm("formal.manage_procedure", procedure.module):
        raise ValidationError({"assignee": _("Diese Person gehört nicht zur Verwaltung dieses Verfahrens.")})
    statements = _statements(procedure, statement_ids)
    count = statements.update(assignee=assignee)
    _audit(actor, "statements.assign", procedure, procedure,
           {"count": count, "assignee": getattr(assignee, "email", None)})  # fmt: skip
    return count


@transaction.atomic
def statements_set_status(*, actor: Any, procedure: Procedure, statement_ids: Iterable[int], status: str) -> int:
    require(actor, "formal.manage_procedure", procedure.module)
    if status not in StatementStatus.values:
        raise ValidationError({"status": _("Unbekannter Status.")})
    count = _statements(procedure, statement_ids).update(status=status)
    _audit(actor, "statements.status", procedure, procedure, {"count": count, "status": status})
    return count


@transaction.atomic
def keyword_add(*, actor: Any, procedure: Procedure, topic: str, keyword: str) -> Keyword:
    require(actor, "formal.manage_procedure", procedure.module)
    if not topic.strip() or not keyword.strip():
        raise ValidationError({"keyword": _("Bitte geben Sie Thema und Schlagwort an.")})
    topic_obj, _created = Topic.objects.get_or_create(procedure=procedure, name=topic.strip())
    keyword_obj, _created = Keyword.objects.get_or_create(topic=topic_obj, name=keyword.strip())
    return keyword_obj


@transaction.atomic
def statement_tag(*, actor: Any, statement: Statement, keyword_ids: Iterable[int]) -> None:
    procedure = statement.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    keywords = Keyword.objects.filter(topic__procedure=procedure, pk__in=list(keyword_ids))
    statement.keywords.set(keywords)
    _audit(actor, "statement.tag", statement, procedure, {"keywords": [str(k) for k in keywords]})


@transaction.atomic
def text_block_add(*, actor: Any, procedure: Procedure, title: str, text: str) -> TextBlock:
    require(actor, "formal.manage_procedure", procedure.module)
    block = TextBlock(procedure=procedure, title=title, text=text)
    block.full_clean()
    block.save()
    return block


@transaction.atomic
def segment_create(*, actor: Any, statement: Statement, text: str) -> Segment:
    """Cut one concern out of the statement; the text must be a passage of the statement."""
    procedure = statement.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    passage = text.strip()
    if not passage:
        raise ValidationError({"text": _("Bitte markieren oder kopieren Sie den Textabschnitt.")})
    if passage not in statement.text:
        raise ValidationError({"text": _("Der Abschnitt muss wörtlich aus der Stellungnahme stammen.")})
    Statement.objects.select_for_update().filter(pk=statement.pk).first()
    number = (statement.segments.aggregate(Max("number"))["number__max"] or 0) + 1
    segment = Segment.objects.create(statement=statement, number=number, text=passage, updated_by=actor)
    if statement.status == StatementStatus.NEW:
        Statement.objects.filter(pk=statement.pk).update(status=StatementStatus.IN_PROGRESS)
    _audit(actor, "segment.create", segment, procedure)
    return segment


@transaction.atomic
def segment_update(
    *, actor: Any, segment: Segment, version: int, response: str, result: str, status: str,
    keyword_ids: Iterable[int] = (),
) -> Segment:  # fmt: skip
    procedure = segment.statement.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    if result and result not in Result.values:
        raise ValidationError({"result": _("Unbekanntes Ergebnis.")})
    if status in (StatementStatus.WEIGHED, StatementStatus.RELEASED) and not (response.strip() and result):
        raise ValidationError(
            {"status": _("Für „abgewogen“ oder „freigegeben“ braucht der Abschnitt eine Erwiderung und ein Ergebnis.")}
        )
    # Compare-and-set on the version: exactly one of two concurrent editors wins.
    updated = Segment.objects.filter(pk=segment.pk, version=version).update(
        response=response, result=result, status=status, version=F("version") + 1, updated_by=actor
    )
    if not updated:
        current = Segment.objects.select_related("updated_by").get(pk=segment.pk)
        raise EditConflict(
            _("Dieser Abschnitt wurde inzwischen von %(who)s geändert. Ihre Eingaben wurden nicht gespeichert; "
              "bitte übernehmen Sie sie in die aktuelle Fassung.")
            % {"who": getattr(current.updated_by, "email", _("einer anderen Person"))}
        )  # fmt: skip
    segment.refresh_from_db()
    segment.keywords.set(Keyword.objects.filter(topic__procedure=procedure, pk__in=list(keyword_ids)))
    _audit(
        actor, "segment.update", segment, procedure, {"result": result, "status": status, "version": segment.version}
    )
    return segment


@transaction.atomic
def group_under_lead(*, actor: Any, lead: Statement, member_ids: Iterable[int]) -> int:
    """Mass objection: members keep their own record and notice, the lead's Abwägung serves them all."""
    procedure = lead.procedure
    require(actor, "formal.manage_procedure", procedure.module)
    if lead.lead_id:
        raise ValidationError(
            _("Eine Stellungnahme, die selbst zu einer Gruppe gehört, kann keine Leitstellungnahme sein.")
        )
    members = _statements(procedure, member_ids).exclude(pk=lead.pk)
    count = members.update(lead=lead)
    _audit(actor, "statements.group", lead, procedure, {"members": count})
    return count


def effective_segments(statement: Statement) -> list[Segment]:
    """The segments that answer a statement: its own, or those of its lead statement.

    A group member that adds an own point (``needs_own_response``) is answered by the lead's segments and its
    own; until it has its own, it is not answered (nothing, so no final notice goes out too early).
    """
    own = list(statement.segments.all())
    if statement.lead_id is None or (own and not statement.needs_own_response):
        return own
    if statement.needs_own_response and not own:
        return []
    lead = list(Segment.objects.filter(statement_id=statement.lead_id).order_by("number"))
    return [*lead, *own] if statement.needs_own_response else lead
