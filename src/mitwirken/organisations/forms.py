from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mitwirken.accounts.second_factor import is_portal_admin
from mitwirken.core import forms as core_forms
from mitwirken.core import geo

from .models import Organisation, OrganisationRole
from .services import PORTAL_ADMIN_FIELDS

LEGAL_HELP = _(
    "Pflichtangabe vor der ersten Veröffentlichung. Einfache HTML-Auszeichnung (Absätze, Listen, Links) ist erlaubt."
)


class GeoJSONField(forms.CharField):
    """A textarea for GeoJSON; the map editor in the browser fills the same field."""

    def __init__(self, *, allowed_types: tuple[str, ...], **kwargs: Any) -> None:
        self.allowed_types = allowed_types
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "class": "monospace"}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return value

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if not value:
            return None
        try:
            return geo.parse_geometry(value, allowed_types=self.allowed_types)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class OrganisationSettingsForm(forms.ModelForm):
    boundary = GeoJSONField(
        allowed_types=geo.AREA_TYPES,
        required=False,
        label=_("Gebiet (GeoJSON)"),
        help_text=_(
            "Polygon oder MultiPolygon in WGS84-Koordinaten (Länge, Breite). Wird für die Zuständigkeit nach Ort genutzt."
        ),
    )

    class Meta:
        model = Organisation
        fields = [
            "name", "kind", "ags", "directory_id", "parent", "contact_email", "contact_phone", "address", "website", "logo",
            "boundary", "imprint", "privacy_notice", "accessibility_statement", "netiquette",
        ]  # fmt: skip
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "imprint": forms.Textarea(attrs={"rows": 8}),
            "privacy_notice": forms.Textarea(attrs={"rows": 8}),
            "accessibility_statement": forms.Textarea(attrs={"rows": 8}),
            "netiquette": forms.Textarea(attrs={"rows": 6}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        }
        help_texts = {"imprint": LEGAL_HELP, "privacy_notice": LEGAL_HELP, "accessibility_statement": LEGAL_HELP}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not is_portal_admin(user):
            # Hierarchy and area decide where other tenants' defect reports go: portal administrators set them.
            for name in PORTAL_ADMIN_FIELDS:
                del self.fields[name]
            return
        parent = cast(forms.ModelChoiceField, self.fields["parent"])
        parent.queryset = Organisation.objects.exclude(pk=self.instance.pk).only("id", "name")


class MemberInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        help_text=_(
            "Die Person bekommt eine Einladung per E-Mail. Sie nimmt sie mit einem Konto an, das diese Adresse "
            "bestätigt hat; wer noch kein Konto hat, legt eines an."
        ),
    )
    role = forms.ChoiceField(label=_("Rolle"), choices=OrganisationRole.choices, initial=OrganisationRole.STAFF)


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=OrganisationRole.choices)


class AuditFilterForm(core_forms.RenderCachedForm):
    """The audit log's filters (GET); the export uses the same."""

    person: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Person"), required=False, queryset=None, empty_label=_("Alle")
    )
    obj = forms.CharField(label=_("Objekt"), required=False, max_length=100,
                          help_text=_("Nummer (z. B. #51) oder Name"))  # fmt: skip
    action = forms.ChoiceField(label=_("Aktion"), required=False)
    date_from = forms.DateField(
        label=_("Von"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(label=_("Bis einschließlich"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))  # fmt: skip

    def __init__(self, *args: Any, organisation: Organisation, actions: list[tuple[str, str]], **kwargs: Any) -> None:
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = (
            get_user_model()
            .objects.filter(organisation_memberships__organisation=organisation)
            .only("id", "email", "display_name", "real_name")
            .order_by("email")
        )
        cast(forms.ChoiceField, self.fields["action"]).choices = [("", _("Alle")), *actions]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Das Ende liegt vor dem Anfang."))
        return data
