"""The survey builder in the back office: settings and quotas, pages, questions, conditions, answer sets, preview.

Views are thin: they fetch inside the organisation (404 for anything else), read a form and call a service of
``services/building.py``, which checks the permission again and refuses what would break answers or conditions.
Everything works without JavaScript: ordering is done with up/down buttons, each a small POST form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from mitwirken.core.forms_util import add_service_errors
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation
from mitwirken.projects.models import Module, Project

from . import conditions, views
from .access import staff_survey
from .forms import AnswerSetForm, DeleteForm, PageForm, QuestionForm, QuotaForm, SettingsForm, TypeForm
from .models import Answer, AnswerSet, Draft, Page, Question, QuestionType, Quota, Survey
from .questionnaire import Questionnaire
from .services import building, responding


@dataclass
class Builder:
    """What every builder page works on, fetched inside the organisation of the URL."""

    organisation: Organisation
    project: Project
    module: Module
    survey: Survey

    def url(self, name: str = "survey_builder", **kwargs: Any) -> str:
        return reverse(f"backoffice:{name}", kwargs={"org_slug": self.organisation.slug, "project_pk": self.project.pk,
                                                     "module_pk": self.module.pk, **kwargs})  # fmt: skip

    def context(self, **extra: Any) -> dict[str, Any]:
        return {"organisation": self.organisation, "project": self.project, "module": self.module,
                "survey": self.survey, "builder": self, "section": "projects", "tab": "modules", **extra}  # fmt: skip

    def page(self, page_pk: int) -> Page:
        page = get_object_or_404(Page, survey=self.survey, pk=page_pk)
        page.survey = self.survey
        return page

    def question(self, question_pk: int) -> Question:
        question = get_object_or_404(Question.objects.select_related("page", "answer_set"), survey=self.survey,
                                     pk=question_pk)  # fmt: skip
        question.survey = question.page.survey = self.survey
        return question

    def earlier_questions(self, page: Page | None) -> list[Question]:
        """Questions a condition on ``page`` may name: those of earlier pages (all of them for a new page)."""
        codes = building.earlier_codes(self.survey, page) if page is not None else None
        questions = Question.objects.filter(survey=self.survey).order_by("page__position", "page_id", "position", "id")
        return list(questions if codes is None else questions.filter(code__in=codes))


def _builder(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> Builder:
    survey = staff_survey(request.user, organisation, project_pk, module_pk)
    return Builder(organisation, survey.module.project, survey.module, survey)


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- overview -------------------------------------------------------------------------------------------------


@dataclass
class QuestionRow:
    question: Question
    condition: str


@dataclass
class PageBlock:
    number: int
    page: Page
    condition: str
    questions: list[QuestionRow]


@backoffice_view()
def builder(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    """Pages with their questions and conditions in words; the number of queries does not grow with them."""
    b = _builder(request, organisation, project_pk, module_pk)
    questionnaire = Questionnaire(b.survey)
    labels = {question.code: question.text for question in questionnaire.questions}
    pages = [
        PageBlock(number, page, conditions.describe(page.condition, labels),
                  [QuestionRow(question, conditions.describe(question.condition, labels))
                   for question in page.questions.all()])
        for number, page in enumerate(questionnaire.pages, start=1)
    ]  # fmt: skip
    quotas = list(Quota.objects.filter(survey=b.survey).select_related("question").order_by("question_id", "pk"))
    return render(request, "surveys/backoffice/builder.html", b.context(pages=pages, quotas=quotas))


# --- settings and quotas --------------------------------------------------------------------------------------


@dataclass
class QuotaTarget:
    pk: int
    code: str
    text: str
    choices: list[Any]


@backoffice_view()
def settings(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    b = _builder(request, organisation, project_pk, module_pk)
    action = request.POST.get("action", "")
    questionnaire = Questionnaire(b.survey)
    singles = [QuotaTarget(question.pk, question.code, question.text, list(questionnaire.item(question).field.choices))
               for question in questionnaire.questions if question.type == QuestionType.SINGLE]  # fmt: skip
    quotas = list(Quota.objects.filter(survey=b.survey))
    settings_form = SettingsForm(request.POST if action == "settings" else None, prefix="settings",
                                 initial=SettingsForm.initial_for(b.survey))  # fmt: skip
    quota_form = QuotaForm(request.POST if action == "quotas" else None, prefix="quotas", single_questions=singles,
                           quotas=quotas)  # fmt: skip
    if request.method == "POST" and action == "settings" and settings_form.is_valid():
        try:
            building.settings_update(actor=request.user, survey=b.survey, **settings_form.cleaned_data)
        except ValidationError as error:
            add_service_errors(settings_form, error)
        else:
            messages.success(request, _("Die Einstellungen sind gespeichert."))
            return redirect(b.url("survey_settings"))
    if (
        request.method == "POST"
        and action == "quotas"
        and quota_form.is_valid()
        and _save_quotas(request, b, quota_form)
    ):
        messages.success(request, _("Die Quoten sind gespeichert."))
        return redirect(b.url("survey_settings"))
    return render(request, "surveys/backoffice/settings.html", b.context(
        settings_form=settings_form, quota_form=quota_form, quotas=quotas,
    ))  # fmt: skip


@transaction.atomic
def _save_quotas(request: HttpRequest, b: Builder, form: QuotaForm) -> bool:
    """Set or remove each quota; a refusal (a quota already fuller than the new limit) stays at its field, and
    then none of the form's quotas change."""
    questions = {question.pk: question for question in Question.objects.filter(survey=b.survey)}
    for name, (target, option_code) in form.targets.items():
        question = questions[target.pk] if target is not None else None
        if question is not None:
            question.survey = b.survey
        limit = form.cleaned_data.get(name)
        try:
            if limit:
                building.quota_set(actor=request.user, survey=b.survey, limit=limit, question=question,
                                   option_code=option_code)  # fmt: skip
            else:
                building.quota_remove(actor=request.user, survey=b.survey, question=question, option_code=option_code)
        except ValidationError as error:
            form.add_error(name, error.messages)
    if form.errors:
        transaction.set_rollback(True)
        return False
    return True


# --- pages ----------------------------------------------------------------------------------------------------


@backoffice_view()
def page_add(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    b = _builder(request, organisation, project_pk, module_pk)
    form = PageForm(request.POST or None, earlier=b.earlier_questions(None))
    if request.method == "POST" and form.is_valid():
        try:
            page = building.page_add(actor=request.user, survey=b.survey, title=form.cleaned_data["title"],
                                     description=form.cleaned_data["description"], condition=form.condition_value())  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Seite ist angelegt."))
            return redirect(f"{b.url()}#seite-{page.pk}")
    return render(request, "surveys/backoffice/page_form.html", b.context(form=form, page=None))


@backoffice_view()
def page_edit(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int,
              page_pk: int) -> HttpResponse:  # fmt: skip
    b = _builder(request, organisation, project_pk, module_pk)
    page = b.page(page_pk)
    action = request.POST.get("action", "")
    form = PageForm(request.POST if action == "save" else None, earlier=b.earlier_questions(page),
                    current=page.condition, initial={"title": page.title, "description": page.description})  # fmt: skip
    delete_form = DeleteForm(request.POST if action == "delete" else None, prefix="delete")
    if request.method == "POST" and action == "save" and form.is_valid():
        try:
            building.page_update(actor=request.user, page=page, title=form.cleaned_data["title"],
                                 description=form.cleaned_data["description"], condition=form.condition_value())  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Seite ist gespeichert."))
            return redirect(f"{b.url()}#seite-{page.pk}")
    if request.method == "POST" and action == "delete" and delete_form.is_valid():
        try:
            building.page_delete(actor=request.user, page=page, confirm=delete_form.cleaned_data["confirm"])
        except ValidationError as error:
            add_service_errors(delete_form, error)
        else:
            messages.success(request, _("Die Seite ist gelöscht."))
            return redirect(b.url())
    answered = Answer.objects.filter(question__page=page).exists()
    return render(request, "surveys/backoffice/page_form.html", b.context(
        form=form, page=page, delete_form=delete_form, answered=answered,
    ))  # fmt: skip


MOVES = {"hoch": -1, "runter": 1}


@backoffice_view()
def page_action(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int,
                page_pk: int) -> HttpResponse:  # fmt: skip
    """The buttons next to a page in the overview: up, down, duplicate."""
    b = _builder(request, organisation, project_pk, module_pk)
    page = b.page(page_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    action = request.POST.get("aktion", "")
    anchor = f"seite-{page.pk}"
    try:
        if action in MOVES:
            building.page_move(actor=request.user, page=page, direction=MOVES[action])
            messages.success(request, _("Die Seite ist verschoben."))
        elif action == "duplizieren":
            anchor = f"seite-{building.page_duplicate(actor=request.user, page=page).pk}"
            messages.success(request, _("Die Seite ist kopiert; ihre Fragen haben neue Kürzel."))
    except ValidationError as error:
        _refused(request, error)
    if action in MOVES:
        anchor = _page_button(b.survey, page, action)
    return redirect(f"{b.url()}#{anchor}")


def _page_button(survey: Survey, page: Page, pressed: str) -> str:
    """The id of the button to focus after a page was moved (or refused to move): the one pressed, or the page's
    other one where the pressed button is no longer shown (first page: no "nach oben", last: no "nach unten")."""
    order = list(Page.objects.filter(survey=survey).order_by("position", "id").values_list("pk", flat=True))
    shown = [
        name for name, missing_at in (("hoch", 0), ("runter", len(order) - 1)) if order.index(page.pk) != missing_at
    ]
    if not shown:
        return f"seite-{page.pk}"
    return f"seite-{page.pk}-{pressed if pressed in shown else shown[0]}"


# --- questions ------------------------------------------------------------------------------------------------


@backoffice_view()
def question_add(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int,
                 page_pk: int) -> HttpResponse:  # fmt: skip
    """Two steps, so the form shows only the chosen type's settings: first the type, then the question."""
    b = _builder(request, organisation, project_pk, module_pk)
    page = b.page(page_pk)
    type_form = TypeForm(request.GET if "typ" in request.GET else None)
    if not type_form.is_valid():
        return render(request, "surveys/backoffice/question_type.html", b.context(page=page, type_form=type_form))
    question_type = type_form.cleaned_data["typ"]
    form = QuestionForm(request.POST or None, request.FILES or None, question_type=question_type,
                        organisation=organisation, earlier=b.earlier_questions(page))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            question = building.question_add(actor=request.user, page=page, type=question_type,
                                              **form.service_kwargs())  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Frage ist angelegt."))
            return redirect(f"{b.url()}#frage-{question.pk}")
    return render(request, "surveys/backoffice/question_form.html", b.context(
        form=form, page=page, question=None, question_type=QuestionType(question_type),
    ))  # fmt: skip


@backoffice_view()
def question_edit(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int,
                  question_pk: int) -> HttpResponse:  # fmt: skip
    b = _builder(request, organisation, project_pk, module_pk)
    question = b.question(question_pk)
    action = request.POST.get("action", "")
    saving = request.method == "POST" and action == "save"
    # A changed type shows the new type's settings; it is saved once they are complete.
    requested = request.POST.get("type", "") if saving else ""
    question_type = requested if requested in QuestionType.values else question.type
    answered = question.answers.exists()
    form = QuestionForm(request.POST if saving else None, request.FILES if saving else None,
                        question_type=question_type, organisation=organisation,
                        earlier=b.earlier_questions(question.page), question=question, with_confirm=answered)  # fmt: skip
    delete_form = DeleteForm(request.POST if action == "delete" else None, prefix="delete")
    if saving and form.is_valid():
        try:
            building.question_update(actor=request.user, question=question, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Frage ist gespeichert."))
            return redirect(f"{b.url()}#frage-{question.pk}")
    if request.method == "POST" and action == "delete" and delete_form.is_valid():
        try:
            building.question_delete(actor=request.user, question=question,
                                     confirm=delete_form.cleaned_data["confirm"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(delete_form, error)
        else:
            messages.success(request, _("Die Frage ist gelöscht."))
            return redirect(f"{b.url()}#seite-{question.page_id}")
    return render(request, "surveys/backoffice/question_form.html", b.context(
        form=form, page=question.page, question=question, question_type=QuestionType(question_type),
        delete_form=delete_form, answered=answered,
    ))  # fmt: skip


@backoffice_view()
def question_action(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int,
                    question_pk: int) -> HttpResponse:  # fmt: skip
    """The buttons next to a question in the overview: up, down (onto the neighbour page at the ends), duplicate."""
    b = _builder(request, organisation, project_pk, module_pk)
    question = b.question(question_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    action = request.POST.get("aktion", "")
    anchor = question.pk
    try:
        if action in MOVES:
            building.question_move(actor=request.user, question=question, direction=MOVES[action])
            messages.success(request, _("Die Frage ist verschoben."))
        elif action == "duplizieren":
            anchor = building.question_duplicate(actor=request.user, question=question).pk
            messages.success(request, _("Die Frage ist kopiert und hat ein neues Kürzel."))
    except ValidationError as error:
        _refused(request, error)
    # After a move (done or refused), back to the button pressed, so keyboard users carry on where they were.
    return redirect(f"{b.url()}#frage-{anchor}{'-' + action if action in MOVES else ''}")


# --- answer sets ----------------------------------------------------------------------------------------------


@backoffice_view()
def answer_sets(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    """The organisation's shared answer lists, reached from this survey; a new one is added here."""
    b = _builder(request, organisation, project_pk, module_pk)
    form = AnswerSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            building.answer_set_save(actor=request.user, module=b.module, name=form.cleaned_data["name"],
                                     options=form.cleaned_data["options"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Antwortliste ist angelegt."))
            return redirect(b.url("survey_answer_sets"))
    sets = AnswerSet.objects.filter(organisation=organisation).prefetch_related("options")
    return render(request, "surveys/backoffice/answer_sets.html", b.context(form=form, answer_sets=sets))


@backoffice_view()
def answer_set_edit(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int,
                    answer_set_pk: int) -> HttpResponse:  # fmt: skip
    b = _builder(request, organisation, project_pk, module_pk)
    answer_set = get_object_or_404(AnswerSet, organisation=organisation, pk=answer_set_pk)
    form = AnswerSetForm(request.POST or None, answer_set=answer_set)
    if request.method == "POST" and form.is_valid():
        try:
            building.answer_set_save(actor=request.user, module=b.module, answer_set=answer_set,
                                     name=form.cleaned_data["name"], options=form.cleaned_data["options"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Antwortliste ist gespeichert."))
            return redirect(b.url("survey_answer_sets"))
    return render(request, "surveys/backoffice/answer_set_form.html", b.context(form=form, answer_set=answer_set))


# --- preview --------------------------------------------------------------------------------------------------


def _preview_key(survey: Survey) -> str:
    return f"surveys:preview:{survey.pk}"


@backoffice_view()
def preview(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int,
            number: int) -> HttpResponse:  # fmt: skip
    """A page exactly as respondents see it (same template, same conditions and checks), for any project status.

    The answers live in the session only, in an unsaved ``Draft``: the preview never writes a draft or a response.
    ``?neu=1`` starts over.
    """
    b = _builder(request, organisation, project_pk, module_pk)
    questionnaire = Questionnaire(b.survey)
    key = _preview_key(b.survey)
    if "neu" in request.GET or key not in request.session:
        request.session[key] = {"answers": {}, "orders": questionnaire.random_orders()}
    stored = request.session[key]
    draft = Draft(survey=b.survey, answers=dict(stored["answers"]), orders=dict(stored["orders"]))
    shown_pages = questionnaire.shown_pages(draft.answers)
    index = number - 1
    if index not in shown_pages:
        later = [page for page in shown_pages if page >= index] or shown_pages
        if not later:
            messages.info(request, _("Die Umfrage hat noch keine Fragen, die angezeigt würden."))
            return redirect(b.url())
        return redirect(b.url("survey_preview", number=later[0] + 1))
    if request.method == "POST":
        return _preview_post(request, b, questionnaire, draft, index, shown_pages)
    items = responding.page_items(questionnaire, draft, index)
    return _render_preview(request, b, questionnaire, index, draft.answers, items)


def _preview_post(request: HttpRequest, b: Builder, questionnaire: Questionnaire, draft: Draft, index: int,
                  shown_pages: list[int]) -> HttpResponse:  # fmt: skip
    data = request.POST.copy()
    moved = views._apply_move(data, request.POST.get("verschieben", ""))
    for name in request.FILES:
        # Uploads are not stored in a preview; the reader takes the file's name as if it had been kept.
        upload_name = str(getattr(request.FILES[name], "name", "") or "")[:200]
        data[f"{name}-kept"] = {"path": "", "name": upload_name}  # type: ignore[assignment]
    result = responding.read_page(questionnaire, draft, index, data, {})
    if not result.ok:
        return _render_preview(request, b, questionnaire, index, draft.answers, result.items, errors=result.errors,
                               status=400)  # fmt: skip
    request.session[_preview_key(b.survey)] = {"answers": draft.answers, "orders": draft.orders}
    if result.quota_full:
        messages.warning(request, _("Hier wäre die Umfrage für diese Person zu Ende: Ihre Quote ist voll."))
    if moved:
        return redirect(f"{b.url('survey_preview', number=index + 1)}#frage-{moved}")
    if request.POST.get("aktion") == "zurueck":
        earlier = [page for page in questionnaire.shown_pages(draft.answers) if page < index]
        return redirect(b.url("survey_preview", number=(earlier[-1] if earlier else index) + 1))
    if result.next_page is not None:
        return redirect(b.url("survey_preview", number=result.next_page + 1))
    request.session.pop(_preview_key(b.survey), None)
    messages.success(request, _("Ende der Vorschau. Hier würden die Antworten abgeschickt; gespeichert wurde nichts."))
    return redirect(b.url())


def _render_preview(request: HttpRequest, b: Builder, questionnaire: Questionnaire, index: int,
                    answers: dict[str, Any], items: list[Any], *, errors: dict[str, str] | None = None,
                    status: int = 200) -> HttpResponse:  # fmt: skip
    progress = questionnaire.progress(index, answers)
    context = {
        "project": b.project, "organisation": b.organisation, "module": b.module, "survey": b.survey,
        "phase": b.module.active_phase(), "page": questionnaire.pages[index], "items": items, "errors": errors or {},
        "number": index + 1, "position": progress.position, "total": progress.total,
        "is_last": progress.is_last, "is_first": progress.is_first,
        "previous_number": progress.previous_number, "spam_form": None,
        "can_resume_by_mail": False, "preview": True, **views._map_settings(questionnaire),
    }  # fmt: skip
    return render(request, "surveys/page.html", context, status=status)
