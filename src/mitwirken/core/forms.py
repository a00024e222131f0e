"""KERN UX form rendering: every Django form, including allauth's, renders through these templates."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
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


class RenderCachedForm(forms.Form):
    """A form rendered once per distinct input and kept in the cache: a list's filter form, its bulk actions.

    Everyone who filters a list the same way sees the same form, and on the busy lists Django's template engine
    spent more time on the form's ten fields and long option lists than the database spent on the page. The cache
    key is everything the markup is made of (language, the submitted values, the errors, and per field its label,
    hint, choices and widget attributes), so a changed choice or label is a new key, never stale markup.
    """

    RENDER_CACHE_SECONDS = 600

    def render(self, template_name: str | None = None, context: Any = None, renderer: Any = None) -> SafeString:
        if template_name is not None or context is not None:
            return super().render(template_name, context, renderer)
        key = self._render_key()
        html = cache.get(key)
        if html is None:
            html = str(super().render(renderer=renderer))
            cache.set(key, html, self.RENDER_CACHE_SECONDS)
        return mark_safe(html)  # markup rendered by the form's own templates above

    # Django binds these to its own render at class creation, so they are pointed at this one again.
    __str__ = render  # type: ignore[assignment]
    __html__ = render  # type: ignore[assignment]

    def _render_key(self) -> str:
        parts: list[Any] = [type(self).__module__, type(self).__qualname__, translation.get_language(),
                            self.prefix, self.auto_id, self.is_bound]  # fmt: skip
        if self.is_bound:
            parts.append(self.errors.get_json_data())
        for name, field in self.fields.items():
            widget = field.widget
            choices: list[Any] = []
            if isinstance(field, forms.ChoiceField):
                # Read once (a model choice field queries on every pass) and rendered from this same list, so a
                # page runs the same queries whether its form came from the cache or not. Not list(): it would ask
                # a model choice field for its length, a COUNT query.
                choices = [choice for choice in field.choices]  # type: ignore[union-attr]  # noqa: C416
                field.choices = choices
            parts.append((
                name, str(field.label), str(field.help_text), field.required, field.disabled,
                getattr(field, "mandatory_on_submit", None), repr(self[name].value()),
                type(widget).__module__, type(widget).__qualname__, widget.template_name, sorted(widget.attrs.items()),
                [(str(value), str(label)) for value, label in choices],
            ))  # fmt: skip
        return "form-html:" + hashlib.sha256(repr(parts).encode()).hexdigest()


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
