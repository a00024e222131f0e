"""Filter and bulk-action forms are rendered once per distinct input and then taken from the cache
(``core.forms.RenderCachedForm``). What must hold: the cached markup is exactly what the form renders without the
cache, and anything that changes the markup (a submitted value, an error, a new choice, a renamed label, the
language) gives the new markup at once, never the one cached before."""

from __future__ import annotations

import pytest
from django import forms
from django.core.cache import cache
from django.utils import translation

from mitwirken.core.forms import RenderCachedForm
from mitwirken.organisations.models import Organisation
from mitwirken.projects.forms import ProjectFilterForm

pytestmark = pytest.mark.django_db


class ColourForm(RenderCachedForm):
    q = forms.CharField(label="Suche", required=False, max_length=20)
    colour = forms.ChoiceField(label="Farbe", required=False, choices=[("", "Alle"), ("red", "Rot")])


class PlainColourForm(forms.Form):
    q = forms.CharField(label="Suche", required=False, max_length=20)
    colour = forms.ChoiceField(label="Farbe", required=False, choices=[("", "Alle"), ("red", "Rot")])


@pytest.fixture(autouse=True)
def empty_cache():  # type: ignore[no-untyped-def]
    # German, whatever language an earlier test's request left active in this thread.
    cache.clear()
    with translation.override("de"):
        yield
    cache.clear()


@pytest.mark.parametrize("data", [None, {"q": "Radweg", "colour": "red"}, {"q": "x" * 30}, {"colour": "blau"}])
def test_cached_markup_is_what_the_form_renders_without_the_cache(data) -> None:  # type: ignore[no-untyped-def]
    uncached = str(PlainColourForm(data)).replace("PlainColourForm", "ColourForm")
    assert str(ColourForm(data)) == uncached  # first render, stored
    assert str(ColourForm(data)) == uncached  # from the cache
    assert ColourForm(data).__html__() == uncached  # what {{ form }} in a template calls


def test_each_submitted_value_and_error_gets_its_own_markup() -> None:
    assert 'value="Radweg"' in str(ColourForm({"q": "Radweg"}))
    assert 'value="Busspur"' in str(ColourForm({"q": "Busspur"}))
    assert 'value="red" selected' in str(ColourForm({"colour": "red"}))
    assert "selected" not in str(ColourForm({"colour": ""})).split('value="red"')[1].split(">")[0]
    too_long = str(ColourForm({"q": "x" * 30}))
    assert 'aria-invalid="true"' in too_long and "höchstens 20 Zeichen" in too_long
    assert 'aria-invalid="true"' not in str(ColourForm({"q": "x" * 20}))


def test_changed_choices_and_labels_show_at_once() -> None:
    before = str(ColourForm())
    form = ColourForm()
    form.fields["colour"].choices = [("", "Alle"), ("red", "Rot"), ("green", "Grün")]  # type: ignore[attr-defined]
    assert "Grün" in str(form) and "Grün" not in before
    form = ColourForm()
    form.fields["q"].label = "Stichwort"
    assert "Stichwort" in str(form)
    assert str(ColourForm()) == before  # the unchanged form is still the one cached first


def test_a_new_organisation_appears_in_the_start_pages_filter_at_once() -> None:
    """The choices come from the database: a new row is a new key, not a stale list."""
    str(ProjectFilterForm())
    Organisation.objects.create(name="Verbandsgemeinde Neuland", slug="vg-neuland", kind="verbandsgemeinde")
    assert "Verbandsgemeinde Neuland" in str(ProjectFilterForm())


def test_the_language_is_part_of_the_markup() -> None:
    with translation.override("de"):
        german = str(ProjectFilterForm())
    with translation.override("en"):
        english = str(ProjectFilterForm())
    assert "Alle Organisationen" in german
    assert "Alle Organisationen" not in english and "All organisations" in english


def test_an_error_added_by_the_view_shows() -> None:
    """Errors a service reports (``add_service_errors``) do not follow from the input, so they are part of the key."""
    assert "Dieser Filter ist gerade nicht verfügbar." not in str(ColourForm({"q": "Radweg"}))
    form = ColourForm({"q": "Radweg"})
    form.add_error("q", "Dieser Filter ist gerade nicht verfügbar.")
    assert "Dieser Filter ist gerade nicht verfügbar." in str(form)
