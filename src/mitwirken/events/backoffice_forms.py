"""Forms of the events back office. They parse and check input; every write is a service in services/setup.py."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from mitwirken.core import forms as core_forms
from mitwirken.core.forms import DateTimeLocalInput
from mitwirken.core.forms_util import ListedModelChoiceField
from mitwirken.projects.forms import DATETIME_INPUT_FORMATS
from mitwirken.projects.models import Project

from .models import Category, Event, Question, Status
from .services.setup import EVENT_FIELDS, QUESTION_TYPES, Recurrence

REMINDER_CHOICES = [(10080, _("1 Woche vorher")), (1440, _("1 Tag vorher")), (120, _("2 Stunden vorher"))]
MAX_REMINDER = 60 * 24 * 60  # sixty days
WEEKDAY_CHOICES = [(0, _("Montag")), (1, _("Dienstag")), (2, _("Mittwoch")), (3, _("Donnerstag")), (4, _("Freitag")),
                   (5, _("Samstag")), (6, _("Sonntag"))]  # fmt: skip
NTH_CHOICES = [(1, _("ersten")), (2, _("zweiten")), (3, _("dritten")), (4, _("vierten")), (-1, _("letzten"))]


def _datetime_field(label: Any, help_text: Any, required: bool = True) -> core_forms.DateTimeField:
    return core_forms.DateTimeField(label=label, required=required, input_formats=DATETIME_INPUT_FORMATS,
                                    widget=DateTimeLocalInput, help_text=help_text)  # fmt: skip


class EventForm(forms.ModelForm):  # type: ignore[type-arg]
    slug = forms.CharField(
        label=_("Kurzbezeichnung für die Adresse"), required=False, max_length=80,
        help_text=_("Leer lassen: Sie wird aus dem Titel gebildet, z. B. „buergerversammlung-2026“."),
    )  # fmt: skip
    start = _datetime_field(_("Beginn"), _("Datum und Uhrzeit in deutscher Zeit (Europe/Berlin)."))
    end = _datetime_field(_("Ende"), _("Datum und Uhrzeit in deutscher Zeit. Muss nach dem Beginn liegen."))
    registration_deadline = _datetime_field(
        _("Anmeldeschluss"), _("Leer lassen: Anmeldung bis zum Beginn möglich."), required=False
    )
    lat = forms.FloatField(label=_("Breite (z. B. 50.0012)"), required=False, min_value=-90, max_value=90,
                           widget=forms.TextInput(attrs={"inputmode": "decimal"}))  # fmt: skip
    lon = forms.FloatField(label=_("Länge (z. B. 7.6003)"), required=False, min_value=-180, max_value=180,
                           widget=forms.TextInput(attrs={"inputmode": "decimal"}))  # fmt: skip
    reminders = forms.TypedMultipleChoiceField(
        label=_("Erinnerungen an Angemeldete"), choices=REMINDER_CHOICES, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    reminders_other = forms.CharField(
        label=_("Weitere Erinnerungen (Minuten vor Beginn)"), required=False, max_length=100,
        help_text=_("Ganze Minuten, mit Komma getrennt, z. B. „30, 4320“ (30 Minuten und 3 Tage)."),
    )  # fmt: skip

    class Meta:
        model = Event
        fields = [name for name in EVENT_FIELDS if name != "reminder_minutes"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6}), "online_url": forms.URLInput()}

    LIMITS = {"online_link_minutes": 1440, "max_companions": 20, "hold_minutes": 10080, "offer_hours": 720}
    GROUPS = [
        (_("Grunddaten"), ["title", "slug", "description", "project", "category"]),
        (_("Zeit"), ["start", "end"]),
        (_("Form und Ort"), ["kind", "online_url", "online_link_minutes", "venue_name", "address", "room"]),
        (_("Barrierefreiheit"), ["step_free", "accessible_toilet", "hearing_loop", "sign_language_on_request",
                                 "captioning_on_request"]),
        (_("Anmeldung"), ["registration", "registration_deadline", "max_companions", "hold_minutes", "offer_hours",
                          "min_assurance_level", "reminders", "reminders_other"]),
    ]  # fmt: skip

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["address"].widget.attrs.update({
            "autocomplete": "off", "data-address-suggest": reverse_lazy("core:address_suggestions"),
            "data-address-lat": "id_lat", "data-address-lon": "id_lon",
        })  # fmt: skip
        project = cast(forms.ModelChoiceField, self.fields["project"])  # type: ignore[type-arg]
        project.queryset = Project.objects.filter(organisation=organisation).only("id", "title").order_by("title")
        project.empty_label = _("Kein Projekt")
        category = cast(forms.ModelChoiceField, self.fields["category"])  # type: ignore[type-arg]
        category.queryset = Category.objects.all()
        category.empty_label = _("Keine Angabe")
        # Not sent (an older form, a script): no requirement, as before the field existed.
        self.fields["min_assurance_level"].required = False
        for name, limit in self.LIMITS.items():
            self.fields[name].validators.append(MaxValueValidator(limit))
            self.fields[name].widget.attrs["max"] = limit
        if self.instance.pk:
            minutes = list(self.instance.reminder_minutes or [])
            choices = {value for value, _label in REMINDER_CHOICES}
            self.initial["reminders"] = [m for m in minutes if m in choices]
            self.initial["reminders_other"] = ", ".join(str(m) for m in minutes if m not in choices)
        elif not self.is_bound:
            self.initial.setdefault("reminders", [1440])

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]

    def clean_min_assurance_level(self) -> int:
        return int(self.cleaned_data.get("min_assurance_level") or 0)

    def clean_reminders_other(self) -> list[int]:
        text = self.cleaned_data.get("reminders_other", "")
        values = []
        for part in re.split(r"[,;\s]+", text.strip()):
            if not part:
                continue
            if not part.isdigit() or not 1 <= int(part) <= MAX_REMINDER:
                raise forms.ValidationError(
                    _("Bitte geben Sie ganze Minuten zwischen 1 und %(max)d an, mit Komma getrennt, z. B. „30, 4320“."),
                    params={"max": MAX_REMINDER},
                )
            values.append(int(part))
        return values

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("Das Ende muss nach dem Beginn liegen."))
        cleaned["reminder_minutes"] = sorted(
            {*cleaned.get("reminders", []), *cleaned.get("reminders_other", [])}, reverse=True
        )
        return cleaned

    def _post_clean(self) -> None:
        # The service validates the model (it knows the organisation); avoid duplicate messages here.
        pass

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in EVENT_FIELDS if name in self.cleaned_data}


class EventFilterForm(core_forms.RenderCachedForm):
    when = forms.ChoiceField(label=_("Zeitraum"), required=False, choices=[
        ("", _("Kommende und laufende")), ("past", _("Vergangene")), ("all", _("Alle")),
    ])  # fmt: skip
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Alle")), *Status.choices])
    category = ListedModelChoiceField(label=_("Art"), required=False, queryset=Category.objects.all(),
                                      empty_label=_("Alle Arten"), to_field_name="slug")  # fmt: skip
    q = forms.CharField(label=_("Suche (Titel, Ort)"), required=False, max_length=100)
    pending = forms.BooleanField(label=_("Nur mit Anmeldungen, die auf Freigabe warten"), required=False)
    interpreting = forms.BooleanField(label=_("Nur mit Wunsch nach DGS oder Schriftdolmetschung"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund (wird veröffentlicht und den Angemeldeten mitgeteilt)"), max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class CapacityForm(forms.Form):
    name = forms.CharField(label=_("Name des Kontingents"), max_length=80, help_text=_("Zum Beispiel „Vor Ort“."))
    capacity = forms.IntegerField(label=_("Plätze"), min_value=0, max_value=100_000)


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Frage"), max_length=300)
    type = forms.ChoiceField(label=_("Fragetyp"), choices=QUESTION_TYPES)
    required = forms.BooleanField(label=_("Pflichtfrage"), required=False)
    options = forms.CharField(
        label=_("Antwortmöglichkeiten"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Nur für Auswahlfragen: eine Antwortmöglichkeit pro Zeile."),
    )  # fmt: skip

    @staticmethod
    def initial_for(question: Question) -> dict[str, Any]:
        return {"text": question.text, "type": question.type, "required": question.required,
                "options": "\n".join(label for _code, label in question.options or [])}  # fmt: skip


def parse_dates(text: str) -> list[date]:
    days = []
    for part in re.split(r"[,;\s]+", (text or "").strip()):
        if not part:
            continue
        for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
            try:
                days.append(datetime.strptime(part, pattern).date())  # noqa: DTZ007 - a calendar day
                break
            except ValueError:
                continue
        else:
            raise forms.ValidationError(
                _("„%(value)s“ ist kein Datum. Bitte geben Sie die Tage als TT.MM.JJJJ an, z. B. 24.12.2026."),
                params={"value": part[:20]},
            )
    return days


class SeriesForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Wie oft?"), widget=forms.RadioSelect, choices=[
        ("weekly", _("Jede Woche an den gewählten Wochentagen")),
        ("monthly", _("Jeden Monat am n-ten Wochentag (Wochentag des ersten Termins)")),
    ])  # fmt: skip
    weekdays = forms.TypedMultipleChoiceField(label=_("Wochentage (wöchentlich)"), choices=WEEKDAY_CHOICES, coerce=int,
                                              required=False, widget=forms.CheckboxSelectMultiple)  # fmt: skip
    nth = forms.TypedChoiceField(label=_("Am … Wochentag des Monats (monatlich)"), choices=NTH_CHOICES, coerce=int,
                                 required=False, empty_value=None)  # fmt: skip
    until = core_forms.DateField(label=_("Bis einschließlich"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 help_text=_("Entweder ein Enddatum oder die Zahl der Termine."))  # fmt: skip
    count = forms.IntegerField(label=_("Zahl der Termine (mit dem ersten)"), required=False, min_value=2,
                               max_value=200)  # fmt: skip
    exdates = forms.CharField(
        label=_("Ausnahmen: Tage ohne Termin"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ein Tag pro Zeile oder mit Komma getrennt, als TT.MM.JJJJ, z. B. 24.12.2026."),
    )  # fmt: skip

    def clean_exdates(self) -> list[date]:
        return parse_dates(self.cleaned_data.get("exdates", ""))

    def recurrence(self) -> Recurrence:
        data = self.cleaned_data
        return Recurrence(frequency=data["frequency"], weekdays=data.get("weekdays") or [], nth=data.get("nth"),
                          until=data.get("until"), count=data.get("count"), exdates=data.get("exdates") or [])  # fmt: skip


class MessageForm(forms.Form):
    audience = forms.ChoiceField(label=_("An wen?"), widget=forms.RadioSelect)
    subject = forms.CharField(label=_("Betreff"), max_length=200)
    body = forms.CharField(label=_("Nachricht"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        capacities = list(event.capacities.all())
        cast(forms.ChoiceField, self.fields["audience"]).choices = [
            ("registered", _("Alle Angemeldeten")),
            *([(f"capacity:{c.pk}", _("Angemeldete im Kontingent „%(name)s“") % {"name": c.name}) for c in capacities]
              if len(capacities) > 1 else []),
            ("waiting", _("Alle auf der Warteliste")),
        ]  # fmt: skip


class CheckinSearchForm(forms.Form):
    q = forms.CharField(label=_("Name oder E-Mail-Adresse"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))  # fmt: skip
