"""The coordinator's side of hours: attendance of a shift, pending hours, totals and their export, certificates,
the organisation's part of Ehrenamtskarte applications, and police-certificate records.

Every view is wrapped in ``access.coordinator_view`` and fetches its objects relative to the organisation, so a
foreign id is a 404 even under one's own slug.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import rules
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core.exports import XLSX_TYPE, xlsx_file
from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.ids import parse_id, posted_id

from .access import coordinator_context, coordinator_view
from .forms_hours import CertificateForm, DecisionForm, PoliceRecordForm
from .models import (
    Application,
    Attendance,
    CardConfirmation,
    CardStatus,
    Certificate,
    EngagementOrganisation,
    HoursEntry,
    HoursStatus,
    PoliceCertificateRecord,
    Shift,
    SignupStatus,
)
from .services import cards, police
from .services import certificates as certificate_service
from .services import hours as hours_service

PAGE_SIZE = 25
# The hours page links the attendance of shifts that began in the last days.
RECENT_SHIFT_DAYS = 30
RECENT_SHIFTS = 20


def _url(name: str, organisation: EngagementOrganisation, **kwargs: object) -> str:
    return reverse(f"volunteering:{name}", kwargs={"org_slug": organisation.slug, **kwargs})


# --- attendance --------------------------------------------------------------------------------------------------


@coordinator_view
def attendance(request: HttpRequest, organisation: EngagementOrganisation, pk: int) -> HttpResponse:
    shift = get_object_or_404(Shift.objects.select_related("opportunity"), opportunity__organisation=organisation,
                              pk=pk)  # fmt: skip
    signups = list(hours_service.attendance_signups(shift))
    started = shift.start <= timezone.now()
    error = ""
    if request.method == "POST":
        marks = {signup.pk: request.POST.get(f"attendance-{signup.pk}", signup.attendance) for signup in signups}
        try:
            changed = hours_service.record_attendance(shift=shift, marks=marks, actor=request.user)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, _("Die Anwesenheit ist gespeichert (%(count)d Änderungen).") % {"count": changed})
            return redirect(_url("attendance", organisation, pk=shift.pk))
    elif not started:
        error = _("Die Schicht hat noch nicht begonnen. Anwesenheit kann erst ab Schichtbeginn erfasst werden.")
    context = coordinator_context(organisation, "hours", shift=shift, signups=signups, started=started,
                                  error=error, choices=[c for c in Attendance if c.value])  # fmt: skip
    return render(
        request,
        "volunteering/hours/attendance.html",
        context,
        status=400 if error and request.method == "POST" else 200,
    )


# --- hours -------------------------------------------------------------------------------------------------------


@coordinator_view
def hours(request: HttpRequest, organisation: EngagementOrganisation) -> HttpResponse:
    if request.method == "POST":
        entry = get_object_or_404(HoursEntry, organisation=organisation, pk=posted_id(request.POST, "entry"))
        form = DecisionForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        confirm = request.POST.get("action") == "confirm"
        try:
            hours_service.decide_hours(entry=entry, actor=request.user, confirm=confirm, note=note)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Die Stunden sind bestätigt.") if confirm else _("Die Stunden sind abgelehnt."))
        return redirect(_url("coordinator_hours", organisation))
    pending = (
        HoursEntry.objects.filter(organisation=organisation, status=HoursStatus.PENDING)
        .select_related("volunteer").order_by("day", "pk")
    )  # fmt: skip
    totals = (
        HoursEntry.objects.filter(organisation=organisation, status=HoursStatus.CONFIRMED)
        .annotate(year=ExtractYear("day"))
        .values("volunteer", "volunteer__display_name", "volunteer__real_name", "year")
        .annotate(total=Sum("hours"), entries=Count("pk"))
        .order_by("-year", "volunteer__display_name", "volunteer")
    )
    now = timezone.now()
    confirmed = Q(signups__status=SignupStatus.CONFIRMED)
    recent_shifts = (
        Shift.objects.filter(opportunity__organisation=organisation, start__lte=now,
                             start__gte=now - timedelta(days=RECENT_SHIFT_DAYS))
        .select_related("opportunity")
        .annotate(helpers=Count("signups", filter=confirmed),
                  unrecorded=Count("signups", filter=confirmed & Q(signups__attendance="")))
        .filter(helpers__gt=0).order_by("-start")[:RECENT_SHIFTS]
    )  # fmt: skip
    context = coordinator_context(
        organisation, "hours", recent_shifts=recent_shifts,
        pending=Paginator(pending, PAGE_SIZE).get_page(request.GET.get("seite")),
        totals=Paginator(totals, 50).get_page(request.GET.get("summen")),
        decision_form=DecisionForm(),
    )  # fmt: skip
    return render(request, "volunteering/hours/coordinator_hours.html", context)


@coordinator_view
def hours_export(request: HttpRequest, organisation: EngagementOrganisation) -> HttpResponse:
    entries = (
        HoursEntry.objects.filter(organisation=organisation, status=HoursStatus.CONFIRMED)
        .select_related("volunteer", "opportunity").order_by("day", "pk")
    )  # fmt: skip
    header = [_("Datum"), _("Person"), _("Angebot"), _("Tätigkeit"), _("Stunden"), _("Vergütet"), _("Aus Schicht")]
    rows = (
        [entry.day, str(entry.volunteer), entry.opportunity.title if entry.opportunity else "", entry.description,
         float(entry.hours), _("ja") if entry.paid else _("nein"), _("ja") if entry.signup_id else _("nein")]
        for entry in entries.iterator(chunk_size=2000)
    )  # fmt: skip
    response = FileResponse(xlsx_file(_("Stunden"), header, rows), as_attachment=True,
                            filename=f"stunden-{organisation.slug}.xlsx", content_type=XLSX_TYPE)  # fmt: skip
    return cast(HttpResponse, response)  # coordinator_view's type names HttpResponse; a FileResponse streams


# --- certificates ------------------------------------------------------------------------------------------------


@coordinator_view
def certificates(request: HttpRequest, organisation: EngagementOrganisation) -> HttpResponse:
    if request.method == "POST":
        certificate = get_object_or_404(
            Certificate, organisation=organisation, pk=posted_id(request.POST, "certificate")
        )
        certificate_service.revoke(certificate=certificate, actor=request.user)
        messages.success(request, _("Der Nachweis %(code)s ist widerrufen.") % {"code": certificate.printed_code})
        return redirect(_url("coordinator_certificates", organisation))
    issued = Certificate.objects.filter(organisation=organisation).order_by("-signed_at", "-pk")
    context = coordinator_context(organisation, "certificates",
                                  page=Paginator(issued, PAGE_SIZE).get_page(request.GET.get("seite")))  # fmt: skip
    return render(request, "volunteering/hours/coordinator_certificates.html", context)


@coordinator_view
def certificate_new(request: HttpRequest, organisation: EngagementOrganisation) -> HttpResponse:
    """Issue a certificate for a person with confirmed hours at the organisation (``?person=<id>``)."""
    person_id = parse_id(request.GET.get("person"))
    if (
        person_id is None
        or not HoursEntry.objects.filter(
            organisation=organisation, volunteer_id=person_id, status=HoursStatus.CONFIRMED
        ).exists()
    ):
        raise Http404
    volunteer = get_object_or_404(get_user_model(), pk=person_id)
    form = CertificateForm(request.POST or None,
                           initial=certificate_service.suggested(organisation, volunteer))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            certificate = certificate_service.issue(organisation=organisation, volunteer=volunteer,
                                                    actor=request.user, **form.cleaned_data)  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Der Nachweis ist unterzeichnet. Prüfcode: %(code)s")
                             % {"code": certificate.printed_code})  # fmt: skip
            return redirect(_url("coordinator_certificates", organisation))
    context = coordinator_context(organisation, "certificates", form=form, volunteer=volunteer)
    return render(request, "volunteering/hours/certificate_form.html", context, status=400 if form.errors else 200)


# --- Ehrenamtskarte ----------------------------------------------------------------------------------------------


@coordinator_view
def card_confirmations(request: HttpRequest, organisation: EngagementOrganisation) -> HttpResponse:
    if request.method == "POST":
        confirmation = get_object_or_404(CardConfirmation, organisation=organisation,
                                         pk=posted_id(request.POST, "confirmation"))  # fmt: skip
        try:
            cards.confirm_organisation(confirmation=confirmation, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Die Stunden sind für den Antrag bestätigt."))
        return redirect(_url("coordinator_cards", organisation))
    confirmations = (
        CardConfirmation.objects.filter(organisation=organisation)
        .select_related("application__volunteer")
        .order_by(
            "-application__status", "-application__created_at", "pk"
        )
    )  # fmt: skip
    context = coordinator_context(organisation, "cards", prepared=CardStatus.PREPARED,
                                  page=Paginator(confirmations, PAGE_SIZE).get_page(request.GET.get("seite")))  # fmt: skip
    return render(request, "volunteering/hours/coordinator_cards.html", context)


# --- police-certificate records ----------------------------------------------------------------------------------


@coordinator_view
def police_record(request: HttpRequest, organisation: EngagementOrganisation, pk: int) -> HttpResponse:
    application = get_object_or_404(
        Application.objects.select_related("opportunity__organisation", "volunteer"),
        opportunity__organisation=organisation, opportunity__police_certificate=True, pk=pk,
    )  # fmt: skip
    # The rule itself, not ``user.has_perm``: Django grants superusers every permission, and a § 72a record is
    # for the organisation's coordinators only (portal admins and the Börse's staff included in "never").
    if not rules.has_perm("volunteering.view_police_record", request.user, application):
        raise Http404
    existing = PoliceCertificateRecord.objects.filter(application=application).first()
    initial = {}
    if existing is not None:
        initial = {"certificate_date": existing.certificate_date, "inspected_on": existing.inspected_on,
                   "relevant_entry": "yes" if existing.relevant_entry else "no"}  # fmt: skip
    form = PoliceRecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            police.record(application=application, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except ObjectDoesNotExist:
            raise Http404 from None
        else:
            messages.success(request, _("Die Einsicht ist erfasst."))
            return redirect(_url("police_record", organisation, pk=application.pk))
    context = coordinator_context(organisation, "applications", application=application, record=existing,
                                  form=form)  # fmt: skip
    return render(request, "volunteering/hours/police_record.html", context, status=400 if form.errors else 200)
