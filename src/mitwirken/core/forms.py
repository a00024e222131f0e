"""KERN UX form rendering: every Django form, including allauth's, renders through these templates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

WIDGET_CLASSES = {
    "checkbox": "kern-form-check__checkbox",
    "radioselect": "kern-form-check__radio",
    "checkboxselectmultiple": "kern-form-check__checkbox",
    "select": "kern-form-input__select",
    "selectmultiple": "kern-form-input__select",
}


class KernBoundField(forms.BoundField):
    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget_type = self.widget_type
        base = WIDGET_CLASSES.get(widget_type, "kern-form-input__input")
        classes = [base] + ([f"{base}--error"] if self.errors else [])
        attrs["class"] = " ".join([str(attrs.get("class", "")), *classes]).strip()
        # Screen readers announce the hint and the error together with the field.
        described_by = []
        if self.help_text and self.auto_id:
            described_by.append(f"{self.auto_id}_helptext")
        if self.errors and self.auto_id:
            described_by.append(f"{self.auto_id}_error")
            attrs["aria-invalid"] = "true"
        if described_by and widget_type not in ("radioselect", "checkboxselectmultiple"):
            attrs["aria-describedby"] = " ".join(described_by)
        return attrs


class KernFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
    bound_field_class = KernBoundField


class DateTimeLocalInput(forms.DateTimeInput):
    """A native date-time picker; values are entered and shown in Europe/Berlin."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; ``cleaned_data`` is always a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


# Dates a form accepts. Year 1 or 9999 parse, but overflow as soon as a time zone, a period or the database's
# range is applied (500); no procedure, phase or receipt lies outside these years.
EARLIEST_YEAR, LATEST_YEAR = 1970, 2999


def _check_year(value: Any) -> Any:
    if value is not None and not (EARLIEST_YEAR <= value.year <= LATEST_YEAR):
        raise ValidationError(
            _("Bitte geben Sie ein Datum zwischen %(first)s und %(last)s an."),
            code="out_of_range",
            params={"first": EARLIEST_YEAR, "last": LATEST_YEAR},
        )
    return value


class DateTimeField(forms.DateTimeField):
    """Django's DateTimeField, refusing years outside 1970–2999 with a message instead of overflowing later."""

    def to_python(self, value: Any) -> Any:
        return _check_year(super().to_python(value))


class DateField(forms.DateField):
    """Django's DateField, refusing years outside 1970–2999 with a message instead of overflowing later."""

    def to_python(self, value: Any) -> Any:
        return _check_year(super().to_python(value))


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, but an id that no row can have (beyond bigint, "²") is a form error, not an overflow.

    Django checks ``pk__in`` values only for ValueError/TypeError; a 30-digit number reaches the database and
    overflows there (SQLite) or raises DataError (PostgreSQL).
    """

    def _check_values(self, value: Any) -> Any:
        from mitwirken.core.ids import parse_id

        for item in value if isinstance(value, list | tuple) else [value]:
            if parse_id(item) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                )
        return super()._check_values(value)  # type: ignore[misc]  # not in django-stubs
