"""Back office: an organisation's Schnittstellen-Zugänge (API keys for partner systems)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitwirken.accounts.adapter import site_url
from mitwirken.core.dates import end_of_last_day
from mitwirken.core.forms_util import add_service_errors
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation

from . import scopes, services
from .models import DEFAULT_VALIDITY, MAX_VALIDITY, ApiClient


class ApiClientForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name des Fachverfahrens"),
        max_length=services.MAX_NAME_LENGTH,
        help_text=gettext_lazy("Zum Beispiel „DiPlan Cockpit Bauleitplanung“. Nur in der Verwaltung sichtbar; so "
                               "erscheint der Zugang auch im Protokoll."),
        error_messages={"required": gettext_lazy("Bitte geben Sie an, welches Fachverfahren den Zugang benutzt.")},
    )  # fmt: skip
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Berechtigungen"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Der Zugang darf nur, was Sie hier ankreuzen, und nie mehr als eine Sachbearbeiterin "
                               "oder ein Sachbearbeiter Ihrer Organisation."),
        error_messages={"required": gettext_lazy("Bitte wählen Sie mindestens eine Berechtigung."),
                        "invalid_choice": gettext_lazy("Diese Berechtigung gibt es nicht.")},
    )  # fmt: skip
    expires_on = forms.DateField(
        label=gettext_lazy("Gültig bis einschließlich"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": gettext_lazy("Bitte geben Sie an, bis wann der Zugang gilt."),
                        "invalid": gettext_lazy("Bitte geben Sie ein Datum ein, z. B. 31.12.2027.")},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read the registry now, not at import: modules may have added scopes since.
        self.fields["scopes"].choices = scopes.choices()  # type: ignore[attr-defined]
        today = timezone.localdate()
        latest = today + MAX_VALIDITY
        self.fields["expires_on"].initial = today + DEFAULT_VALIDITY
        self.fields["expires_on"].widget.attrs.update({"min": (today).isoformat(), "max": latest.isoformat()})
        self.fields["expires_on"].help_text = _(
            "Vorgeschlagen ist ein Jahr; höchstens zwei Jahre (bis %(latest)s). Danach legen Sie einen neuen Zugang an."
        ) % {"latest": latest.strftime("%d.%m.%Y")}

    def clean_expires_on(self) -> Any:
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day < today:
            raise ValidationError(_("Das Datum liegt in der Vergangenheit."))
        if day > today + MAX_VALIDITY:
            raise ValidationError(_("Ein Zugang gilt höchstens zwei Jahre. Bitte wählen Sie ein früheres Datum."))
        return day


def _list_context(organisation: Organisation, request: HttpRequest, form: ApiClientForm) -> dict[str, Any]:
    clients = (
        ApiClient.objects.filter(organisation=organisation)
        .select_related("created_by", "revoked_by")
        .order_by("revoked_at", "-created_at", "-pk")
    )
    page = Paginator(clients, 50).get_page(request.GET.get("seite"))
    return {"organisation": organisation, "form": form, "page": page, "now": timezone.now(),
            "section": "interfaces"}  # fmt: skip


@backoffice_view("api.manage_clients")
def client_list(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """The organisation's keys and the form for a new one; after creating, the key is shown once."""
    form = ApiClientForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            client, key = services.client_create(
                actor=request.user, organisation=organisation, name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"], expires_at=end_of_last_day(form.cleaned_data["expires_on"]),
            )  # fmt: skip
        except ValidationError as error:
            error = _renamed_expiry(error)
            add_service_errors(form, error)
        else:
            response = render(request, "api/backoffice/client_created.html", {
                "organisation": organisation, "client": client, "key": key, "section": "interfaces",
                "api_url": site_url("/api/v1/"),
            })  # fmt: skip
            # The key is in this response only (no redirect, nothing in the session); no cache may keep it.
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "api/backoffice/clients.html", _list_context(organisation, request, form))


def _renamed_expiry(error: ValidationError) -> ValidationError:
    """The service names the field ``expires_at``; the form asks for a day, ``expires_on``."""
    if hasattr(error, "error_dict") and "expires_at" in error.error_dict:
        error.error_dict["expires_on"] = error.error_dict.pop("expires_at")
    return error


@backoffice_view("api.manage_clients")
def client_revoke(request: HttpRequest, organisation: Organisation, client_pk: int) -> HttpResponse:
    """GET asks for confirmation, POST revokes. Another organisation's client is a 404."""
    client = get_object_or_404(ApiClient.objects.select_related("organisation"), organisation=organisation,
                               pk=client_pk)  # fmt: skip
    if request.method == "POST":
        services.client_revoke(actor=request.user, client=client)
        messages.success(
            request,
            _("Der Zugang „%(name)s“ ist widerrufen; sein Schlüssel funktioniert nicht mehr.") % {"name": client.name},
        )
        return redirect("backoffice:api_clients", org_slug=organisation.slug)
    return render(request, "api/backoffice/client_revoke.html", {
        "organisation": organisation, "client": client, "section": "interfaces",
    })  # fmt: skip
