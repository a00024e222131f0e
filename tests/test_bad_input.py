"""Bad input gets a clear German message next to the field, and nothing is saved half."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from mitwirken.core.models import AuditEntry
from mitwirken.organisations import services as org_services
from mitwirken.organisations.models import Organisation
from mitwirken.projects import services
from mitwirken.projects.models import Phase, Project

from .factories import ModuleFactory

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[7.5, 49.9], [7.7, 49.9], [7.7, 50.1], [7.5, 50.1], [7.5, 49.9]]]}
BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


def settings_post(world, **changes):
    organisation = world.organisation
    data = {
        "name": organisation.name, "kind": organisation.kind, "ags": "", "parent": "", "contact_email": "",
        "contact_phone": "", "address": "", "website": "", "boundary": "", "imprint": organisation.imprint,
        "privacy_notice": organisation.privacy_notice, "accessibility_statement": organisation.accessibility_statement,
    }  # fmt: skip
    data.update(changes)
    # Parent and area are the portal administrators' to set (tests/test_tenant_settings.py).
    persona = "portal_admin" if changes.get("boundary") or changes.get("parent") else "org_admin"
    return world.client(persona).post(f"/verwaltung/{organisation.slug}/einstellungen/", data)


@pytest.mark.parametrize(
    ("ags", "message"),
    [
        ("0713300", "genau 8 Ziffern"),
        ("07l33000", "genau 8 Ziffern"),
        ("99133000", "ein Land bezeichnen"),
    ],
)
def test_invalid_ags_is_explained_next_to_the_field(world, ags, message):
    response = settings_post(world, ags=ags, name="Neuer Name")
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'id="id_ags_error"' in html and 'aria-invalid="true"' in html
    world.organisation.refresh_from_db()
    assert world.organisation.name == "Landkreis Musterkreis"  # nothing saved
    assert world.organisation.ags == ""


def test_valid_ags_and_boundary_are_saved_with_bounding_box_and_audited(world):
    response = settings_post(world, ags="07133000", boundary=json.dumps(SQUARE))
    assert response.status_code == 302
    organisation = Organisation.objects.get(pk=world.organisation.pk)
    assert organisation.ags == "07133000"
    assert (organisation.bbox_min_lon, organisation.bbox_min_lat, organisation.bbox_max_lon, organisation.bbox_max_lat) == (
        7.5, 49.9, 7.7, 50.1,
    )  # fmt: skip
    entry = AuditEntry.objects.get(action="organisation.update")
    assert entry.actor == world.personas["portal_admin"]
    assert "ags" in entry.changes and "boundary" in entry.changes


@pytest.mark.parametrize(
    ("boundary", "message"),
    [
        ("{kein json", "kein gültiges GeoJSON"),
        (json.dumps({"type": "Point", "coordinates": [7.6, 49.99]}), "Erlaubt sind nur diese Geometrietypen"),
        (json.dumps(BOWTIE), "Die Geometrie ist ungültig"),
        (json.dumps({"type": "Polygon", "coordinates": [[[7.5, 49.9], [7.7]]]}), "unvollständig oder fehlerhaft"),
        (json.dumps({"type": "Polygon", "coordinates": [[[500, 0], [501, 0], [501, 1], [500, 0]]]}), "außerhalb des gültigen Bereichs"),
    ],
)  # fmt: skip
def test_invalid_geojson_is_explained(world, boundary, message):
    response = settings_post(world, boundary=boundary)
    assert response.status_code == 200
    assert message in response.content.decode()
    world.organisation.refresh_from_db()
    assert world.organisation.boundary is None


def test_reserved_slug_is_refused(world):
    with pytest.raises(ValidationError) as error:
        org_services.organisation_create(
            actor=world.personas["portal_admin"], slug="verwaltung", name="X", kind="other"
        )
    assert "reserviert" in str(error.value)
    assert not Organisation.objects.filter(slug="verwaltung").exists()


def test_organisation_without_legal_texts_cannot_publish(world):
    world.organisation.imprint = ""
    world.organisation.accessibility_statement = "  "
    world.organisation.save()
    project = world.public
    project.status, project.published_at = "draft", None
    project.save()
    response = world.client("org_admin").post(
        f"/verwaltung/{world.organisation.slug}/projekte/{project.pk}/status/", {"action": "publish"}, follow=True
    )
    html = response.content.decode()
    assert "kann nicht veröffentlicht werden" in html
    assert "Impressum" in html and "Erklärung zur Barrierefreiheit" in html
    project.refresh_from_db()
    assert project.status == "draft" and project.published_at is None
    assert not AuditEntry.objects.filter(action="project.publish").exists()


def test_a_draft_cannot_be_archived_into_public_view(world):
    world.public.status, world.public.published_at = "draft", None
    world.public.save()
    response = world.client("org_admin").post(
        f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/status/", {"action": "archive"}, follow=True
    )
    assert "Nur veröffentlichte Projekte können archiviert werden." in response.content.decode()
    world.public.refresh_from_db()
    assert world.public.status == "draft"
    assert world.client("anonymous").get(world.public.get_absolute_url()).status_code == 404


def phase_post(world, module, start, end):
    return world.client("case_worker").post(
        f"/verwaltung/{world.organisation.slug}/projekte/{module.project.pk}/module/{module.pk}/phasen/neu/",
        {"phase_type": "information", "name": "Auslegung", "start": start, "end": end},
    )


def test_phase_ending_before_it_starts_is_refused(world):
    module = ModuleFactory(project=world.public)
    response = phase_post(world, module, "2026-12-10T10:00", "2026-12-01")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Das Ende der Phase muss nach ihrem Beginn liegen." in html
    assert 'id="id_end_error"' in html
    assert not Phase.objects.filter(module=module).exists()


def test_phase_service_refuses_too(world):
    module = ModuleFactory(project=world.public)
    from datetime import datetime
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    with pytest.raises(ValidationError):
        services.phase_add(
            actor=world.personas["case_worker"], module=module, phase_type="information", name="X",
            start=datetime(2026, 12, 2, tzinfo=berlin), end=datetime(2026, 12, 1, tzinfo=berlin),
        )  # fmt: skip
    assert not Phase.objects.filter(module=module).exists()


def test_phase_times_are_entered_in_berlin_and_stored_in_utc(world):
    module = ModuleFactory(project=world.public)
    # 26 October 2026 is after the clocks went back: CET = UTC+1. 1 July 2026 is CEST = UTC+2.
    # Staff enter the last day; the phase ends with it, at 00:00 of the next day in Berlin (exclusive).
    assert phase_post(world, module, "2026-07-01T09:00", "2026-10-26").status_code == 302
    phase = Phase.objects.get(module=module)
    assert phase.start.isoformat() == "2026-07-01T07:00:00+00:00"
    assert phase.end.isoformat() == "2026-10-26T23:00:00+00:00"
    world.public.refresh_from_db()
    assert world.public.first_phase_start == phase.start or world.public.first_phase_start < phase.start


def test_a_time_that_does_not_exist_in_berlin_is_refused(world):
    module = ModuleFactory(project=world.public)
    # 29 March 2026, 02:30 does not exist: the clocks jump from 02:00 to 03:00.
    response = phase_post(world, module, "2026-03-29T02:30", "2026-04-10")
    assert response.status_code == 200
    assert "Europe/Berlin" in response.content.decode()
    assert not Phase.objects.filter(module=module).exists()


def test_project_slug_must_be_unique_within_the_organisation(world):
    response = world.client("case_worker").post(
        f"/verwaltung/{world.organisation.slug}/projekte/neu/",
        {"title": "Doppelt", "slug": world.public.slug, "summary": "x", "access": "public"},
    )
    assert response.status_code == 200
    assert "existiert bereits" in response.content.decode()
    assert Project.objects.filter(slug=world.public.slug).count() == 1


def test_project_description_is_sanitised(world):
    project = services.project_update(
        actor=world.personas["case_worker"], project=world.public,
        description='<p onclick="alert(1)">Hallo <script>alert(2)</script><a href="javascript:alert(3)">x</a></p>',
    )  # fmt: skip
    assert "script" not in project.description
    assert "onclick" not in project.description
    assert "javascript:" not in project.description
    assert "Hallo" in project.description


def test_disguised_executable_is_refused_as_attachment(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake_pdf = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    response = world.client("case_worker").post(
        f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/anhaenge/",
        {"title": "Plan", "file": fake_pdf, "action": "upload"},
    )
    assert response.status_code == 200
    assert "Dieser Dateityp ist nicht erlaubt" in response.content.decode()
    assert not world.public.attachments.exists()


def test_oversize_image_is_refused(world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MITWIRKEN_MAX_IMAGE_BYTES = 1000
    big = SimpleUploadedFile("bild.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000, content_type="image/png")
    with pytest.raises(ValidationError) as error:
        services.project_update(actor=world.personas["case_worker"], project=world.public, image=big, image_alt="Bild")
    assert "zu groß" in str(error.value)
    world.public.refresh_from_db()
    assert not world.public.image


@pytest.mark.parametrize("slug", ["maengelmelder", "veranstaltungen", "verwaltung"])
def test_an_organisation_cannot_take_a_slug_the_portal_or_a_plugin_uses(slug):
    from mitwirken.organisations.validators import validate_organisation_slug

    with pytest.raises(ValidationError) as error:
        validate_organisation_slug(slug)
    assert "reserviert" in str(error.value)
