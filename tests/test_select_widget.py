"""The project's select template writes the options in place (no template per option) and must render exactly what
Django's own does, with groups, a selected value, disabled options and escaping."""

from __future__ import annotations

import re

from django import forms
from django.forms.renderers import DjangoTemplates

from mitwirken.core.forms import KernFormRenderer

CHOICES = [("", "Alle"), ("Gruppe <1>", [("a", "Ä & B"), ("b", "„zwei“")]), ("c", "drei")]


def tags(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_select_renders_exactly_as_djangos_own() -> None:
    for widget in (forms.Select(choices=CHOICES), forms.SelectMultiple(choices=CHOICES)):
        for value in ("b", ["a", "c"], None):
            attrs = {"id": "feld", "class": "kern-form-input__select", "disabled": False, "required": True}
            ours = widget.render("feld", value, attrs=attrs, renderer=KernFormRenderer())
            djangos = widget.render("feld", value, attrs=attrs, renderer=DjangoTemplates())
            assert tags(ours) == tags(djangos)  # the same markup; whitespace between tags does not count
            assert "Ä &amp; B" in ours
