"""Forms of registering an organisation, the coordinator area (organisation, coordinators, opportunities,
shift planning) and the Börse's back office. They check single fields; combinations are the services'."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from mitwirken.core import forms as core_forms

from .models import EngagementOrganisation, Exchange, Field, LegalForm, Opportunity, Shift
from .services.opportunities import OPPORTUNITY_FIELDS
from .services.organisations import EXCHANGE_FIELDS, ORGANISATION_FIELDS
from .services.shift_planning import ShiftData

WEEKDAY_CHOICES = [(0, _("Montag")), (1, _("Dienstag")), (2, _("Mittwoch")), (3, _("Donnerstag")), (4, _("Freitag")),
                   (5, _("Samstag")), (6, _("Sonntag"))]  # fmt: skip
IMAGE_TYPES = "image/png,image/jpeg,image/webp"


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class OrganisationForm(forms.ModelForm):  # type: ignore[type-arg]
    """The organisation's details, as the coordinators edit them."""

    logo = forms.FileField(label=_("Logo"), required=False, help_text=_("PNG, JPEG oder WebP."),
                           widget=forms.FileInput(attrs={"accept": IMAGE_TYPES}))  # fmt: skip

    class Meta:
        model = EngagementOrganisation
        fields = [*ORGANISATION_FIELDS, "logo"]
        widgets = {
            "postal_code": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "postal-code", "pattern": "[0-9]{5}"}
            ),
            "street": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Not declared on the class: a form attribute called "fields" would hide the form's fields.
        self.fields["fields"] = forms.MultipleChoiceField(label=_("Tätigkeitsfelder"), choices=Field.choices,
                                                          widget=forms.CheckboxSelectMultiple)  # fmt: skip
        self.fields["legal_form"].choices = [("", _("Bitte wählen")), *LegalForm.choices]  # type: ignore[attr-defined]
        self.order_fields(self.Meta.fields)

    def clean_postal_code(self) -> str:
        value: str = self.cleaned_data["postal_code"].strip()
        if not (len(value) == 5 and value.isascii() and value.isdigit()):
            raise forms.ValidationError(_("Bitte geben Sie eine Postleitzahl mit fünf Ziffern an."))
        return value

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ORGANISATION_FIELDS}

    def _post_clean(self) -> None:
        # The service validates the model (with the slug it generates); the form checks only its fields.
        pass


class RegistrationForm(OrganisationForm):
    exchange = forms.ModelChoiceField(
        label=_("Ehrenamtsbörse"), required=False, queryset=Exchange.objects.none(),
        empty_label=_("Nach der Adresse bestimmen"),
        help_text=_("Die Ehrenamtsbörse Ihrer Gemeinde oder Ihres Kreises prüft Ihre Organisation. Ohne Auswahl "
                    "bestimmen wir sie aus der Postleitzahl."),
    )  # fmt: skip
    confirm = forms.BooleanField(label=_("Ich bin berechtigt, die Organisation hier zu vertreten."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        exchanges = Exchange.objects.filter(active=True).select_related("organisation").order_by("organisation__name")
        exchange_field = cast(forms.ModelChoiceField, self.fields["exchange"])  # type: ignore[type-arg]
        exchange_field.queryset = exchanges
        exchange_field.label_from_instance = lambda exchange: exchange.organisation.name  # type: ignore[assignment,method-assign]


class OwnBodyForm(OrganisationForm):
    logo = None  # type: ignore[assignment]

    class Meta(OrganisationForm.Meta):
        fields = list(ORGANISATION_FIELDS)


class ExchangeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Exchange
        fields = list(EXCHANGE_FIELDS)
        widgets = {"introduction": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "active": _("Ist die Börse aus, können sich keine neuen Organisationen bei ihr registrieren."),
            "introduction": _("Erscheint auf der Seite der Ehrenamtsbörse."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Not sent (an older form, a script): no requirement, as before the field existed.
        self.fields["card_min_assurance_level"].required = False

    def clean_card_min_assurance_level(self) -> int:
        return int(self.cleaned_data.get("card_min_assurance_level") or 0)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Begründung"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Die Organisation erhält die Begründung per E-Mail."))  # fmt: skip


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-Mail-Adresse der Person"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )


class OpportunityForm(forms.ModelForm):  # type: ignore[type-arg]
    starts_on = core_forms.DateField(label=_("Beginn"), required=False, widget=date_input())
    ends_on = core_forms.DateField(label=_("Ende"), required=False, widget=date_input())

    class Meta:
        model = Opportunity
        fields = list(OPPORTUNITY_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "commitment": forms.RadioSelect,
            "postal_code": forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{5}"}),
            "hours_per_week": forms.TextInput(attrs={"inputmode": "decimal"}),
        }
        localized_fields = ("hours_per_week",)  # "2,5" as Germans write it
        help_texts = {
            "hours_per_week": _("Nur bei regelmäßigem Engagement."),
            "remote": _("Dann sind Ort und Adresse freiwillig."),
            "postal_code": _("Aus Postleitzahl und Ort finden Freiwillige das Angebot in ihrer Nähe."),
            "minimum_age": _("Leer lassen, wenn es kein Mindestalter gibt."),
            "accessibility": _("Zum Beispiel: Aufzug vorhanden, barrierefreie Toilette, Parkplatz vor der Tür."),
            "signup_cutoff_hours": _("Danach können nur Sie als Koordination die Schichtliste ändern."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commitment"].choices = self.fields["commitment"].choices[1:]  # type: ignore[attr-defined]
        self.fields["volunteers_wanted"].widget.attrs["min"] = 1
        self.fields["minimum_age"].widget.attrs.update({"min": 0, "max": 99})
        # Not sent (an older form, a script): no requirement, as before the field existed.
        self.fields["min_assurance_level"].required = False

    def clean_min_assurance_level(self) -> int:
        return int(self.cleaned_data.get("min_assurance_level") or 0)

    def clean_minimum_age(self) -> int | None:
        age: int | None = self.cleaned_data.get("minimum_age")
        if age is not None and age > 99:
            raise forms.ValidationError(_("Bitte geben Sie ein Mindestalter bis 99 Jahre an."))
        return age

    def clean_volunteers_wanted(self) -> int:
        wanted: int = self.cleaned_data["volunteers_wanted"]
        if wanted < 1:
            raise forms.ValidationError(_("Bitte suchen Sie mindestens eine Person."))
        return wanted

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in OPPORTUNITY_FIELDS}

    def _post_clean(self) -> None:
        pass  # combinations and the model's checks are the service's (opportunities.check_opportunity)


class ShiftForm(forms.Form):
    day = core_forms.DateField(label=_("Datum"), widget=date_input())
    start_time = forms.TimeField(label=_("Beginn (Uhrzeit)"), widget=time_input())
    end_time = forms.TimeField(label=_("Ende (Uhrzeit)"), widget=time_input())
    place = forms.CharField(label=_("Treffpunkt"), max_length=200, required=False)
    tasks = forms.CharField(label=_("Aufgaben"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    min_helpers = forms.IntegerField(label=_("Mindestens nötig (Personen)"), min_value=0, max_value=500, initial=1)
    max_helpers = forms.IntegerField(label=_("Höchstens (Plätze)"), min_value=1, max_value=500, initial=2)

    @classmethod
    def for_shift(cls, shift: Shift, data: Any = None) -> ShiftForm:
        from django.utils import timezone

        start, end = timezone.localtime(shift.start), timezone.localtime(shift.end)
        return cls(data, initial={"day": start.date(), "start_time": start.time(), "end_time": end.time(),
                                  "place": shift.place, "tasks": shift.tasks, "min_helpers": shift.min_helpers,
                                  "max_helpers": shift.max_helpers})  # fmt: skip

    def shift_data(self) -> ShiftData:
        data = self.cleaned_data
        return ShiftData(day=data.get("day") or data["first_day"], start_time=data["start_time"],
                         end_time=data["end_time"], place=data["place"], tasks=data["tasks"],
                         min_helpers=data["min_helpers"], max_helpers=data["max_helpers"])  # fmt: skip


class SeriesForm(ShiftForm):
    first_day = core_forms.DateField(label=_("Erster Tag"), widget=date_input())
    last_day = core_forms.DateField(label=_("Letzter Tag"), widget=date_input())
    weekdays = forms.TypedMultipleChoiceField(label=_("Jede Woche am"), choices=WEEKDAY_CHOICES, coerce=int,
                                              widget=forms.CheckboxSelectMultiple)  # fmt: skip
    field_order = ["first_day", "last_day", "weekdays", "start_time", "end_time", "place", "tasks", "min_helpers",
                   "max_helpers"]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Two forms on one page: the series' fields carry a prefix, so their ids differ from the single shift's.
        kwargs.setdefault("prefix", "reihe")
        super().__init__(*args, **kwargs)
        del self.fields["day"]
