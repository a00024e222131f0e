"""Public project pages. Every project lookup goes through ``access``, which answers 404 to outsiders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from mitwirken.core import pagecache, plugins
from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.pagination import KeysFirstPaginator
from mitwirken.core.plugins import SearchHit
from mitwirken.core.search import highlight
from mitwirken.core.spam import over_limit
from mitwirken.core.uploads import image_content_type, serve_upload

from . import access, services
from .forms import AccessCodeRedeemForm, ProjectFilterForm
from .models import Invitation, Module, Project

PAGE_SIZE = 12


def filtered_projects(form: ProjectFilterForm):  # type: ignore[no-untyped-def]
    """The start page's and the API's shared filter over listed projects."""
    projects = Project.objects.listed()
    if form.is_valid():
        data = form.cleaned_data
        if data.get("organisation"):
            projects = projects.filter(organisation=data["organisation"])
        if data.get("module_type"):
            projects = projects.with_module_type(data["module_type"])
        if data.get("timing"):
            projects = projects.timing(data["timing"])
        if data.get("topic"):
            projects = projects.with_topic(data["topic"])
        if (data.get("q") or "").strip():
            projects = projects.search(data["q"]).order_by("-search_rank", "-published_at", "-id")
    return projects


# What the start page and an organisation's page show: projects and their modules, organisations' names.
LISTING_SCOPES = ("app:projects", "app:organisations")


@require_safe
@pagecache.shared(*LISTING_SCOPES)
def home(request: HttpRequest) -> HttpResponse:
    form = ProjectFilterForm(request.GET or None)
    page = KeysFirstPaginator(filtered_projects(form).for_cards(), PAGE_SIZE).get_page(request.GET.get("seite"))
    query = request.GET.copy()
    query.pop("seite", None)
    return render(request, "projects/home.html", {"form": form, "page": page, "query": query.urlencode(),
                                                  "offers": offers()})  # fmt: skip


def offers() -> str:
    """What this portal offers, named from the plugins that bring module types ("… und Umfragen"): the start
    page promises only what the instance has (no module is named that is not installed)."""
    names = [str(plugin.name) for plugin in plugins.all_plugins()
             if any(module_type.call_to_action for module_type in plugin.module_types)]  # fmt: skip
    if len(names) < 2:
        return "".join(names)
    return _("%(first)s und %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def with_calls_to_action(modules: Any) -> list[Module]:
    """Each module with what a citizen does there now (``module.call``: its type's call to action while a phase
    that allows taking part runs) or when that starts (``module.starts``). The module types name their own words
    (``ModuleType.call_to_action``), so this page knows no module."""
    rows = []
    for module in modules:
        module_type = module.type
        phase = module.active_phase()
        words = str(module_type.call_to_action) if module_type is not None else ""
        module.call = words if words and phase is not None and set(phase.features) - {"view"} else ""  # type: ignore[attr-defined]
        module.starts = None if module.call or not words else next(  # type: ignore[attr-defined]
            (p.start for p in module.phases.all() if p.start > timezone.now()), None)  # fmt: skip
        rows.append(module)
    return rows


SEARCH_LIMIT = 10


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """One search over projects and what every plugin makes findable (ideas, defect reports, …)."""
    query = (request.GET.get("q") or "").strip()[:100]
    groups = []
    if len(query) >= 2:
        projects = list(
            Project.objects.listed().search(query).for_list().order_by("-search_rank", "-published_at")[:SEARCH_LIMIT]
        )
        if projects:
            groups.append({"title": _("Projekte"), "hits": [
                SearchHit(title=project.title, url=project.get_absolute_url(), kind=_("Projekt"),
                          excerpt=highlight(project.summary, query, length=200),
                          organisation=project.organisation.name) for project in projects]})  # fmt: skip
        for plugin in plugins.all_plugins():
            provider = plugin.load("search")
            hits = provider(request.user, query, SEARCH_LIMIT) if provider is not None else []
            if hits:
                groups.append({"title": plugin.name, "hits": hits})
    return render(request, "projects/search.html", {"query": query, "groups": groups, "too_short": 0 < len(query) < 2})


def detail(request: HttpRequest, org_slug: str, project_slug: str) -> HttpResponse:
    project = access.project_for_viewer(request.user, org_slug, project_slug)
    modules = with_calls_to_action(project.modules.prefetch_related("phases"))
    return render(
        request, "projects/detail.html",
        {"project": project, "organisation": project.organisation, "modules": modules,
         "attachments": project.attachments.all(),
         "can_participate": request.user.has_perm("projects.participate_in_project", project)},
    )  # fmt: skip


def module_detail(request: HttpRequest, org_slug: str, project_slug: str, module_slug: str) -> HttpResponseBase:
    project, module = access.module_for_viewer(request.user, org_slug, project_slug, module_slug)
    module_type = module.type
    if module_type is None:
        raise Http404
    # The module's own rows (ideas, comments, ratings, categories …) carry its id; its plugin's other rows do not.
    scopes = (*LISTING_SCOPES, f"module:{module.pk}", f"app:{module_type.app_label}")
    return pagecache.serve(request, scopes, lambda: module_type.render_page(request, project, module))


def legacy_module_redirect(
    request: HttpRequest, org_slug: str, project_slug: str, module_pk: int, rest: str = "", renames: Any = None
) -> HttpResponse:
    """Addresses from before modules had slugs (…/module/7/, …/dialog/7/…, …/verfahren/7/…) move for good.

    Printed notices carry them, so they redirect permanently, after the same access check as the new
    address (a protected project stays 404). Form posts keep their method (308).
    """
    project = access.project_for_viewer(request.user, org_slug, project_slug)
    module = get_object_or_404(Module.objects.only("slug"), project=project, pk=module_pk)
    for old, new in (renames or {}).items():
        if rest.startswith(old):
            rest = new + rest[len(old) :]
            break
    target = f"/{project.organisation.slug}/projekte/{project.slug}/{module.slug}/{rest}"
    if request.META.get("QUERY_STRING"):
        target += "?" + request.META["QUERY_STRING"]
    status = 301 if request.method in ("GET", "HEAD") else 308
    response = HttpResponse(status=status)
    response["Location"] = target
    return response


def attachment(request: HttpRequest, org_slug: str, project_slug: str, attachment_pk: int) -> HttpResponseBase:
    item = access.attachment_for_viewer(request.user, org_slug, project_slug, attachment_pk)
    extension = item.file.name.rsplit(".", 1)[-1]
    return serve_upload(item.file, item.content_type, download_name=f"{item.title}.{extension}", inline=False)


def image(request: HttpRequest, org_slug: str, project_slug: str) -> HttpResponseBase:
    project = access.project_for_viewer(request.user, org_slug, project_slug)
    if not project.image:
        raise Http404
    extension = project.image.name.rsplit(".", 1)[-1].lower()
    return serve_upload(
        project.image, image_content_type(project.image.name), download_name=f"{project.slug}.{extension}", inline=True
    )


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Show an invitation; a logged-in person accepts it with one click."""
    found = Invitation.objects.select_related("project__organisation").filter(token=token).first()
    error = None
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.invitation_accept(user=request.user, token=token)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, _("Willkommen! Sie nehmen jetzt an „%(title)s“ teil.") % {"title": membership.project.title}
            )
            return redirect(membership.project.get_absolute_url())
    elif found is None:
        error = _("Diese Einladung gibt es nicht. Bitte prüfen Sie den Link aus der E-Mail.")
    else:
        error = found.unusable_reason(request.user if request.user.is_authenticated else None)
    status = 404 if found is None else (410 if error else 200)
    usable = found if error is None else None
    # Usable in itself, refused only for this account: offer to switch accounts (staff can also re-send it).
    wrong_account = bool(error) and found is not None and found.unusable_reason(None) is None
    return render(request, "projects/invitation.html",
                  {"invitation": usable, "error": error, "wrong_account": wrong_account}, status=status)  # fmt: skip


@login_required
def redeem_access_code(request: HttpRequest) -> HttpResponse:
    form = AccessCodeRedeemForm(request.POST or None)
    # 31^12 codes cannot be guessed at a few tries a minute; without a limit they could be tried in bulk.
    if request.method == "POST" and over_limit(request, "projects.redeem_access_code", per_user="10/h", per_ip="30/h"):
        form.is_valid()
        form.add_error(
            None, _("Zu viele Versuche in kurzer Zeit. Bitte warten Sie eine Stunde und versuchen Sie es dann erneut.")
        )
    elif request.method == "POST" and form.is_valid():
        try:
            membership = services.access_code_redeem(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Willkommen! Sie nehmen jetzt an „%(title)s“ teil.") % {"title": membership.project.title}
            )
            return redirect(membership.project.get_absolute_url())
    return render(request, "projects/access_code.html", {"form": form})
