"""seed_demo builds the documented demo and can run twice."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from mitwirken.accounts.models import User
from mitwirken.core.demo import html_paragraphs, load_data, paragraphs, single_paragraph
from mitwirken.organisations.models import Organisation
from mitwirken.projects.models import Project

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_is_idempotent_and_prints_accounts_and_paths():
    first = seed()
    counts = (Organisation.objects.count(), Project.objects.count(), User.objects.count())
    second = seed()
    assert (Organisation.objects.count(), Project.objects.count(), User.objects.count()) == counts
    assert first == second
    for slug in ["ministerium", "musterkreis", "vg-nord", "vg-sued", "beispielhausen"]:
        assert Organisation.objects.filter(slug=slug).exists()
    assert Organisation.objects.get(slug="vg-nord").parent.slug == "musterkreis"
    assert Organisation.objects.get(slug="beispielhausen").parent.slug == "vg-nord"
    musterkreis = Organisation.objects.get(slug="musterkreis")
    assert musterkreis.bbox_min_lat < 49.99 < musterkreis.bbox_max_lat
    assert musterkreis.bbox_min_lon < 7.60 < musterkreis.bbox_max_lon
    assert {p.access for p in Project.objects.filter(status="published")} == {"public", "semipublic", "protected"}
    assert "orgadmin@musterkreis.example" in first
    assert "/musterkreis/projekte/kreisstrasse-k12/" in first


def test_scale_adds_projects():
    seed()
    before = Project.objects.count()
    seed("--scale", "25")
    assert Project.objects.count() == before + 25


def test_seed_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        seed()


def test_demo_texts_join_wrapped_lines_and_split_paragraphs():
    wrapped = "\nErste Zeile\n  geht weiter.\n\nZweiter Absatz.\n"
    assert paragraphs(wrapped) == ["Erste Zeile geht weiter.", "Zweiter Absatz."]
    assert html_paragraphs(wrapped) == "<p>Erste Zeile geht weiter.</p><p>Zweiter Absatz.</p>"
    assert single_paragraph("Kurz.") == "Kurz."
    with pytest.raises(ValueError, match="one paragraph"):
        single_paragraph(wrapped)


def test_demo_data_files_are_read_from_the_app_package():
    assert load_data("mitwirken.dialogue", "people.toml")["citizens"]["berta"]["email"] == "buerger@mitwirken.example"
