"""Back-office endpoints that decide on suggestions in the Abwägung (plain form posts, no script needed).

Each takes the decision to a service in ``formal.suggestions`` and returns to the statement's evaluate page. The
keyword and answer buttons sit in the segments form, so their post carries what was typed into every segment:
that is shown again (``_return``), never dropped by a redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mitwirken.core.ids import parse_id, posted_id
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation

from . import suggestions
from .backoffice import _procedure, evaluate_page
from .models import Segment, Statement


def _statement(organisation: Organisation, project_pk: int, module_pk: int, statement_pk: int) -> Statement:
    procedure = _procedure(organisation, project_pk, module_pk)
    statement = get_object_or_404(Statement, procedure=procedure, pk=statement_pk)
    statement.procedure = procedure
    return statement


def _segment(
    organisation: Organisation, project_pk: int, module_pk: int, statement_pk: int, segment_pk: int
) -> tuple[Statement, Segment]:  # fmt: skip
    statement = _statement(organisation, project_pk, module_pk, statement_pk)
    segment = get_object_or_404(Segment, statement=statement, pk=segment_pk)
    segment.statement = statement
    return statement, segment


def _back(organisation: Organisation, statement: Statement, anchor: str) -> HttpResponse:
    url = reverse("backoffice:procedure_statement", kwargs={
        "org_slug": organisation.slug, "project_pk": statement.procedure.module.project_id,
        "module_pk": statement.procedure.module_id, "statement_pk": statement.pk})  # fmt: skip
    return redirect(f"{url}#{anchor}")


def _return(
    request: HttpRequest, organisation: Organisation, statement: Statement, segment: Segment, tagged: int | None = None
) -> HttpResponse:  # fmt: skip
    """Back to the statement with the typed input kept: the decided segment on its saved version (and with the
    keyword just tagged), the others as they were typed."""
    prefix = f"s{segment.pk}"
    if f"{prefix}-version" not in request.POST:  # not from the segments form
        return _back(organisation, statement, f"abschnitt-{segment.pk}")
    kept = request.POST.copy()
    kept[f"{prefix}-version"] = str(Segment.objects.values_list("version", flat=True).get(pk=segment.pk))
    if tagged is not None and str(tagged) not in kept.getlist(f"{prefix}-keywords"):
        kept.appendlist(f"{prefix}-keywords", str(tagged))
    procedure = statement.procedure
    return evaluate_page(request, organisation, procedure.module.project_id, procedure.module_id, statement.pk, kept)


def _error(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@backoffice_view()  # first: another organisation's address is a 404 for any method
@require_POST
def suggestion_segment(
    request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int, statement_pk: int
) -> HttpResponse:
    """Accept (as proposed or with the passage or keyword changed) or reject a proposed segment."""
    statement = _statement(organisation, project_pk, module_pk, statement_pk)
    key = str(request.POST.get("key", ""))
    try:
        if request.POST.get("decision") == "reject":
            suggestions.proposal_reject(actor=request.user, statement=statement, key=key)
            messages.success(request, _("Der Vorschlag wird für diese Stellungnahme nicht mehr angezeigt."))
            return _back(organisation, statement, "segment-proposals")
        segment = suggestions.proposal_accept(
            actor=request.user, statement=statement, key=key, text=str(request.POST.get("text", "")),
            keyword_id=parse_id(request.POST.get("keyword")),
            proposed_keyword_id=parse_id(request.POST.get("proposed_keyword")),
        )  # fmt: skip
    except ValidationError as error:
        _error(request, error)
        return _back(organisation, statement, "segment-proposals")
    messages.success(request, _("Abschnitt %(number)s ist angelegt.") % {"number": segment.number})
    return _back(organisation, statement, f"abschnitt-{segment.pk}")


@backoffice_view()  # first: another organisation's address is a 404 for any method
@require_POST
def suggestion_keyword(
    request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int, statement_pk: int,
    segment_pk: int,
) -> HttpResponse:  # fmt: skip
    """Tag a segment with a suggested keyword, or reject the suggestion for this segment."""
    statement, segment = _segment(organisation, project_pk, module_pk, statement_pk, segment_pk)
    keyword_id = posted_id(request.POST, "keyword")
    tagged = None
    try:
        if "reject" in (request.POST.get("decision"), request.GET.get("decision")):
            suggestions.keyword_reject(actor=request.user, segment=segment, keyword_id=keyword_id)
            messages.success(request, _("Der Schlagwortvorschlag wird für diesen Abschnitt nicht mehr angezeigt."))
        else:
            suggestions.keyword_accept(actor=request.user, segment=segment, keyword_id=keyword_id)
            tagged = keyword_id
            messages.success(request, _("Abschnitt %(number)s ist verschlagwortet.") % {"number": segment.number})
    except ValidationError as error:
        _error(request, error)
    return _return(request, organisation, statement, segment, tagged)


@backoffice_view()  # first: another organisation's address is a 404 for any method
@require_POST
def suggestion_answer_reject(
    request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int, statement_pk: int,
    segment_pk: int,
) -> HttpResponse:  # fmt: skip
    """This answered segment does not fit: it is not suggested for this segment again."""
    statement, segment = _segment(organisation, project_pk, module_pk, statement_pk, segment_pk)
    try:
        suggestions.answer_reject(actor=request.user, segment=segment, source_id=posted_id(request.POST, "source"))
        messages.success(request, _("Der Antwortvorschlag wird für diesen Abschnitt nicht mehr angezeigt."))
    except ValidationError as error:
        _error(request, error)
    return _return(request, organisation, statement, segment)
