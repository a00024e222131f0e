"""Back office of the XBeteiligung exchange: the organisation's inbox and outbox, its partner endpoint, and the
portal administrators' parked messages (an addressee the portal does not know)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from mitwirken.accounts.second_factor import refuse_unless
from mitwirken.core.audit import log_action
from mitwirken.core.ids import parse_id
from mitwirken.core.pagination import KeysFirstPaginator
from mitwirken.core.uploads import attachment_disposition
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation

from . import exchange, transport
from .forms import AssignParkedForm, ExchangeFilterForm, PartnerEndpointForm
from .models import ExchangeMessage, ExchangeMessageQuerySet, ExchangeStatus, PartnerEndpoint

PAGE_SIZE = 50

# Words of the message names (``kommunal.Initiieren.OK.0411``) as staff read them.
WORDS = {"Initiieren": "Initiieren", "Aktualisieren": "Aktualisieren", "Loeschen": "Löschen", "OK": "bestätigt",
         "NOK": "abgelehnt", "stellungnahme": "Stellungnahme", "Neuabgegeben": "neu abgegeben"}  # fmt: skip
FAMILIES = {"kommunal": "kommunal", "raumordnung": "Raumordnung"}

STATUS_BADGES = {
    ExchangeStatus.PROCESSED: "success", ExchangeStatus.SENT: "success", ExchangeStatus.FAILED: "danger",
    ExchangeStatus.UNDELIVERED: "danger", ExchangeStatus.PARKED: "warning", ExchangeStatus.PENDING: "info",
}  # fmt: skip


def short_name(message_type: str) -> str:
    """``kommunal.Initiieren.0401`` → "0401 Initiieren (kommunal)"."""
    parts = message_type.split(".")
    if len(parts) < 3 or not parts[-1].isdigit():
        return message_type or "–"
    words = " ".join(WORDS.get(word, word) for word in parts[1:-1])
    family = FAMILIES.get(parts[0])
    return f"{parts[-1]} {words}" + (f" ({family})" if family else "")


def _decorate(items: Any) -> Any:
    for item in items:
        item.short_name = short_name(item.message_type)
        item.badge = STATUS_BADGES.get(item.status, "info")
        item.reason_first_line = item.reason.splitlines()[0] if item.reason else ""
    return items


def filtered_messages(organisation: Organisation, form: ExchangeFilterForm) -> ExchangeMessageQuerySet:
    items = ExchangeMessage.objects.filter(organisation=organisation).for_list()
    if form.is_valid():
        data = form.cleaned_data
        if data.get("richtung"):
            items = items.filter(direction=data["richtung"])
        if data.get("status"):
            items = items.filter(status=data["status"])
        if data.get("q"):
            q = data["q"].strip()
            items = items.filter(Q(message_id=q) | Q(author_id=q) | Q(reader_id=q) | Q(author_name__icontains=q)
                                 | Q(reader_name__icontains=q))  # fmt: skip
    return items.order_by("-created_at", "-id")


@backoffice_view("formal.view_exchange")
def exchange_list(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = ExchangeFilterForm(request.GET or None)
    page = KeysFirstPaginator(filtered_messages(organisation, form), PAGE_SIZE).get_page(request.GET.get("seite"))
    _decorate(page.object_list)
    query = request.GET.copy()
    query.pop("seite", None)
    direction = form.cleaned_data.get("richtung", "") if form.is_valid() else ""
    return render(request, "formal/backoffice/exchange_list.html", {
        "organisation": organisation, "form": form, "page": page, "query": query.urlencode(), "section": "exchange",
        "direction": direction, "can_configure": request.user.has_perm("organisations.change_organisation", organisation),
        "endpoint": PartnerEndpoint.objects.filter(organisation=organisation).first(),
    })  # fmt: skip


def _message(organisation: Organisation, message_pk: int) -> ExchangeMessage:
    return get_object_or_404(
        ExchangeMessage.objects.select_related("procedure__module", "statement", "reply_to", "created_by"),
        organisation=organisation, pk=parse_id(message_pk),
    )  # fmt: skip


@backoffice_view("formal.view_exchange")
def exchange_detail(request: HttpRequest, organisation: Organisation, message_pk: int) -> HttpResponse:
    message = _message(organisation, message_pk)
    if request.method == "POST" and request.POST.get("action") == "resend":
        try:
            transport.resend(actor=request.user, message=message)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Die Nachricht wird erneut an die Gegenstelle gesendet."))
        return redirect("backoffice:exchange_detail", org_slug=organisation.slug, message_pk=message.pk)
    _decorate([message])
    replies = _decorate(list(message.replies.defer("payload").order_by("pk")))
    if message.reply_to is not None:
        _decorate([message.reply_to])
    return render(request, "formal/backoffice/exchange_detail.html", {
        "organisation": organisation, "message": message, "replies": replies, "section": "exchange",
        "can_resend": message.status == ExchangeStatus.UNDELIVERED,
    })  # fmt: skip


def _xml_response(message: ExchangeMessage) -> HttpResponse:
    response = HttpResponse(message.payload.encode("utf-8"), content_type="application/xml; charset=utf-8")
    name = f"{message.message_type.split('.')[-1]}-{message.message_id or message.pk}.xml"
    response["Content-Disposition"] = attachment_disposition(name)
    return response


@backoffice_view("formal.view_exchange")
def exchange_xml(request: HttpRequest, organisation: Organisation, message_pk: int) -> HttpResponse:
    message = _message(organisation, message_pk)
    if message.redacted_at is not None:
        raise Http404  # its content was deleted with the statements' retention period
    return _xml_response(message)


@backoffice_view("organisations.change_organisation")
def partner_endpoint(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    endpoint = PartnerEndpoint.objects.filter(organisation=organisation).first()
    form = PartnerEndpointForm(request.POST or None, instance=endpoint or PartnerEndpoint(organisation=organisation))
    if request.method == "POST" and request.POST.get("action") == "delete" and endpoint is not None:
        endpoint.delete()
        log_action(actor=request.user, action="xbeteiligung.endpoint_delete", obj=organisation,
                   organisation=organisation)  # fmt: skip
        messages.success(request, _("Die Gegenstelle ist entfernt. Stellungnahmen werden nicht mehr übermittelt."))
        return redirect("backoffice:exchange_endpoint", org_slug=organisation.slug)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        log_action(actor=request.user, action="xbeteiligung.endpoint", obj=organisation, organisation=organisation,
                   changes={"url": saved.url, "active": saved.active, "token": "gesetzt" if saved.token else "leer"})  # fmt: skip
        messages.success(request, _("Die Gegenstelle ist gespeichert."))
        return redirect("backoffice:exchange_endpoint", org_slug=organisation.slug)
    return render(request, "formal/backoffice/exchange_endpoint.html", {
        "organisation": organisation, "form": form, "endpoint": endpoint, "section": "exchange",
    })  # fmt: skip


# Parked messages: portal-wide, for the portal administrators.


def _portal_admin_only(request: HttpRequest) -> HttpResponse | None:
    return refuse_unless(request, "organisations.add_organisation")


def parked(request: HttpRequest) -> HttpResponse:
    refused = _portal_admin_only(request)
    if refused is not None:
        return refused
    form = AssignParkedForm(request.POST or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        message = ExchangeMessage.objects.incoming().filter(pk=form.cleaned_data["message"]).first()
        if message is None:
            raise Http404
        try:
            outcome = exchange.assign_parked(actor=request.user, message=message,
                                             organisation=form.cleaned_data["organisation"])  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("backoffice:exchange_parked")
        if outcome.accepted:
            messages.success(request, outcome.summary)
        else:
            messages.error(request, " ".join([outcome.summary, *outcome.errors]))
    items = ExchangeMessage.objects.incoming().filter(status=ExchangeStatus.PARKED, organisation__isnull=True)
    page = KeysFirstPaginator(items.for_list().order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("seite")
    )
    _decorate(page.object_list)
    if outcome is not None:
        _decorate([outcome.message])
    return render(request, "formal/backoffice/exchange_parked.html", {
        "page": page, "form": AssignParkedForm(), "organisations": Organisation.objects.order_by("name").only("id", "name", "ags"),
        "outcome": outcome, "query": "",
    })  # fmt: skip


def parked_xml(request: HttpRequest, message_pk: int) -> HttpResponse:
    refused = _portal_admin_only(request)
    if refused is not None:
        return refused
    message = get_object_or_404(ExchangeMessage.objects.incoming(), organisation__isnull=True,
                                status=ExchangeStatus.PARKED, pk=parse_id(message_pk))  # fmt: skip
    return _xml_response(message)
