from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError next to the fields it names, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def saved_or_errors(
    request: HttpRequest, form: forms.BaseForm, write: Callable[[], Any], *, success: str, to: str
) -> HttpResponse | None:
    """Run a service for a valid form: a refusal appears at the fields (None), success redirects with a message."""
    try:
        write()
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, success)
    return redirect(to)


class ListedModelChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices read by one plain query. Django's iterator uses ``queryset.iterator()``, which on PostgreSQL
    opens a server-side cursor (DECLARE … WITH HOLD, FETCH, CLOSE: three round trips for a handful of rows)."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ListedModelChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A ModelChoiceField for short lists (categories, organisations) in forms shown on busy pages."""

    iterator = ListedModelChoiceIterator
