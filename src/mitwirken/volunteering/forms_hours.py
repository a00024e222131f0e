"""Forms of hours, attendance, certificates, police-certificate records and their checks (the rules are in the
services; the forms only parse and show)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EngagementOrganisation


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class OwnHoursForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=EngagementOrganisation.objects.none(), empty_label=_("Bitte wählen"),
        error_messages={"invalid_choice": _("Bitte wählen Sie eine Organisation aus der Liste.")},
    )  # fmt: skip
    day = forms.DateField(label=_("Tag"), widget=DateInput(), help_text=_("Nicht in der Zukunft."))
    hours = forms.DecimalField(
        label=_("Stunden"), max_digits=4, decimal_places=2, min_value=Decimal("0.25"), max_value=Decimal("24"),
        help_text=_("Zwischen 0,25 und 24, z. B. 1,5 für anderthalb Stunden."),
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}), localize=True,
    )  # fmt: skip
    description = forms.CharField(label=_("Tätigkeit"), max_length=300)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Anmerkung"), max_length=300, required=False)


class CertificateForm(forms.Form):
    volunteer_name = forms.CharField(label=_("Name der engagierten Person"), max_length=150,
                                     help_text=_("So steht der Name auf dem Nachweis."))  # fmt: skip
    period_start = forms.DateField(label=_("Zeitraum von"), widget=DateInput())
    period_end = forms.DateField(label=_("Zeitraum bis"), widget=DateInput())
    activity = forms.CharField(label=_("Art der Tätigkeit"), widget=forms.Textarea(attrs={"rows": 3}),
                               max_length=2000)  # fmt: skip
    competences = forms.CharField(
        label=_("Erworbene Kompetenzen"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000, required=False,
        help_text=_("Zum Beispiel: Verantwortung für eine Gruppe, Organisation von Veranstaltungen."),
    )  # fmt: skip


class PoliceRecordForm(forms.Form):
    certificate_date = forms.DateField(label=_("Ausstellungsdatum des Führungszeugnisses"), widget=DateInput())
    inspected_on = forms.DateField(label=_("Eingesehen am"), widget=DateInput())
    relevant_entry = forms.TypedChoiceField(
        label=_("Enthält das Führungszeugnis eine einschlägige Eintragung (§ 72a Abs. 1 SGB VIII)?"),
        choices=[("no", _("Nein")), ("yes", _("Ja"))], coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )  # fmt: skip


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Prüfcode"), max_length=20, help_text=_("Zum Beispiel ABCD-EFGH-JKMN"),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                         "autocapitalize": "characters"}))  # fmt: skip
