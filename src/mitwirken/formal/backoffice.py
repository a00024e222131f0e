"""Back office of a formal procedure: set-up, documents, the statement inbox, manual recording."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.ids import parse_ids, posted_id
from mitwirken.core.pagination import KeysFirstPaginator
from mitwirken.core.uploads import attachment_disposition
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation
from mitwirken.projects.access import project_for_staff

from . import evaluation, services, suggestions, tally
from .forms import (
    BulkForm,
    DocumentForm,
    InboxFilterForm,
    KeywordForm,
    ProcedureForm,
    ProcedureSettingsForm,
    RecordStatementForm,
    RoundForm,
    SegmentCreateForm,
    SegmentForm,
    TextBlockForm,
    TrackForm,
)
from .models import (
    Document,
    ImportedPlan,
    Keyword,
    LinkedDocument,
    Procedure,
    Result,
    Round,
    Segment,
    Statement,
    StatementAttachment,
    StatementQuerySet,
)

INBOX_PAGE_SIZE = 50


def _procedure(organisation: Organisation, project_pk: int, module_pk: int) -> Procedure:
    project = project_for_staff(organisation, project_pk)
    procedure = get_object_or_404(
        Procedure.objects.select_related("module"), module__project=project, module__pk=module_pk
    )
    procedure.module.project = project
    return procedure


def _render(
    request: HttpRequest, template: str, organisation: Organisation, procedure: Procedure, **context: Any
) -> HttpResponse:
    return render(request, f"formal/backoffice/{template}.html", {
        "organisation": organisation, "project": procedure.module.project, "procedure": procedure,
        "section": "projects", "tab": "modules", **context})  # fmt: skip


@backoffice_view()
def procedure_create(request: HttpRequest, organisation: Organisation, project_pk: int) -> HttpResponse:
    project = project_for_staff(organisation, project_pk)
    form = ProcedureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            procedure = services.procedure_create(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Das Verfahren ist angelegt. Legen Sie nun Durchgänge und Fristen fest."))
            return redirect("backoffice:procedure_setup", org_slug=organisation.slug, project_pk=project.pk,
                            module_pk=procedure.module.pk)  # fmt: skip
    return render(request, "formal/backoffice/procedure_create.html",
                  {"organisation": organisation, "project": project, "form": form, "section": "projects", "tab": "modules"})  # fmt: skip


@backoffice_view()
def procedure_setup(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    procedure = _procedure(organisation, project_pk, module_pk)
    settings_form = ProcedureSettingsForm(request.POST if request.POST.get("action") == "settings" else None,
                                          instance=procedure, prefix="settings")  # fmt: skip
    round_form = RoundForm(request.POST if request.POST.get("action") == "round" else None, prefix="round")
    track_form = TrackForm(request.POST if request.POST.get("action") == "track" else None, prefix="track")
    if request.method == "POST":
        try:
            if request.POST.get("action") == "settings" and settings_form.is_valid():
                services.procedure_update(actor=request.user, procedure=procedure, **settings_form.cleaned_data)
                messages.success(request, _("Die Einstellungen des Verfahrens sind gespeichert."))
                return redirect(request.path)
            if request.POST.get("action") == "round" and round_form.is_valid():
                services.round_add(actor=request.user, procedure=procedure, **round_form.cleaned_data)
                messages.success(request, _("Der Durchgang ist angelegt."))
                return redirect(request.path)
            if request.POST.get("action") == "track" and track_form.is_valid():
                round_ = get_object_or_404(Round, procedure=procedure, pk=posted_id(request.POST, "round"))
                round_.procedure = procedure
                services.track_add(actor=request.user, round=round_, **track_form.cleaned_data)
                messages.success(request, _("Die Frist ist festgelegt."))
                return redirect(request.path)
        except ValidationError as error:
            add_service_errors(track_form if request.POST.get("action") == "track" else round_form, error)
    rounds = procedure.rounds.prefetch_related("tracks__phase")
    procedure.refresh_from_db()
    imported = ImportedPlan.objects.filter(procedure=procedure).first()
    linked = LinkedDocument.objects.filter(procedure=procedure).exclude(state=LinkedDocument.State.FETCHED)
    return _render(request, "setup", organisation, procedure, rounds=rounds, round_form=round_form, track_form=track_form,
                   settings_form=settings_form, imported=imported, linked_documents=linked,
                   selected_round=request.POST.get("round"))  # fmt: skip


@backoffice_view()
def documents(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    procedure = _procedure(organisation, project_pk, module_pk)
    if request.POST.get("action") == "move":
        from . import editing

        document = get_object_or_404(Document, procedure=procedure, pk=posted_id(request.POST, "document"))
        document.procedure = procedure
        try:
            editing.document_move(actor=request.user, document=document, direction=request.POST.get("direction", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(f"{request.path}#unterlage-{document.pk}")
    form = DocumentForm(request.POST or None, request.FILES or None, procedure=procedure)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["track"].round.procedure = procedure
        try:
            services.document_add(actor=request.user, procedure=procedure, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Unterlage ist hochgeladen. Sie wird mit Beginn der Frist veröffentlicht."))
            return redirect(request.path)
    items = Document.objects.filter(procedure=procedure).select_related("track__phase", "track__round", "superseded_by")
    return _render(request, "documents", organisation, procedure, form=form,
                   documents=items.current().prefetch_related("sections"),
                   archived=items.earlier_or_withdrawn().order_by("title", "-version"))  # fmt: skip


def filtered_inbox(procedure: Procedure, form: InboxFilterForm) -> StatementQuerySet:
    statements = Statement.objects.filter(procedure=procedure).for_inbox()
    if not form.is_valid():
        return statements.order_by("-received_at", "-id")
    data = form.cleaned_data
    if data.get("track"):
        statements = statements.filter(track=data["track"])
    if data.get("status"):
        statements = statements.filter(status=data["status"])
    if data.get("keyword"):
        statements = statements.filter(keywords=data["keyword"])
    if data.get("assignee"):
        statements = statements.filter(assignee=data["assignee"])
    if data.get("unassigned"):
        statements = statements.filter(assignee__isnull=True)
    if data.get("own_response"):  # group members with an own point: answered by the lead and on their own
        statements = statements.filter(needs_own_response=True)
    if data.get("section"):
        statements = statements.filter(section=data["section"])
    if data.get("late") in ("0", "1"):
        statements = statements.filter(late=data["late"] == "1")
    if data.get("attachments") in ("0", "1"):
        has_attachments = Exists(StatementAttachment.objects.filter(statement=OuterRef("pk")))
        statements = statements.filter(has_attachments if data["attachments"] == "1" else ~has_attachments)
    statements = statements.search(data.get("q") or "")
    return statements.order_by(*inbox_ordering(form))


def inbox_ordering(form: InboxFilterForm) -> list[str]:
    """The inbox's sort order, ending with a unique key so that next/previous are well defined."""
    sort = form.cleaned_data.get("sort") if form.is_valid() else ""
    return [sort or "-received_at", "-id"]


def _statement_nav(request: HttpRequest, organisation: Organisation, procedure: Procedure,
                   statement: Statement) -> dict[str, str]:  # fmt: skip
    """Links to the list and to the next/previous statement of the inbox with the filter the list had."""
    from mitwirken.core.keyset import neighbours

    query = request.GET.urlencode()
    suffix = f"?{query}" if query else ""
    form = InboxFilterForm(request.GET or None, procedure=procedure)
    found = neighbours(filtered_inbox(procedure, form), statement, inbox_ordering(form))
    args = {"org_slug": organisation.slug, "project_pk": procedure.module.project.pk, "module_pk": procedure.module.pk}

    def url(item: Statement | None) -> str:
        return (
            reverse("backoffice:procedure_statement", kwargs={**args, "statement_pk": item.pk}) + suffix if item else ""
        )

    return {"list_url": reverse("backoffice:procedure_inbox", kwargs=args) + suffix,
            "previous_url": url(found.previous), "next_url": url(found.next)}  # fmt: skip


@backoffice_view()
def inbox(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    procedure = _procedure(organisation, project_pk, module_pk)
    form = InboxFilterForm(request.GET or None, procedure=procedure)
    bulk = BulkForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and bulk.is_valid():
        ids = parse_ids(request.POST.getlist("selected"))
        try:
            if not ids:
                raise ValidationError(_("Bitte wählen Sie mindestens eine Stellungnahme aus."))
            if bulk.cleaned_data["bulk_action"] == "assign":
                count = evaluation.statements_assign(actor=request.user, procedure=procedure, statement_ids=ids,
                                                     assignee=bulk.cleaned_data["assignee"])  # fmt: skip
            else:
                count = evaluation.statements_set_status(actor=request.user, procedure=procedure, statement_ids=ids,
                                                         status=bulk.cleaned_data["status"])  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(count)s Stellungnahmen geändert.") % {"count": count})
        return redirect(request.get_full_path())
    search_query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    statements = filtered_inbox(procedure, form)
    if not search_query:  # a search marks its match in the excerpt, which needs the whole text
        statements = statements.with_excerpt()
    total = tally.inbox_count(procedure.pk, form.cleaned_data if form.is_valid() else {})  # as filtered_inbox reads it
    page = KeysFirstPaginator(statements, INBOX_PAGE_SIZE, count=total).get_page(request.GET.get("seite"))
    query = request.GET.copy()
    query.pop("seite", None)
    return _render(request, "inbox", organisation, procedure, form=form, page=page, query=query.urlencode(), bulk=bulk,
                   search_query=search_query)  # fmt: skip


@backoffice_view()
def record_statement(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    procedure = _procedure(organisation, project_pk, module_pk)
    form = RecordStatementForm(request.POST or None, procedure=procedure)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["track"].round.procedure = procedure
        try:
            statement = services.statement_record(actor=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if statement.late:
                messages.warning(
                    request,
                    _("Erfasst als %(ref)s – verspätet eingegangen, daher markiert.") % {"ref": statement.reference},
                )
            else:
                messages.success(request, _("Erfasst als %(ref)s.") % {"ref": statement.reference})
            return redirect(
                "backoffice:procedure_inbox", org_slug=organisation.slug, project_pk=project_pk, module_pk=module_pk
            )
    return _render(request, "record", organisation, procedure, form=form)


@backoffice_view()
def statement_attachment(
    request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int, statement_pk: int,
    attachment_pk: int,
) -> HttpResponseBase:  # fmt: skip
    """A statement's attachment for the staff evaluating it: streamed with safe headers, never from a media URL."""
    from mitwirken.core.uploads import serve_upload

    procedure = _procedure(organisation, project_pk, module_pk)
    item = get_object_or_404(
        StatementAttachment, statement__procedure=procedure, statement__pk=statement_pk, pk=attachment_pk
    )
    return serve_upload(item.file, item.content_type, download_name=item.name, inline=False)


@backoffice_view()
def evaluate(
    request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int, statement_pk: int
) -> HttpResponse:
    """One statement's Abwägung: cut segments, respond, set results, tag, group."""
    return evaluate_page(request, organisation, project_pk, module_pk, statement_pk)


def evaluate_page(
    request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int, statement_pk: int,
    kept_input: QueryDict | None = None,
) -> HttpResponse:  # fmt: skip
    """The evaluate page. ``kept_input``: the segments form as it was posted to another address (a suggestion was
    decided from it, ``backoffice_suggestions``); every segment shows its typed input again instead of losing it,
    and with nothing unsaved the page is reloaded."""
    procedure = _procedure(organisation, project_pk, module_pk)
    statement = get_object_or_404(
        Statement.objects.select_related("track__phase", "track__round", "section", "recorded_by", "lead", "assignee"),
        procedure=procedure, pk=statement_pk,
    )  # fmt: skip
    statement.procedure = procedure
    action = None if kept_input is not None else request.POST.get("action")
    create_form = SegmentCreateForm(request.POST if action == "segment_create" else None, prefix="new")
    segment_forms = []
    try:
        if action == "segment_create" and create_form.is_valid():
            evaluation.segment_create(actor=request.user, statement=statement, text=create_form.cleaned_data["text"])
            messages.success(request, _("Der Abschnitt ist angelegt."))
            return redirect(request.get_full_path())
        if action == "tag":
            keyword_ids = parse_ids(request.POST.getlist("keywords"))
            evaluation.statement_tag(actor=request.user, statement=statement, keyword_ids=keyword_ids)
            messages.success(request, _("Die Schlagworte sind gespeichert."))
            return redirect(request.get_full_path())
    except ValidationError as error:
        add_service_errors(create_form, error)
    # All segments are one form: saving one posts the others' text too, so their unsaved input is shown again
    # instead of being lost (only the segment whose button was pressed is saved).
    posted = kept_input if kept_input is not None else request.POST if action == "segment_update" else None
    clicked = request.POST.get("segment") if action == "segment_update" else None
    saved_number = None
    segments = list(statement.segments.prefetch_related("keywords").select_related("updated_by"))
    for segment in segments:
        segment.statement = statement
        prefix = f"s{segment.pk}"
        form = SegmentForm(posted, prefix=prefix, procedure=procedure, initial=_segment_initial(segment))
        if posted is not None and clicked == str(segment.pk) and form.is_valid():
            data = form.cleaned_data
            try:
                evaluation.segment_update(
                    actor=request.user, segment=segment, version=data["version"], response=data["response"],
                    result=data["result"], status=data["status"], keyword_ids=[k.pk for k in data["keywords"]],
                )  # fmt: skip
            except evaluation.EditConflict as conflict:
                # Keep the user's input, move it onto the current version, and show what the colleague saved,
                # so the two can be merged and saved again without retyping.
                segment.refresh_from_db()
                data = request.POST.copy()
                data[f"{prefix}-version"] = str(segment.version)
                form = SegmentForm(data, prefix=prefix, procedure=procedure)
                form.is_valid()
                add_service_errors(form, conflict)
                segment.conflict_response = segment.response
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                segment.refresh_from_db()
                saved_number = segment.number
                suggestions.segment_saved(actor=request.user, segment=segment, response=data["response"],
                                          answer_from=request.POST.get(f"{prefix}-answer_from", ""))  # fmt: skip
                form = SegmentForm(None, prefix=prefix, procedure=procedure, initial=_segment_initial(segment))
        elif posted is not None and clicked != str(segment.pk):
            # Not saved: show what was typed; errors belong only to the segment that was saved.
            segment.unsaved = form.has_changed()  # type: ignore[attr-defined]
            form.errors.clear()
        segment_forms.append((segment, form))
    unsaved = [segment.number for segment, _form in segment_forms if getattr(segment, "unsaved", False)]
    if kept_input is not None and not unsaved:
        return redirect(reverse("backoffice:procedure_statement", kwargs={
            "org_slug": organisation.slug, "project_pk": project_pk, "module_pk": module_pk,
            "statement_pk": statement.pk}))  # fmt: skip
    if saved_number is not None:
        messages.success(request, _("Abschnitt %(number)s ist gespeichert.") % {"number": saved_number})
        if not unsaved:
            return redirect(f"{request.get_full_path()}#abschnitt-{clicked}")
        messages.warning(request, _("Ihre Änderungen in Abschnitt %(numbers)s sind noch nicht gespeichert.")
                         % {"numbers": ", ".join(str(number) for number in unsaved)})  # fmt: skip
    return _render(request, "evaluate", organisation, procedure, statement=statement, create_form=create_form,
                   segment_forms=segment_forms, attachments=statement.attachments.all(),
                   keywords=Keyword.objects.filter(topic__procedure=procedure).select_related("topic"),
                   statement_keywords=set(statement.keywords.values_list("pk", flat=True)),
                   text_blocks=procedure.text_blocks.all(), members=statement.members.only("id", "reference")[:50],
                   cosigners=statement.cosigners.all(), unsaved=unsaved,
                   **suggestions.for_evaluate(procedure=procedure, statement=statement, segment_forms=segment_forms,
                                              query=request.GET),
                   **_statement_nav(request, organisation, procedure, statement))  # fmt: skip


def _segment_initial(segment: Segment) -> dict[str, Any]:
    return {"version": segment.version, "response": segment.response, "result": segment.result,
            "status": segment.status, "keywords": list(segment.keywords.all())}  # fmt: skip


@backoffice_view()
def catalogue(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    """Keywords grouped into topics, and reusable text blocks."""
    procedure = _procedure(organisation, project_pk, module_pk)
    action = request.POST.get("action")
    keyword_form = KeywordForm(request.POST if action == "keyword" else None, prefix="kw")
    block_form = TextBlockForm(request.POST if action == "block" else None, prefix="tb")
    try:
        if action == "keyword" and keyword_form.is_valid():
            evaluation.keyword_add(actor=request.user, procedure=procedure, **keyword_form.cleaned_data)
            return redirect(request.path)
        if action == "block" and block_form.is_valid():
            evaluation.text_block_add(actor=request.user, procedure=procedure, **block_form.cleaned_data)
            return redirect(request.path)
    except ValidationError as error:
        add_service_errors(keyword_form if action == "keyword" else block_form, error)
    return _render(request, "catalogue", organisation, procedure, keyword_form=keyword_form, block_form=block_form,
                   topics=procedure.topics.prefetch_related("keywords"), text_blocks=procedure.text_blocks.all())  # fmt: skip


GROUPS_PAGE_SIZE = 25
GROUP_PAGE_SIZE = 50


@backoffice_view()
def groups(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    """Mass objections: the groups the near-duplicate analysis proposes and those staff confirmed."""
    from django.core.paginator import Paginator

    from mitwirken.analysis.models import TrainedState

    from . import grouping

    procedure = _procedure(organisation, project_pk, module_pk)
    if request.method == "POST":
        grouping.start_regroup(actor=request.user, procedure=procedure)
        messages.success(request, _("Die Gruppen werden im Hintergrund neu berechnet. Laden Sie die Seite in einigen "
                                    "Minuten neu."))  # fmt: skip
        return redirect(request.path)
    leads = grouping.group_leads(procedure).with_excerpt()
    page = Paginator(leads, GROUPS_PAGE_SIZE).get_page(request.GET.get("seite"))
    computed = TrainedState.objects.filter(key=grouping.state_key(procedure)).values("meta", "trained_at").first()
    return _render(request, "groups", organisation, procedure, page=page, computed=computed)


@backoffice_view()
def group(
    request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int, statement_pk: int
) -> HttpResponse:
    """One group: the lead's text, and per member its score, why it is in the group and what it adds (marked)."""
    from django.core.paginator import Paginator

    from . import grouping

    procedure = _procedure(organisation, project_pk, module_pk)
    lead = get_object_or_404(Statement.objects.select_related("lead"), procedure=procedure, pk=statement_pk)
    args = {"org_slug": organisation.slug, "project_pk": project_pk, "module_pk": module_pk}
    if lead.lead_id:  # a member: its group is its lead's
        return redirect(reverse("backoffice:procedure_group", kwargs={**args, "statement_pk": lead.lead_id}))
    if request.method == "POST":
        target = lead.pk
        action = request.POST.get("action")
        try:
            if "move_out" in request.POST:
                moved = grouping.group_move_out(actor=request.user, procedure=procedure,
                                                statement_id=posted_id(request.POST, "move_out"))  # fmt: skip
                messages.success(request, _("%(ref)s gehört nicht mehr zur Gruppe.") % {"ref": moved.reference})
            elif action == "confirm":
                count = grouping.group_confirm(actor=request.user, procedure=procedure, lead_id=lead.pk)
                messages.success(request, _("Die Gruppe ist bestätigt: %(count)s Stellungnahmen werden mit der "
                                            "Leitstellungnahme beantwortet.") % {"count": count})  # fmt: skip
            elif action == "merge":
                target = grouping.group_merge(actor=request.user, procedure=procedure, lead_id=lead.pk,
                                              other_reference=request.POST.get("reference", "")).pk  # fmt: skip
                messages.success(request, _("Die Gruppen sind zusammengeführt und bestätigt."))
            elif action == "split":
                target = grouping.group_split(actor=request.user, procedure=procedure, lead_id=lead.pk,
                                              member_ids=parse_ids(request.POST.getlist("selected"))).pk  # fmt: skip
                messages.success(request, _("Die ausgewählten Stellungnahmen bilden jetzt eine eigene Gruppe."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(reverse("backoffice:procedure_group", kwargs={**args, "statement_pk": target}))
    members = grouping.members_of(lead).select_related("lead")
    page = Paginator(members, GROUP_PAGE_SIZE).get_page(request.GET.get("seite"))
    for member in page.object_list:
        explanation = member.group_explanation or {}
        member.marked = grouping.marked_text(member.text, explanation.get("adds", []))  # type: ignore[attr-defined]
        member.adds = bool(explanation.get("adds"))  # type: ignore[attr-defined]
        member.own_point = bool(explanation.get("own_point"))  # type: ignore[attr-defined]
    pending = members.filter(lead__isnull=True).exists()
    return _render(request, "group", organisation, procedure, lead=lead, page=page, pending=pending,
                   groups_url=reverse("backoffice:procedure_groups", kwargs=args))  # fmt: skip


@backoffice_view()
def export(
    request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int, file_format: str
) -> HttpResponseBase:
    """The Abwägungstabelle for the whole procedure or the inbox filter; every export is audited."""
    from django.http import FileResponse

    from mitwirken.core.audit import log_action

    from . import exports

    procedure = _procedure(organisation, project_pk, module_pk)
    statements = filtered_inbox(procedure, InboxFilterForm(request.GET or None, procedure=procedure))
    count = statements.count()
    log_action(actor=request.user, action="abwaegung.export", obj=procedure, organisation=organisation,
               changes={"format": file_format, "statements": count, "filter": request.GET.urlencode()})  # fmt: skip
    name = f"abwaegungstabelle-{procedure.module.pk}"
    if file_format == "xlsx":
        return FileResponse(exports.write_xlsx(statements), as_attachment=True, filename=f"{name}.xlsx",
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
    if file_format == "ods":
        return FileResponse(exports.write_ods(statements), as_attachment=True, filename=f"{name}.ods",
                            content_type="application/vnd.oasis.opendocument.spreadsheet")  # fmt: skip
    if file_format == "pdf":
        if count > exports.PDF_LIMIT:
            messages.error(request, _("Als PDF lassen sich höchstens %(limit)s Stellungnahmen ausgeben. Bitte filtern Sie "
                                      "oder nutzen Sie XLSX/ODS.") % {"limit": exports.PDF_LIMIT})  # fmt: skip
            return redirect(
                "backoffice:procedure_inbox", org_slug=organisation.slug, project_pk=project_pk, module_pk=module_pk
            )
        response = HttpResponse(exports.write_pdf(statements, procedure.module.name), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    raise Http404


@backoffice_view()
def results(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    """Counts per topic and result, a draft of the summary statement, and the final notices."""
    from .notices import start_final_notices

    procedure = _procedure(organisation, project_pk, module_pk)
    if request.method == "POST":
        start_final_notices(actor=request.user, procedure=procedure)
        messages.success(request, _("Die Schlussmitteilungen werden jetzt im Hintergrund versandt."))
        return redirect(request.path)
    segments = Segment.objects.filter(statement__procedure=procedure)
    by_result = segments.values("result").annotate(count=Count("id")).order_by("result")
    by_topic = (
        segments.values("keywords__topic__name", "result").annotate(count=Count("id"))
        .order_by("keywords__topic__name", "result")
    )  # fmt: skip
    totals = Statement.objects.filter(procedure=procedure).aggregate(
        statements=Count("id"),
        late=Count("id", filter=Q(late=True)),
        notices=Count("id", filter=Q(final_notice_sent_at__isnull=False)),
    )
    return _render(request, "results", organisation, procedure, by_result=by_result, by_topic=by_topic, totals=totals,
                   result_labels=dict(Result.choices))  # fmt: skip


@backoffice_view()
def statement_xml(
    request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int, statement_pk: int
) -> HttpResponse:
    """One statement as an XBeteiligung allgemein.stellungnahme.Neuabgegeben.0701 message."""
    from mitwirken.core.audit import log_action

    from . import xbeteiligung

    procedure = _procedure(organisation, project_pk, module_pk)
    statement = get_object_or_404(Statement.objects.select_related("track__phase", "track__round", "section"),
                                  procedure=procedure, pk=statement_pk)  # fmt: skip
    statement.procedure = statement.track.round.procedure = procedure
    log_action(actor=request.user, action="xbeteiligung.export", obj=statement, organisation=organisation)
    response = HttpResponse(xbeteiligung.statement_message(statement), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = attachment_disposition(f"{statement.reference}.xml")
    return response


@backoffice_view()
def statements_xml_batch(
    request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int
) -> HttpResponseBase:
    """The statements of the current inbox filter as a ZIP of 0701 messages, written to a temporary file."""
    import tempfile

    from django.http import FileResponse

    from mitwirken.core.audit import log_action

    from . import xbeteiligung

    procedure = _procedure(organisation, project_pk, module_pk)
    statements = filtered_inbox(procedure, InboxFilterForm(request.GET or None, procedure=procedure))
    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    count = xbeteiligung.write_statement_batch(statements, target)
    target.seek(0)
    log_action(actor=request.user, action="xbeteiligung.export", obj=procedure, organisation=organisation,
               changes={"statements": count, "filter": request.GET.urlencode()})  # fmt: skip
    return FileResponse(target, as_attachment=True, filename=f"xbeteiligung-0701-{procedure.module.pk}.zip",
                        content_type="application/zip")  # fmt: skip


@backoffice_view()
def procedure_import(request: HttpRequest, organisation: Organisation, project_pk: int) -> HttpResponse:
    """Create a procedure from 0301/0401 (or update it with 0302/0402); the message's addressee must be us."""
    from . import exchange
    from .forms import ImportForm

    project = project_for_staff(organisation, project_pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        outcome = exchange.receive(form.cleaned_data["message"].read(), actor=request.user, organisation=organisation,
                                   project=project)  # fmt: skip
        if outcome.accepted and outcome.procedure is not None:
            messages.success(request, outcome.summary)
            return redirect("backoffice:procedure_setup", org_slug=organisation.slug,
                            project_pk=outcome.procedure.module.project_id, module_pk=outcome.procedure.module.pk)  # fmt: skip
        if outcome.problem == "parked":
            form.add_error("message", _(
                "Der Empfänger der Nachricht („%(reader)s“) ist im Portal unbekannt. Die Nachricht wurde der "
                "Portal-Administration zur Zuordnung übergeben. Tragen Sie den Amtlichen Gemeindeschlüssel oder die "
                "Kennung im Verzeichnisdienst in den Daten Ihrer Organisation ein, damit Nachrichten Sie erreichen."
            ) % {"reader": outcome.message.reader_id})  # fmt: skip
        else:
            form.add_error("message", _("Die Nachricht wurde nicht übernommen: %(error)s")
                           % {"error": " ".join(outcome.errors)})  # fmt: skip
    return render(request, "formal/backoffice/procedure_import.html",
                  {"organisation": organisation, "project": project, "form": form, "section": "projects", "tab": "modules"})  # fmt: skip
