from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from mitwirken.core import dates, geo
from mitwirken.core import forms as core_forms
from mitwirken.core.forms import DateTimeLocalInput
from mitwirken.core.forms_util import ListedModelChoiceField
from mitwirken.organisations.forms import GeoJSONField
from mitwirken.organisations.models import Organisation

from . import registry
from .models import AccessMode, AgencyContact, AgencyGroup, Module, ParticipantRole, Phase, Project, Timing, Topic

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


class ProjectFilterForm(core_forms.RenderCachedForm):
    q = forms.CharField(label=_("Suche"), required=False, max_length=100)
    organisation = ListedModelChoiceField(
        label=_("Organisation"), required=False, queryset=Organisation.objects.only("id", "name", "slug"),
        empty_label=_("Alle Organisationen"), to_field_name="slug",
    )  # fmt: skip
    module_type = forms.ChoiceField(label=_("Art der Beteiligung"), required=False)
    timing = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Alle")), *list(Timing.choices)])
    topic = forms.ChoiceField(label=_("Thema"), required=False, choices=[("", _("Alle Themen")), *list(Topic.choices)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["module_type"]).choices = [("", _("Alle Arten")), *registry.choices()]


class ProjectForm(forms.ModelForm):
    topics = forms.MultipleChoiceField(
        label=_("Themen"), required=False, choices=Topic.choices, widget=forms.CheckboxSelectMultiple
    )
    location = GeoJSONField(
        allowed_types=geo.LOCATION_TYPES, required=False, label=_("Ort (GeoJSON)"),
        help_text=_("Punkt, Polygon oder MultiPolygon in WGS84-Koordinaten. Alternativ genügt die Ortsangabe in Worten."),
    )  # fmt: skip

    class Meta:
        model = Project
        fields = [
            "title", "slug", "summary", "description", "topics", "access", "location_label", "location",
            "contact_name", "contact_email", "contact_phone", "image", "image_alt",
        ]  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
            "description": forms.Textarea(attrs={"rows": 10}),
            "access": forms.RadioSelect,
            "image": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        }
        help_texts = {
            "description": _("Einfache HTML-Auszeichnung (Absätze, Listen, Links, Zwischenüberschriften) ist erlaubt."),
            "access": _("Geschützte Projekte sind nur für eingeladene Personen sichtbar."),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        cast(forms.ChoiceField, self.fields["access"]).choices = AccessMode.choices
        slug = self.fields["slug"]
        slug.required = False
        slug.help_text = _("Erscheint in der Adresse des Projekts. Leer lassen: Sie wird aus dem Titel gebildet.")
        if self.instance.pk is None:  # a new project: propose the address while the title is typed
            slug.widget.attrs["data-slug-from"] = "id_title"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("image") and not cleaned.get("image_alt") and not self.instance.image_alt:
            self.add_error("image_alt", _("Bitte beschreiben Sie das Bild für Menschen, die es nicht sehen können."))
        return cleaned


class ModuleEditForm(forms.ModelForm):
    class Meta:
        model = Module
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class ModuleForm(forms.ModelForm):
    module_type = forms.ChoiceField(label=_("Modultyp"))

    class Meta:
        model = Module
        fields = ["module_type", "name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["module_type"]).choices = registry.generic_choices()


class PhaseForm(forms.ModelForm):
    start = core_forms.DateTimeField(
        label=_("Beginn"), input_formats=DATETIME_INPUT_FORMATS, widget=DateTimeLocalInput,
        help_text=_("Datum und Uhrzeit in deutscher Zeit (Europe/Berlin)."),
    )  # fmt: skip
    # Staff enter the last day; it is stored as the exclusive end (00:00 of the next day, Berlin), see core/dates.
    end = core_forms.DateField(
        label=_("Letzter Tag"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Die Phase läuft bis einschließlich dieses Tages, 23:59 Uhr (deutsche Zeit)."),
    )  # fmt: skip
    phase_type = forms.ChoiceField(label=_("Phasentyp"))

    class Meta:
        model = Phase
        fields = ["phase_type", "name", "description", "start", "end"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, module: Module, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.module = module
        module_type = module.type
        cast(forms.ChoiceField, self.fields["phase_type"]).choices = (
            [(phase.key, phase.name) for phase in module_type.phase_types] if module_type else []
        )
        if self.instance.pk:
            self.fields["phase_type"].disabled = True
        if self.instance.end:
            self.initial["end"] = dates.last_day(self.instance.end)

    def clean_end(self) -> Any:
        day, stored = self.cleaned_data["end"], self.instance.end
        if stored and dates.last_day(stored) == day:
            return stored  # unchanged: an end at another time (e.g. imported, 18:00) is kept as it is
        return dates.end_of_last_day(day)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("Das Ende der Phase muss nach ihrem Beginn liegen."))
        return cleaned

    def _post_clean(self) -> None:
        # Model validation runs in the service, which knows the module type; avoid duplicate messages here.
        pass


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    file = forms.FileField(
        label=_("Datei"),
        help_text=_("PDF, Bilder (JPEG, PNG) oder Office-Dokumente (DOCX, XLSX, ODT, ODS), höchstens 50 MB."),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-Mail-Adresse"))
    role = forms.ChoiceField(label=_("Rolle"), choices=ParticipantRole.choices, initial=ParticipantRole.PARTICIPANT)
    agency = forms.ModelChoiceField(
        label=_("Für Behörde oder Stelle"), required=False, queryset=Organisation.objects.only("id", "name"),
        help_text=_("Nur bei Trägern öffentlicher Belange: die Stelle, für die die Person spricht."),
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("role") == ParticipantRole.AGENCY and not cleaned.get("agency"):
            self.add_error("agency", _("Bitte wählen Sie die Behörde oder Stelle, die die Person vertritt."))
        return cleaned


class AccessCodesForm(forms.Form):
    count = forms.IntegerField(
        label=_("Anzahl neuer Zugangscodes"), min_value=1, max_value=1000, initial=10,
        help_text=_("Jeder Code gilt für eine Person und kann einmal eingelöst werden."),
    )  # fmt: skip


class AccessCodeAddressesForm(forms.Form):
    addresses = forms.CharField(
        label=_("Anschriften"), max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_(
            "Eine Anschrift je Block, Blöcke durch eine Leerzeile getrennt; höchstens 6 Zeilen zu je 45 Zeichen. "
            "Jede Anschrift erhält einen eigenen Code und erscheint im Fenster des Umschlags (DIN lang)."
        ),
    )  # fmt: skip


class AccessCodeRedeemForm(forms.Form):
    code = forms.CharField(
        label=_("Zugangscode"), max_length=20,
        help_text=_("Der Code steht in Ihrem Schreiben, z. B. ABCD-EFGH-JKLM. Groß- und Kleinschreibung ist egal."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )  # fmt: skip


class BulkInvitationForm(forms.Form):
    addresses = forms.CharField(
        label=_("E-Mail-Adressen"), required=False, max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_(
            "Eine Adresse je Zeile. Auch möglich: „Name <adresse@example.org>“ oder „adresse@example.org; Name; Rolle“."
        ),
    )  # fmt: skip
    csv_file = forms.FileField(
        label=_("Oder eine CSV-Datei"), required=False,
        help_text=_(
            "Spalten E-Mail, Name, Rolle (mit Kopfzeile, getrennt durch Semikolon oder Komma), höchstens 1 MB. "
            "Rollen: Teilnehmende Person, TöB, Moderation."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )  # fmt: skip
    role = forms.ChoiceField(
        label=_("Rolle, wo keine angegeben ist"), choices=ParticipantRole.choices, initial=ParticipantRole.PARTICIPANT
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("addresses") or "").strip() and not cleaned.get("csv_file"):
            self.add_error("addresses", _("Bitte geben Sie Adressen ein oder wählen Sie eine CSV-Datei."))
        return cleaned


class GroupChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.contact_count})"


class GroupInvitationForm(forms.Form):
    group = GroupChoiceField(label=_("Gruppe aus dem Adressbuch"), queryset=AgencyGroup.objects.none())

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(GroupChoiceField, self.fields["group"])
        field.queryset = AgencyGroup.objects.filter(organisation=organisation).with_contact_count()


class AgencyContactForm(forms.ModelForm):
    class Meta:
        model = AgencyContact
        fields = ["name", "person", "email", "role", "groups"]
        widgets = {"groups": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        cast(forms.ModelMultipleChoiceField, self.fields["groups"]).queryset = AgencyGroup.objects.filter(
            organisation=organisation
        )

    def _post_clean(self) -> None:
        # The service validates (it knows the organisation's other entries); avoid duplicate messages here.
        pass


class AgencyGroupForm(forms.Form):
    name = forms.CharField(
        label=_("Name der Gruppe"), max_length=120, help_text=_("Zum Beispiel „Naturschutzverbände“.")
    )
