from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from mitwirken.core import forms as core_forms
from mitwirken.core.forms import MultipleFileField
from mitwirken.core.spam import SpamProtectedForm
from mitwirken.organisations.models import Organisation

from .models import (
    AlertFrequency,
    CategoryTemplate,
    OrganisationCategory,
    ReportSettings,
    ReportStatus,
    ResponseTemplate,
    in_language,
)
from .services.intake import MAX_DESCRIPTION


class CategoryChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        # Before the place is known, no organisation is; an English name any responsible one gave serves all.
        name = in_language(obj.name, getattr(obj, "name_en", "") or "")
        description = in_language(obj.description, getattr(obj, "description_en", "") or "")
        return f"{name} – {description}" if description else name


def _categories_with_english() -> Any:
    handlers = OrganisationCategory.objects.filter(template=OuterRef("pk")).exclude(name_en="").order_by("pk")
    return (
        CategoryTemplate.objects.filter(handlers__isnull=False)
        .distinct()
        .annotate(
            name_en=Subquery(handlers.values("name_en")[:1]),
            description_en=Subquery(handlers.values("description_en")[:1]),
        )
    )


class LocationForm(forms.Form):
    """Step 1: where and what. The map fills longitude and latitude; without it, address or coordinates."""

    category = CategoryChoiceField(
        label=_("Was ist das Problem?"), queryset=_categories_with_english(),
        empty_label=_("Bitte wählen"), error_messages={"required": _("Bitte wählen Sie eine Kategorie.")},
    )  # fmt: skip
    address = forms.CharField(
        label=_("Adresse oder Ort"), max_length=300, required=False,
        help_text=_("Zum Beispiel „Hauptstraße 25, Beispielhausen“. Vorschläge erscheinen beim Tippen."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-address-suggest": reverse_lazy("core:address_suggestions"),
                                      "data-address-lat": "id_lat", "data-address-lon": "id_lon"}),
    )  # fmt: skip
    lat = forms.FloatField(label=_("Breite (z. B. 50.05)"), required=False, min_value=-90, max_value=90,
                           widget=forms.TextInput(attrs={"inputmode": "decimal"}))  # fmt: skip
    lon = forms.FloatField(label=_("Länge (z. B. 7.60)"), required=False, min_value=-180, max_value=180,
                           widget=forms.TextInput(attrs={"inputmode": "decimal"}))  # fmt: skip
    location_photo = forms.FileField(
        label=_("Ort aus einem Foto übernehmen"), required=False,
        help_text=_("Enthält Ihr Foto eine Ortsangabe, übernehmen wir sie. Das Foto wird hier nicht gespeichert; "
                    "Sie können es im nächsten Schritt anhängen."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("address", "lat", "lon"):
            self.fields[name].mandatory_on_submit = True  # type: ignore[attr-defined]


class ReportDetailsForm(SpamProtectedForm):
    """Step 2: the description, the organisation's extra questions, photos and, without an account, contact.

    Without an account the confirmation goes to the typed-in address, so the honeypot and the proof of work
    (``core/spam.py``) guard that way in; people with an account have confirmed their address already.
    """

    description = forms.CharField(
        label=_("Beschreibung"), max_length=MAX_DESCRIPTION, widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_DESCRIPTION}),
        help_text=_("Was ist kaputt, seit wann, wie gefährlich? Bitte keine Namen oder Autokennzeichen."),
        error_messages={"required": _("Bitte beschreiben Sie das Problem."),
                        "max_length": _("Die Beschreibung darf höchstens %(limit_value)d Zeichen lang sein (jetzt: %(show_value)d).")},
    )  # fmt: skip
    photos = MultipleFileField(
        label=_("Fotos (höchstens 5)"), required=False,
        help_text=_("JPEG, PNG oder WebP, je höchstens 10 MB. Ortsangaben und Kameradaten werden vor dem Speichern entfernt."),
    )  # fmt: skip
    email = forms.EmailField(
        label=_("Ihre E-Mail-Adresse"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Nur für die Bestätigung und Nachrichten zu Ihrer Meldung. Sie wird nie veröffentlicht."),
    )  # fmt: skip
    name = forms.CharField(label=_("Ihr Name"), max_length=120, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))  # fmt: skip
    publish_name = forms.BooleanField(label=_("Meinen Namen bei der Meldung veröffentlichen"), required=False)

    def __init__(self, *args: Any, handler: OrganisationCategory, anonymous: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not anonymous and self.proof_of_work:
            self.proof_of_work = False
            del self.fields["altcha"]
        if anonymous:
            self.fields["email"].required = True
            self.fields["email"].error_messages["required"] = _(
                "Ohne Konto brauchen wir Ihre E-Mail-Adresse, um die Meldung zu bestätigen."
            )
        else:
            del self.fields["email"]
        self.question_codes = []
        for question in handler.questions:
            code = str(question.get("code", ""))
            choices = [(value.get("key"), value.get("name")) for value in question.get("values", [])]
            common = {"label": question.get("label", code), "required": bool(question.get("required")),
                      "help_text": question.get("datatype_description", "")}  # fmt: skip
            if question.get("datatype") == "multivaluelist":
                field: forms.Field = forms.MultipleChoiceField(
                    choices=choices, widget=forms.CheckboxSelectMultiple, **common
                )
            elif choices:
                field = forms.ChoiceField(choices=[("", _("Bitte wählen")), *choices], **common)
            elif question.get("datatype") == "number":
                field = forms.DecimalField(**common)
            else:
                field = forms.CharField(max_length=500, **common)
            self.fields[f"attribute_{code}"] = field
            self.question_codes.append(code)
        # Attributes go right after the description; the spam fields (hidden from people) come last.
        order = ["description", *(f"attribute_{code}" for code in self.question_codes), "photos", "email", "name",
                 "publish_name"]  # fmt: skip
        self.order_fields(order)

    def attributes(self) -> dict[str, Any]:
        return {code: self.cleaned_data.get(f"attribute_{code}") for code in self.question_codes}


class PublicFilterForm(core_forms.RenderCachedForm):
    category = forms.ModelChoiceField(label=_("Kategorie"), required=False, queryset=CategoryTemplate.objects.all(),
                                      empty_label=_("Alle Kategorien"))  # fmt: skip
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Alle")), ("open", _("Offen und in Bearbeitung")), ("closed", _("Abgeschlossen")),
                 *[(value, label) for value, label in ReportStatus.choices if value != ReportStatus.UNCONFIRMED]],
    )  # fmt: skip
    organisation = forms.ModelChoiceField(
        label=_("Zuständige Stelle"), required=False, empty_label=_("Alle Stellen"),
        queryset=Organisation.objects.filter(report_categories__isnull=False).distinct().order_by("name"),
    )  # fmt: skip


class InboxFilterForm(core_forms.RenderCachedForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Offen und in Bearbeitung")), ("all", _("Alle")),
                 *[(value, label) for value, label in ReportStatus.choices if value != ReportStatus.UNCONFIRMED]],
    )  # fmt: skip
    category = forms.ModelChoiceField(label=_("Kategorie"), required=False, queryset=CategoryTemplate.objects.none(),
                                      empty_label=_("Alle Kategorien"))  # fmt: skip
    area = forms.ModelChoiceField(label=_("Gebiet"), required=False, queryset=Organisation.objects.none(),
                                  empty_label=_("Ganzes Gebiet"))  # fmt: skip
    older_than = forms.IntegerField(label=_("Älter als (Tage)"), required=False, min_value=0, max_value=3650)
    overdue = forms.BooleanField(label=_("Nur überfällige (Antwortfrist überschritten)"), required=False)
    assignee = forms.ChoiceField(label=_("Bearbeitet von"), required=False)
    q = forms.CharField(label=_("Suche (Nummer, Text, Adresse)"), required=False, max_length=100)

    def __init__(self, *args: Any, organisation: Organisation, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = CategoryTemplate.objects.filter(  # type: ignore[attr-defined]
            handlers__organisation=organisation
        )
        self.fields["area"].queryset = Organisation.objects.filter(parent=organisation, bbox_min_lon__isnull=False)  # type: ignore[attr-defined]
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("Alle")), ("none", _("Niemand")), ("me", _("Ich")), *[(str(user.pk), str(user)) for user in staff]
        ]  # fmt: skip


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Neuer Status"), choices=())
    # The option values are the texts themselves: choosing one inserts it into the message (mitwirken.js).
    template = forms.ChoiceField(label=_("Antwortvorlage einfügen"), required=False)
    message = forms.CharField(
        label=_("Öffentliche Nachricht"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Erscheint auf der Seite der Meldung und geht an die meldende Person und alle Unterstützenden. "
                    "Bitte keine Namen von Beschäftigten oder Dritten."),
    )  # fmt: skip
    duplicate_of = forms.IntegerField(
        label=_("Bei Duplikat: Nummer der ursprünglichen Meldung"), required=False, min_value=1
    )

    def __init__(self, *args: Any, choices: list[tuple[str, Any]], organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = choices  # type: ignore[attr-defined]
        self.fields["template"].choices = [("", _("Keine"))] + [  # type: ignore[attr-defined]
            (template.localized_text, template.localized_title)
            for template in ResponseTemplate.objects.filter(organisation=organisation)
        ]
        self.fields["template"].widget.attrs["data-text-block-target"] = "id_status-message"


class ForwardForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Zuständige Stelle"))
    message = forms.CharField(label=_("Öffentliche Nachricht"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args: Any, targets: list[OrganisationCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("Bitte wählen"))] + [  # type: ignore[attr-defined]
            (str(target.organisation_id), target.organisation.name) for target in targets
        ]


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Interne Notiz"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Nur für Mitarbeitende sichtbar."))  # fmt: skip


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Grund (wird öffentlich angezeigt)"), max_length=300)


class BulkForm(core_forms.RenderCachedForm):
    action = forms.ChoiceField(label=_("Aktion"), choices=[("status", _("Status ändern")), ("assign", _("Zuweisen"))])
    status = forms.ChoiceField(label=_("Neuer Status"), required=False,
                               choices=[("", "–"), *[(v, label) for v, label in ReportStatus.choices
                                                     if v not in (ReportStatus.UNCONFIRMED, ReportStatus.NOT_RESPONSIBLE, ReportStatus.DUPLICATE)]])  # fmt: skip
    message = forms.CharField(label=_("Öffentliche Nachricht"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    assignee = forms.ModelChoiceField(label=_("Zuweisen an"), required=False, queryset=get_user_model().objects.none(),
                                      empty_label=_("Niemand"))  # fmt: skip

    def __init__(self, *args: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = get_user_model().objects.filter(pk__in=[user.pk for user in staff])  # type: ignore[attr-defined]


class ResponseTemplateForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ResponseTemplate
        fields = ["title", "text", "title_en", "text_en", "status"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4}), "text_en": forms.Textarea(attrs={"rows": 4})}


class ReportSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ReportSettings
        fields = ["response_days"]
        widgets = {"response_days": forms.NumberInput(attrs={"min": 1, "max": 90, "inputmode": "numeric"})}


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Was ist noch nicht behoben?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Erscheint im öffentlichen Verlauf der Meldung. Bitte keine Namen oder Autokennzeichen."),
        error_messages={"required": _("Bitte beschreiben Sie kurz, was noch nicht behoben ist.")},
    )  # fmt: skip


class AlertForm(SpamProtectedForm):
    """Mails a confirmation to the typed-in address: honeypot and proof of work (see core/spam.py)."""

    email = forms.EmailField(label=_("Ihre E-Mail-Adresse"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    area = forms.ChoiceField(label=_("Gebiet"), widget=forms.RadioSelect,
                             choices=[("organisation", _("Gebiet einer Gemeinde oder eines Kreises")),
                                      ("radius", _("Umkreis um einen Punkt"))], initial="organisation")  # fmt: skip
    organisation = forms.ModelChoiceField(
        label=_("Gemeinde oder Kreis"), required=False, empty_label=_("Bitte wählen"),
        queryset=Organisation.objects.filter(bbox_min_lon__isnull=False).order_by("name"),
    )  # fmt: skip
    lat = forms.FloatField(label=_("Breite"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    lon = forms.FloatField(label=_("Länge"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    radius_m = forms.IntegerField(
        label=_("Umkreis in Metern"), required=False, initial=500, min_value=50, max_value=20_000
    )
    frequency = forms.ChoiceField(label=_("Wie oft?"), choices=AlertFrequency.choices, widget=forms.RadioSelect,
                                  initial=AlertFrequency.DAILY)  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("area") == "organisation" and not data.get("organisation"):
            self.add_error("organisation", _("Bitte wählen Sie eine Gemeinde oder einen Kreis."))
        if data.get("area") == "radius":
            for name in ("lat", "lon", "radius_m"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Bitte füllen Sie dieses Feld für den Umkreis aus."))
        return data
