from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from mitwirken.core import forms as core_forms
from mitwirken.core import geo
from mitwirken.core.forms_util import ListedModelChoiceField
from mitwirken.core.spam import SpamProtectedForm
from mitwirken.projects.models import Module

from .models import Category, Feedback, Label
from .services import MAX_TEXT, MAX_TITLE

RICH_TEXT_HELP = _(
    "Absätze trennen Sie mit einer Leerzeile. Wer mag, nutzt einfache HTML-Auszeichnungen: <strong>fett</strong>, "
    "<em>kursiv</em>, Listen und Links."
)


class IdeaForm(SpamProtectedForm):
    title = forms.CharField(label=_("Titel"), max_length=MAX_TITLE,
                            error_messages={"required": _("Bitte geben Sie einen Titel an."),
                                            "max_length": _("Der Titel darf höchstens %(limit_value)d Zeichen lang sein (jetzt: %(show_value)d).")})  # fmt: skip
    text = forms.CharField(label=_("Beschreibung"), widget=forms.Textarea(attrs={"rows": 8}), help_text=RICH_TEXT_HELP,
                           max_length=MAX_TEXT,
                           error_messages={"required": _("Bitte beschreiben Sie Ihre Idee."),
                                           "max_length": _("Die Beschreibung darf höchstens %(limit_value)d Zeichen lang sein (jetzt: %(show_value)d).")})  # fmt: skip
    category = forms.ModelChoiceField(label=_("Kategorie"), queryset=Category.objects.none(), required=False,
                                      empty_label=_("Keine Angabe"))  # fmt: skip
    labels = core_forms.ModelMultipleChoiceField(label=_("Merkmale"), queryset=Label.objects.none(), required=False,
                                            widget=forms.CheckboxSelectMultiple)  # fmt: skip
    address = forms.CharField(
        label=_("Adresse"), max_length=300, required=False,
        help_text=_("Zum Beispiel „Hauptstraße 25, Beispielhausen“. Vorschläge erscheinen beim Tippen; "
                    "die Koordinaten werden dann ausgefüllt."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-address-suggest": reverse_lazy("core:address_suggestions"),
                                      "data-address-lat": "id_lat", "data-address-lon": "id_lon"}),
    )  # fmt: skip
    lat = forms.FloatField(
        label=_("Breite (z. B. 50.05)"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    lon = forms.FloatField(
        label=_("Länge (z. B. 7.60)"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    image = forms.FileField(
        label=_("Bild"),
        required=False,
        help_text=_("JPEG, PNG oder WebP. Ortsangaben und Kameradaten werden entfernt."),
    )
    image_alt = forms.CharField(label=_("Was ist auf dem Bild zu sehen?"), max_length=200, required=False,
                                help_text=_("Pflicht, wenn Sie ein Bild hochladen: für Menschen, die das Bild nicht sehen können."))  # fmt: skip

    def __init__(self, *args: Any, module: Module, with_location: bool, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(module=module)  # type: ignore[attr-defined]
        self.fields["labels"].queryset = Label.objects.filter(module=module)  # type: ignore[attr-defined]
        if not self.fields["category"].queryset.exists():  # type: ignore[attr-defined]
            del self.fields["category"]
        if not self.fields["labels"].queryset.exists():  # type: ignore[attr-defined]
            del self.fields["labels"]
        if with_location:
            for name in ("lat", "lon"):
                self.fields[name].mandatory_on_submit = True  # type: ignore[attr-defined]
        else:
            del self.fields["address"], self.fields["lat"], self.fields["lon"]
        if editing:
            del self.fields["image"], self.fields["image_alt"]

    def clean(self) -> dict[str, Any]:
        """An address without coordinates (typed without JavaScript) is located on the server."""
        data = super().clean() or {}
        if data.get("address") and data.get("lat") is None and data.get("lon") is None:
            try:
                data["lat"], data["lon"] = geo.locate(data["address"])
            except ValidationError as error:
                self.add_error("address", error.messages[0])
        return data


class FeedbackForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[c for c in Feedback.choices if c[0]])
    text = forms.CharField(
        label=_("Öffentliche Stellungnahme"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


SORTS = [("new", _("Neueste zuerst")), ("comments", _("Meiste Kommentare")), ("support", _("Meiste Zustimmung"))]


class IdeaFilterForm(core_forms.RenderCachedForm):
    q = forms.CharField(label=_("Suche"), required=False, max_length=100)
    category = ListedModelChoiceField(label=_("Kategorie"), queryset=Category.objects.none(), required=False,
                                      empty_label=_("Alle Kategorien"))  # fmt: skip
    label = ListedModelChoiceField(
        label=_("Merkmal"), queryset=Label.objects.none(), required=False, empty_label=_("Alle Merkmale")
    )
    sort = forms.ChoiceField(label=_("Sortierung"), choices=SORTS, required=False)

    def __init__(
        self, *args: Any, module: Module, categories: list[Category], labels: list[Label], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(module=module)  # type: ignore[attr-defined]
        self.fields["label"].queryset = Label.objects.filter(module=module)  # type: ignore[attr-defined]
        # The choices come from lists the view already loaded, so rendering runs no extra queries.
        self.fields["category"].choices = [("", _("Alle Kategorien")), *[(c.pk, c.name) for c in categories]]  # type: ignore[attr-defined]
        self.fields["label"].choices = [("", _("Alle Merkmale")), *[(label.pk, label.name) for label in labels]]  # type: ignore[attr-defined]
        if not categories:
            del self.fields["category"]
        if not labels:
            del self.fields["label"]


class SettingsForm(forms.Form):
    premoderation = forms.BooleanField(label=_("Vorab-Moderation: Beiträge erst nach Freigabe zeigen"), required=False)
    budget = forms.IntegerField(
        label=_("Budget in Euro (Bürgerhaushalt)"), required=False, min_value=1,
        help_text=_("Leer lassen für eine Priorisierung ohne Budget. Mit Budget wählen Teilnehmende Vorschläge aus, deren Kosten zusammen das Budget nicht übersteigen."),
    )  # fmt: skip

    def __init__(self, *args: Any, with_budget: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_budget:
            del self.fields["budget"]


class NamesForm(forms.Form):
    names = forms.CharField(
        label=_("Eine Bezeichnung pro Zeile"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Bestehende Einträge, die Sie entfernen, werden gelöscht; Ideen behalten dann keine Angabe."),
    )  # fmt: skip


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=MAX_TITLE)
    text = forms.CharField(label=_("Beschreibung"), widget=forms.Textarea(attrs={"rows": 5}), help_text=RICH_TEXT_HELP)
    cost = forms.IntegerField(label=_("Kosten in Euro"), required=False, min_value=1)

    def __init__(self, *args: Any, with_cost: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_cost:
            del self.fields["cost"]


class ChapterTitleForm(forms.Form):
    title = forms.CharField(label=_("Kapitelüberschrift"), max_length=200)


class ParagraphForm(forms.Form):
    text = forms.CharField(
        label=_("Text des Absatzes"), widget=forms.Textarea(attrs={"rows": 4}), help_text=RICH_TEXT_HELP
    )


class ChapterForm(forms.Form):
    title = forms.CharField(label=_("Kapitelüberschrift"), max_length=200)
    text = forms.CharField(label=_("Text des Kapitels"), widget=forms.Textarea(attrs={"rows": 10}),
                           help_text=_("Leerzeilen trennen die Absätze; jeder Absatz kann einzeln kommentiert werden."))  # fmt: skip
