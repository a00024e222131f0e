"""The coordinator area of an engagement organisation: overview, the organisation's details, coordinators,
opportunities and shift planning.

Every view goes through ``access.coordinator_view`` (404 for anyone who does not coordinate) and fetches its
opportunity, shift or series relative to the organisation, so a foreign id is a 404. Writes are services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mitwirken.core.forms_util import add_service_errors

from . import queries
from .access import coordinator_context, coordinator_view, opportunity_of
from .forms_organisations import InviteForm, OpportunityForm, OrganisationForm, SeriesForm, ShiftForm
from .models import (
    Coordinator,
    EngagementOrganisation,
    Opportunity,
    OpportunityStatus,
    Shift,
    ShiftSeries,
    SignupStatus,
)
from .services import opportunities as opportunity_service
from .services import organisations as organisation_service
from .services import shift_planning as planning

PAGE_SIZE = 20
SHIFTS_PAGE_SIZE = 50


def _url(name: str, organisation: EngagementOrganisation, **kwargs: Any) -> str:
    return reverse(f"volunteering:{name}", kwargs={"org_slug": organisation.slug, **kwargs})


def _page(request: HttpRequest, template: str, organisation: EngagementOrganisation, tab: str, **extra: Any
          ) -> HttpResponse:  # fmt: skip
    return render(request, f"volunteering/coordinator/{template}", coordinator_context(organisation, tab, **extra))


# --- overview and the organisation's details ---------------------------------------------------------------------


@coordinator_view
def overview(request: HttpRequest, organisation: EngagementOrganisation) -> HttpResponse:
    counts = Opportunity.objects.filter(organisation=organisation).aggregate(
        drafts=Count("pk", filter=Q(status=OpportunityStatus.DRAFT)),
        review=Count("pk", filter=Q(status=OpportunityStatus.REVIEW)),
        published=Count("pk", filter=Q(status=OpportunityStatus.PUBLISHED)),
        filled=Count("pk", filter=Q(status=OpportunityStatus.FILLED)),
    )
    next_shifts = (
        Shift.objects.upcoming().filter(opportunity__organisation=organisation).select_related("opportunity")[:5]
    )
    return _page(request, "overview.html", organisation, "overview", counts=counts, next_shifts=next_shifts,
                 coordinators=organisation.coordinators.count(), work=queries.coordinator_work(organisation))  # fmt: skip


@coordinator_view
def organisation_edit(request: HttpRequest, organisation: EngagementOrganisation) -> HttpResponse:
    form = OrganisationForm(request.POST or None, request.FILES or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_service.organisation_update(actor=request.user, organisation=organisation,
                                                     data=form.service_data(), logo=form.cleaned_data.get("logo"))  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Angaben zur Organisation sind gespeichert."))
            return redirect(_url("coordinator_organisation", organisation))
    if request.method == "POST":  # a refused edit must not show the typed values as the organisation's name
        organisation.refresh_from_db()
    return _page(request, "organisation.html", organisation, "organisation", form=form)


# --- coordinators ------------------------------------------------------------------------------------------------


@coordinator_view
def coordinators(request: HttpRequest, organisation: EngagementOrganisation) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_service.invite_coordinator(actor=request.user, organisation=organisation,
                                                    email=form.cleaned_data["email"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Einladung ist an %(email)s verschickt.") % form.cleaned_data)
            return redirect(_url("coordinator_team", organisation))
    people = organisation.coordinators.select_related("user").order_by("created_at")
    invitations = organisation.invitations.filter(accepted_at__isnull=True).order_by("-created_at")
    return _page(request, "coordinators.html", organisation, "coordinators", form=form, people=people,
                 invitations=invitations)  # fmt: skip


@require_POST
@coordinator_view
def coordinator_remove(request: HttpRequest, organisation: EngagementOrganisation, pk: int) -> HttpResponse:
    """A coordinator leaves (their own entry) or removes another coordinator."""
    membership = get_object_or_404(Coordinator.objects.select_related("user"), organisation=organisation, pk=pk)
    leaving = membership.user_id == request.user.pk
    try:
        organisation_service.remove_coordinator(actor=request.user, organisation=organisation, user=membership.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(_url("coordinator_team", organisation))
    if leaving:
        messages.success(request, _("Sie koordinieren „%(name)s“ nicht mehr.") % {"name": organisation.name})
        if request.user.has_perm("volunteering.manage_organisation", organisation):  # tenant staff stay in
            return redirect(_url("coordinator_team", organisation))
        return redirect("home")
    messages.success(request, _("%(name)s koordiniert die Organisation nicht mehr.") % {"name": membership.user})
    return redirect(_url("coordinator_team", organisation))


# --- opportunities -----------------------------------------------------------------------------------------------


@coordinator_view
def opportunities(request: HttpRequest, organisation: EngagementOrganisation) -> HttpResponse:
    """All statuses, paginated; the shift counts come from one annotated query."""
    now = timezone.now()
    rows = (
        Opportunity.objects.filter(organisation=organisation)
        .annotate(upcoming_shifts=Count("shifts", filter=Q(shifts__start__gt=now)))
        .order_by("-created_at", "-pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("seite"))
    return _page(request, "opportunities.html", organisation, "opportunities", page=page)


def _opportunity_form_page(request: HttpRequest, organisation: EngagementOrganisation,
                           opportunity: Opportunity | None) -> HttpResponse:  # fmt: skip
    form = OpportunityForm(request.POST or None, instance=opportunity)
    if request.method == "POST" and form.is_valid():
        try:
            saved = opportunity_service.opportunity_save(actor=request.user, organisation=organisation,
                                                         data=form.service_data(), opportunity=opportunity)  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if opportunity is None:
                messages.success(request, _("Das Angebot ist als Entwurf gespeichert. Planen Sie nun Schichten oder "
                                            "veröffentlichen Sie es."))  # fmt: skip
            else:
                messages.success(request, _("Die Änderungen sind gespeichert."))
            return redirect(_url("shift_planning", organisation, opportunity_pk=saved.pk))
    if opportunity is not None and request.method == "POST":
        opportunity.refresh_from_db()
    return _page(request, "opportunity_form.html", organisation, "opportunities", form=form, opportunity=opportunity)


@coordinator_view
def opportunity_create(request: HttpRequest, organisation: EngagementOrganisation) -> HttpResponse:
    return _opportunity_form_page(request, organisation, None)


@coordinator_view
def opportunity_edit(request: HttpRequest, organisation: EngagementOrganisation, opportunity_pk: int) -> HttpResponse:
    return _opportunity_form_page(request, organisation, opportunity_of(organisation, opportunity_pk))


STATUS_MESSAGES = {
    OpportunityStatus.PUBLISHED: _("Das Angebot ist veröffentlicht und in der Suche zu finden."),
    OpportunityStatus.REVIEW: _(
        "Das Angebot wartet nun auf die Prüfung Ihrer Organisation durch die Ehrenamtsbörse. Sobald Ihre "
        "Organisation bestätigt ist, wird es automatisch veröffentlicht."
    ),
    OpportunityStatus.FILLED: _(
        "Das Angebot ist als besetzt markiert; es bleibt sichtbar, Bewerbungen sind nicht mehr möglich."
    ),
    OpportunityStatus.ENDED: _("Das Angebot ist beendet."),
    OpportunityStatus.DRAFT: _("Das Angebot ist wieder ein Entwurf und nicht mehr öffentlich."),
}


@require_POST
@coordinator_view
def opportunity_status(request: HttpRequest, organisation: EngagementOrganisation, opportunity_pk: int) -> HttpResponse:
    opportunity = opportunity_of(organisation, opportunity_pk)
    try:
        changed = opportunity_service.change_status(actor=request.user, opportunity=opportunity,
                                                    action=request.POST.get("action", ""))  # fmt: skip
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, str(STATUS_MESSAGES[OpportunityStatus(changed.status)]))
    return redirect((request.POST.get("next") == "list" and _url("coordinator_opportunities", organisation))
                    or _url("shift_planning", organisation, opportunity_pk=opportunity.pk))  # fmt: skip


# --- shift planning ----------------------------------------------------------------------------------------------


def _shift_of(opportunity: Opportunity, shift_pk: int) -> Shift:
    return get_object_or_404(Shift, opportunity=opportunity, pk=shift_pk)


@coordinator_view
def shift_planning(request: HttpRequest, organisation: EngagementOrganisation, opportunity_pk: int) -> HttpResponse:
    """The opportunity's status and shifts, with a form for one shift and one for a weekly series."""
    opportunity = opportunity_of(organisation, opportunity_pk)
    form, series_form = ShiftForm(), SeriesForm()
    if request.method == "POST" and request.POST.get("form") == "series":
        series_form = SeriesForm(request.POST)
        if series_form.is_valid():
            data = series_form.cleaned_data
            try:
                series = planning.series_create(
                    actor=request.user, opportunity=opportunity, first_day=data["first_day"],
                    last_day=data["last_day"], weekdays=data["weekdays"], data=series_form.shift_data(),
                )  # fmt: skip
            except ValidationError as error:
                add_service_errors(series_form, error)
            else:
                messages.success(request, _("Die Reihe ist angelegt: %(rule)s.") % {"rule": series.description})
                return redirect(_url("shift_planning", organisation, opportunity_pk=opportunity_pk))
    elif request.method == "POST":
        form = ShiftForm(request.POST)
        if form.is_valid():
            try:
                planning.shift_save(actor=request.user, opportunity=opportunity, data=form.shift_data())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Die Schicht ist angelegt."))
                return redirect(_url("shift_planning", organisation, opportunity_pk=opportunity_pk))
    shifts = (
        Shift.objects.filter(opportunity=opportunity, end__gte=timezone.now()).select_related("series")
        .annotate(waiting=Count("signups", filter=Q(signups__status=SignupStatus.WAITING))).order_by("start", "pk")
    )  # fmt: skip
    page = Paginator(shifts, SHIFTS_PAGE_SIZE).get_page(request.GET.get("seite"))
    series_list = ShiftSeries.objects.filter(opportunity=opportunity).annotate(
        future=Count("shifts", filter=Q(shifts__start__gt=timezone.now()))
    ).filter(future__gt=0).order_by("created_at", "pk")  # fmt: skip
    return _page(request, "shift_planning.html", organisation, "opportunities", opportunity=opportunity, page=page,
                 form=form, series_form=series_form, series=series_list,
                 invalid=form.errors or series_form.errors)  # fmt: skip


@coordinator_view
def shift_edit(
    request: HttpRequest, organisation: EngagementOrganisation, opportunity_pk: int, shift_pk: int
) -> HttpResponse:
    opportunity = opportunity_of(organisation, opportunity_pk)
    shift = _shift_of(opportunity, shift_pk)
    form = ShiftForm(request.POST) if request.method == "POST" else ShiftForm.for_shift(shift)
    if request.method == "POST" and form.is_valid():
        try:
            planning.shift_save(actor=request.user, opportunity=opportunity, data=form.shift_data(), shift=shift)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Schicht ist geändert."))
            return redirect(_url("shift_planning", organisation, opportunity_pk=opportunity_pk))
    return _page(request, "shift_form.html", organisation, "opportunities", opportunity=opportunity, shift=shift,
                 form=form)  # fmt: skip


@require_POST
@coordinator_view
def shift_delete(
    request: HttpRequest, organisation: EngagementOrganisation, opportunity_pk: int, shift_pk: int
) -> HttpResponse:
    opportunity = opportunity_of(organisation, opportunity_pk)
    shift = _shift_of(opportunity, shift_pk)
    try:
        planning.shift_delete(actor=request.user, shift=shift)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Die Schicht ist gelöscht."))
    return redirect(_url("shift_planning", organisation, opportunity_pk=opportunity_pk))


@require_POST
@coordinator_view
def series_delete(request: HttpRequest, organisation: EngagementOrganisation, opportunity_pk: int, series_pk: int
                  ) -> HttpResponse:  # fmt: skip
    opportunity = opportunity_of(organisation, opportunity_pk)
    series = get_object_or_404(ShiftSeries.objects.select_related("opportunity__organisation__exchange"),
                               opportunity=opportunity, pk=series_pk)  # fmt: skip
    deleted, kept = planning.series_delete_future(actor=request.user, series=series)
    if kept:
        messages.warning(request, _(
            "%(deleted)d kommende Schichten der Reihe sind gelöscht. %(kept)d bleiben, weil sich dafür schon "
            "Helfende eingetragen haben."
        ) % {"deleted": deleted, "kept": kept})  # fmt: skip
    else:
        messages.success(request, _("%(deleted)d kommende Schichten der Reihe sind gelöscht.") % {"deleted": deleted})
    return redirect(_url("shift_planning", organisation, opportunity_pk=opportunity_pk))
