"""Forms of the public side: the search (a GET form, its field names are the German query parameters), saving a
search, and the volunteer's profile."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from mitwirken.core import forms as core_forms
from mitwirken.core import geo

from . import search
from .models import Commitment, Field, Frequency, SavedSearch, VolunteerProfile
from .services.profiles import AVAILABILITY, TIMES, WEEKDAYS

RADIUS_CHOICES = [(str(km), _("%(km)s km") % {"km": km}) for km in search.RADII_KM]
# Parameters of the search page that are not filters (the page, the map view): never part of a saved search.
NOT_FILTERS = ("seite", "ansicht")


class SearchForm(core_forms.RenderCachedForm):
    q = forms.CharField(label=_("Suchbegriff"), required=False, max_length=200,
                        help_text=_("Alle Wörter müssen vorkommen, z. B. „Hausaufgaben Mathe“."))  # fmt: skip
    bereich = forms.ChoiceField(label=_("Bereich"), required=False,
                                choices=[("", _("Alle Bereiche")), *Field.choices])  # fmt: skip
    ort = forms.CharField(label=_("In der Nähe von"), required=False, max_length=120,
                          help_text=_("Postleitzahl, Ort oder Adresse"))  # fmt: skip
    umkreis = forms.ChoiceField(
        label=_("Umkreis"), required=False, choices=RADIUS_CHOICES, initial=str(search.DEFAULT_RADIUS_KM)
    )
    zeitaufwand = forms.ChoiceField(label=_("Zeitaufwand"), required=False,
                                    choices=[("", _("Beliebig")), *Commitment.choices])  # fmt: skip
    zuhause = forms.BooleanField(label=_("Auch von zu Hause aus"), required=False,
                                 help_text=_("Bei einer Suche in der Nähe kommen Angebote dazu, die von zu Hause aus "
                                             "möglich sind."))  # fmt: skip
    alter = forms.IntegerField(label=_("Geeignet für mein Alter"), required=False, min_value=0, max_value=120,
                               help_text=_("Ihr Alter in Jahren"))  # fmt: skip

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        if data is not None and not data.get("umkreis"):
            data = data.copy()
            data["umkreis"] = str(search.DEFAULT_RADIUS_KM)  # what the search uses without a choice
        super().__init__(data, **kwargs)
        self.fields["alter"].widget.attrs.update({"inputmode": "numeric"})
        self.fields["ort"].widget.attrs.update(
            {"autocomplete": "postal-code", "data-address-suggest": reverse_lazy("core:address_suggestions")}
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("ort"):
            try:
                data["point"] = geo.locate(data["ort"])
            except ValidationError as error:
                self.add_error("ort", error)
        return data

    def filters(self) -> search.Filters:
        """The filters (none while the form is empty or invalid)."""
        if not self.is_bound or not self.is_valid():
            return search.Filters()
        data = self.cleaned_data
        return search.Filters(
            words=search.words_of(data.get("q") or ""), field=data.get("bereich") or "",
            commitment=data.get("zeitaufwand") or "", point=data.get("point"),
            radius_km=int(data.get("umkreis") or search.DEFAULT_RADIUS_KM), remote=bool(data.get("zuhause")),
            age=data.get("alter"),
        )  # fmt: skip

    def query_string(self) -> str:
        """The filters that are set, as a query string (what a saved search keeps)."""
        if not self.is_bound or not self.is_valid():
            return ""
        query = QueryDict(mutable=True)
        for name in self.fields:
            value = self.data.get(name)
            if value not in (None, "") and not (name == "umkreis" and not self.data.get("ort")):
                query[name] = value
        return query.urlencode()


def filters_of(query: str) -> search.Filters | None:
    """A saved search's filters, or None where the query no longer validates (e.g. a place left the gazetteer)."""
    form = SearchForm(QueryDict(query))
    return form.filters() if form.is_valid() else None


class SaveSearchForm(forms.ModelForm):
    query = forms.CharField(widget=forms.HiddenInput, max_length=500, required=False)

    class Meta:
        model = SavedSearch
        fields = ["name", "frequency"]
        labels = {"name": _("Name des Suchauftrags"), "frequency": _("Benachrichtigung bei neuen Angeboten")}
        widgets = {"frequency": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["frequency"].initial = Frequency.DAILY
        self.fields["frequency"].choices = Frequency.choices  # type: ignore[attr-defined]

    def clean_query(self) -> str:
        query: str = self.cleaned_data.get("query") or ""
        form = SearchForm(QueryDict(query))
        if not query or not form.is_valid() or form.filters().empty:
            raise ValidationError(_("Bitte suchen Sie zuerst mit mindestens einem Filter."))
        return form.query_string()


class AvailabilityWidget(forms.CheckboxSelectMultiple):
    """The weekday × time-of-day checkboxes as a table (template ``volunteering/profile/_availability.html``)."""

    template_name = "volunteering/profile/_availability.html"

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = set(value or [])
        base_id = (attrs or {}).get("id") or f"id_{name}"
        context["widget"]["rows"] = [
            (day_label, [(f"{day}-{time}", time_label, f"{day}-{time}" in chosen, f"{base_id}_{day}_{time}")
                         for time, time_label in TIMES])
            for day, day_label in WEEKDAYS
        ]  # fmt: skip
        return context


class ProfileForm(forms.ModelForm):
    # The model's "fields" (a form's ``fields`` is its dict of fields, so the form calls them interests).
    interests = forms.MultipleChoiceField(label=_("Bereiche, die Sie interessieren"), required=False,
                                          choices=Field.choices, widget=forms.CheckboxSelectMultiple)  # fmt: skip
    availability = forms.MultipleChoiceField(label=_("Wann haben Sie Zeit?"), required=False, choices=AVAILABILITY,
                                             widget=AvailabilityWidget)  # fmt: skip
    radius_km = forms.TypedChoiceField(label=_("Umkreis"), coerce=int, choices=RADIUS_CHOICES,
                                       initial=str(search.DEFAULT_RADIUS_KM))  # fmt: skip

    class Meta:
        model = VolunteerProfile
        fields = ["skills", "languages", "availability", "postal_code", "radius_km", "wants_suggestions",
                  "birth_date", "parent_name", "parent_email"]  # fmt: skip
        labels = {"wants_suggestions": _("Passende Angebote vorschlagen")}
        help_texts = {
            "skills": _("Zum Beispiel: Kochen, Erste Hilfe, Computer, Handwerk"),
            "languages": _("Zum Beispiel: Deutsch, Englisch, Arabisch"),
            "postal_code": _("Wir schlagen Angebote in der Nähe dieser Postleitzahl vor."),
            "birth_date": _("Für Angebote mit Mindestalter. Unter 16 Jahren braucht es das Einverständnis eines "
                            "Elternteils."),
            "parent_name": _("Nur nötig, wenn Sie jünger als 16 Jahre sind."),
            "parent_email": _("Dorthin schicken wir einen Link zur Bestätigung."),
        }  # fmt: skip
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["postal_code"].widget.attrs.update({"autocomplete": "postal-code", "inputmode": "numeric"})
        self.fields["birth_date"].widget.attrs.update({"autocomplete": "bday"})
        if self.instance.pk:
            self.fields["interests"].initial = list(self.instance.fields)
