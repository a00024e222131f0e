"""Forms of the survey builder. They read and check input; the services in ``services/building.py`` decide."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from mitwirken.accounts.assurance import REQUIREMENT_CHOICES, REQUIREMENT_HELP

from . import conditions, questions
from .models import CHOICE_TYPES, Access, Anonymity, AnswerSet, Question, QuestionType, Survey
from .services import building

MAX_RULES = 5
LINES_HELP = _("Eine Antwort je Zeile, als „Code = Beschriftung“ oder nur „Beschriftung“ (dann wird der Code "
               "vergeben und bleibt für diese Beschriftung erhalten). Der Code steht in Auswertungen und Bedingungen.")  # fmt: skip
ANONYMITY_LABELS = {
    Anonymity.ANONYMOUS: _("Anonym – ohne Konto, Zugangscode, IP-Adresse und Uhrzeit gespeichert (nur der Tag). "
                           "Niemand, auch nicht die Verwaltung, kann Antworten einer Person zuordnen."),
    Anonymity.PSEUDONYMOUS: _("Pseudonym – unter einer zufälligen Kennung gespeichert. Antworten derselben Person "
                              "gehören zusammen, sind aber nicht ihrem Namen oder Konto zugeordnet."),
    Anonymity.IDENTIFIED: _("Namentlich – mit Konto bzw. Zugangscode und Zeitpunkt gespeichert. Die Verwaltung sieht, "
                            "wer was geantwortet hat."),
}  # fmt: skip


def _optional_int(label: Any, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, **kwargs)


class DecimalInput(forms.DecimalField):
    """A number as staff type it: "2,5" as well as "2.5" (no thousands separators)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class SettingsForm(forms.Form):
    access = forms.ChoiceField(label=_("Zugang"), choices=Access.choices, widget=forms.RadioSelect,
                               help_text=_("Kann nicht mehr geändert werden, sobald es Antworten gibt."))  # fmt: skip
    anonymity = forms.ChoiceField(
        label=_("Anonymität"), choices=[(value.value, label) for value, label in ANONYMITY_LABELS.items()],
        widget=forms.RadioSelect,
        help_text=_("Teilnehmende sehen vor dem Start, wie ihre Antworten gespeichert werden. Sobald es Antworten "
                    "gibt, kann die Anonymität nur noch verstärkt werden."),
    )  # fmt: skip
    intro = forms.CharField(label=_("Einleitung"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("Erscheint auf der Startseite vor der ersten Frage."))  # fmt: skip
    completion_text = forms.CharField(label=_("Text nach dem Absenden"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    link_results = forms.BooleanField(label=_("Nach dem Absenden auf die Ergebnisse verweisen"), required=False,
                                      help_text=_("Nur wirksam, wenn Ergebnisse veröffentlicht sind."))  # fmt: skip
    # Not posted means no requirement (0), as the field's default.
    min_assurance_level = forms.TypedChoiceField(
        label=_("Nötiges Vertrauensniveau der Anmeldung"), choices=REQUIREMENT_CHOICES, coerce=int, empty_value=0,  # type: ignore[arg-type]
        required=False, help_text=format_lazy("{} {}", _(
            "Ab einem Vertrauensniveau können nur Personen antworten, die sich mit BundID (bzw. Mein "
            "Unternehmenskonto) mindestens auf diesem Niveau angemeldet haben."), REQUIREMENT_HELP),
    )  # fmt: skip

    @staticmethod
    def initial_for(survey: Survey) -> dict[str, Any]:
        return {field: getattr(survey, field) for field in building.SETTINGS_FIELDS}


class QuotaForm(forms.Form):
    """The total quota and one field per option of every single-choice question; empty means no quota."""

    total = _optional_int(_("Höchstzahl aller Antworten"), min_value=1,
                          help_text=_("Leer lassen für keine Begrenzung."))  # fmt: skip

    def __init__(self, *args: Any, single_questions: Iterable[Any], quotas: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        existing = {(quota.question_id, quota.option_code): quota.limit for quota in quotas}
        self.fields["total"].initial = existing.get((None, ""))
        self.targets: dict[str, tuple[Any, str]] = {"total": (None, "")}
        self.groups: list[tuple[Any, list[str]]] = []
        for question in single_questions:
            names = []
            for choice in question.choices:
                name = f"quota_{question.pk}_{choice.code}"
                self.fields[name] = _optional_int(
                    _("Höchstzahl „%(label)s“") % {"label": choice.label}, min_value=1,
                    initial=existing.get((question.pk, choice.code)),
                )  # fmt: skip
                self.targets[name] = (question, choice.code)
                names.append(name)
            self.groups.append((question, names))

    def grouped(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(question, [self[name] for name in names]) for question, names in self.groups]


class ConditionFields(forms.Form):
    """A condition as "alle/mindestens eine" of up to five rules: question, comparison, value.

    The question field is free text with a list to choose from, so a question that is not (or no longer) on an
    earlier page reaches ``conditions.check`` and is refused with its reason instead of a generic choice error.
    """

    def add_condition_fields(self, earlier: Iterable[Question], current: Mapping[str, Any] | None) -> None:
        question_choices = [("", _("– keine Regel –"))] + [
            (question.code, f"{question.code}: {question.text[:80]}") for question in earlier
        ]
        self.fields["condition"] = forms.ChoiceField(
            label=_("Die Regeln müssen"), choices=[("all", _("alle zutreffen")), ("any", _("mindestens eine zutreffen"))],
            initial="all", required=False,
        )  # fmt: skip
        for number in range(1, MAX_RULES + 1):
            self.fields[f"rule_{number}_question"] = forms.CharField(
                label=_("Regel %(number)d: Frage") % {"number": number}, required=False,
                widget=forms.Select(choices=question_choices),
            )  # fmt: skip
            self.fields[f"rule_{number}_op"] = forms.ChoiceField(
                label=_("Regel %(number)d: Vergleich") % {"number": number}, required=False,
                choices=list(conditions.OPERATORS.items()),
            )  # fmt: skip
            self.fields[f"rule_{number}_value"] = forms.CharField(
                label=_("Regel %(number)d: Wert") % {"number": number}, required=False, max_length=200,
            )  # fmt: skip
        self.complex_condition = ""
        rules = _flat_rules(current)
        if rules is None:
            # Nested groups (e.g. from an import) cannot be shown as rows; they stay unless staff replace them.
            self.complex_condition = conditions.describe(current, {})
            self.fields["keep_condition"] = forms.BooleanField(
                label=_("Bestehende verschachtelte Bedingung beibehalten"), required=False, initial=True
            )
            self.current_condition = dict(current or {})
            return
        combinator, flat = rules
        self.fields["condition"].initial = combinator
        for number, rule in enumerate(flat, start=1):
            self.fields[f"rule_{number}_question"].initial = rule.get("question", "")
            self.fields[f"rule_{number}_op"].initial = rule.get("op", "equals")
            value = rule.get("value", "")
            self.fields[f"rule_{number}_value"].initial = (
                ", ".join(map(str, value)) if isinstance(value, list) else value
            )

    CONDITION_FIELDS = ("condition", "keep_condition",
                        *(f"rule_{n}_{part}" for n in range(1, MAX_RULES + 1) for part in ("question", "op", "value")))  # fmt: skip

    def main_fields(self) -> list[forms.BoundField]:
        """The fields shown before the condition editor (which the template lays out itself)."""
        return [self[name] for name in self.fields if name not in self.CONDITION_FIELDS and name != "confirm"]

    def rule_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [(number, self[f"rule_{number}_question"], self[f"rule_{number}_op"], self[f"rule_{number}_value"])
                for number in range(1, MAX_RULES + 1)]  # fmt: skip

    def condition_value(self) -> dict[str, Any]:
        """The condition the rows describe, unchecked (the service checks it against the page order)."""
        data = self.cleaned_data
        if self.complex_condition and data.get("keep_condition"):
            return self.current_condition
        rules = []
        for number in range(1, MAX_RULES + 1):
            code = (data.get(f"rule_{number}_question") or "").strip()
            if not code:
                continue
            op = data.get(f"rule_{number}_op") or "equals"
            rule: dict[str, Any] = {"question": code, "op": op}
            raw = (data.get(f"rule_{number}_value") or "").strip()
            if op == "one_of":
                rule["value"] = [part.strip() for part in raw.split(",") if part.strip()]
            elif op not in conditions.WITHOUT_VALUE:
                rule["value"] = raw
            rules.append(rule)
        if not rules:
            return {}
        if len(rules) == 1:
            return rules[0]
        return {data.get("condition") or "all": rules}


def _flat_rules(condition: Mapping[str, Any] | None) -> tuple[str, list[Mapping[str, Any]]] | None:
    """("all"|"any", rules) when the condition fits the rows of the editor, else None."""
    if not condition:
        return "all", []
    for group in conditions.GROUPS:
        if group in condition:
            parts = condition[group]
            if len(parts) > MAX_RULES or any(sub in part for part in parts for sub in conditions.GROUPS):
                return None
            return group, list(parts)
    return "all", [condition]


class PageForm(ConditionFields):
    title = forms.CharField(label=_("Titel der Seite"), max_length=200, required=False)
    description = forms.CharField(label=_("Beschreibung"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, earlier: Iterable[Question], current: Mapping[str, Any] | None = None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.add_condition_fields(earlier, current)


class TypeForm(forms.Form):
    """The first step of adding a question (a GET form, so the next step's address can be bookmarked)."""

    typ = forms.ChoiceField(label=_("Fragetyp"), choices=QuestionType.choices, widget=forms.RadioSelect,
                            error_messages={"required": _("Bitte wählen Sie einen Fragetyp."),
                                            "invalid_choice": _("Bitte wählen Sie einen der angebotenen Fragetypen.")})  # fmt: skip


QUESTION_CODE = RegexValidator(r"^[a-z][a-z0-9_]{0,39}$", _("Das Kürzel besteht aus Kleinbuchstaben, Ziffern und "
                                                             "Unterstrichen und beginnt mit einem Buchstaben."))  # fmt: skip

# The type-specific fields each question type shows (see ``questions.py`` for what they mean).
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    QuestionType.SINGLE: ("options", "answer_set", "display", "other", "other_label", "randomise"),
    QuestionType.MULTIPLE: ("options", "answer_set", "min_choices", "max_choices", "other", "other_label",
                            "randomise"),
    QuestionType.SHORT_TEXT: ("max_length",),
    QuestionType.LONG_TEXT: ("max_length",),
    QuestionType.NUMBER: ("number_min", "number_max", "step", "unit"),
    QuestionType.DATE: ("date_min", "date_max"),
    QuestionType.SCALE: ("scale", "low_label", "high_label"),
    QuestionType.MATRIX: ("options", "answer_set", "rows"),
    QuestionType.RANKING: ("options", "answer_set"),
    QuestionType.INFO: ("image", "image_alt", "remove_image"),
}  # fmt: skip
ALL_TYPE_FIELDS = {name for names in TYPE_FIELDS.values() for name in names}


class QuestionForm(ConditionFields):
    type = forms.ChoiceField(label=_("Fragetyp"), choices=QuestionType.choices,
                             help_text=_("Nach einem Wechsel des Typs zeigt das Formular dessen Einstellungen; "
                                         "gespeichert wird, sobald sie vollständig sind."))  # fmt: skip
    text = forms.CharField(label=_("Frage"), max_length=500)
    code = forms.CharField(label=_("Kürzel"), max_length=40, required=False, validators=[QUESTION_CODE],
                           help_text=_("Name der Frage in Auswertungen und Bedingungen, z. B. „alter“. Leer lassen: "
                                       "wird aus dem Text gebildet."))  # fmt: skip
    help_text = forms.CharField(label=_("Hinweis"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    required = forms.BooleanField(label=_("Pflichtfrage"), required=False)
    publish = forms.BooleanField(label=_("In veröffentlichten Ergebnissen zeigen"), required=False, initial=True)
    # type-specific
    options = forms.CharField(label=_("Antwortmöglichkeiten"), required=False, help_text=LINES_HELP,
                              widget=forms.Textarea(attrs={"rows": 6}))  # fmt: skip
    answer_set = forms.ModelChoiceField(label=_("Oder: gemeinsame Antwortliste verwenden"), required=False,
                                        queryset=AnswerSet.objects.none(), empty_label=_("– keine, eigene Antworten –"),
                                        help_text=_("Ersetzt die eigenen Antwortmöglichkeiten."))  # fmt: skip
    display = forms.ChoiceField(label=_("Darstellung"), required=False, initial="radio",
                                choices=[("radio", _("Auswahlknöpfe")), ("select", _("Auswahlliste"))])  # fmt: skip
    other = forms.BooleanField(label=_("Antwort „Sonstiges“ mit Textfeld anbieten"), required=False)
    other_label = forms.CharField(label=_("Beschriftung für „Sonstiges“"), max_length=100, required=False)
    randomise = forms.BooleanField(
        label=_("Antworten für jede Person in zufälliger Reihenfolge zeigen"), required=False
    )
    min_choices = _optional_int(_("Mindestens so viele Antworten wählen"), min_value=1)
    max_choices = _optional_int(_("Höchstens so viele Antworten wählen"), min_value=1)
    max_length = _optional_int(_("Höchstzahl Zeichen"), min_value=1, max_value=questions.MAX_LONG_TEXT)
    number_min = DecimalInput(label=_("Kleinster Wert"), required=False)
    number_max = DecimalInput(label=_("Größter Wert"), required=False)
    step = DecimalInput(label=_("Schrittweite"), required=False, min_value=0,
                              help_text=_("z. B. 1 für ganze Zahlen"))  # fmt: skip
    unit = forms.CharField(label=_("Einheit"), max_length=30, required=False, help_text=_("z. B. „km“ oder „Euro“"))
    date_min = forms.DateField(
        label=_("Frühestes Datum"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_max = forms.DateField(
        label=_("Spätestes Datum"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    scale = forms.ChoiceField(label=_("Skala"), choices=list(questions.SCALE_NAMES.items()), required=False,
                              initial="1-5")  # fmt: skip
    low_label = forms.CharField(label=_("Beschriftung des niedrigsten Werts"), max_length=100, required=False)
    high_label = forms.CharField(label=_("Beschriftung des höchsten Werts"), max_length=100, required=False)
    rows = forms.CharField(label=_("Zeilen der Matrix"), required=False, help_text=LINES_HELP,
                           widget=forms.Textarea(attrs={"rows": 5}))  # fmt: skip
    image = forms.FileField(label=_("Bild"), required=False,
                            help_text=_("JPEG, PNG oder WebP. Ortsangaben und Kameradaten werden entfernt."))  # fmt: skip
    image_alt = forms.CharField(label=_("Was ist auf dem Bild zu sehen?"), max_length=250, required=False,
                                help_text=_("Pflicht, wenn es ein Bild gibt: für Menschen, die es nicht sehen können."))  # fmt: skip
    remove_image = forms.BooleanField(label=_("Bild entfernen"), required=False)
    confirm = forms.BooleanField(
        label=_("Ich weiß, dass bereits abgegebene Antworten durch diese Änderung ungültig werden und entfernt werden."),
        required=False,
    )  # fmt: skip

    def __init__(self, *args: Any, question_type: str, organisation: Any, earlier: Iterable[Question],
                 question: Question | None = None, with_confirm: bool = False, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.question_type, self.question = question_type, question
        self.add_condition_fields(earlier, question.condition if question else None)
        for name in ALL_TYPE_FIELDS - set(TYPE_FIELDS.get(question_type, ())):
            del self.fields[name]
        if question is None:
            del self.fields["type"]  # chosen in the step before
        if question is None or not question.image:
            self.fields.pop("remove_image", None)
        if question_type == QuestionType.INFO:
            del self.fields["required"]
            self.fields["text"].label = _("Überschrift")
            self.fields["help_text"].label = _("Text")
            self.fields["help_text"].widget.attrs["rows"] = 6
        if question_type == QuestionType.MATRIX:
            self.fields["options"].label = _("Antwortskala (Spalten der Matrix)")
        if "answer_set" in self.fields:
            self.fields["answer_set"].queryset = AnswerSet.objects.filter(organisation=organisation)  # type: ignore[attr-defined]
        if not with_confirm:
            del self.fields["confirm"]
        if question is not None and not self.is_bound:
            self._initial_from(question)

    def _initial_from(self, question: Question) -> None:
        config = question.config
        values = {
            "type": question.type, "text": question.text, "code": question.code, "help_text": question.help_text,
            "required": question.required, "publish": question.publish, "answer_set": question.answer_set_id,
            "options": building.format_lines(question.options.all()), "rows": building.format_lines(question.rows.all()),
            "display": config.get("display", "radio"), "other": config.get("other", False),
            "other_label": config.get("other_label", ""), "randomise": config.get("randomise", False),
            "min_choices": config.get("min"), "max_choices": config.get("max"), "max_length": config.get("max_length"),
            "number_min": config.get("min"), "number_max": config.get("max"), "step": config.get("step"),
            "unit": config.get("unit", ""), "date_min": config.get("min"), "date_max": config.get("max"),
            "scale": config.get("scale", "1-5"), "low_label": config.get("low_label", ""),
            "high_label": config.get("high_label", ""), "image_alt": question.image_alt,
        }  # fmt: skip
        for name, value in values.items():
            if name in self.fields:
                self.fields[name].initial = value

    def clean_options(self) -> list[tuple[str, str]]:
        existing = [(o.code, o.label) for o in self.question.options.all()] if self.question else []
        return building.parse_lines(self.cleaned_data.get("options", ""), existing=existing)

    def clean_rows(self) -> list[tuple[str, str]]:
        existing = [(r.code, r.label) for r in self.question.rows.all()] if self.question else []
        return building.parse_lines(self.cleaned_data.get("rows", ""), existing=existing)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        own_options = "options" in data and not data.get("answer_set")
        if self.question_type in CHOICE_TYPES and own_options and len(data["options"]) < 2:
            self.add_error("options", _("Bitte geben Sie mindestens zwei Antwortmöglichkeiten an."))
        if self.question_type == QuestionType.MATRIX and "rows" in data and not data["rows"]:
            self.add_error("rows", _("Bitte geben Sie die Zeilen der Matrix an."))
        for low, high in (("min_choices", "max_choices"), ("number_min", "number_max"), ("date_min", "date_max")):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(high, _("Der größte Wert darf nicht kleiner als der kleinste sein."))
        return data

    def config(self) -> dict[str, Any]:
        """The ``config`` of the question type, in the JSON shapes ``questions.py`` reads."""
        data = self.cleaned_data

        def number(name: str) -> str | None:
            value = data.get(name)
            return None if value is None else _plain_number(value)

        def day(name: str) -> str | None:
            value = data.get(name)
            return value.isoformat() if value else None

        by_type: dict[str, dict[str, Any]] = {
            QuestionType.SINGLE: {"display": data.get("display") or "radio", "other": data.get("other"),
                                  "other_label": data.get("other_label"), "randomise": data.get("randomise")},
            QuestionType.MULTIPLE: {"min": data.get("min_choices"), "max": data.get("max_choices"),
                                    "other": data.get("other"), "other_label": data.get("other_label"),
                                    "randomise": data.get("randomise")},
            QuestionType.SHORT_TEXT: {"max_length": data.get("max_length")},
            QuestionType.LONG_TEXT: {"max_length": data.get("max_length")},
            QuestionType.NUMBER: {"min": number("number_min"), "max": number("number_max"), "step": number("step"),
                                  "unit": data.get("unit")},
            QuestionType.DATE: {"min": day("date_min"), "max": day("date_max")},
            QuestionType.SCALE: {"scale": data.get("scale") or "1-5", "low_label": data.get("low_label"),
                                 "high_label": data.get("high_label")},
        }  # fmt: skip
        return building.clean_config(self.question_type, by_type.get(self.question_type, {}))

    def service_kwargs(self) -> dict[str, Any]:
        """What ``building.question_add``/``question_update`` take from this form."""
        data = self.cleaned_data
        kwargs: dict[str, Any] = {
            "text": data["text"], "code": data.get("code", ""), "required": data.get("required", False),
            "help_text": data.get("help_text", ""), "publish": data.get("publish", False),
            "condition": self.condition_value(), "answer_set": data.get("answer_set"), "config": self.config(),
        }  # fmt: skip
        if "options" in self.fields:
            kwargs["options"] = data.get("options", [])
        if "rows" in self.fields:
            kwargs["rows"] = data.get("rows", [])
        if self.question_type == QuestionType.INFO:
            kwargs.update(image=data.get("image"), image_alt=data.get("image_alt", ""))
        if self.question is not None:
            kwargs["type"] = self.question_type
            kwargs["remove_image"] = data.get("remove_image", False)
            kwargs["confirm"] = data.get("confirm", False)
        return kwargs


def _plain_number(value: Any) -> str:
    """A decimal as the text ``questions._number`` compares with (no exponent, no trailing zeros)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Ich weiß, dass die bereits abgegebenen Antworten dabei gelöscht werden."), required=False
    )


class AnswerSetForm(forms.Form):
    name = forms.CharField(label=_("Name der Antwortliste"), max_length=120)
    options = forms.CharField(
        label=_("Antwortmöglichkeiten"), help_text=LINES_HELP, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args: Any, answer_set: AnswerSet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answer_set = answer_set
        if answer_set is not None and not self.is_bound:
            self.fields["name"].initial = answer_set.name
            self.fields["options"].initial = building.format_lines(answer_set.options.all())

    def clean_options(self) -> list[tuple[str, str]]:
        existing = [(o.code, o.label) for o in self.answer_set.options.all()] if self.answer_set else []
        return building.parse_lines(self.cleaned_data["options"], existing=existing)
