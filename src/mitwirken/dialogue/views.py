"""Participant pages of a dialogue module: lists, ideas, text review, results.

The comment threads, ratings, flags, follows and the moderation queue come from ``mitwirken.participation``;
the moderators' own dialogue pages (feedback, export) are in ``moderation.py``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from mitwirken.core import maps
from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.pagination import KeysFirstPaginator
from mitwirken.core.search import matching
from mitwirken.participation import views as participation
from mitwirken.projects.access import module_for_viewer
from mitwirken.projects.models import Module, Project

from . import services
from .forms import IdeaFilterForm, IdeaForm
from .models import Category, Chapter, Feedback, Idea, IdeaQuerySet, Label, Paragraph

PAGE_SIZE = 20
ORDERINGS = {"new": ("-created_at", "-pk"), "comments": ("-comment_count", "-pk"), "support": ("-score", "-pk")}
NAMES = {"create": _lazy("Neue Ideen")}


class Dialogue:
    """What every dialogue page needs: the project, the module, its settings and the running phase."""

    def __init__(
        self,
        request: HttpRequest,
        org_slug: str,
        project_slug: str,
        module_slug: str,
        *,
        resolved: tuple[Project, Module] | None = None,
    ) -> None:
        # The project app's module page has already fetched and checked project and module: reuse them.
        self.project, self.module = resolved or module_for_viewer(
            request.user, org_slug, project_slug, module_slug, plugin="dialogue"
        )
        self.settings = services.settings_for(self.module)
        self.phase = self.module.active_phase()
        self.user = request.user

    def context(self, **extra: Any) -> dict[str, Any]:
        started = any(phase.start <= timezone.now() for phase in self.module.phases.all())
        following_project = participation.is_following(self.user, project=self.project)
        return {"project": self.project, "organisation": self.project.organisation, "module": self.module,
                "settings": self.settings, "phase": self.phase, "next_phase": self.next_phase(), "started": started,
                "following_project": following_project, **extra}  # fmt: skip

    def next_phase(self) -> Any:
        return participation.next_phase(self.module)

    def ideas(self) -> IdeaQuerySet:
        return Idea.objects.filter(module=self.module).visible_to(self.user, self.module)

    def idea(self, idea_pk: int) -> Idea:
        idea = get_object_or_404(self.ideas().select_related("category", "author"), pk=idea_pk)
        idea.module = self.module
        return idea

    def url(self, name: str, **kwargs: Any) -> str:
        from django.urls import reverse

        return reverse(f"dialogue:{name}", kwargs={"org_slug": self.project.organisation.slug,
                                                   "project_slug": self.project.slug, "module_slug": self.module.slug, **kwargs})  # fmt: skip


def closed_notice(dialogue: Dialogue, action: str) -> str:
    """Why an action is not possible now, in words a participant understands."""
    return participation.closed_notice(dialogue.user, dialogue.project, dialogue.module, action, NAMES)


def render_module(request: HttpRequest, project: Project, module: Module) -> HttpResponse:
    """The module page; registered with the project app for every dialogue blueprint."""
    dialogue = Dialogue(request, project.organisation.slug, project.slug, module.slug, resolved=(project, module))
    if dialogue.settings.blueprint == "text_review":
        chapters = Chapter.objects.filter(module=dialogue.module).prefetch_related("paragraphs")
        return render(request, "dialogue/text_review.html", dialogue.context(
            chapters=chapters, can_comment=request.user.has_perm("participation.comment", dialogue.module),
            comment_notice=closed_notice(dialogue, "comment")))  # fmt: skip
    if dialogue.settings.is_budget:
        return _budget_page(request, dialogue)
    categories = list(Category.objects.filter(module=dialogue.module))
    labels = list(Label.objects.filter(module=dialogue.module))
    form = IdeaFilterForm(request.GET or None, module=dialogue.module, categories=categories, labels=labels)
    ideas = dialogue.ideas().for_list()
    sort = "new"
    if form.is_valid():
        data = form.cleaned_data
        if data.get("category"):
            ideas = ideas.filter(category=data["category"])
        if data.get("label"):
            ideas = ideas.filter(labels=data["label"])
        if data.get("q"):
            ideas = matching(ideas, data["q"])
        sort = data.get("sort") or "new"
    # Topics and items set by staff come in the order staff gave them, unless a participant sorts otherwise.
    order: tuple[str, ...] = (
        ORDERINGS[sort] if dialogue.settings.participants_create or request.GET.get("sort") else ("position", "pk")
    )
    if form.is_valid() and form.cleaned_data.get("q") and not request.GET.get("sort"):
        order = ("-search_rank", *order)  # a search without a chosen order shows the best matches first
    page = KeysFirstPaginator(ideas.order_by(*order), PAGE_SIZE).get_page(request.GET.get("seite"))
    query = request.GET.copy()
    query.pop("seite", None)
    own_ratings = participation.own_ratings(request.user, page.object_list)
    return render(request, "dialogue/ideas.html", dialogue.context(
        form=form, page=page, search_query=form.cleaned_data.get("q", "") if form.is_valid() else "", query=query.urlencode(), own_ratings=own_ratings,
        can_add=request.user.has_perm("dialogue.add_idea", dialogue.module),
        can_rate=request.user.has_perm("participation.rate", dialogue.module),
        add_notice=closed_notice(dialogue, "create") if dialogue.settings.participants_create else "",
        map_points=[{"lat": i.lat, "lon": i.lon, "title": i.title, "url": dialogue.url("idea", idea_pk=i.pk)}
                    for i in page.object_list if i.lat is not None],
        **_map_settings(dialogue),
    ))  # fmt: skip


BUDGET_PAGE_SIZE = 50


def _budget_context(request: HttpRequest, dialogue: Dialogue) -> dict[str, Any]:
    budget = dialogue.settings.budget or 0
    spent = services.budget_spent(request.user, dialogue.module)
    return {"budget": budget, "spent": spent, "left": budget - spent, "budget_text": services.euros(budget),
            "spent_text": services.euros(spent), "left_text": services.euros(budget - spent),
            "spent_percent": min(100, round(100 * spent / budget)) if budget else 0}  # fmt: skip


def _budget_page(request: HttpRequest, dialogue: Dialogue) -> HttpResponse:
    """A participatory budget: the items with their costs, what the person has chosen, and what is left."""
    items = dialogue.ideas().filter(hidden=False).select_related("category").order_by("position", "pk")
    page = Paginator(items, BUDGET_PAGE_SIZE).get_page(request.GET.get("seite"))
    chosen = {pk for pk, value in participation.own_ratings(request.user, page.object_list).items() if value == 1}
    return render(request, "dialogue/budget.html", dialogue.context(
        page=page, chosen=chosen, can_choose=request.user.has_perm("participation.rate", dialogue.module),
        choose_notice=closed_notice(dialogue, "rate"), **_budget_context(request, dialogue),
    ))  # fmt: skip


def budget_choose(
    request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, idea_pk: int
) -> HttpResponse:
    """Choose an item or put it back; in place with htmx (the button keeps the focus, the total is announced)."""
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    login = participation.login_needed(request)
    if login is not None:
        return login
    item = dialogue.idea(idea_pk)
    chosen = request.POST.get("action") == "choose"
    ok, said = True, ""
    try:
        services.budget_choose(user=request.user, item=item, chosen=chosen)
    except PermissionDenied:
        ok, said = False, closed_notice(dialogue, "rate") or _("Sie können hier nicht abstimmen.")
    except ValidationError as error:
        ok, said = False, " ".join(error.messages)
    context = _budget_context(request, dialogue)
    if ok:
        said = (_("„%(title)s“ ist gewählt.") if chosen else _("„%(title)s“ ist nicht mehr gewählt.")) % {
            "title": item.title} + " " + _("Gewählt: %(spent)s € von %(budget)s €; übrig: %(left)s €.") % {
            "spent": context["spent_text"], "budget": context["budget_text"], "left": context["left_text"]}  # fmt: skip
    if not participation.in_place(request):
        (messages.success if ok else messages.error)(request, said)
        return redirect(f"{participation.next_or(request, dialogue.module.get_absolute_url())}#vorschlag-{item.pk}")
    item.refresh_from_db()
    item.module = dialogue.module
    own = participation.own_rating(request.user, item)
    return render(request, "dialogue/_budget_swap.html", dialogue.context(
        item=item, chosen={item.pk} if own == 1 else set(), can_choose=True, said=said, error="" if ok else said,
        **context))  # fmt: skip


def _budget_results(dialogue: Dialogue, public: IdeaQuerySet) -> list[dict[str, Any]]:
    """Items by votes (then the cheaper first), and which of them the budget covers in that order (as meinBerlin)."""
    rows, left = [], dialogue.settings.budget or 0
    for item in public.filter(cost__isnull=False).order_by("-positive_count", "cost", "pk")[:500]:
        fits = item.cost is not None and item.cost <= left
        left -= item.cost if fits and item.cost else 0
        rows.append({"item": item, "fits": fits})
    return rows


def _map_settings(dialogue: Dialogue) -> dict[str, Any]:
    area = dialogue.project.location or dialogue.project.organisation.boundary
    return {"map_area": maps.area_collection(area)}


def idea_create(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str) -> HttpResponse:
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    login = participation.login_needed(request)
    if login is not None:
        return login
    if not request.user.has_perm("dialogue.add_idea", dialogue.module):
        return render(request, "dialogue/closed.html", dialogue.context(
            notice=closed_notice(dialogue, "create") or _("Sie können in diesem Projekt keine Ideen einreichen.")), status=403)  # fmt: skip
    form = IdeaForm(request.POST or None, request.FILES or None, module=dialogue.module,
                    with_location=dialogue.settings.with_location, user=request.user)  # fmt: skip
    if request.method == "POST" and form.is_valid() and participation.spam_guard(request, form, "dialogue.idea"):
        data = form.cleaned_data
        try:
            idea = services.idea_create(
                user=request.user, module=dialogue.module, title=data["title"], text=data["text"],
                category=data.get("category"), labels=data.get("labels") or [], image=data.get("image"),
                image_alt=data.get("image_alt", ""), lon=data.get("lon"), lat=data.get("lat"),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, _location_on(error, "lat"))
        else:
            if idea.approved:
                messages.success(request, _("Danke! Ihre Idee ist veröffentlicht."))
            else:
                messages.info(request, _("Danke! Ihre Idee erscheint, sobald die Moderation sie freigegeben hat."))
            return redirect(dialogue.url("idea", idea_pk=idea.pk))
    return render(request, "dialogue/idea_form.html", dialogue.context(form=form, **_map_settings(dialogue)))


def _location_on(error: ValidationError, field: str) -> ValidationError:
    if hasattr(error, "error_dict") and "location" in error.error_dict:
        return ValidationError(
            {**{k: v for k, v in error.error_dict.items() if k != "location"}, field: error.error_dict["location"]}
        )
    return error


def idea_edit(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, idea_pk: int) -> HttpResponse:
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    idea = dialogue.idea(idea_pk)
    if not request.user.has_perm("dialogue.change_idea", idea):
        raise Http404
    initial = {"title": idea.title, "text": idea.text, "category": idea.category_id, "lat": idea.lat, "lon": idea.lon,
               "labels": list(idea.labels.values_list("pk", flat=True))}  # fmt: skip
    form = IdeaForm(request.POST or None, initial=initial, module=dialogue.module,
                    with_location=dialogue.settings.with_location, editing=True, user=request.user)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.idea_update(user=request.user, idea=idea, title=data["title"], text=data["text"],
                                 category=data.get("category"), labels=data.get("labels") or [],
                                 lon=data.get("lon"), lat=data.get("lat"))  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, _location_on(error, "lat"))
        else:
            messages.success(request, _("Ihre Änderungen sind gespeichert."))
            return redirect(dialogue.url("idea", idea_pk=idea.pk))
    return render(request, "dialogue/idea_form.html", dialogue.context(form=form, idea=idea, **_map_settings(dialogue)))


def idea_detail(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, idea_pk: int) -> HttpResponse:
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    idea = dialogue.idea(idea_pk)
    thread = participation.discussion(request, dialogue.project, dialogue.module, idea)
    if isinstance(thread, HttpResponse):
        return thread
    return render(request, "dialogue/idea.html", dialogue.context(
        idea=idea, labels=list(idea.labels.all()), own_rating=participation.own_rating(request.user, idea),
        following=participation.is_following(request.user, idea), **thread,
        # In a participatory budget people choose on the module's page, not with "Dafür"/"Dagegen".
        can_rate=request.user.has_perm("participation.rate", idea) and idea.approved and not idea.hidden
        and not dialogue.settings.is_budget,
        can_edit=request.user.has_perm("dialogue.change_idea", idea), rate_notice=closed_notice(dialogue, "rate"),
    ))  # fmt: skip


def idea_image(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, idea_pk: int) -> Any:
    """Media are only served through checks like this one: a hidden idea's image is hidden too."""
    from mitwirken.core.uploads import image_content_type, serve_upload

    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    idea = dialogue.idea(idea_pk)
    if not idea.image or (idea.hidden and not request.user.has_perm("participation.moderate", dialogue.module)):
        raise Http404
    name = idea.image.name.rsplit("/", 1)[-1]
    return serve_upload(idea.image, image_content_type(name), download_name=name, inline=True)


def paragraph_detail(
    request: HttpRequest, org_slug: str, project_slug: str, module_slug: str, paragraph_pk: int
) -> HttpResponse:
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    paragraph = get_object_or_404(
        Paragraph.objects.select_related("chapter"), chapter__module=dialogue.module, pk=paragraph_pk
    )
    paragraph.chapter.module = dialogue.module
    thread = participation.discussion(request, dialogue.project, dialogue.module, paragraph)
    if isinstance(thread, HttpResponse):
        return thread
    if request.method == "GET" and participation.in_place(request):
        # Opened next to the paragraph in the text (htmx): the thread alone, its forms posting to this page, with
        # ids of its own so that several open paragraphs do not share them.
        thread["form"].auto_id = f"id_absatz{paragraph.pk}_%s"
        response = render(request, "dialogue/_paragraph_panel.html", dialogue.context(
            paragraph=paragraph, thread_action=request.path, thread_suffix=f"-{paragraph.pk}", thread_level=3, **thread))  # fmt: skip
    else:
        response = render(request, "dialogue/paragraph.html", dialogue.context(paragraph=paragraph, **thread))
    patch_vary_headers(response, ["HX-Request"])  # the same address answers a page or, for htmx, a part of it
    return response


def results(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str) -> HttpResponse:
    dialogue = Dialogue(request, org_slug, project_slug, module_slug)
    public = Idea.objects.filter(module=dialogue.module, approved=True, hidden=False)
    totals = public.aggregate(ideas=Count("id"), comments=Sum("comment_count"), positive=Sum("positive_count"),
                              negative=Sum("negative_count"))  # fmt: skip
    by_feedback = dict(public.values_list("feedback").annotate(n=Count("id")).values_list("feedback", "n"))
    return render(request, "dialogue/results.html", dialogue.context(
        budget_rows=_budget_results(dialogue, public) if dialogue.settings.is_budget else None,
        budget_text=services.euros(dialogue.settings.budget or 0),
        totals=totals, by_feedback=[(label, by_feedback.get(value, 0)) for value, label in Feedback.choices],
        top=public.select_related("category").order_by("-score", "-comment_count", "pk")[:10],
        with_feedback=public.exclude(feedback="").select_related("category").order_by("-feedback_at")[:50],
        paragraphs=Paragraph.objects.filter(chapter__module=dialogue.module, comment_count__gt=0)
        .select_related("chapter").order_by("-comment_count")[:10],
    ))  # fmt: skip
