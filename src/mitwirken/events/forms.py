"""Forms of the public side: the calendar filter, the registration and the change of a registration.

Registration questions are read and checked by the survey module's question engine (``surveys.questions``),
the same code that reads a questionnaire's answers, so a question type behaves alike everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mitwirken.core import forms as core_forms
from mitwirken.core import geo
from mitwirken.core.forms_util import ListedModelChoiceField
from mitwirken.core.spam import SpamProtectedForm
from mitwirken.organisations.models import Organisation
from mitwirken.surveys import questions as engine

from .models import PUBLIC_STATUSES, CapacityCategory, Category, Event, Question

QUESTION_TYPES = ("short_text", "long_text", "single", "multiple", "yes_no")
GROUPED_TYPES = ("single", "multiple", "yes_no")  # a fieldset of radio buttons or checkboxes
RADII = (("5", _("5 km")), ("10", _("10 km")), ("25", _("25 km")), ("50", _("50 km")))
QUESTIONS_ERROR = "questions"


class CalendarFilterForm(core_forms.RenderCachedForm):
    """The filters of the calendar; the field names are the (German) query parameters."""

    veranstalter = ListedModelChoiceField(
        label=_("Veranstalter"), required=False, to_field_name="slug", empty_label=_("Alle Veranstalter"),
        queryset=Organisation.objects.none(),
    )  # fmt: skip
    art = ListedModelChoiceField(label=_("Art der Veranstaltung"), required=False, to_field_name="slug",
                                 queryset=Category.objects.all(), empty_label=_("Alle Arten"))  # fmt: skip
    von = forms.DateField(
        label=_("Von (Datum)"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    bis = forms.DateField(
        label=_("Bis (Datum)"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ort = forms.CharField(
        label=_("In der Nähe von"), required=False, max_length=120,
        help_text=_("Ortsname oder Koordinaten, z. B. „49,99; 8,27“"),
    )  # fmt: skip
    umkreis = forms.ChoiceField(label=_("Umkreis"), required=False, choices=RADII, initial="10")
    freie_plaetze = forms.BooleanField(label=_("Nur mit freien Plätzen"), required=False)

    def __init__(self, data: Any = None, *, organisation: Organisation | None = None, **kwargs: Any) -> None:
        if data is not None and not data.get("umkreis"):
            data = data.copy()
            data["umkreis"] = "10"  # what the filter uses without a choice, so the form shows it
        super().__init__(data, **kwargs)
        if organisation is None:
            self.fields["veranstalter"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
                pk__in=Event.objects.filter(status__in=PUBLIC_STATUSES, project_visible=True).values("organisation")
            ).order_by("name")
        else:
            del self.fields["veranstalter"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("von") and data.get("bis") and data["bis"] < data["von"]:
            self.add_error("bis", _("Das Ende des Zeitraums liegt vor seinem Anfang."))
        if data.get("ort"):
            try:
                data["point"] = geo.locate(data["ort"])
            except ValidationError as error:
                self.add_error("ort", error)
        return data

    def filters(self) -> dict[str, Any]:
        """What ``queries.filter_calendar`` reads (empty while the form is invalid or empty)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "organisation": data.get("veranstalter"), "category": data.get("art"), "date_from": data.get("von"),
            "date_to": data.get("bis"), "point": data.get("point"), "radius": data.get("umkreis") or 10,
            "free": data.get("freie_plaetze"),
        }  # fmt: skip


@dataclass
class QuestionItem:
    """One registration question as the template and the engine see it."""

    question: Question
    field: engine.Field
    value: Any = None
    error: str = ""

    @property
    def code(self) -> str:
        return self.question.code

    @property
    def grouped(self) -> bool:
        return self.question.type in GROUPED_TYPES

    @property
    def chosen(self) -> str:
        """The text, or the chosen code of a single-choice or yes/no question."""
        if isinstance(self.value, dict):
            return str(self.value.get("choice", ""))
        return "" if self.value is None else str(self.value)

    @property
    def chosen_list(self) -> list[str]:
        return [str(code) for code in self.value.get("choices", [])] if isinstance(self.value, dict) else []


def question_items(questions: Iterable[Question], answers: Mapping[str, Any] | None = None) -> list[QuestionItem]:
    items = []
    for question in questions:
        if question.type not in QUESTION_TYPES:
            continue
        if question.type == "yes_no":
            choices = engine.yes_no_choices()
        else:
            choices = [engine.Choice(str(code), str(label)) for code, label in (question.options or [])]
        field = engine.Field(question.code, question.type, question.required, {}, choices)
        items.append(QuestionItem(question, field, (answers or {}).get(question.code)))
    return items


class _QuestionsMixin(forms.Form):
    """Companions, the interpreting requests and the custom questions, shared by registering and changing."""

    companions = forms.TypedChoiceField(label=_("Begleitpersonen"), coerce=int, required=False, empty_value=0)  # type: ignore[arg-type]
    sign_language = forms.BooleanField(label=_("Ich benötige Gebärdensprachdolmetschung (DGS)."), required=False)
    captioning = forms.BooleanField(label=_("Ich benötige Schriftdolmetschung."), required=False)

    event: Event
    items: list[QuestionItem]
    answers: dict[str, Any]

    def setup_extras(self, event: Event, questions: Iterable[Question], answers: Mapping[str, Any] | None) -> None:
        self.event = event
        if event.max_companions:
            field = self.fields["companions"]
            field.choices = [(str(n), str(n)) for n in range(event.max_companions + 1)]  # type: ignore[attr-defined]
            field.help_text = _("Personen, die Sie mitbringen und für die ein Platz nötig ist (höchstens %(max)d).") % {
                "max": event.max_companions
            }
            field.error_messages["invalid_choice"] = _("Bitte melden Sie höchstens %(max)d Begleitpersonen an.") % {
                "max": event.max_companions
            }
        else:
            del self.fields["companions"]
        if not event.sign_language_on_request:
            del self.fields["sign_language"]
        if not event.captioning_on_request:
            del self.fields["captioning"]
        self.items = question_items(questions, answers)
        self.answers = {}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        failed = False
        for item in self.items:
            name = item.field.name
            if item.question.type == "multiple":
                getlist = getattr(self.data, "getlist", None)
                item.value = {"choices": getlist(name) if getlist else list(self.data.get(name) or [])}
            else:
                item.value = str(self.data.get(name, ""))
            try:
                value = engine.read(item.field, self.data)
            except ValidationError as error:
                item.error = " ".join(error.messages)
                failed = True
                continue
            if value is not None:
                item.value = value
                self.answers[item.code] = value
        if failed:
            self.add_error(None, ValidationError(_("Bitte prüfen Sie Ihre Antworten."), code=QUESTIONS_ERROR))
        return data

    def extras(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "companions": int(data.get("companions") or 0), "answers": self.answers,
            "sign_language": bool(data.get("sign_language")), "captioning": bool(data.get("captioning")),
        }  # fmt: skip


CAPACITY_ERROR = _("Bitte wählen Sie eines der angebotenen Kontingente.")


class RegistrationForm(SpamProtectedForm, _QuestionsMixin):
    capacity = forms.TypedChoiceField(
        label=_("Platzkontingent"), coerce=int, widget=forms.RadioSelect,
        error_messages={"required": CAPACITY_ERROR, "invalid_choice": CAPACITY_ERROR},
    )  # fmt: skip
    name = forms.CharField(label=_("Ihr Name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("Ihre E-Mail-Adresse"), max_length=254,
        help_text=_("Dorthin schicken wir die Bestätigung und den Link, mit dem Sie Ihre Anmeldung ändern können."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip

    field_order = ["capacity", "name", "email", "companions", "sign_language", "captioning"]

    def __init__(
        self, *args: Any, event: Event, capacities: list[CapacityCategory], questions: Iterable[Question],
        user: Any = None, **kwargs: Any,
    ) -> None:  # fmt: skip
        if getattr(user, "is_authenticated", False):
            kwargs.setdefault("initial", {}).update(
                {"name": getattr(user, "display_name", "") or user.get_full_name(), "email": user.email}
            )
        super().__init__(*args, user=user, **kwargs)
        self.setup_extras(event, questions, None)
        self.capacities = {capacity.pk: capacity for capacity in capacities}
        field = self.fields["capacity"]
        field.choices = [(str(c.pk), _label(c)) for c in capacities]  # type: ignore[attr-defined]
        if len(capacities) == 1:  # nothing to choose: the one category is taken without a field
            del self.fields["capacity"]
        if getattr(user, "is_authenticated", False):
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _("Die Adresse Ihres Kontos. Dorthin schicken wir die Bestätigung.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "capacity" not in self.fields:
            data["capacity"] = next(iter(self.capacities.values()))
        return data

    def clean_capacity(self) -> CapacityCategory:
        value = self.cleaned_data.get("capacity")
        capacity = self.capacities.get(value)  # type: ignore[arg-type]
        if capacity is None:
            raise ValidationError(CAPACITY_ERROR)
        return capacity


def _label(capacity: CapacityCategory) -> str:
    if capacity.free:
        return str(_("%(name)s – noch %(free)d Plätze frei") % {"name": capacity.name, "free": capacity.free})
    return str(_("%(name)s – ausgebucht, Sie kommen auf die Warteliste") % {"name": capacity.name})


class ChangeForm(_QuestionsMixin):
    """What a registered person may change: companions, requests and answers (name and address stay)."""

    def __init__(self, *args: Any, event: Event, questions: Iterable[Question], answers: Mapping[str, Any],
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.setup_extras(event, questions, answers)


class ConfirmCancelForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Ja, ich möchte meine Anmeldung zurückziehen."),
        error_messages={"required": _("Bitte bestätigen Sie, dass Sie sich abmelden möchten.")},
    )  # fmt: skip
