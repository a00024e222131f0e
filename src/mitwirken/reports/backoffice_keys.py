"""Back-office page for an organisation's Open311 API keys: list, create (key shown once), revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.ids import posted_id
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation

from . import apikeys
from .models import ApiClient


class ApiClientForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name der Anwendung"),
        max_length=apikeys.MAX_NAME_LENGTH,
        help_text=gettext_lazy("Zum Beispiel „Mängel-App der Stadtwerke“. Nur in der Verwaltung sichtbar, damit Sie den "
                               "Schlüssel später wiedererkennen."),
    )  # fmt: skip


@backoffice_view("reports.manage_api_clients")
def api_clients(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    if request.method == "POST" and request.POST.get("action") == "revoke":
        return _revoke(request, organisation)
    form = ApiClientForm(request.POST if request.method == "POST" else None)
    created: tuple[ApiClient, str] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            created = apikeys.api_client_create(
                actor=request.user, organisation=organisation, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = ApiClientForm()
    clients = ApiClient.objects.filter(organisation=organisation).order_by("revoked_at", "-created_at", "-pk")
    page = Paginator(clients, 50).get_page(request.GET.get("seite"))
    response = render(request, "reports/backoffice/api_clients.html", {
        "organisation": organisation, "form": form, "page": page, "section": "api_clients",
        "new_client": created[0] if created else None, "new_key": created[1] if created else "",
    })  # fmt: skip
    # The new key is shown in this response only (no redirect, nothing in the session); no cache may keep it.
    response["Cache-Control"] = "no-store"
    return response


def _revoke(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    pk = posted_id(request.POST, "client")
    client = get_object_or_404(ApiClient, organisation=organisation, pk=pk)  # another tenant's key: 404
    apikeys.api_client_revoke(actor=request.user, client=client)
    messages.success(
        request, _("Der Schlüssel für „%(name)s“ ist widerrufen und funktioniert nicht mehr.") % {"name": client.name}
    )
    return redirect("backoffice:report_api_clients", org_slug=organisation.slug)
