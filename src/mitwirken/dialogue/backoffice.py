"""Back-office set-up of a dialogue module: moderation mode and budget, categories and labels, topics and items,
the draft text in chapters and paragraphs. Staff edit, reorder (up/down buttons) and delete what they set up;
deleting is refused while contributions depend on it (``services``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.ids import posted_id
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation
from mitwirken.projects.access import project_for_staff
from mitwirken.projects.models import Module, Project

from . import services
from .forms import ChapterForm, ChapterTitleForm, ItemForm, NamesForm, ParagraphForm, SettingsForm
from .models import Blueprint, Category, Chapter, Idea, Label, Paragraph

MOVED = {"up": _("Nach oben verschoben."), "down": _("Nach unten verschoben.")}


def _module(organisation: Organisation, project_pk: int, module_pk: int) -> tuple[Project, Module]:
    project = project_for_staff(organisation, project_pk)
    module = get_object_or_404(project.modules, pk=module_pk)
    if not module.module_type.startswith("dialogue_"):
        raise Http404
    module.project = project
    return project, module


def _move_or_delete(request: HttpRequest, obj: Model, action: str) -> bool:
    """The row buttons of a list: up, down, delete. Errors (a refused delete) become a message."""
    try:
        if action in ("up", "down"):
            services.move(actor=request.user, obj=obj, direction=action)  # type: ignore[arg-type]
            messages.success(request, MOVED[action])
        elif action == "delete":
            deleter: Any = {Idea: services.item_delete, Chapter: services.chapter_delete,
                            Paragraph: services.paragraph_delete}[type(obj)]  # fmt: skip
            deleter(actor=request.user, **{{Idea: "item", Chapter: "chapter", Paragraph: "paragraph"}[type(obj)]: obj})
            messages.success(request, _("Gelöscht."))
        else:
            return False
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return True


@backoffice_view()
def setup(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    project, module = _module(organisation, project_pk, module_pk)
    settings = services.settings_for(module)
    action = request.POST.get("action", "")
    if request.method == "POST" and action.startswith(("item-", "chapter-")):
        what, _sep, verb = action.partition("-")
        obj: Model = get_object_or_404(Idea, module=module, by_staff=True, pk=posted_id(request.POST, "pk")) \
            if what == "item" else get_object_or_404(Chapter, module=module, pk=posted_id(request.POST, "pk"))  # fmt: skip
        obj.module = module  # type: ignore[attr-defined]
        if _move_or_delete(request, obj, verb):
            return redirect(f"{request.path}#{what}s-title")
    budget_allowed = settings.blueprint == Blueprint.PRIORITISATION
    forms = {
        "settings": SettingsForm(request.POST if action == "settings" else None, prefix="settings", with_budget=budget_allowed,
                                 initial={"premoderation": settings.premoderation, "budget": settings.budget}),
        "categories": NamesForm(request.POST if action == "categories" else None, prefix="categories",
                                initial={"names": "\n".join(c.name for c in Category.objects.filter(module=module))}),
        "labels": NamesForm(request.POST if action == "labels" else None, prefix="labels",
                            initial={"names": "\n".join(label.name for label in Label.objects.filter(module=module))}),
        "item": ItemForm(request.POST if action == "item" else None, prefix="item", with_cost=settings.is_budget),
        "chapter": ChapterForm(request.POST if action == "chapter" else None, prefix="chapter"),
    }  # fmt: skip
    form = forms.get(action)
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "settings":
                services.settings_update(actor=request.user, module=module, premoderation=data["premoderation"],
                                         budget=data.get("budget"))  # fmt: skip
            elif action in ("categories", "labels"):
                services.names_set(actor=request.user, module=module, model=Category if action == "categories" else Label,
                                   names=data["names"])  # fmt: skip
            elif action == "item":
                services.item_create(actor=request.user, module=module, title=data["title"], text=data["text"],
                                     cost=data.get("cost"))  # fmt: skip
            elif action == "chapter":
                services.chapter_add(actor=request.user, module=module, title=data["title"], text=data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Gespeichert."))
            return redirect(request.path)
    return render(request, "dialogue/backoffice/setup.html", {
        "organisation": organisation, "project": project, "module": module, "settings": settings, "forms": forms,
        "items": Idea.objects.filter(module=module, by_staff=True).order_by("position", "pk"),
        "chapters": Chapter.objects.filter(module=module).prefetch_related("paragraphs"),
        "section": "projects", "tab": "modules",
    })  # fmt: skip


@backoffice_view()
def item_edit(
    request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int, idea_pk: int
) -> HttpResponse:
    """Correct a topic or item (and its cost in a participatory budget)."""
    project, module = _module(organisation, project_pk, module_pk)
    item = get_object_or_404(Idea, module=module, by_staff=True, pk=idea_pk)
    item.module = module
    settings = services.settings_for(module)
    form = ItemForm(request.POST or None, prefix="item", with_cost=settings.is_budget,
                    initial={"title": item.title, "text": services.editable_text(item.text), "cost": item.cost})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(actor=request.user, item=item, title=form.cleaned_data["title"],
                                 text=form.cleaned_data["text"], cost=form.cleaned_data.get("cost"))  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Gespeichert."))
            return redirect(
                "backoffice:dialogue_setup", org_slug=organisation.slug, project_pk=project.pk, module_pk=module.pk
            )
    return render(request, "dialogue/backoffice/item_edit.html", {
        "organisation": organisation, "project": project, "module": module, "settings": settings, "item": item,
        "form": form, "section": "projects", "tab": "modules",
    })  # fmt: skip


@backoffice_view()
def chapter_edit(
    request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int, chapter_pk: int
) -> HttpResponse:
    """A chapter's title and paragraphs: each paragraph edited, moved or deleted on its own, new ones added."""
    project, module = _module(organisation, project_pk, module_pk)
    chapter = get_object_or_404(Chapter, module=module, pk=chapter_pk)
    chapter.module = module
    action = request.POST.get("action", "")
    if request.method == "POST" and action.startswith("paragraph-"):
        paragraph = get_object_or_404(Paragraph, chapter=chapter, pk=posted_id(request.POST, "pk"))
        paragraph.chapter = chapter
        verb = action.removeprefix("paragraph-")
        if verb == "save":
            form = ParagraphForm(request.POST, prefix=f"p{paragraph.pk}")
            try:
                if not form.is_valid():
                    raise ValidationError(_("Bitte schreiben Sie einen Text."))
                services.paragraph_update(actor=request.user, paragraph=paragraph, text=form.cleaned_data["text"])
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Absatz %(number)s ist gespeichert.") % {"number": paragraph.position})
            return redirect(f"{request.path}#absatz-{paragraph.pk}")
        if _move_or_delete(request, paragraph, verb):
            return redirect(f"{request.path}#absaetze-title")
    title_form = ChapterTitleForm(request.POST if action == "title" else None, initial={"title": chapter.title})
    new_form = ParagraphForm(request.POST if action == "add" else None, prefix="new")
    posted: forms.Form | None = {"title": title_form, "add": new_form}.get(action)
    if request.method == "POST" and posted is not None and posted.is_valid():
        try:
            if action == "title":
                services.chapter_update(actor=request.user, chapter=chapter, title=posted.cleaned_data["title"])
            else:
                services.paragraph_add(actor=request.user, chapter=chapter, text=posted.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(posted, error)
        else:
            messages.success(request, _("Gespeichert."))
            return redirect(request.path)
    paragraphs = [(paragraph, ParagraphForm(prefix=f"p{paragraph.pk}", initial={"text": services.editable_text(paragraph.text)}))
                  for paragraph in chapter.paragraphs.all()]  # fmt: skip
    return render(request, "dialogue/backoffice/chapter_edit.html", {
        "organisation": organisation, "project": project, "module": module, "chapter": chapter,
        "title_form": title_form, "new_form": new_form, "paragraphs": paragraphs, "section": "projects", "tab": "modules",
    })  # fmt: skip
