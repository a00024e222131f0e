"""Back office of a formal procedure: set-up, documents, the statement inbox, manual recording."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from mitwirken.core.forms_util import add_service_errors
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation
from mitwirken.projects.access import project_for_staff

from . import services
from .forms import DocumentForm, InboxFilterForm, ProcedureForm, RecordStatementForm, RoundForm, TrackForm
from .models import Procedure, Round, Statement, StatementAttachment

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
    round_form = RoundForm(request.POST if request.POST.get("action") == "round" else None, prefix="round")
    track_form = TrackForm(request.POST if request.POST.get("action") == "track" else None, prefix="track")
    if request.method == "POST":
        try:
            if request.POST.get("action") == "round" and round_form.is_valid():
                services.round_add(actor=request.user, procedure=procedure, **round_form.cleaned_data)
                messages.success(request, _("Der Durchgang ist angelegt."))
                return redirect(request.path)
            if request.POST.get("action") == "track" and track_form.is_valid():
                round_ = get_object_or_404(Round, procedure=procedure, pk=request.POST.get("round"))
                round_.procedure = procedure
                services.track_add(actor=request.user, round=round_, **track_form.cleaned_data)
                messages.success(request, _("Die Frist ist festgelegt."))
                return redirect(request.path)
        except ValidationError as error:
            add_service_errors(track_form if request.POST.get("action") == "track" else round_form, error)
    rounds = procedure.rounds.prefetch_related("tracks__phase")
    return _render(request, "setup", organisation, procedure, rounds=rounds, round_form=round_form, track_form=track_form,
                   selected_round=request.POST.get("round"))  # fmt: skip


@backoffice_view()
def documents(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    procedure = _procedure(organisation, project_pk, module_pk)
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
    items = procedure.documents.select_related("track__phase", "track__round", "superseded_by").prefetch_related(
        "sections"
    )
    return _render(request, "documents", organisation, procedure, form=form, documents=items)


def filtered_inbox(procedure: Procedure, form: InboxFilterForm) -> QuerySet[Statement]:
    statements = Statement.objects.filter(procedure=procedure).for_inbox()
    if not form.is_valid():
        return statements
    data = form.cleaned_data
    if data.get("track"):
        statements = statements.filter(track=data["track"])
    if data.get("status"):
        statements = statements.filter(status=data["status"])
    if data.get("late") in ("0", "1"):
        statements = statements.filter(late=data["late"] == "1")
    if data.get("attachments") in ("0", "1"):
        has_attachments = Exists(StatementAttachment.objects.filter(statement=OuterRef("pk")))
        statements = statements.filter(has_attachments if data["attachments"] == "1" else ~has_attachments)
    statements = statements.search(data.get("q") or "")
    return statements.order_by(data.get("sort") or "-received_at", "-id")


@backoffice_view()
def inbox(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    procedure = _procedure(organisation, project_pk, module_pk)
    form = InboxFilterForm(request.GET or None, procedure=procedure)
    page = Paginator(filtered_inbox(procedure, form), INBOX_PAGE_SIZE).get_page(request.GET.get("seite"))
    query = request.GET.copy()
    query.pop("seite", None)
    return _render(request, "inbox", organisation, procedure, form=form, page=page, query=query.urlencode())


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
def statement_detail(
    request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int, statement_pk: int
) -> HttpResponse:
    procedure = _procedure(organisation, project_pk, module_pk)
    statement = get_object_or_404(Statement.objects.select_related("track__phase", "track__round", "section", "recorded_by"),
                                  procedure=procedure, pk=statement_pk)  # fmt: skip
    if not request.user.has_perm("formal.manage_procedure", procedure.module):
        raise Http404
    return _render(
        request, "statement", organisation, procedure, statement=statement, attachments=statement.attachments.all()
    )
