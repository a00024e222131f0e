"""The Ehrenamtsbörse's back office for hours: Ehrenamtskarte applications to confirm, and the statistics.

The Börse's staff never see hours entries or police-certificate records of single volunteers here: an
application shows the hours each organisation confirmed, nothing more.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from mitwirken.core.exports import XLSX_TYPE, xlsx_file
from mitwirken.core.ids import posted_id
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation

from .models import CardApplication, CardConfirmation, CardStatus, Exchange
from .services import cards
from .statistics import for_exchange

PAGE_SIZE = 25


def _exchange(organisation: Organisation) -> Exchange:
    exchange = Exchange.objects.filter(organisation=organisation).first()
    if exchange is None:
        raise Http404
    return exchange


@backoffice_view()
def card_applications(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    exchange = _exchange(organisation)
    if request.method == "POST":
        application = get_object_or_404(CardApplication, exchange=exchange,
                                        pk=posted_id(request.POST, "application"))  # fmt: skip
        approve = request.POST.get("action") == "approve"
        try:
            cards.decide(application=application, actor=request.user, approve=approve)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except CardApplication.DoesNotExist:
            raise Http404 from None
        else:
            messages.success(request, _("Der Antrag ist bestätigt.") if approve else _("Der Antrag ist abgelehnt."))
        return redirect(reverse("backoffice:volunteering_cards", kwargs={"org_slug": organisation.slug}))
    applications = (
        CardApplication.objects.filter(exchange=exchange)
        .select_related("volunteer")
        .prefetch_related(Prefetch("confirmations", CardConfirmation.objects.select_related("organisation")))
        .order_by("-created_at", "-pk")
    )
    waiting = request.GET.get("alle") != "1"
    if waiting:
        applications = applications.filter(status=CardStatus.ORGANISATIONS_CONFIRMED)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(request, "volunteering/hours/backoffice_cards.html", {
        "organisation": organisation, "section": "volunteering_cards", "page": page,
        "waiting": waiting, "query": "" if waiting else "alle=1",
        "confirmable": CardStatus.ORGANISATIONS_CONFIRMED,
    })  # fmt: skip


@backoffice_view()
def statistics(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    figures = for_exchange(_exchange(organisation))
    return render(request, "volunteering/hours/backoffice_statistics.html",
                  {"organisation": organisation, "section": "volunteering_statistics", "figures": figures})  # fmt: skip


@backoffice_view()
def statistics_export(request: HttpRequest, organisation: Organisation) -> FileResponse:
    figures = for_exchange(_exchange(organisation))
    target = xlsx_file(_("Ehrenamt"), [_("Bereich"), _("Kennzahl"), _("Wert")], figures.rows())
    return FileResponse(target, as_attachment=True, filename=f"ehrenamt-statistik-{organisation.slug}.xlsx",
                        content_type=XLSX_TYPE)  # fmt: skip
