"""The Ehrenamtsbörse in a tenant's back office: its settings, the verification queue, the list of engagement
organisations, and the tenant's own bodies.

Every view is wrapped in ``backoffice_view`` (404 for anyone who is not the tenant's staff) and fetches an
engagement organisation only through the tenant's own Börse, so another tenant's organisation is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from mitwirken.core.forms_util import add_service_errors
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation

from .forms_organisations import ExchangeForm, OwnBodyForm, RejectForm
from .models import EngagementOrganisation, Exchange, OpportunityStatus, VerificationStatus
from .services import organisations as service

PAGE_SIZE = 25


def _exchange(organisation: Organisation) -> Exchange | None:
    return Exchange.objects.filter(organisation=organisation).first()


def _context(organisation: Organisation, tab: str, **extra: Any) -> dict[str, Any]:
    return {"organisation": organisation, "section": "volunteering", "tab": tab, **extra}


def _url(name: str, organisation: Organisation, **kwargs: Any) -> str:
    return reverse(f"backoffice:{name}", kwargs={"org_slug": organisation.slug, **kwargs})


def organisations_of(exchange: Exchange | None) -> QuerySet[EngagementOrganisation]:
    """The Börse's engagement organisations with their opportunity counts (one query per page)."""
    if exchange is None:
        return EngagementOrganisation.objects.none()
    return EngagementOrganisation.objects.filter(exchange=exchange).annotate(
        published=Count("opportunities", filter=Q(opportunities__status=OpportunityStatus.PUBLISHED)),
        in_review=Count("opportunities", filter=Q(opportunities__status=OpportunityStatus.REVIEW)),
    )


@backoffice_view()
def home(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """The Börse's settings (set up, on/off, introduction, contact) and what waits."""
    exchange = _exchange(organisation)
    form = ExchangeForm(request.POST or None, instance=exchange)
    if request.method == "POST" and form.is_valid():
        try:
            service.exchange_save(actor=request.user, tenant=organisation,
                                  data={name: form.cleaned_data[name] for name in service.EXCHANGE_FIELDS})  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Einstellungen der Ehrenamtsbörse sind gespeichert."))
            return redirect(_url("volunteering", organisation))
    counts = organisations_of(exchange).aggregate(
        pending=Count("pk", filter=Q(status=VerificationStatus.PENDING)),
        verified=Count("pk", filter=Q(status=VerificationStatus.VERIFIED)),
        rejected=Count("pk", filter=Q(status=VerificationStatus.REJECTED)),
    )
    return render(request, "volunteering/backoffice/home.html",
                  _context(organisation, "home", exchange=exchange, form=form, counts=counts))  # fmt: skip


def _list_page(request: HttpRequest, organisation: Organisation, tab: str, rows: QuerySet[EngagementOrganisation]
               ) -> HttpResponse:  # fmt: skip
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(request, "volunteering/backoffice/organisations.html",
                  _context(organisation, tab, exchange=_exchange(organisation), page=page))  # fmt: skip


@backoffice_view()
def queue(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """Engagement organisations waiting for verification, oldest first."""
    rows = organisations_of(_exchange(organisation)).filter(status=VerificationStatus.PENDING)
    return _list_page(request, organisation, "queue", rows.order_by("created_at", "pk"))


@backoffice_view()
def organisations(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = organisations_of(_exchange(organisation))
    if status in VerificationStatus.values:
        rows = rows.filter(status=status)
    return _list_page(request, organisation, "organisations", rows.order_by("name", "pk"))


@backoffice_view()
def review(request: HttpRequest, organisation: Organisation, engagement_pk: int) -> HttpResponse:
    """One engagement organisation with the approve and reject forms."""
    engagement = get_object_or_404(
        organisations_of(_exchange(organisation)).select_related("exchange__organisation", "verified_by"),
        pk=engagement_pk,
    )
    reject_form = RejectForm(request.POST if request.POST.get("decision") == "reject" else None)
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "verify":
                published = service.verify_organisation(actor=request.user, organisation=engagement)
                messages.success(request, _("„%(name)s“ ist bestätigt; %(count)d Angebote wurden veröffentlicht.")
                                 % {"name": engagement.name, "count": published})  # fmt: skip
                return redirect(_url("volunteering_queue", organisation))
            if reject_form.is_valid():
                service.reject_organisation(actor=request.user, organisation=engagement,
                                            reason=reject_form.cleaned_data["reason"])  # fmt: skip
                messages.success(request, _("„%(name)s“ ist abgelehnt; die Koordination wurde informiert.")
                                 % {"name": engagement.name})  # fmt: skip
                return redirect(_url("volunteering_queue", organisation))
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(reject_form, error)
            else:
                messages.error(request, error.messages[0])
    coordinators = engagement.coordinators.select_related("user").order_by("created_at")
    # What verifying would publish, so staff can read it first.
    waiting = engagement.opportunities.filter(status=OpportunityStatus.REVIEW).order_by("title", "pk")
    return render(request, "volunteering/backoffice/review.html", _context(
        organisation, "queue" if engagement.status == VerificationStatus.PENDING else "organisations",
        engagement=engagement, reject_form=reject_form, coordinators=coordinators, waiting=waiting,
    ))  # fmt: skip


@backoffice_view()
def own_body(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """ "Eigene Einrichtung anlegen": a body of the tenant (the Seniorenbeirat), verified at once."""
    exchange = _exchange(organisation)
    if exchange is None:
        messages.error(request, _("Bitte richten Sie zuerst die Ehrenamtsbörse ein."))
        return redirect(_url("volunteering", organisation))
    form = OwnBodyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            body = service.create_own_body(actor=request.user, exchange=exchange, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("„%(name)s“ ist angelegt. Sie und Ihre Kolleginnen und Kollegen koordinieren "
                                        "die Einrichtung.") % {"name": body.name})  # fmt: skip
            return redirect("volunteering:coordinator_overview", org_slug=body.slug)
    return render(request, "volunteering/backoffice/own_body.html", _context(organisation, "own", form=form))
