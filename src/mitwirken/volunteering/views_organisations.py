"""A Verein registers, and an invited person becomes a coordinator (signed in with the invited address)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from mitwirken.core.forms_util import add_service_errors

from .forms_organisations import RegistrationForm
from .models import CoordinatorInvitation, Exchange
from .services import organisations as service


@login_required
def register_organisation(request: HttpRequest) -> HttpResponse:
    form = RegistrationForm(request.POST or None, request.FILES or None)
    if request.method == "GET":
        only = list(Exchange.objects.filter(active=True).values_list("pk", flat=True)[:2])
        if len(only) == 1:
            form.initial["exchange"] = only[0]
    if request.method == "POST" and form.is_valid():
        try:
            organisation = service.register_organisation(
                actor=request.user, exchange=form.cleaned_data["exchange"], data=form.service_data(),
                logo=form.cleaned_data.get("logo"),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _(
                "Vielen Dank! Ihre Organisation ist registriert. Die Ehrenamtsbörse „%(exchange)s“ prüft sie nun; "
                "Sie erhalten eine E-Mail, sobald das geschehen ist."
            ) % {"exchange": organisation.exchange.organisation.name})  # fmt: skip
            return redirect("volunteering:coordinator_overview", org_slug=organisation.slug)
    return render(request, "volunteering/organisations/register.html", {"form": form})


@login_required
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(CoordinatorInvitation.objects.select_related("organisation"), token=token)
    problem = service.invitation_problem(invitation, request.user)
    if request.method == "POST" and problem is None:
        try:
            service.accept_invitation(user=request.user, token=token)
        except ValidationError as error:
            problem = error.messages[0]
        else:
            messages.success(request, _("Sie koordinieren nun „%(name)s“.") % {"name": invitation.organisation.name})
            return redirect(reverse("volunteering:coordinator_overview",
                                    kwargs={"org_slug": invitation.organisation.slug}))  # fmt: skip
    return render(request, "volunteering/organisations/accept_invitation.html",
                  {"invitation": invitation, "problem": problem}, status=409 if problem and request.method == "POST"
                  else 200)  # fmt: skip
