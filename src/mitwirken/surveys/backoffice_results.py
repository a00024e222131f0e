"""Staff pages of a survey's results: charts and tables with filters, publishing, free texts, exports."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitwirken.core import forms as core_forms
from mitwirken.core import maps
from mitwirken.core.audit import log_action
from mitwirken.core.exports import XLSX_TYPE, csv_lines, safe_cell, xlsx_file
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation
from mitwirken.projects.models import Module, Project

from . import access, exports, results
from .models import Answer, Question, Survey
from .questionnaire import Questionnaire
from .services import publishing

FORMATS = ("csv", "xlsx", "zip")


def staff_survey(organisation: Organisation, project_pk: int, module_pk: int, user: Any,
                 permission: str = "surveys.view_results") -> tuple[Project, Module, Survey]:  # fmt: skip
    """The survey of a module in this organisation's back office; 404 for other modules and other rights."""
    survey = access.staff_survey(user, organisation, project_pk, module_pk, permission)
    return survey.module.project, survey.module, survey


class FilterForm(core_forms.RenderCachedForm):
    antwort = forms.ChoiceField(label=gettext_lazy("Nur Antwortbögen mit dieser Antwort"), required=False,
                                help_text=gettext_lazy("Zeigt alle anderen Fragen für diese Gruppe (Kreuztabelle)."))  # fmt: skip
    von = forms.DateField(label=gettext_lazy("Abgeschickt ab"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))  # fmt: skip
    bis = forms.DateField(label=gettext_lazy("Abgeschickt bis"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))  # fmt: skip

    def __init__(self, *args: Any, questionnaire: Questionnaire, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        self.fields["antwort"].choices = [("", _("Alle Antwortbögen")), *results.filter_choices(questionnaire)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("von") and data.get("bis") and data["von"] > data["bis"]:
            raise ValidationError(_("Das Datum „ab“ liegt nach dem Datum „bis“."))
        return data

    def filters(self) -> results.Filters:
        if not self.is_bound or not self.is_valid():
            return results.Filters()
        chosen = results.parse_filter(self.questionnaire, self.cleaned_data.get("antwort") or "")
        date_from: datetime.date | None = self.cleaned_data.get("von")
        date_to: datetime.date | None = self.cleaned_data.get("bis")
        return results.Filters(chosen[0] if chosen else None, chosen[1] if chosen else "", date_from, date_to)


def _filter_query(request: HttpRequest) -> str:
    """The filters as a query string, kept by the text pages' links (each text list pages on its own)."""
    return urlencode([(key, request.GET[key]) for key in ("antwort", "von", "bis") if request.GET.get(key)])


@backoffice_view()
def results_page(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    project, module, survey = staff_survey(organisation, project_pk, module_pk, request.user)
    questionnaire = Questionnaire(survey)
    form = FilterForm(request.GET if any(k in request.GET for k in ("antwort", "von", "bis")) else None,
                      questionnaire=questionnaire)  # fmt: skip
    found = results.build(survey, questionnaire, filters=form.filters(), pages=request.GET)
    return render(request, "surveys/backoffice/results.html", {
        **_context(organisation, project, module, survey), "form": form, "results": found,
        "verified": verified_counts(survey),
        "query": _filter_query(request), "can_manage": request.user.has_perm("surveys.manage", module),
        **results_map_settings(questionnaire, found),
    })  # fmt: skip


def verified_counts(survey: Survey) -> list[tuple[str, int]]:
    """How many responses came from a verified login, per provider and level (one grouped query; never who)."""
    from django.db.models import Count

    from mitwirken.accounts.assurance_records import identity_text

    from .models import Response

    grouped = (
        Response.objects.filter(survey=survey, assurance_level__gt=0).order_by()
        .values_list("identity_provider", "assurance_level").annotate(count=Count("id"))
        .order_by("-assurance_level", "identity_provider")
    )  # fmt: skip
    return [(identity_text(level, provider), count) for provider, level, count in grouped]


def _context(organisation: Organisation, project: Project, module: Module, survey: Survey) -> dict[str, Any]:
    return {"organisation": organisation, "project": project, "module": module, "survey": survey,
            "section": "projects", "tab": "modules"}  # fmt: skip


def results_map_settings(questionnaire: Questionnaire, found: results.Results) -> dict[str, Any]:
    """What the one map component needs (``static/js/maps.js``), only when a location question has points."""

    if not found.points:
        return {}
    area = questionnaire.area
    return {"map_area": maps.area_collection(area)}


class PublishForm(forms.Form):
    published = forms.BooleanField(label=gettext_lazy("Ergebnisse veröffentlichen"), required=False,
                                   help_text=gettext_lazy("Die Ergebnisse erscheinen auf der Seite „Auswertung“ "
                                                          "der Umfrage. Freitexte erscheinen nur, wenn Sie sie "
                                                          "einzeln auswählen."))  # fmt: skip
    questions = forms.TypedMultipleChoiceField(label=gettext_lazy("Diese Fragen zeigen"), required=False, coerce=int,
                                               widget=forms.CheckboxSelectMultiple)  # fmt: skip

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questions"].choices = choices  # type: ignore[attr-defined]


@backoffice_view()
def publish(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    project, module, survey = staff_survey(organisation, project_pk, module_pk, request.user, "surveys.manage")
    questionnaire = Questionnaire(survey)
    answerable = [q for q in questionnaire.questions if q.type != "info"]
    form = PublishForm(request.POST or None, choices=[(q.pk, f"{q.code}: {q.text}") for q in answerable],
                       initial={"published": survey.results_published,
                                "questions": [q.pk for q in answerable if q.publish]})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        publishing.results_publish(actor=request.user, survey=survey, published=form.cleaned_data["published"],
                                   question_ids=form.cleaned_data["questions"])  # fmt: skip
        messages.success(request, _("Die Einstellungen zur Veröffentlichung sind gespeichert."))
        return redirect(request.path)
    texts = [q for q in answerable if results.has_texts(q)]
    return render(request, "surveys/backoffice/results_publish.html", {
        **_context(organisation, project, module, survey), "form": form, "text_questions": texts,
    })  # fmt: skip


@backoffice_view()
def texts(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int,
          question_pk: int) -> HttpResponse:  # fmt: skip
    """One question's free texts, a page at a time, each with a box: selected texts appear in public results."""
    project, module, survey = staff_survey(organisation, project_pk, module_pk, request.user, "surveys.manage")
    question = get_object_or_404(Question, survey=survey, pk=question_pk)
    if not results.has_texts(question):
        raise Http404
    all_texts = results.text_answers(Answer.objects.all(), question, public=False)
    page = Paginator(all_texts, 50).get_page(request.GET.get("seite"))
    if request.method == "POST":
        shown = _ids(request.POST.getlist("shown"))
        publishing.texts_select(actor=request.user, survey=survey, question=question, shown=shown,
                                selected=_ids(request.POST.getlist("selected")))  # fmt: skip
        messages.success(request, _("Die Auswahl ist gespeichert."))
        return redirect(f"{request.path}?seite={page.number}")
    return render(request, "surveys/backoffice/results_texts.html", {
        **_context(organisation, project, module, survey), "question": question, "page": page,
    })  # fmt: skip


def _ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit() and len(value) < 19]


@backoffice_view()
def export(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int,
           file_format: str) -> Any:  # fmt: skip
    """All responses as CSV or XLSX (human-readable), or as a zip for SPSS (codes, codebook, syntax)."""
    _project, module, survey = staff_survey(organisation, project_pk, module_pk, request.user)
    if file_format not in FORMATS:
        raise Http404
    questionnaire = Questionnaire(survey)
    layout = exports.Layout(survey, questionnaire, spss=file_format == "zip")
    log_action(actor=request.user, action="survey.export", obj=survey, organisation=organisation,
               changes={"format": file_format, "anonymity": survey.anonymity})  # fmt: skip
    name = f"umfrage-{module.pk}"
    if file_format == "zip":
        return FileResponse(exports.spss_zip(layout), as_attachment=True, filename=f"{name}-spss.zip",
                            content_type="application/zip")  # fmt: skip
    header = [safe_cell(title) for title in exports.human_header(layout)]
    if file_format == "xlsx":
        return FileResponse(xlsx_file(_("Antworten"), header, layout.rows()), as_attachment=True,
                            filename=f"{name}.xlsx", content_type=XLSX_TYPE)  # fmt: skip
    response = StreamingHttpResponse(csv_lines(header, layout.rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def public_url(project: Project, module: Module) -> str:
    return reverse("surveys:results", kwargs={"org_slug": project.organisation.slug, "project_slug": project.slug,
                                              "module_slug": module.slug})  # fmt: skip
