"""Account export and deletion cover the dialogue and the Mängelmelder."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from typing import Any

import pytest

from mitwirken.accounts import gdpr
from mitwirken.dialogue import services as dialogue_services
from mitwirken.dialogue.models import Idea
from mitwirken.participation import services as participation
from mitwirken.reports import services as report_services
from mitwirken.reports.models import CategoryTemplate, OrganisationCategory, Report

from .dialogue_fixtures import make_dialogue
from .factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_export_and_deletion_include_dialogue_and_reports(world: Any) -> None:
    person, other = UserFactory(email="weg@example.org"), UserFactory(email="bleibt@example.org")
    module = make_dialogue(world.public)
    idea = dialogue_services.idea_create(user=other, module=module, title="Spielplatz", text="<p>Neue Schaukel</p>")
    participation.rate(user=person, target=idea, value=1)
    participation.comment_create(user=person, target=idea, text="Unbedingt!")
    area = {"type": "Polygon", "coordinates": [[[7.0, 50.0], [8.0, 50.0], [8.0, 51.0], [7.0, 51.0], [7.0, 50.0]]]}
    category = CategoryTemplate.objects.create(code="muell", name="Wilder Müll")
    OrganisationCategory.objects.create(organisation=OrganisationFactory(boundary=area), template=category)
    report = report_services.report_create(category=category, lon=7.5, lat=50.5, description="Sperrmüll am Weg",
                                           user=person, name="Erika Weg")  # fmt: skip

    with zipfile.ZipFile(BytesIO(gdpr.export_zip(person))) as archive:
        data = json.loads(archive.read("daten.json"))
    assert data["dialogue"]["ideas"] == []
    ratings, comments = data["participation"]["ratings"], data["participation"]["comments"]
    assert ratings[0]["value"] == 1 and ratings[0]["object_type"] == "dialogue.idea"
    assert comments[0]["text"] == "Unbedingt!" and comments[0]["object_pk"] == idea.pk
    assert data["maengelmelder"]["reports"][0]["description"] == "Sperrmüll am Weg"

    gdpr.delete_account(person)
    idea.refresh_from_db()
    assert (idea.positive_count, idea.score) == (0, 0)  # the counters follow the deleted rating
    assert idea.comments.get().author is None  # the comment stays for the thread, without its author
    report.refresh_from_db()
    assert (report.reporter, report.email, report.name) == (None, "", "")
    assert Idea.objects.filter(author=other).exists() and Report.objects.count() == 1
