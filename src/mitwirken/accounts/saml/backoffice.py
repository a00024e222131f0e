"""/verwaltung/anmeldedienste/: portal administrators import the identity providers' metadata."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitwirken.core.forms_util import add_service_errors

from ..models import ExternalIdentity, IdentityProvider
from ..second_factor import refuse_unless
from . import config
from .metadata import MAX_METADATA_BYTES, import_metadata

PERMISSION = "organisations.add_organisation"  # portal administrators


class MetadataForm(forms.Form):
    provider = forms.ChoiceField(label=gettext_lazy("Anbieter"), choices=ExternalIdentity.Provider.choices)
    file = forms.FileField(label=gettext_lazy("Metadaten-Datei (XML)"), required=False,
                           help_text=gettext_lazy("Die Datei, die Sie bei der Registrierung erhalten haben."))  # fmt: skip
    url = forms.URLField(label=gettext_lazy("oder Metadaten-Adresse"), required=False, assume_scheme="https",
                         help_text=gettext_lazy("Die Metadaten werden sofort abgerufen und geprüft."))  # fmt: skip
    enabled = forms.BooleanField(label=gettext_lazy("Anmeldung anbieten"), required=False, initial=True)

    def clean_file(self) -> str:
        upload = self.cleaned_data.get("file")
        if not upload:
            return ""
        if upload.size > MAX_METADATA_BYTES:
            raise ValidationError(_("Die Metadaten sind größer als 2 MB."))
        return str(upload.read().decode("utf-8", errors="replace"))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("file") and not data.get("url") and not self.errors:
            raise ValidationError(_("Bitte laden Sie eine Metadaten-Datei hoch oder geben Sie eine Adresse an."))
        return data


def identity_providers(request: HttpRequest) -> HttpResponse:
    refused = refuse_unless(request, PERMISSION)
    if refused is not None:
        return refused
    form = MetadataForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            idp = import_metadata(actor=request.user, provider=form.cleaned_data["provider"],
                                  xml=form.cleaned_data["file"], url=form.cleaned_data["url"],
                                  enabled=form.cleaned_data["enabled"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Metadaten von %(provider)s wurden eingelesen (%(entity)s).") % {
                "provider": idp.get_provider_display(), "entity": idp.entity_id})  # fmt: skip
            return redirect("backoffice:identity_providers")
    return render(request, "accounts/saml/backoffice.html", {
        "form": form, "providers": IdentityProvider.objects.order_by("provider"),
        "metadata_url": request.build_absolute_uri(reverse("saml:metadata")) if config.configured() else "",
    })  # fmt: skip
