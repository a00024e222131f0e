"""Mängelmelder journeys in headless Chromium; axe-core checks every page (see browser.py)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core import mail
from PIL import Image

from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.organisations.models import OrganisationRole
from mitwirken.reports import services
from mitwirken.reports.models import CategoryTemplate, OrganisationCategory, Place, Report, ReportStatus

from .factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

if TYPE_CHECKING:
    from .browser import Browse

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIGHT = "Die Laterne vor Hausnummer 12 ist seit einer Woche dunkel. Abends ist der Gehweg kaum zu sehen."


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


class Region:
    def __init__(self) -> None:
        self.kreis = OrganisationFactory(
            slug="musterkreis", name="Landkreis Musterkreis", boundary=box(7.40, 49.85, 7.80, 50.15)
        )
        self.vg = OrganisationFactory(slug="vg-nord", name="Verbandsgemeinde Nord", parent=self.kreis,
                                      boundary=box(7.45, 50.00, 7.75, 50.12))  # fmt: skip
        self.light = CategoryTemplate.objects.create(code="strassenbeleuchtung", name="Straßenbeleuchtung")
        OrganisationCategory.objects.create(organisation=self.vg, template=self.light)
        OrganisationCategory.objects.create(
            organisation=self.kreis, template=self.light, forward_email="kreis@example.org"
        )
        self.case_worker = self.staff(self.vg, "sachbearbeitung@vg-nord.example", OrganisationRole.STAFF)
        self.kreis_admin = self.staff(self.kreis, "admin@musterkreis.example", OrganisationRole.ADMIN)
        Place.objects.create(name="Hauptstraße", municipality="Nordheim", postal_code="55555", lon=7.61, lat=50.06)

    @staticmethod
    def staff(organisation: Any, email: str, role: str) -> Any:
        user = MembershipFactory(organisation=organisation, role=role, user__email=email).user
        TOTP.activate(user, DEMO_TOTP_SECRET)
        return user


@pytest.fixture
def region() -> Region:
    return Region()


def photo_with_gps(path: Path) -> Path:
    image = Image.new("RGB", (320, 240), (200, 180, 40))
    exif = Image.Exif()
    exif[0x010F] = "Kamerahersteller"
    exif.get_ifd(0x8825).update({1: "N", 2: (50.0, 3.0, 36.0), 3: "E", 4: (7.0, 36.0, 36.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    path.write_bytes(buffer.getvalue())
    return path


def link_in(message: Any) -> str:
    """The path of the first link in an e-mail (SITE_URL differs from the live server's address)."""
    match = re.search(r"https?://\S+", message.body)
    assert match, message.body
    return urlsplit(match.group(0)).path


def test_anonymous_citizen_reports_with_photo_on_the_map_and_confirms_by_email(
    new_tab: Any, region: Region, tmp_path: Path
) -> None:
    tab: Browse = new_tab(phone=True)
    page = tab.page
    tab.open("/maengelmelder/")
    tab.click(page.get_by_role("link", name="Mangel melden"))
    page.get_by_label("Was ist das Problem?").select_option(label="Straßenbeleuchtung")
    map_box = page.locator("[data-map-pick]").bounding_box()
    assert map_box is not None
    # The map fits the outlines (the Landkreis); a click in the upper half lands inside the Verbandsgemeinde.
    page.locator("[data-map-pick]").click(position={"x": map_box["width"] / 2, "y": map_box["height"] * 0.3})
    assert page.get_by_label("Breite (z. B. 50.05)").input_value() != ""
    tab.click(page.get_by_role("button", name="Weiter"))

    assert page.get_by_text("Ihre Meldung geht an: Verbandsgemeinde Nord").is_visible()
    page.get_by_label("Beschreibung").fill(LIGHT)
    page.get_by_label("Fotos (höchstens 5)").set_input_files(photo_with_gps(tmp_path / "laterne.jpg"))
    page.get_by_label("Ihre E-Mail-Adresse").fill("anwohnerin@example.org")
    tab.click(page.get_by_role("button", name="Meldung absenden"))

    assert page.get_by_role("heading", level=1).inner_text().startswith("Fast geschafft")
    report = Report.objects.get()
    assert report.status == ReportStatus.UNCONFIRMED and report.organisation == region.vg
    assert tab.open(f"/maengelmelder/{report.pk}/", status=404)  # not public before confirmation
    confirmation = next(m for m in mail.outbox if m.to == ["anwohnerin@example.org"])
    tab.open(link_in(confirmation))
    tab.click(page.get_by_role("button", name="Meldung jetzt absenden"))

    assert tab.path == f"/maengelmelder/{report.pk}/"
    assert page.get_by_text("offen", exact=True).first.is_visible()
    assert "anwohnerin@example.org" not in page.content()
    stored = report.photos.get().image.read()
    assert b"Exif" not in stored and not Image.open(io.BytesIO(stored)).getexif()
    assert page.get_by_role("img", name="Foto 1 zur Meldung").is_visible()
    assert any("ist eingegangen" in m.subject for m in mail.outbox if m.to == ["anwohnerin@example.org"])


def test_the_same_report_without_the_map_by_keyboard_only(tab: Browse, region: Region) -> None:
    page = tab.page
    tab.open("/maengelmelder/melden/")
    # A keyboard user skips the map with the first link and types the place.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_category":
            break
    page.keyboard.type("Straßenb")  # a closed select picks the option by its first letters
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip().startswith("Karte überspringen")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "location-fields"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_address"
    page.keyboard.type("Hauptstraße Nordheim")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab.arrived()
    assert page.get_by_text("Ihre Meldung geht an: Verbandsgemeinde Nord").is_visible()

    page.get_by_label("Beschreibung").focus()
    page.keyboard.type(LIGHT)
    page.get_by_label("Ihre E-Mail-Adresse").focus()
    page.keyboard.type("tastatur@example.org")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab.arrived()
    report = Report.objects.get()
    assert (report.lon, report.lat) == (7.61, 50.06) and report.address == "Hauptstraße Nordheim"


def test_outside_every_area_gets_a_clear_message(tab: Browse, region: Region) -> None:
    page = tab.page
    tab.open("/maengelmelder/melden/")
    page.get_by_label("Was ist das Problem?").select_option(label="Straßenbeleuchtung")
    page.get_by_label("Breite (z. B. 50.05)").fill("52.52")
    page.get_by_label("Länge (z. B. 7.60)").fill("13.40")
    tab.click(page.get_by_role("button", name="Weiter"))
    assert page.get_by_role("alert").filter(has_text="keine Verwaltung im Portal zuständig").is_visible()
    assert Report.objects.count() == 0


def test_case_worker_changes_status_with_a_message_and_the_reporter_is_emailed(tab: Browse, region: Region) -> None:
    citizen = UserFactory(email="buerger@example.org")
    report = services.report_create(category=region.light, lon=7.6, lat=50.05, description=LIGHT, user=citizen)
    mail.outbox.clear()
    page = tab.page
    tab.log_in(region.case_worker.email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    tab.open("/verwaltung/vg-nord/meldungen/")
    tab.click(page.get_by_role("link", name=f"#{report.pk}"))
    page.get_by_label("Neuer Status").select_option(label="in Bearbeitung")
    page.get_by_label("Öffentliche Nachricht", exact=False).first.fill("Der Bauhof tauscht die Lampe am Donnerstag.")
    tab.click(page.get_by_role("button", name="Status speichern und informieren"))
    assert (
        page.get_by_role("status").filter(has_text="Der Status ist geändert").is_visible()
        or page.get_by_text("Der Status ist geändert").is_visible()
    )

    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS
    sent = [m for m in mail.outbox if m.to == [citizen.email]]
    assert sent and "Der Bauhof tauscht die Lampe am Donnerstag." in sent[0].body
    tab.open(f"/maengelmelder/{report.pk}/")
    history = page.locator(".report-history").inner_text()
    assert "in Bearbeitung" in history and "Der Bauhof tauscht die Lampe" in history
    assert "sachbearbeitung@vg-nord.example" not in page.content()  # staff names stay internal


def test_forwarding_to_another_body(new_tab: Any, region: Region) -> None:
    report = services.report_create(category=region.light, lon=7.6, lat=50.05, description=LIGHT,
                                    user=UserFactory(email="b2@example.org"))  # fmt: skip
    assert report.organisation == region.vg
    worker = new_tab()
    worker.log_in(region.case_worker.email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    worker.open(f"/verwaltung/vg-nord/meldungen/{report.pk}/")
    page = worker.page
    page.get_by_label("Zuständige Stelle").select_option(label="Landkreis Musterkreis")
    page.locator("#id_forward-message").fill("Kreisstraße – zuständig ist der Landkreis.")
    worker.click(page.get_by_role("button", name="Weiterleiten"))
    assert worker.path == "/verwaltung/vg-nord/meldungen/"
    assert page.get_by_role("link", name=f"#{report.pk}").count() == 0

    admin = new_tab()
    admin.log_in(region.kreis_admin.email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    admin.open("/verwaltung/musterkreis/meldungen/")
    admin.click(admin.page.get_by_role("link", name=f"#{report.pk}"))
    assert "nicht zuständig" in admin.page.locator(".report-history").inner_text()
    assert any(m.to == ["kreis@example.org"] for m in mail.outbox)
