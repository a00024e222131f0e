"""Back office of the Mängelmelder: the inbox of an organisation, one report, templates and categories."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.ids import parse_id, parse_ids, posted_id
from mitwirken.core.search import matching
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation

from . import services
from .forms import (
    BulkForm,
    ForwardForm,
    HideForm,
    InboxFilterForm,
    NoteForm,
    ReportSettingsForm,
    ResponseTemplateForm,
    StatusForm,
)
from .messaging import attribute_answers
from .models import (
    OPEN_STATUSES,
    TRANSITIONS,
    CategoryTemplate,
    OrganisationCategory,
    Report,
    ReportPhoto,
    ReportQuerySet,
    ReportSettings,
    ReportStatus,
    ResponseTemplate,
    overdue_cutoff,
)

PAGE_SIZE = 50


def _staff(organisation: Organisation) -> list[Any]:
    return list(
        get_user_model()
        .objects.filter(organisation_memberships__organisation=organisation)
        .filter(api_client__isnull=True)  # partner systems' technical accounts are no people to assign
        .order_by("email")
        .distinct()
    )


def filtered_inbox(
    request: HttpRequest, organisation: Organisation, form: InboxFilterForm, response_days: int
) -> ReportQuerySet:
    """The inbox with the filters of the form; every filter the work overview links to is one of them."""
    reports = Report.objects.filter(organisation=organisation).exclude(status=ReportStatus.UNCONFIRMED)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("overdue"):
        reports = reports.overdue(response_days)
    status = data.get("status", "")
    if not status:
        reports = reports.filter(status__in=OPEN_STATUSES)
    elif status != "all":
        reports = reports.filter(status=status)
    if data.get("category"):
        reports = reports.filter(category=data["category"])
    if data.get("area"):
        area = data["area"]
        reports = reports.in_bbox(area.bbox_min_lon, area.bbox_min_lat, area.bbox_max_lon, area.bbox_max_lat)
    if data.get("older_than") is not None:
        reports = reports.filter(created_at__lte=timezone.now() - timedelta(days=data["older_than"]))
    assignee = data.get("assignee", "")
    if assignee == "none":
        reports = reports.filter(assignee__isnull=True)
    elif assignee == "me":
        reports = reports.filter(assignee_id=request.user.pk)
    elif assignee:
        reports = reports.filter(assignee_id=assignee)
    query = data.get("q", "").strip()
    if query:
        number_pk = parse_id(query.lstrip("#"))
        reports = matching(reports, query, also=Q(pk=number_pk) if number_pk is not None else None)
    return reports.select_related("category", "assignee").order_by(*INBOX_ORDERING)


# Oldest first: what waits longest is answered first. Ends with the primary key so that next/previous are
# well defined (keyset navigation on the detail page).
INBOX_ORDERING = ["created_at", "pk"]


def _report_nav(request: HttpRequest, organisation: Organisation, report: Report) -> dict[str, str]:
    """Links to the list and to the next/previous report of the inbox with the filter the list had."""
    from django.urls import reverse

    from mitwirken.core.keyset import neighbours

    query = request.GET.urlencode()
    suffix = f"?{query}" if query else ""
    staff = _staff(organisation)
    form = InboxFilterForm(request.GET or None, organisation=organisation, staff=staff)
    reports = filtered_inbox(request, organisation, form, ReportSettings.of(organisation).response_days)
    found = neighbours(reports, report, INBOX_ORDERING)

    def url(item: Report | None) -> str:
        if item is None:
            return ""
        return (
            reverse("backoffice:report_detail", kwargs={"org_slug": organisation.slug, "report_pk": item.pk}) + suffix
        )

    return {"list_url": reverse("backoffice:report_inbox", kwargs={"org_slug": organisation.slug}) + suffix,
            "previous_url": url(found.previous), "next_url": url(found.next)}  # fmt: skip


@backoffice_view("reports.handle_reports")
def inbox(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    staff = _staff(organisation)
    form = InboxFilterForm(request.GET or None, organisation=organisation, staff=staff)
    response_days = ReportSettings.of(organisation).response_days
    reports = filtered_inbox(request, organisation, form, response_days)
    bulk = BulkForm(request.POST or None, staff=staff, prefix="bulk")
    if request.method == "POST" and bulk.is_valid():
        selected = list(
            Report.objects.filter(organisation=organisation, pk__in=parse_ids(request.POST.getlist("selected")))
        )
        _run_bulk(request, bulk.cleaned_data, selected)
        return redirect(request.get_full_path())
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("seite"))
    query = request.GET.copy()
    query.pop("seite", None)
    return render(request, "reports/backoffice/inbox.html", {
        "organisation": organisation, "section": "reports", "form": form, "bulk": bulk, "page": page,
        "query": query.urlencode(), "response_days": response_days,
        # Marks overdue rows without a query per row: the same cut-off as ``ReportQuerySet.overdue``.
        "overdue_before": overdue_cutoff(response_days),
    })  # fmt: skip


def _run_bulk(request: HttpRequest, data: dict[str, Any], selected: list[Report]) -> None:
    if not selected:
        messages.warning(request, _("Bitte wählen Sie mindestens eine Meldung aus."))
        return
    if data["action"] == "assign":
        try:
            count = services.report_assign(actor=request.user, reports=selected, assignee=data.get("assignee"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return
        messages.success(
            request,
            ngettext("%(count)d Meldung zugewiesen.", "%(count)d Meldungen zugewiesen.", count) % {"count": count},
        )
        return
    if not data.get("status"):
        messages.error(request, _("Bitte wählen Sie den neuen Status."))
        return
    changed, skipped = services.report_bulk_status(actor=request.user, reports=selected, status=data["status"],
                                                   message=data.get("message", ""))  # fmt: skip
    messages.success(
        request, ngettext("%(count)d Meldung geändert.", "%(count)d Meldungen geändert.", changed) % {"count": changed}
    )
    if skipped:
        messages.warning(request, ngettext(
            "%(count)d Meldung übersprungen: Dieser Statuswechsel ist für sie nicht möglich.",
            "%(count)d Meldungen übersprungen: Dieser Statuswechsel ist für sie nicht möglich.", skipped) % {"count": skipped})  # fmt: skip


@backoffice_view("reports.handle_reports")
def report_detail(request: HttpRequest, organisation: Organisation, report_pk: int) -> HttpResponse:
    report = get_object_or_404(
        Report.objects.select_related("category", "organisation", "assignee", "duplicate_of"),
        organisation=organisation,
        pk=report_pk,
    )
    action = request.POST.get("action", "")
    choices = [(status, ReportStatus(status).label) for status in TRANSITIONS.get(report.status, ())]
    status_form = StatusForm(request.POST if action == "status" else None, choices=choices, organisation=organisation,
                             prefix="status")  # fmt: skip
    targets = services.forward_targets(report)
    forward_form = ForwardForm(request.POST if action == "forward" else None, targets=targets, prefix="forward")
    note_form = NoteForm(request.POST if action == "note" else None, prefix="note")
    hide_form = HideForm(request.POST if action in ("hide", "hide_photo") else None, prefix="hide")
    if request.method == "POST":
        done = _act(request, report, action, status_form, forward_form, note_form, hide_form)
        if done is not None:
            return done
    return render(request, "reports/backoffice/detail.html", {
        "organisation": organisation, "section": "reports", "report": report, "photos": report.photos.all(),
        "updates": report.updates.select_related("organisation", "author"), "notes": report.notes.select_related("author"),
        "status_form": status_form, "forward_form": forward_form, "note_form": note_form, "hide_form": hide_form,
        "can_forward": bool(targets) and report.is_open, "answers": attribute_answers(report),
        **_report_nav(request, organisation, report),
    })  # fmt: skip


def _act(request: HttpRequest, report: Report, action: str, *forms: Any) -> HttpResponse | None:
    """Run one of the detail page's actions; a redirect on success, None to show the page with errors."""
    status_form, forward_form, note_form, hide_form = forms
    try:
        if action == "status" and status_form.is_valid():
            data = status_form.cleaned_data
            duplicate = Report.objects.filter(pk=data["duplicate_of"]).first() if data.get("duplicate_of") else None
            services.report_change_status(actor=request.user, report=report, status=data["status"],
                                          message=data["message"] or data.get("template", ""), duplicate_of=duplicate)  # fmt: skip
            messages.success(
                request, _("Der Status ist geändert. Die meldende Person und die Unterstützenden werden informiert.")
            )
        elif action == "forward" and forward_form.is_valid():
            target = get_object_or_404(Organisation, pk=forward_form.cleaned_data["organisation"])
            services.report_forward(actor=request.user, report=report, organisation=target,
                                    message=forward_form.cleaned_data["message"])  # fmt: skip
            messages.success(request, _("Die Meldung ist an %(name)s weitergeleitet.") % {"name": target.name})
            return redirect("backoffice:report_inbox", org_slug=report.organisation.slug)
        elif action == "note" and note_form.is_valid():
            services.note_add(actor=request.user, report=report, text=note_form.cleaned_data["text"])
            messages.success(request, _("Die Notiz ist gespeichert."))
        elif action == "hide" and hide_form.is_valid():
            services.report_hide(actor=request.user, report=report, reason=hide_form.cleaned_data["reason"])
            messages.success(request, _("Die Meldung ist öffentlich ausgeblendet."))
        elif action == "unhide":
            services.report_hide(actor=request.user, report=report, reason="", hidden=False)
            messages.success(request, _("Die Meldung ist wieder sichtbar."))
        elif action == "hide_photo" and hide_form.is_valid():
            photo = get_object_or_404(ReportPhoto, report=report, pk=posted_id(request.POST, "photo"))
            services.photo_hide(actor=request.user, photo=photo, reason=hide_form.cleaned_data["reason"])
            messages.success(request, _("Das Foto ist öffentlich ausgeblendet."))
        elif action == "unhide_photo":
            photo = get_object_or_404(ReportPhoto, report=report, pk=posted_id(request.POST, "photo"))
            services.photo_hide(actor=request.user, photo=photo, reason="", hidden=False)
            messages.success(request, _("Das Foto ist wieder sichtbar."))
        else:
            return None
    except ValidationError as error:
        target_form = {"status": status_form, "forward": forward_form, "note": note_form}.get(action, hide_form)
        add_service_errors(target_form, error)
        return None
    return redirect(request.get_full_path())


@backoffice_view("reports.handle_reports")
def response_templates(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = ResponseTemplateForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            template = get_object_or_404(
                ResponseTemplate, organisation=organisation, pk=posted_id(request.POST, "template")
            )
            services.response_template_delete(actor=request.user, template=template)
            messages.success(request, _("Die Vorlage ist gelöscht."))
            return redirect(request.path)
        if request.POST.get("action") == "translate":
            template = get_object_or_404(
                ResponseTemplate, organisation=organisation, pk=posted_id(request.POST, "template")
            )
            try:
                services.response_template_translate(actor=request.user, template=template,
                                                     title_en=request.POST.get("title_en", ""),
                                                     text_en=request.POST.get("text_en", ""))  # fmt: skip
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Die englische Fassung von „%(title)s“ ist gespeichert.")
                                 % {"title": template.title})  # fmt: skip
            return redirect(request.path)
        if form.is_valid():
            try:
                services.response_template_add(actor=request.user, organisation=organisation, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Die Vorlage ist gespeichert."))
                return redirect(request.path)
    return render(request, "reports/backoffice/templates.html", {
        "organisation": organisation, "section": "reports", "form": form,
        "templates": ResponseTemplate.objects.filter(organisation=organisation),
    })  # fmt: skip


@backoffice_view("reports.manage_categories")
def categories(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """Which portal-wide categories this organisation handles, and where a copy of each report goes."""
    handlers = {
        handler.template_id: handler for handler in OrganisationCategory.objects.filter(organisation=organisation)
    }
    action = request.POST.get("action") if request.method == "POST" else None
    settings_form = ReportSettingsForm(request.POST if action == "settings" else None,
                                       instance=ReportSettings.of(organisation))  # fmt: skip
    if action == "settings" and settings_form.is_valid():
        try:
            services.report_settings_set(actor=request.user, organisation=organisation,
                                         response_days=settings_form.cleaned_data["response_days"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(settings_form, error)
        else:
            messages.success(request, _("Die Antwortfrist ist gespeichert."))
            return redirect(request.path)
    if request.method == "POST" and action == "translate":
        handler = get_object_or_404(
            OrganisationCategory, organisation=organisation, pk=posted_id(request.POST, "handler")
        )
        try:
            services.category_translate(actor=request.user, handler=handler, name_en=request.POST.get("name_en", ""),
                                        description_en=request.POST.get("description_en", ""))  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Die englische Bezeichnung von „%(name)s“ ist gespeichert.")
                             % {"name": handler.template.name})  # fmt: skip
        return redirect(request.path)
    if request.method == "POST" and request.POST.get("action") == "questions":
        handler = get_object_or_404(
            OrganisationCategory, organisation=organisation, pk=posted_id(request.POST, "handler")
        )
        try:
            services.category_questions_set(actor=request.user, handler=handler, text=request.POST.get("questions", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Die Zusatzfragen zu „%(name)s“ sind gespeichert.") % {"name": handler.template.name}
            )
        return redirect(request.path)
    if request.method == "POST" and action != "settings":
        template = get_object_or_404(CategoryTemplate, pk=posted_id(request.POST, "template"))
        try:
            services.category_set(actor=request.user, organisation=organisation, template=template,
                                  enabled=request.POST.get("enabled") == "1",
                                  forward_email=request.POST.get("forward_email", ""))  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Die Zuständigkeit für „%(name)s“ ist gespeichert.") % {"name": template.name})
        return redirect(request.path)
    rows = [(template, handlers.get(template.pk)) for template in CategoryTemplate.objects.all()]
    for template, enabled in rows:
        if enabled is not None:
            enabled.template = template  # already loaded: no query per category
    questions = [(enabled, services.questions_as_text(enabled.questions)) for _template, enabled in rows if enabled]
    return render(request, "reports/backoffice/categories.html",
                  {"organisation": organisation, "section": "reports", "rows": rows, "questions": questions,
                   "settings_form": settings_form})  # fmt: skip
