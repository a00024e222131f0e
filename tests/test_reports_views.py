"""The public pages of the Mängelmelder: bad input gets a German message at the field, nothing is half-saved."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from mitwirken.reports import alerts, services
from mitwirken.reports.models import AreaAlert, CategoryTemplate, OrganisationCategory, Report, ReportPhoto

from .dialogue_helpers import post_with_proof_of_work
from .factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

DETAILS = "/maengelmelder/melden/angaben/?lon=7.6&lat=50.05&category=strassenbeleuchtung"


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


@pytest.fixture
def light() -> CategoryTemplate:
    organisation = OrganisationFactory(
        slug="vg-nord", name="Verbandsgemeinde Nord", boundary=box(7.45, 50.0, 7.75, 50.12)
    )
    category = CategoryTemplate.objects.create(code="strassenbeleuchtung", name="Straßenbeleuchtung")
    OrganisationCategory.objects.create(organisation=organisation, template=category)
    return category


def jpeg(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def field_errors(response: Any, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def test_step_one_without_category_or_place_names_both_fields(client: Any, light: Any) -> None:
    response = client.post("/maengelmelder/melden/", {"category": "", "address": "", "lat": "", "lon": ""})
    assert response.status_code == 200
    assert field_errors(response, "category") == ["Bitte wählen Sie eine Kategorie."]
    assert "Bitte korrigieren Sie die markierten Angaben." in response.content.decode()


def test_step_one_outside_every_area_says_so(client: Any, light: Any) -> None:
    response = client.post("/maengelmelder/melden/", {"category": light.pk, "lat": "52.52", "lon": "13.40"})
    assert any("keine Verwaltung im Portal zuständig" in error for error in field_errors(response, "lat"))


def test_step_one_unknown_address_and_success_by_address(client: Any, light: Any) -> None:
    from mitwirken.reports.models import Place

    response = client.post("/maengelmelder/melden/", {"category": light.pk, "address": "Nirgendwo 1"})
    assert "Diese Adresse ist uns nicht bekannt" in field_errors(response, "address")[0]
    Place.objects.create(name="Hauptstraße", municipality="Nordheim", postal_code="55555", lon=7.61, lat=50.06)
    response = client.post("/maengelmelder/melden/", {"category": light.pk, "address": "hauptstr nordheim"})
    assert response.status_code == 302 and "lon=7.610000" in response["Location"]


def test_step_one_takes_the_location_from_a_photo(client: Any, light: Any) -> None:
    image = Image.new("RGB", (40, 30))
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (50.0, 3.0, 0.0), 3: "E", 4: (7.0, 36.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    upload = SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")
    response = client.post("/maengelmelder/melden/", {"category": light.pk, "location_photo": upload})
    assert (
        response.status_code == 302
        and "lat=50.050000" in response["Location"]
        and "lon=7.600000" in response["Location"]
    )
    no_gps = SimpleUploadedFile("ohne.jpg", jpeg(), content_type="image/jpeg")
    response = client.post("/maengelmelder/melden/", {"category": light.pk, "location_photo": no_gps})
    assert "enthält keine Ortsangabe" in field_errors(response, "location_photo")[0]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"report-description": "x" * 4001}, "description", "höchstens 4000 Zeichen"),
        ({"report-description": ""}, "description", "Bitte beschreiben Sie das Problem."),
        ({"report-email": ""}, "email", "Ohne Konto brauchen wir Ihre E-Mail-Adresse"),
    ],
)
def test_step_two_bad_input(client: Any, light: Any, data: dict[str, str], field: str, message: str) -> None:
    payload = {"report-description": "Laterne dunkel", "report-email": "a@example.org", **data}
    response = client.post(DETAILS, payload)
    assert response.status_code == 200
    assert any(message in error for error in field_errors(response, field)), response.context["form"].errors
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("foto.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg"), "kein lesbares Bild"),
        (SimpleUploadedFile("riesig.jpg", jpeg(), content_type="image/jpeg"), "zu groß"),
    ],
)
def test_disguised_or_oversize_photo_saves_nothing(
    client: Any, light: Any, upload: Any, message: str, settings: Any
) -> None:
    settings.MITWIRKEN_MAX_IMAGE_BYTES = 200 if upload.name == "riesig.jpg" else settings.MITWIRKEN_MAX_IMAGE_BYTES
    good = SimpleUploadedFile("gut.jpg", jpeg(), content_type="image/jpeg")
    response = post_with_proof_of_work(client, DETAILS, {"report-description": "Laterne dunkel",
                                       "report-email": "a@example.org", "report-photos": [good, upload]},
                                       field="report-altcha")  # fmt: skip
    assert response.status_code == 200
    assert any(message in error for error in field_errors(response, "photos")), response.context["form"].errors
    assert Report.objects.count() == 0 and ReportPhoto.objects.count() == 0


def test_anonymous_report_is_confirmed_by_link_and_keeps_personal_data_off_public_pages(
    client: Any, light: Any
) -> None:
    response = post_with_proof_of_work(client, DETAILS, {"report-description": "Laterne dunkel",
                                       "report-email": "geheim@example.org", "report-name": "Erika Geheim"},
                                       field="report-altcha")  # fmt: skip
    assert response["Location"] == "/maengelmelder/melden/gesendet/"
    report = Report.objects.get()
    assert client.get(f"/maengelmelder/{report.pk}/").status_code == 404
    confirm = f"/maengelmelder/bestaetigen/{report.confirm_token}/"
    assert client.get(confirm).status_code == 200
    report.refresh_from_db()
    assert report.status == "unconfirmed"  # a GET (mail scanner) confirms nothing
    assert client.post(confirm)["Location"] == f"/maengelmelder/{report.pk}/"
    for path in (f"/maengelmelder/{report.pk}/", "/maengelmelder/liste/", "/maengelmelder/"):
        page = client.get(path).content.decode()
        assert "geheim@example.org" not in page and "Erika Geheim" not in page, path


def test_published_name_only_with_consent(client: Any, light: Any) -> None:
    user = UserFactory()
    client.force_login(user)
    client.post(
        DETAILS, {"report-description": "Laterne dunkel", "report-name": "Max Offen", "report-publish_name": "on"}
    )
    report = Report.objects.get()
    assert "Max Offen" in client.get(f"/maengelmelder/{report.pk}/").content.decode()


def test_map_data_rejects_a_bad_box_with_a_message(client: Any) -> None:
    response = client.get("/maengelmelder/karte.json?bbox=1,2,3&zoom=4")
    assert response.status_code == 400 and "bbox" in response.json()["error"]
    assert client.get("/maengelmelder/karte.json?bbox=8,50,7,51&zoom=4").status_code == 400


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_map_data_clusters_at_low_zoom_and_shows_singles_at_high_zoom(client: Any, light: Any) -> None:
    user = UserFactory()
    for offset in range(5):
        services.report_create(category=light, lon=7.6 + offset * 0.0001, lat=50.05, description="Laterne", user=user)
    services.report_create(category=light, lon=7.7, lat=50.1, description="Andere", user=user)
    low = client.get("/maengelmelder/karte.json?bbox=7.4,49.9,7.8,50.2&zoom=9").json()
    assert sorted(cluster["count"] for cluster in low["clusters"]) in ([6], [1, 5])
    high = client.get("/maengelmelder/karte.json?bbox=7.599,50.049,7.601,50.051&zoom=19").json()
    assert all(cluster["count"] == 1 and cluster["category"] == "Straßenbeleuchtung" for cluster in high["clusters"])
    assert sum(cluster["count"] for cluster in high["clusters"]) == 5


def test_alert_unsubscribe_is_one_click_and_can_be_undone(client: Any, light: Any) -> None:
    alert = alerts.alert_subscribe(email="nachbar@example.org", frequency="immediate", lon=7.6, lat=50.05, radius_m=500)
    assert client.post(f"/maengelmelder/benachrichtigung/{alert.token}/bestaetigen/").status_code == 200
    alert.refresh_from_db()
    assert alert.confirmed_at is not None and alert.active
    response = client.get(f"/maengelmelder/benachrichtigung/{alert.token}/abmelden/")
    assert response.status_code == 200 and not AreaAlert.objects.get().active
    client.post(f"/maengelmelder/benachrichtigung/{alert.token}/abmelden/", {"action": "resubscribe"})
    assert AreaAlert.objects.get().active
    # RFC 8058: the mail client's POST without a CSRF token unsubscribes too.
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/maengelmelder/benachrichtigung/{alert.token}/abmelden/",
                       {"List-Unsubscribe": "One-Click"}).status_code == 200  # fmt: skip
    assert not AreaAlert.objects.get().active


def test_alert_form_needs_a_place_for_a_radius(client: Any, light: Any) -> None:
    response = client.post("/maengelmelder/benachrichtigung/", {"email": "a@example.org", "area": "radius",
                                                                 "frequency": "daily", "radius_m": "500"})  # fmt: skip
    assert "Bitte füllen Sie dieses Feld für den Umkreis aus." in response.context["form"].errors["lat"]
    assert AreaAlert.objects.count() == 0 and not mail.outbox


def test_photos_are_served_only_while_the_report_and_photo_are_public(client: Any, light: Any) -> None:
    user = UserFactory()
    report = services.report_create(category=light, lon=7.6, lat=50.05, description="Laterne", user=user,
                                    photos=[SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg")])  # fmt: skip
    photo = report.photos.get()
    url = photo.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    ReportPhoto.objects.filter(pk=photo.pk).update(hidden=True, hidden_reason="Gesicht erkennbar")
    assert client.get(url).status_code == 404
    Report.objects.filter(pk=report.pk).update(status="unconfirmed")
    ReportPhoto.objects.filter(pk=photo.pk).update(hidden=False)
    assert client.get(url).status_code == 404


def test_a_flood_of_reports_from_one_address_is_stopped_with_a_message(
    client: Any, light: Any, clock_stands_still: None
) -> None:
    # different addresses: the limit per target address is tested in test_mail_flooding.py
    payload = {"report-description": "Laterne dunkel"}
    for number in range(20):
        response = post_with_proof_of_work(client, DETAILS, {**payload, "report-email": f"a{number}@example.org"},
                                           field="report-altcha")  # fmt: skip
        assert response.status_code == 302
    response = post_with_proof_of_work(client, DETAILS, {**payload, "report-email": "b@example.org"},
                                       field="report-altcha")  # fmt: skip
    assert response.status_code == 200
    assert "sehr viele Meldungen" in " ".join(response.context["form"].non_field_errors())
    assert Report.objects.count() == 20


def test_import_places_fills_the_address_search_and_skips_bad_rows(tmp_path: Any, client: Any, light: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    from mitwirken.reports.models import Place

    source = tmp_path / "orte.csv"
    source.write_text("name;municipality;postal_code;lon;lat\nLindenweg;Nordheim;55555;7,62;50,07\nOhne Ort;Nordheim;;x;y\n",
                      encoding="utf-8")  # fmt: skip
    errors = StringIO()
    call_command("import_places", str(source), stdout=StringIO(), stderr=errors)
    assert list(Place.objects.values_list("name", "lon", "lat")) == [("Lindenweg", 7.62, 50.07)]
    assert "Zeile 3" in errors.getvalue()
    response = client.post("/maengelmelder/melden/", {"category": light.pk, "address": "lindenweg nordheim"})
    assert response.status_code == 302 and "lat=50.070000" in response["Location"]


def test_org_admin_edits_extra_questions_which_the_form_then_asks(world: Any, client: Any) -> None:
    from .conftest import login

    organisation = world.organisation
    organisation.boundary = box(7.45, 50.0, 7.75, 50.12)
    organisation.save()
    category = CategoryTemplate.objects.create(code="strassenbeleuchtung", name="Straßenbeleuchtung")
    handler = OrganisationCategory.objects.create(organisation=organisation, template=category)
    admin = world.client("org_admin")
    url = f"/verwaltung/{organisation.slug}/meldungen/kategorien/"
    admin.post(url, {"action": "questions", "handler": handler.pk,
                     "questions": "Wie viele Laternen? | Pflicht | eine, mehrere\nMastnummer | optional"})  # fmt: skip
    handler.refresh_from_db()
    assert [(q["label"], q["required"], [v["name"] for v in q["values"]]) for q in handler.questions] == [
        ("Wie viele Laternen?", True, ["eine", "mehrere"]),
        ("Mastnummer", False, []),
    ]
    assert "Wie viele Laternen? | Pflicht | eine, mehrere" in admin.get(url).content.decode()
    assert world.client("case_worker").post(url, {"action": "questions", "handler": handler.pk,
                                                   "questions": ""}).status_code == 404  # fmt: skip
    login(client, UserFactory())
    code = handler.questions[0]["code"]
    response = client.post(DETAILS, {"report-description": "Dunkel"})
    assert response.context["form"].errors[f"attribute_{code}"]  # the required question, next to its field
    response = client.post(DETAILS, {"report-description": "Dunkel", f"report-attribute_{code}": "mehrere"})
    assert response.status_code == 302 and Report.objects.get().attributes == {code: "mehrere"}
