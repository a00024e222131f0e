"""The volunteer's side of applying: the application form of an opportunity, the list of one's own
applications, and one application with its status, the messages, a reply, sharing the address and withdrawing.

Another person's application answers 404, whoever asks (a coordinator has the organisation's own page).
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.spam import over_limit

from .forms_applications import ApplyForm, MessageForm, ShareForm, WithdrawForm
from .models import ACTIVE_APPLICATION, Application, Opportunity
from .services import applications as service

PAGE_SIZE = 20
TOO_FAST = gettext_lazy("Sie haben in kurzer Zeit sehr viele Nachrichten geschickt. Bitte warten Sie eine Minute.")
SHARE_LABEL = gettext_lazy("Meine E-Mail-Adresse an die Organisation weitergeben")


def opportunity_path(opportunity: Opportunity) -> str:
    # The public opportunity pages are another area's; their addresses are fixed by the issue.
    return f"/ehrenamt/angebote/{opportunity.pk}/"


def thread(application: Application) -> list[Any]:
    """The conversation as shown: the application's own message first, then the messages in order."""
    return list(application.messages.select_related("sender").order_by("created_at", "id"))


# --- applying -----------------------------------------------------------------------------------------------------


@login_required
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(Opportunity.objects.select_related("organisation"), pk=pk)
    if not request.user.has_perm("volunteering.view_opportunity", opportunity):
        raise Http404
    context: dict[str, Any] = {
        "opportunity": opportunity, "organisation": opportunity.organisation,
        "opportunity_url": opportunity_path(opportunity), "shifts_url": opportunity_path(opportunity) + "schichten/",
        "existing": service.active_application(request.user, opportunity),
    }  # fmt: skip
    if context["existing"] is not None or not opportunity.application_required:
        return render(request, "volunteering/applications/apply.html", context)
    try:
        service.check_can_apply(request.user, opportunity)
    except ValidationError as error:
        context["refusal"] = error.messages
        # Only the login's trust level is missing: the page offers the way to BundID, nothing is saved.
        context["assurance_missing"] = getattr(error, "code", None) == "assurance"
        return render(request, "volunteering/applications/apply.html", context,
                      status=403 if context["assurance_missing"] else 200)  # fmt: skip
    form = ApplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if over_limit(request, "volunteering.apply", per_user="10/m", per_ip="30/m"):
            form.add_error(None, _("Sie haben sich in kurzer Zeit sehr oft beworben. Bitte warten Sie eine Minute."))
        else:
            try:
                application = service.apply(user=request.user, opportunity=opportunity,
                                            message=form.cleaned_data["message"],
                                            share_email=form.cleaned_data["share_email"])  # fmt: skip
            except ValidationError as error:
                add_service_errors(form, error)
                context["existing"] = service.active_application(request.user, opportunity)
            else:
                text = _("Ihre Bewerbung ist abgeschickt. Die Organisation meldet sich über das Portal; Sie erhalten "
                         "dann eine E-Mail.")  # fmt: skip
                if application.identity_verified:
                    text = f"{text} {application.identity_text}."
                messages.success(request, text)
                return redirect("volunteering:my_application", pk=application.pk)
    context["form"] = form
    return render(request, "volunteering/applications/apply.html", context)


# --- one's own applications ---------------------------------------------------------------------------------------


@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    applications = (
        Application.objects.filter(volunteer_id=request.user.pk).select_related("opportunity__organisation")
        .order_by("-created_at", "-id")
    )  # fmt: skip
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(request, "volunteering/applications/my_list.html", {"page": page})


def own_application(request: HttpRequest, pk: int) -> Application:
    """The person's own application, or 404 for everyone else."""
    application = get_object_or_404(Application.objects.select_related("opportunity__organisation"), pk=pk)
    if application.volunteer_id != request.user.pk or not rules.has_perm(
        "volunteering.view_application", request.user, application
    ):
        raise Http404
    return application


def _detail(request: HttpRequest, application: Application, *, reply: MessageForm | None = None,
            share: ShareForm | None = None, withdraw: WithdrawForm | None = None) -> HttpResponse:  # fmt: skip
    service.mark_read(application, by_organisation=False)
    organisation = application.opportunity.organisation
    return render(request, "volunteering/applications/my_detail.html", {
        "application": application, "opportunity": application.opportunity, "organisation": organisation,
        "opportunity_url": opportunity_path(application.opportunity), "messages_thread": thread(application),
        "can_write": application.status not in service.CLOSED,
        "can_withdraw": application.status in ACTIVE_APPLICATION,
        "shifts_url": opportunity_path(application.opportunity) + "schichten/",
        "organisation_email": organisation.contact_email if application.organisation_shares_email else "",
        "reply": reply or MessageForm(prefix="antwort"),
        "share": share or ShareForm(prefix="teilen", label=SHARE_LABEL,
                                    initial={"share": application.volunteer_shares_email}),
        "withdraw": withdraw or WithdrawForm(prefix="zurueckziehen"),
    })  # fmt: skip


def save_share(request: HttpRequest, application: Application, *, as_organisation: bool, label: Any) -> None:
    """The checkbox "share my address" of either side (unticked: not shared)."""
    share = ShareForm(request.POST, prefix="teilen", label=label)
    share.is_valid()
    service.share_email(user=request.user, application=application, share=share.cleaned_data.get("share", False),
                        as_organisation=as_organisation)  # fmt: skip
    messages.success(request, _("Ihre Einstellung ist gespeichert."))


@login_required
def my_application(request: HttpRequest, pk: int) -> HttpResponse:
    application = own_application(request, pk)
    if request.method != "POST":
        return _detail(request, application)
    action = request.POST.get("action")
    if action == "reply":
        reply = MessageForm(request.POST, prefix="antwort")
        if reply.is_valid():
            if over_limit(request, "volunteering.message", per_user="10/m", per_ip="30/m"):
                reply.add_error(None, str(TOO_FAST))
            else:
                try:
                    service.send_message(sender=request.user, application=application,
                                         body=reply.cleaned_data["body"], as_organisation=False)  # fmt: skip
                except ValidationError as error:
                    add_service_errors(reply, error)
                else:
                    messages.success(request, _("Ihre Nachricht ist abgeschickt."))
                    return redirect("volunteering:my_application", pk=application.pk)
        return _detail(request, application, reply=reply)
    if action == "share":
        save_share(request, application, as_organisation=False, label=SHARE_LABEL)
        return redirect("volunteering:my_application", pk=application.pk)
    raise Http404


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = own_application(request, pk)
    form = WithdrawForm(request.POST, prefix="zurueckziehen")
    if not form.is_valid():
        return _detail(request, application, withdraw=form)
    try:
        service.withdraw(user=request.user, application=application)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Sie haben Ihre Bewerbung zurückgezogen. Die Organisation ist informiert."))
    return redirect("volunteering:my_application", pk=application.pk)
