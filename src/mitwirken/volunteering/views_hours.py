"""The volunteer's side of hours: own hours and totals, the Ehrenamtskarte, own certificates and police-certificate
records; and the public verification of a certificate's code."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from mitwirken.core.forms_util import add_service_errors

from . import recognitions
from .certificate_pdf import certificate_pdf
from .forms_hours import OwnHoursForm, VerifyForm
from .models import CardApplication, CardConfirmation, Certificate, HoursEntry, HoursStatus, PoliceCertificateRecord
from .services import cards
from .services import certificates as certificate_service
from .services import hours as hours_service

PAGE_SIZE = 20
VERIFY_RATE = "20/m"


@login_required
def my_hours(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    organisations = hours_service.engaged_organisations(user)
    form = OwnHoursForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hours_service.add_own_hours(volunteer=user, organisation=data["organisation"], day=data["day"],
                                        hours=data["hours"], description=data["description"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Ihre Stunden sind eingetragen und warten auf die Bestätigung der "
                                        "Organisation."))  # fmt: skip
            return redirect("volunteering:my_hours")
    entries = HoursEntry.objects.filter(volunteer=user).select_related("organisation").order_by("-day", "-pk")
    totals = (
        HoursEntry.objects.filter(volunteer=user, status=HoursStatus.CONFIRMED)
        .annotate(year=ExtractYear("day"))
        .values("organisation__name", "year")
        .annotate(total=Sum("hours"))
        .order_by("-year", "organisation__name")
    )
    card_applications = (
        CardApplication.objects.filter(volunteer=user)
        .select_related("exchange__organisation")
        .prefetch_related(Prefetch("confirmations", CardConfirmation.objects.select_related("organisation")))
    )
    context = {
        "form": form,
        "has_organisations": organisations.exists(),
        "page": Paginator(entries, PAGE_SIZE).get_page(request.GET.get("seite")),
        "totals": list(totals),
        # Each recognition with the trust level its application would need (shown before the button).
        "checks": [
            (result, cards.card_requirement(user, result) if result.eligible else 0)
            for result in recognitions.check_all(user)
        ],
        "card_applications": card_applications[:10],
        "police_records": PoliceCertificateRecord.objects.filter(volunteer=user).select_related(
            "organisation", "application__opportunity"
        ),
    }
    return render(request, "volunteering/hours/my_hours.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def prepare_card(request: HttpRequest, key: str) -> HttpResponse:
    try:
        application = cards.prepare(volunteer=request.user, recognition_key=key)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        text = _("Ihr Antrag ist vorbereitet. Ihre Organisationen bestätigen jetzt Ihre Stunden, danach die "
                 "Kommune.")  # fmt: skip
        if application.identity_verified:
            text = f"{text} {application.identity_text}."
        messages.success(request, text)
    return redirect("volunteering:my_hours")


@login_required
def my_certificates(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    certificates = Certificate.objects.filter(volunteer=user).order_by("-signed_at", "-pk")
    page = Paginator(certificates, PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(request, "volunteering/hours/my_certificates.html", {"page": page})


@login_required
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF: for the volunteer and the organisation's coordinators; 404 for anyone else."""
    certificate = get_object_or_404(Certificate.objects.select_related("organisation"), pk=pk)
    if not rules.has_perm("volunteering.view_hours", request.user, certificate):  # the rule: no superuser bypass
        raise Http404
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ehrenamtsnachweis-{certificate.printed_code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def verify_certificate(request: HttpRequest) -> HttpResponse:
    """Public: a code shows what the certificate states, or that there is no valid one."""
    form = VerifyForm(request.GET or None)
    certificate = None
    checked = False
    limited = False
    if form.is_bound and form.is_valid():
        # Per address, so guessing codes is slowed down as other public look-ups are.
        limited = is_ratelimited(request, group="volunteering.verify_certificate", key="ip", rate=VERIFY_RATE,
                                 method=ALL, increment=True)  # fmt: skip
        if limited:
            form.add_error("code", _("Zu viele Abfragen. Bitte warten Sie eine Minute und versuchen Sie es erneut."))
        else:
            checked = True
            certificate = certificate_service.find(form.cleaned_data["code"])
    status = 429 if limited else 200
    return render(request, "volunteering/hours/verify.html",
                  {"form": form, "certificate": certificate, "checked": checked}, status=status)  # fmt: skip
