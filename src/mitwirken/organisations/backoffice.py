"""Back office of an organisation: settings, members, audit log."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mitwirken.core import audit, plugins
from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.models import AccessibilityFeedback, AuditEntry

from . import services
from .access import backoffice_view, is_staff_without_confirmed_session, second_factor_redirect
from .forms import AuditFilterForm, MemberInviteForm, MembershipRoleForm, OrganisationSettingsForm
from .models import Organisation, OrganisationInvitation, OrganisationMembership


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
    return render(request, "backoffice/overview.html", {"organisation": organisation, "groups": groups,
                                                         "section": "overview"})  # fmt: skip


@backoffice_view()
def statistics(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """The organisation's figures from every plugin, on a page of their own: they count everything, the
    overview counts only what waits."""
    return render(request, "backoffice/statistics.html", {
        "organisation": organisation, "statistics": plugins.organisation_statistics(organisation),
        "section": "statistics",
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
    # Adding always invites by e-mail, so the answer never tells whether the address has an account.
    form = MemberInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.member_invite(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Die Einladung an %(email)s ist verschickt. Sie gilt %(days)s Tage.")
                % {"email": invitation.email, "days": services.MEMBER_INVITATION_VALIDITY.days},
            )
            return redirect("backoffice:members", org_slug=organisation.slug)
    # API clients' technical accounts are managed on their own page, not listed as people.
    memberships = (
        organisation.memberships.filter(user__api_client__isnull=True).select_related("user").order_by("user__email")
    )
    page = Paginator(memberships, 50).get_page(request.GET.get("seite"))
    invitations = organisation.member_invitations.pending().order_by("expires_at", "pk")
    invitation_page = Paginator(invitations, 50).get_page(request.GET.get("einladungen"))
    return render(request, "backoffice/members.html", {
        "organisation": organisation, "form": form, "page": page, "invitation_page": invitation_page,
        "role_form": MembershipRoleForm(), "section": "members",
    })  # fmt: skip


@backoffice_view("organisations.manage_members")
@require_POST
def member_invitation_revoke(request: HttpRequest, organisation: Organisation, invitation_pk: int) -> HttpResponse:
    invitation = get_object_or_404(OrganisationInvitation.objects.select_related("organisation"),
                                   organisation=organisation, pk=invitation_pk)  # fmt: skip
    services.member_invitation_revoke(actor=request.user, invitation=invitation)
    messages.success(request, _("Die Einladung an %(email)s ist widerrufen.") % {"email": invitation.email})
    return redirect("backoffice:members", org_slug=organisation.slug)


def member_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the invitation mail: a signed-in account with the invited, verified address accepts it.

    Not a back-office view: the invited person has no staff rights yet (and may have no second factor).
    """
    found = OrganisationInvitation.objects.select_related("organisation").filter(token=token).first()
    error = None
    if found is None:
        error = _("Diese Einladung gibt es nicht. Bitte prüfen Sie den Link aus der E-Mail.")
    elif request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.member_invitation_accept(user=request.user, token=token)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("Willkommen! Sie arbeiten jetzt in der Verwaltung von „%(name)s“ mit.")
                % {"name": membership.organisation.name},
            )
            return redirect("backoffice:dashboard", org_slug=membership.organisation.slug)
    else:
        error = found.unusable_reason(request.user if request.user.is_authenticated else None)
    status = 404 if found is None else (410 if error else 200)
    usable = found if error is None else None
    return render(request, "backoffice/member_invitation.html", {"invitation": usable, "error": error}, status=status)


@backoffice_view("organisations.manage_members")
@require_POST
def member_change(request: HttpRequest, organisation: Organisation, membership_pk: int) -> HttpResponse:
    # An API client's technical account is not a member one can promote or remove here: it is managed, and
    # revoked, on the page of the Schnittstellen-Zugänge (a key must never become an admin).
    membership = get_object_or_404(OrganisationMembership.objects.select_related("user", "organisation"),
                                   organisation=organisation, pk=membership_pk,
                                   user__api_client__isnull=True)  # fmt: skip
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


def _audit_entries(request: HttpRequest, organisation: Organisation) -> tuple[AuditFilterForm, QuerySet[AuditEntry]]:
    known = audit.sentences()
    actions = sorted(((key, _short(sentence.text)) for key, sentence in known.items()), key=lambda choice: choice[1])
    form = AuditFilterForm(request.GET or None, organisation=organisation, actions=actions)
    entries = AuditEntry.objects.for_organisation(organisation)
    if form.is_valid():
        entries = entries.filtered(
            actor=form.cleaned_data["person"], action=form.cleaned_data["action"], text=form.cleaned_data["obj"],
            first_day=form.cleaned_data["date_from"], last_day=form.cleaned_data["date_to"],
        )  # fmt: skip
    return form, entries


def _short(text: Any) -> str:
    """An action's sentence without its placeholders, as the label of the action filter."""
    return re.sub(r"\s+", " ", re.sub(r"[„“]?%\(\w+\)s[„“]?", "…", str(text))).strip()


@backoffice_view("organisations.view_auditlog")
def audit_log(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """The audit log as sentences, filtered by person, object, action and date, 50 to a page."""
    form, entries = _audit_entries(request, organisation)
    page = Paginator(entries, 50).get_page(request.GET.get("seite"))
    known = audit.sentences()
    lines = [(entry, audit.describe(entry, known)) for entry in page.object_list]
    query = request.GET.copy()
    query.pop("seite", None)
    return render(request, "backoffice/audit_log.html", {
        "organisation": organisation, "page": page, "lines": lines, "form": form, "query": query.urlencode(),
        "section": "audit",
    })  # fmt: skip


@backoffice_view("organisations.view_auditlog")
def audit_log_export(request: HttpRequest, organisation: Organisation) -> HttpResponseBase:
    """The filtered log as CSV, streamed row by row; exporting it is itself logged."""
    from django.http import StreamingHttpResponse
    from django.utils import timezone

    from mitwirken.core.exports import csv_lines

    _form, entries = _audit_entries(request, organisation)
    audit.log_action(actor=request.user, action="auditlog.export", obj=organisation, organisation=organisation,
                     changes={"filter": request.GET.urlencode()})  # fmt: skip
    known = audit.sentences()
    header = [_("Zeitpunkt"), _("Person"), _("Aktion"), _("Objekttyp"), _("Objekt-ID"), _("Objekt"), _("Beschreibung"),
              _("Einzelheiten")]  # fmt: skip

    def rows() -> Any:
        for entry in entries.iterator(chunk_size=2000):
            line = audit.describe(entry, known)
            yield [timezone.localtime(entry.created_at).strftime("%d.%m.%Y %H:%M:%S"), audit.person_name(entry.actor),
                   entry.action, entry.object_type, entry.object_id, entry.object_repr, line.sentence,
                   " | ".join(line.details)]  # fmt: skip

    response = StreamingHttpResponse(csv_lines(header, rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="protokoll-{organisation.slug}.csv"'
    return response


@backoffice_view("organisations.change_organisation")
def accessibility_feedback(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    page = Paginator(AccessibilityFeedback.objects.filter(organisation=organisation), 50).get_page(
        request.GET.get("seite")
    )
    return render(
        request, "backoffice/feedback.html", {"organisation": organisation, "page": page, "section": "feedback"}
    )
