"""Back office of an organisation: settings, members, audit log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mitwirken.core import plugins
from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.models import AccessibilityFeedback, AuditEntry

from . import services
from .access import backoffice_view, is_staff_without_confirmed_session, second_factor_redirect
from .forms import MembershipAddForm, MembershipRoleForm, OrganisationSettingsForm
from .models import Organisation, OrganisationMembership


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if is_staff_without_confirmed_session(request.user):
        confirm = second_factor_redirect(request)
        if confirm is not None:
            return confirm
    organisations = Organisation.objects.staffed_by(request.user).only("id", "name", "slug", "kind")
    if len(organisations) == 1:
        return redirect("backoffice:dashboard", org_slug=organisations[0].slug)
    return render(request, "backoffice/index.html", {"organisations": organisations})


@backoffice_view()
def overview(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """The back office starts with the work waiting, from every plugin, each entry linking to its filtered list."""
    groups = []
    for plugin in plugins.all_plugins():
        work = plugin.load("staff_work")
        items = work(request.user, organisation) if work is not None else []
        if items:
            groups.append({"name": plugin.name, "items": sorted(items, key=lambda item: not item.urgent)})
    # Deadlines and overdue work first; otherwise the order of registration.
    groups.sort(key=lambda group: not group["items"][0].urgent)
    return render(request, "backoffice/overview.html", {
        "organisation": organisation, "groups": groups, "section": "overview",
        "statistics": plugins.organisation_statistics(organisation),
    })  # fmt: skip


@backoffice_view("organisations.change_organisation")
def settings(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = OrganisationSettingsForm(
        request.POST or None, request.FILES or None, instance=organisation, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields if name != "logo"}
        try:
            services.organisation_update(
                actor=request.user, organisation=organisation, logo=request.FILES.get("logo"), **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Einstellungen sind gespeichert."))
            return redirect("backoffice:settings", org_slug=organisation.slug)
    organisation.refresh_from_db()
    return render(
        request, "backoffice/settings.html", {"organisation": organisation, "form": form, "section": "settings"}
    )


@backoffice_view("organisations.manage_members")
def members(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = MembershipAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_add(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Person wurde hinzugefügt."))
            return redirect("backoffice:members", org_slug=organisation.slug)
    memberships = organisation.memberships.select_related("user").order_by("user__email")
    page = Paginator(memberships, 50).get_page(request.GET.get("seite"))
    return render(
        request, "backoffice/members.html",
        {"organisation": organisation, "form": form, "page": page, "role_form": MembershipRoleForm(), "section": "members"},
    )  # fmt: skip


@backoffice_view("organisations.manage_members")
@require_POST
def member_change(request: HttpRequest, organisation: Organisation, membership_pk: int) -> HttpResponse:
    membership = get_object_or_404(OrganisationMembership.objects.select_related("user", "organisation"),
                                   organisation=organisation, pk=membership_pk)  # fmt: skip
    try:
        if request.POST.get("action") == "remove":
            services.membership_remove(actor=request.user, membership=membership)
            messages.success(request, _("Die Mitgliedschaft wurde beendet."))
        else:
            form = MembershipRoleForm(request.POST)
            if form.is_valid():
                services.membership_change_role(
                    actor=request.user, membership=membership, role=form.cleaned_data["role"]
                )
                messages.success(request, _("Die Rolle wurde geändert."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("backoffice:members", org_slug=organisation.slug)


@backoffice_view("organisations.view_auditlog")
def audit_log(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    page = Paginator(AuditEntry.objects.for_organisation(organisation), 50).get_page(request.GET.get("seite"))
    return render(
        request, "backoffice/audit_log.html", {"organisation": organisation, "page": page, "section": "audit"}
    )


@backoffice_view("organisations.change_organisation")
def accessibility_feedback(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    page = Paginator(AccessibilityFeedback.objects.filter(organisation=organisation), 50).get_page(
        request.GET.get("seite")
    )
    return render(
        request, "backoffice/feedback.html", {"organisation": organisation, "page": page, "section": "feedback"}
    )
