"""Back-office set-up of a dialogue module: moderation mode, categories and labels, topics, the draft text."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from mitwirken.core.forms_util import add_service_errors
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation
from mitwirken.projects.access import project_for_staff

from . import services
from .forms import ChapterForm, ItemForm, NamesForm, SettingsForm
from .models import Category, Chapter, Idea, Label


@backoffice_view()
def setup(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    project = project_for_staff(organisation, project_pk)
    module = get_object_or_404(project.modules, pk=module_pk)
    if not module.module_type.startswith("dialogue_"):
        raise Http404
    module.project = project
    settings = services.settings_for(module)
    action = request.POST.get("action", "")
    forms = {
        "settings": SettingsForm(request.POST if action == "settings" else None, initial={"premoderation": settings.premoderation}, prefix="settings"),
        "categories": NamesForm(request.POST if action == "categories" else None, prefix="categories",
                                initial={"names": "\n".join(c.name for c in Category.objects.filter(module=module))}),
        "labels": NamesForm(request.POST if action == "labels" else None, prefix="labels",
                            initial={"names": "\n".join(label.name for label in Label.objects.filter(module=module))}),
        "item": ItemForm(request.POST if action == "item" else None, prefix="item"),
        "chapter": ChapterForm(request.POST if action == "chapter" else None, prefix="chapter"),
    }  # fmt: skip
    form = forms.get(action)
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "settings":
                services.settings_update(actor=request.user, module=module, premoderation=data["premoderation"])
            elif action in ("categories", "labels"):
                services.names_set(actor=request.user, module=module, model=Category if action == "categories" else Label,
                                   names=data["names"])  # fmt: skip
            elif action == "item":
                services.item_create(actor=request.user, module=module, title=data["title"], text=data["text"])
            elif action == "chapter":
                services.chapter_add(actor=request.user, module=module, title=data["title"], text=data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Gespeichert."))
            return redirect(request.path)
    return render(request, "dialogue/backoffice/setup.html", {
        "organisation": organisation, "project": project, "module": module, "settings": settings, "forms": forms,
        "items": Idea.objects.filter(module=module, by_staff=True).order_by("pk"),
        "chapters": Chapter.objects.filter(module=module).prefetch_related("paragraphs"),
        "section": "projects", "tab": "modules",
    })  # fmt: skip
