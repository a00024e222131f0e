"""The respondent's pages: the survey's start page, one page of questions at a time, save and resume, thanks.

The survey is identified by its module's address; who answers is a ``Respondent`` built from the request (the
account, the personal code kept in the session, the browser's draft key kept in a cookie).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.signing import BadSignature
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from mitwirken.core import maps
from mitwirken.core.spam import SpamProtectedForm, over_limit, typed_address_over_limit
from mitwirken.projects.access import module_for_viewer
from mitwirken.projects.models import Module, Project

from . import resume_links
from .models import Access, Question, Survey
from .questionnaire import Questionnaire
from .services import responding
from .services.responding import Respondent

COOKIE_DAYS = 30


def _survey(module: Module) -> Survey:
    """The module's survey; one that staff have not set up yet is an empty, unsaved one (no questions)."""
    survey = Survey.objects.filter(module=module).first() or Survey(module=module)
    survey.module = module
    module._survey = survey  # type: ignore[attr-defined]
    return survey


class Visit:
    """One request's view of a survey: project, module, survey, respondent and the cookie to set."""

    def __init__(self, request: HttpRequest, org_slug: str, project_slug: str, module_slug: str,
                 resolved: tuple[Project, Module] | None = None) -> None:  # fmt: skip
        self.request = request
        self.project, self.module = resolved or module_for_viewer(
            request.user, org_slug, project_slug, module_slug, plugin="surveys"
        )
        self.survey = _survey(self.module)
        code = request.session.get(self.token_session_key, "")
        self.respondent = Respondent(
            user=request.user,
            token=responding.token_for(self.survey, code) if self.survey.access == Access.TOKEN else None,
            browser_key=request.get_signed_cookie(self.cookie_name, default="", salt="surveys") or "",
        )
        self.new_browser_key = ""

    @property
    def token_session_key(self) -> str:
        return f"surveys:token:{self.survey.pk}"

    @property
    def cookie_name(self) -> str:
        return f"umfrage-{self.survey.pk}"

    @property
    def done_cookie_name(self) -> str:
        return f"umfrage-{self.survey.pk}-fertig"

    @property
    def answered_in_this_browser(self) -> bool:
        return self.survey.access == Access.PUBLIC and bool(
            self.request.get_signed_cookie(self.done_cookie_name, default="", salt="surveys")
        )

    def refusal(self) -> str:
        if self.answered_in_this_browser:
            return _("Sie haben diese Umfrage in diesem Browser bereits beantwortet. Vielen Dank!")
        return responding.refusal(self.survey, self.respondent)

    def ensure_browser_key(self) -> None:
        if self.survey.access == Access.PUBLIC and not self.respondent.browser_key:
            self.respondent.browser_key = self.new_browser_key = responding.new_browser_key()

    def url(self, name: str, **kwargs: Any) -> str:
        return reverse(f"surveys:{name}", kwargs={"org_slug": self.project.organisation.slug,
                                                  "project_slug": self.project.slug, "module_slug": self.module.slug,
                                                  **kwargs})  # fmt: skip

    def finish(self, response: HttpResponse) -> HttpResponse:
        if self.new_browser_key:
            response.set_signed_cookie(self.cookie_name, self.new_browser_key, salt="surveys",
                                       max_age=COOKIE_DAYS * 86400, httponly=True, samesite="Lax", secure=self.request.is_secure())  # fmt: skip
        return response

    def context(self, **extra: Any) -> dict[str, Any]:
        return {"project": self.project, "organisation": self.project.organisation, "module": self.module,
                "survey": self.survey, "phase": self.module.active_phase(), **extra}  # fmt: skip


def render_module(request: HttpRequest, project: Project, module: Module) -> HttpResponse:
    """The survey's start page: what it is about, how anonymous it is, and the way in."""
    visit = Visit(request, project.organisation.slug, project.slug, module.slug, resolved=(project, module))
    questionnaire = Questionnaire(visit.survey)
    draft = responding.draft_for(visit.survey, visit.respondent)
    return render(request, "surveys/start.html", visit.context(
        refusal=visit.refusal(), draft=draft, page_count=len(questionnaire.pages),
        question_count=sum(1 for question in questionnaire.questions if question.type != "info"),
        can_manage=request.user.has_perm("surveys.manage", module),
    ))  # fmt: skip


def _refused(request: HttpRequest, visit: Visit, refusal: str) -> HttpResponse:
    """403 with the reason; where only the login's trust level is missing, with the step-up login back to here."""
    step_up = ""
    if (visit.module.allows("respond") and not visit.answered_in_this_browser
            and responding.needs_step_up(visit.survey, visit.respondent)):  # fmt: skip
        step_up = request.path
        if request.method == "POST":
            refusal = f"{refusal} {_('Die Antworten dieser Seite wurden nicht gespeichert.')}"
    return render(request, "surveys/refused.html", visit.context(refusal=refusal, step_up=step_up), status=403)


def _first_page(questionnaire: Questionnaire, answers: dict[str, Any]) -> int | None:
    pages = questionnaire.shown_pages(answers)
    return pages[0] if pages else None


def page(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, number: int) -> HttpResponse:
    visit = Visit(request, org_slug, project_slug, module_slug)
    if visit.survey.pk is None:
        raise Http404
    refusal = visit.refusal()
    if refusal:
        return _refused(request, visit, refusal)
    questionnaire = Questionnaire(visit.survey)
    visit.ensure_browser_key()
    draft = responding.draft_for(visit.survey, visit.respondent) or responding.new_draft(
        visit.survey, visit.respondent, questionnaire
    )
    shown_pages = questionnaire.shown_pages(draft.answers)
    index = number - 1
    if index not in shown_pages:
        later = [page for page in shown_pages if page >= index] or shown_pages
        if not later:
            raise Http404
        return redirect(visit.url("page", number=later[0] + 1))
    if request.method == "POST":
        return visit.finish(_post_page(request, visit, questionnaire, draft, index, shown_pages))
    items = responding.page_items(questionnaire, draft, index)
    return visit.finish(_render_page(request, visit, questionnaire, draft, index, shown_pages, items))


def _render_page(request: HttpRequest, visit: Visit, questionnaire: Questionnaire, draft: Any, index: int,
                 shown_pages: list[int], items: list[Any], *, errors: dict[str, str] | None = None,
                 status: int = 200, spam_form: Any = None) -> HttpResponse:  # fmt: skip
    progress = questionnaire.progress(index, draft.answers)
    if spam_form is None and progress.is_last and visit.survey.access == Access.PUBLIC:
        spam_form = SpamProtectedForm(user=request.user)
    return render(request, "surveys/page.html", visit.context(
        page=questionnaire.pages[index], items=items, errors=errors or {}, number=index + 1,
        position=progress.position, total=progress.total, is_last=progress.is_last, is_first=progress.is_first,
        previous_number=progress.previous_number, spam_form=spam_form, can_resume_by_mail=visit.survey.access == Access.PUBLIC, **_map_settings(questionnaire),
    ), status=status)  # fmt: skip


def _map_settings(questionnaire: Questionnaire) -> dict[str, Any]:
    area = questionnaire.area
    return {"map_area": maps.area_collection(area)}


def _post_page(request: HttpRequest, visit: Visit, questionnaire: Questionnaire, draft: Any, index: int,
               shown_pages: list[int]) -> HttpResponse:  # fmt: skip
    action = request.POST.get("aktion", "weiter")
    data = request.POST.copy()
    moved = _apply_move(data, request.POST.get("verschieben", ""))
    try:
        # Saving for later, going back and moving a ranking item keep a half-done page; "Weiter" demands it whole.
        lenient = bool(moved) or action in ("zurueck", "speichern")
        result = responding.save_page(visit.survey, visit.respondent, questionnaire, draft, index, data, request.FILES,
                                      enforce_required=not lenient)  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(visit.module.get_absolute_url())
    except PermissionDenied:
        return _refused(request, visit, visit.refusal())
    if result.ignored:
        messages.warning(request, _("Antworten auf Fragen, die Ihnen nach Ihren bisherigen Angaben nicht gestellt "
                                    "werden, wurden nicht gespeichert."))  # fmt: skip
    if not result.ok:
        return _render_page(request, visit, questionnaire, draft, index, shown_pages, result.items,
                            errors=result.errors, status=400)  # fmt: skip
    if result.quota_full:
        responding.discard(draft)
        return render(request, "surveys/quota_full.html", visit.context())
    if moved:  # back to the moved item's button, so keyboard users carry on where they were
        return redirect(f"{visit.url('page', number=index + 1)}#{moved}")
    if action == "zurueck":
        earlier = [page for page in questionnaire.shown_pages(draft.answers) if page < index]
        return redirect(visit.url("page", number=(earlier[-1] if earlier else index) + 1))
    if action == "speichern":
        messages.success(request, _("Ihre Antworten sind gespeichert. Sie können später hier weitermachen."))
        return redirect(visit.module.get_absolute_url())
    if result.next_page is not None:
        return redirect(visit.url("page", number=result.next_page + 1))
    return _submit(request, visit, questionnaire, draft, index)


def _apply_move(data: Any, move: str) -> str:
    """Up/down buttons of a ranking: ``<question>:<item>:hoch|runter`` moves the item in the posted order.

    Returns the id of the button to focus after the move: the one pressed, or the item's other button when the
    item reached the end of the list (where the pressed one is disabled); empty when nothing was moved.
    """
    if not move or move.count(":") != 2:
        return ""
    code, item, direction = move.split(":")
    name = f"q-{code}"
    order = data.getlist(name)
    if item not in order:
        return ""
    position = order.index(item)
    target = position - 1 if direction == "hoch" else position + 1
    if 0 <= target < len(order):
        order[position], order[target] = order[target], order[position]
        position = target
    data.setlist(name, order)
    data[f"{name}-ranked"] = "1"
    data["aktion"] = "verschieben"
    if direction == "hoch" and position == 0:
        direction = "runter"
    elif direction != "hoch" and position == len(order) - 1:
        direction = "hoch"
    return f"{name}-{item}-{direction}"


def _submit(request: HttpRequest, visit: Visit, questionnaire: Questionnaire, draft: Any, index: int) -> HttpResponse:
    if visit.survey.access == Access.PUBLIC:
        spam_form = SpamProtectedForm(request.POST, user=request.user)
        if not spam_form.is_valid() or over_limit(request, f"survey-{visit.survey.pk}", per_ip="60/m"):
            if spam_form.is_valid():
                spam_form.add_error(None, _("Zu viele Antworten in kurzer Zeit. Bitte warten Sie einen Moment."))
            items = responding.page_items(questionnaire, draft, index)
            shown = questionnaire.shown_pages(draft.answers)
            return _render_page(request, visit, questionnaire, draft, index, shown, items, status=400,
                                spam_form=spam_form)  # fmt: skip
    try:
        responding.submit(visit.survey, visit.respondent, questionnaire, draft)
    except responding.QuotaFull:
        return render(request, "surveys/quota_full.html", visit.context())
    except PermissionDenied:
        return _refused(request, visit, visit.refusal())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(visit.module.get_absolute_url())
    response = redirect(visit.url("done"))
    if visit.survey.access == Access.PUBLIC:
        response.set_signed_cookie(visit.done_cookie_name, "1", salt="surveys", max_age=365 * 86400, httponly=True,
                                   samesite="Lax", secure=request.is_secure())  # fmt: skip
        response.delete_cookie(visit.cookie_name)
    request.session.pop(visit.token_session_key, None)
    return response


def done(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str) -> HttpResponse:
    visit = Visit(request, org_slug, project_slug, module_slug)
    return render(request, "surveys/done.html", visit.context())


def enter_code(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str) -> HttpResponse:
    visit = Visit(request, org_slug, project_slug, module_slug)  # outsiders of a protected project get 404 first
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return _use_code(request, visit, request.POST.get("code", ""))


def code_link(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, code: str) -> HttpResponse:
    """The personal link of an invitation: a GET only shows a button, so link scanners use up nothing."""
    visit = Visit(request, org_slug, project_slug, module_slug)
    if request.method == "POST":
        return _use_code(request, visit, code)
    return render(request, "surveys/code_link.html", visit.context(code=code))


def _use_code(request: HttpRequest, visit: Visit, code: str) -> HttpResponse:
    if over_limit(request, "survey-code", per_user="20/m", per_ip="20/m"):
        messages.error(request, _("Zu viele Versuche. Bitte warten Sie einen Moment."))
        return redirect(visit.module.get_absolute_url())
    token = responding.token_for(visit.survey, code)
    if token is None:
        messages.error(request, _("Dieser Zugangscode ist nicht gültig. Bitte prüfen Sie die Schreibweise."))
        return redirect(visit.module.get_absolute_url())
    if token.used:
        messages.error(
            request, _("Mit diesem Zugangscode wurde die Umfrage bereits beantwortet. Jeder Code gilt einmal.")
        )
        return redirect(visit.module.get_absolute_url())
    request.session[visit.token_session_key] = token.code
    draft = token.draft if hasattr(token, "draft") else None
    number = (draft.page + 1) if draft is not None else 1
    return redirect(visit.url("page", number=number))


def send_resume_link(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str) -> HttpResponse:
    """Mail the browser's draft key to an address, so a public respondent can continue elsewhere or later.

    The address is used for this one mail and not stored, so an anonymous survey stays anonymous.
    """
    visit = Visit(request, org_slug, project_slug, module_slug)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    address = request.POST.get("email", "").strip()
    draft = responding.draft_for(visit.survey, visit.respondent)
    if draft is None:
        messages.error(request, _("Es gibt noch keine gespeicherten Antworten."))
        return redirect(visit.module.get_absolute_url())
    error = resume_links.check_address(address)
    if not error and typed_address_over_limit(request, "survey-resume", address):
        error = _("Zu viele E-Mails in kurzer Zeit. Bitte versuchen Sie es später erneut.")
    if error:
        messages.error(request, error)
        return redirect(visit.url("page", number=draft.page + 1))
    resume_links.send(request, visit.survey, address, visit.respondent.browser_key,
                      visit.url("resume", key=resume_links.sign(visit.respondent.browser_key)))  # fmt: skip
    messages.success(request, _("Wir haben Ihnen einen Link zum Fortsetzen geschickt."))
    return redirect(visit.module.get_absolute_url())


def resume(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, key: str) -> HttpResponse:
    visit = Visit(request, org_slug, project_slug, module_slug)
    try:
        browser_key = resume_links.unsign(key)
    except BadSignature:
        messages.error(request, _("Dieser Link zum Fortsetzen ist ungültig oder abgelaufen."))
        return redirect(visit.module.get_absolute_url())
    visit.respondent.browser_key = visit.new_browser_key = browser_key
    draft = responding.draft_for(visit.survey, visit.respondent)
    target: HttpResponseRedirect = redirect(
        visit.url("page", number=draft.page + 1) if draft else visit.module.get_absolute_url()
    )
    return visit.finish(target)


def image(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, question_pk: int) -> Any:
    """The picture of an information block, served only to those who may see the survey."""
    from mitwirken.core.uploads import image_content_type, serve_upload

    visit = Visit(request, org_slug, project_slug, module_slug)
    question = Question.objects.filter(survey=visit.survey, pk=question_pk).first()
    if question is None or not question.image:
        raise Http404
    name = question.image.name.rsplit("/", 1)[-1]
    return serve_upload(question.image, image_content_type(name), download_name=name, inline=True)
