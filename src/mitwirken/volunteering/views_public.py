"""The public side of volunteering: the search (list and map), an opportunity's page, an organisation's page,
and the volunteer's own pages (profile, bookmarks, saved searches, suggestions) and a parent's consent.

The volunteer's pages show only the signed-in person's own things; another person's bookmark or search is 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mitwirken.core import pagecache
from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.http import AuthenticatedRequest

from . import jsonld, search, suggestions
from .account import bookmarks_of, saved_searches_of
from .eligibility import profile_of
from .forms_public import NOT_FILTERS, ProfileForm, SaveSearchForm, SearchForm
from .models import Bookmark, EngagementOrganisation, Opportunity, Shift
from .services import profiles, saved_searches

LIST_PAGE_SIZE = 20


def _map(points: list[dict[str, Any]]) -> dict[str, Any]:
    if not points:
        return {}
    return {"map_points": points}


def _query(request: HttpRequest, drop: tuple[str, ...] = (), **values: str) -> str:
    """This page's query string with some parameters dropped or set."""
    query = request.GET.copy()
    for name in (*drop, *values):
        query.pop(name, None)
    for name, value in values.items():
        query[name] = value
    return query.urlencode()


# --- the search ---------------------------------------------------------------------------------------------------


@require_GET
@pagecache.shared("app:volunteering", "app:organisations")
def search_view(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    filters = form.filters()
    invalid = form.is_bound and not form.is_valid()
    # A search the form refuses (an unknown place) lists nothing rather than everything: the message says why.
    page = (
        Paginator([], search.PAGE_SIZE).get_page(1)
        if invalid
        else search.search_page(filters, request.GET.get("seite"))
    )
    on_map = request.GET.get("ansicht") == "karte"
    context: dict[str, Any] = {
        "form": form, "page": page, "filters": filters, "on_map": on_map, "invalid": invalid,
        "query": _query(request, ("seite",)), "list_query": _query(request, ("ansicht", "seite")),
        "map_query": _query(request, ("seite",), ansicht="karte"),
        "save_form": SaveSearchForm(initial={"query": _query(request, NOT_FILTERS)})
        if request.user.is_authenticated and not filters.empty else None,
    }  # fmt: skip
    if on_map:
        context.update(_map(search.map_points(list(page.object_list))))
    return render(request, "volunteering/public/search.html", context)


# --- an opportunity and an organisation ---------------------------------------------------------------------------


def _visible(request: HttpRequest, pk: int) -> Opportunity:
    opportunity = get_object_or_404(Opportunity.objects.select_related("organisation__exchange"), pk=pk)
    if not request.user.has_perm("volunteering.view_opportunity", opportunity):
        raise Http404
    return opportunity


@require_GET
def opportunity_view(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _visible(request, pk)
    bookmarked = (request.user.is_authenticated
                  and Bookmark.objects.filter(user=request.user, opportunity=opportunity).exists())  # fmt: skip
    context: dict[str, Any] = {
        "opportunity": opportunity, "organisation": opportunity.organisation, "bookmarked": bookmarked,
        "json_ld": jsonld.script_json(jsonld.job_posting(opportunity, request)),
        "has_shifts": opportunity.is_open and Shift.objects.filter(opportunity=opportunity).exists(),
    }  # fmt: skip
    if opportunity.lat is not None and opportunity.lon is not None:
        context.update(_map(search.map_points([opportunity])))
    return render(request, "volunteering/public/opportunity.html", context)


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
@require_POST
def bookmark_toggle(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Keep or forget an opportunity on the person's list (a forged pk of a hidden opportunity is 404)."""
    opportunity = _visible(request, pk)
    deleted, _rows = Bookmark.objects.filter(user=request.user, opportunity=opportunity).delete()
    if deleted:
        messages.success(request, _("Das Angebot steht nicht mehr auf Ihrer Merkliste."))
    else:
        try:
            with transaction.atomic():
                Bookmark.objects.create(user=request.user, opportunity=opportunity)
        except IntegrityError:
            pass  # a double click: it is on the list already
        messages.success(request, _("Das Angebot steht jetzt auf Ihrer Merkliste."))
    return redirect(_next(request, opportunity.get_absolute_url()))


@require_GET
def organisation_view(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = get_object_or_404(EngagementOrganisation.objects.select_related("exchange__organisation"),
                                     slug=org_slug)  # fmt: skip
    if not organisation.is_verified and not request.user.has_perm("volunteering.view_organisation_internals",
                                                                  organisation):  # fmt: skip
        raise Http404
    opportunities = Opportunity.objects.searchable().filter(organisation=organisation).for_list()
    page = Paginator(opportunities.order_by("-published_at", "-id"), LIST_PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(request, "volunteering/public/organisation.html", {"organisation": organisation, "page": page})


# --- the volunteer's own pages ------------------------------------------------------------------------------------


@login_required
def profile_view(request: AuthenticatedRequest) -> HttpResponse:
    """The person's own profile; nobody else reaches it (the URL has no id)."""
    profile = profile_of(request.user)
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            saved = profiles.save_profile(user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if profiles.needs_parent_consent(saved) and saved.parent_email:
                messages.success(request, _("Ihr Profil ist gespeichert. Wir haben Ihrem Elternteil einen Link zur "
                                            "Bestätigung geschickt."))  # fmt: skip
            else:
                messages.success(request, _("Ihr Profil ist gespeichert."))
            return redirect("volunteering:profile")
    return render(request, "volunteering/profile/profile.html", {
        "form": form, "profile": profile,
        "waiting_for_parent": profile is not None and profiles.needs_parent_consent(profile),
    })  # fmt: skip


def parent_consent(request: HttpRequest, token: str) -> HttpResponse:
    """The parent's link: GET shows what is asked, POST confirms (mail scanners that follow links change
    nothing)."""
    profile = profiles.profile_for_consent(token)
    if profile is None:
        raise Http404
    if request.method == "POST":
        profiles.confirm_parent_consent(token=token)
        return render(request, "volunteering/profile/parent_consent.html", {"profile": profile, "done": True})
    return render(request, "volunteering/profile/parent_consent.html", {"profile": profile, "done": False})


@login_required
@require_GET
def bookmarks_view(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(bookmarks_of(request.user), LIST_PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(request, "volunteering/profile/bookmarks.html", {"page": page})


@login_required
def saved_searches_view(request: AuthenticatedRequest) -> HttpResponse:
    """The person's saved searches; POST keeps the search it came from (the search page's form)."""
    form = SaveSearchForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved_searches.save_search(user=request.user, name=form.cleaned_data["name"],
                                       query=form.cleaned_data["query"], frequency=form.cleaned_data["frequency"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Der Suchauftrag ist gespeichert. Wir benachrichtigen Sie über neue Angebote."))
            return redirect("volunteering:saved_searches")
    page = Paginator(saved_searches_of(request.user), LIST_PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(request, "volunteering/profile/saved_searches.html", {"page": page, "form": form},
                  status=400 if form.errors else 200)  # fmt: skip


@login_required
@require_POST
def saved_search_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    saved_searches.delete_search(user=request.user, pk=pk)
    messages.success(request, _("Der Suchauftrag ist gelöscht."))
    return redirect(_next(request, reverse("volunteering:saved_searches")))


@login_required
@require_GET
def suggestions_view(request: AuthenticatedRequest) -> HttpResponse:
    profile = profile_of(request.user)
    found = suggestions.suggest(profile) if profile is not None and profile.wants_suggestions else []
    return render(request, "volunteering/profile/suggestions.html", {"profile": profile, "suggestions": found})
