"""The certificate journey in headless Chromium, axe-checked on every page: a coordinator confirms attendance of
a past shift, issues an Ehrenamtsnachweis from the person's totals, the volunteer downloads the PDF on a phone and
checks its code on the public verification page, typed without dashes in small letters."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.volunteering.models import (
    Application,
    ApplicationStatus,
    CardApplication,
    CardStatus,
    Certificate,
    HoursEntry,
    HoursStatus,
    ShiftSignup,
    SignupStatus,
)

from .factories import PASSWORD
from .volunteering_fixtures import make_shift, volunteering_world

if TYPE_CHECKING:
    from .conftest import World

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_attendance_certificate_download_and_verification(new_tab: Any, world: World) -> None:
    vw = volunteering_world(world)
    vw.volunteer.real_name = "Erika Mustermann"
    vw.volunteer.save()
    shift = make_shift(vw.opportunity, days=-1, hours=3, max_helpers=2)  # in the past, straight into the database
    shift.taken = 1
    shift.save()
    signup = ShiftSignup.objects.create(shift=shift, volunteer=vw.volunteer, status=SignupStatus.CONFIRMED)
    vw.opportunity.police_certificate = True
    vw.opportunity.save()
    application = Application.objects.create(opportunity=vw.opportunity, volunteer=vw.volunteer,
                                             status=ApplicationStatus.ACCEPTED)  # fmt: skip

    coordinator = new_tab()
    coordinator.log_in(vw.coordinator.email, PASSWORD)
    coordinator.open(f"/ehrenamt/verein/{vw.club.slug}/schichten/{shift.pk}/anwesenheit/")
    page = coordinator.page
    page.get_by_role("group", name=str(vw.volunteer)).get_by_label("Anwesend").check()
    coordinator.click(page.get_by_role("button", name="Anwesenheit speichern"))
    assert page.get_by_text("Die Anwesenheit ist gespeichert").is_visible()
    entry = HoursEntry.objects.get(signup=signup)
    assert (entry.status, entry.hours) == (HoursStatus.CONFIRMED, 3)

    # The § 72a record for the accepted application: dates and the answer, nothing to upload.
    coordinator.open(f"/ehrenamt/verein/{vw.club.slug}/bewerbungen/{application.pk}/fuehrungszeugnis/")
    assert page.locator("input[type=file]").count() == 0
    page.get_by_label("Ausstellungsdatum des Führungszeugnisses").fill("2026-01-10")
    page.get_by_label("Eingesehen am").fill("2026-01-20")
    page.get_by_role("group", name=re.compile("einschlägige Eintragung")).get_by_label("Nein").check()
    coordinator.click(page.get_by_role("button", name="Einsicht erfassen"))
    assert page.get_by_text("Die Einsicht ist erfasst.").is_visible()

    coordinator.click(page.get_by_role("link", name="Stunden", exact=True))
    coordinator.click(page.get_by_role("link", name=re.compile(r"^Nachweis ausstellen ?: Erika Mustermann$")))
    assert page.get_by_label("Name der engagierten Person").input_value() == "Erika Mustermann"
    assert "Trainer für die Bambini" in page.get_by_label("Art der Tätigkeit").input_value()
    page.get_by_label("Erworbene Kompetenzen").fill("Verantwortung für eine Gruppe von Kindern")
    coordinator.click(page.get_by_role("button", name="Unterzeichnen"))
    certificate = Certificate.objects.get()
    assert page.get_by_text(f"Der Nachweis ist unterzeichnet. Prüfcode: {certificate.printed_code}").is_visible()
    assert certificate.hours == 3

    volunteer = new_tab(phone=True)
    volunteer.log_in(vw.volunteer.email, PASSWORD)
    volunteer.open("/ehrenamt/nachweise/")
    phone = volunteer.page
    assert phone.get_by_text(certificate.printed_code).is_visible()
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name=re.compile(r"^Nachweis herunterladen \(PDF\)")).click()
    download = download_info.value
    assert download.suggested_filename == f"ehrenamtsnachweis-{certificate.printed_code}.pdf"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF")
    assert f"Ehrenamtsnachweis {certificate.printed_code}".encode() in content

    volunteer.open("/ehrenamt/stunden/")
    assert phone.get_by_text("eingesehen am 20.01.2026, ausgestellt am 10.01.2026", exact=False).is_visible()

    volunteer.open("/ehrenamt/nachweis-pruefen/")
    phone.get_by_label("Prüfcode").fill(certificate.code.lower())
    volunteer.click(phone.get_by_role("button", name="Prüfen"))
    assert phone.get_by_text("Gültiger Ehrenamtsnachweis").is_visible()
    assert phone.get_by_text("Erika Mustermann").is_visible()
    assert phone.get_by_text(vw.club.name).first.is_visible()


def test_own_hours_on_a_phone_the_card_application_and_the_boerses_pages(new_tab: Any, world: World) -> None:
    """A volunteer near the threshold adds hours on a phone, the coordinator confirms them, the card application
    goes to the Börse, whose staff approve it and look at the statistics (every page axe-checked)."""
    vw = volunteering_world(world)
    Application.objects.create(opportunity=vw.opportunity, volunteer=vw.volunteer, status=ApplicationStatus.ACCEPTED)
    today = timezone.localdate()
    HoursEntry.objects.create(volunteer=vw.volunteer, organisation=vw.club, day=today - timedelta(days=400),
                              hours=Decimal(250), status=HoursStatus.CONFIRMED)  # fmt: skip
    HoursEntry.objects.create(volunteer=vw.volunteer, organisation=vw.club, day=today - timedelta(days=10),
                              hours=Decimal(246), status=HoursStatus.CONFIRMED)  # fmt: skip

    volunteer = new_tab(phone=True)
    volunteer.log_in(vw.volunteer.email, PASSWORD)
    volunteer.open("/ehrenamt/stunden/")
    phone = volunteer.page
    from mitwirken.volunteering.recognitions import years_before

    year_start = years_before(today, 1) + timedelta(days=1)
    assert phone.get_by_text(
        f"Im Jahr vom {year_start:%d.%m.%Y} bis {today:%d.%m.%Y} fehlen noch 4 Stunden."
    ).is_visible()
    phone.get_by_label("Organisation", exact=True).select_option(label=vw.club.name)
    phone.get_by_label("Tag", exact=True).fill((today + timedelta(days=1)).isoformat())
    phone.get_by_label("Stunden", exact=True).fill("4")
    phone.get_by_label("Tätigkeit").fill("Turnier aufgebaut")
    volunteer.click(phone.get_by_role("button", name="Stunden eintragen"))
    assert phone.get_by_role("link", name=re.compile("Tag: Stunden in der Zukunft")).is_visible()
    phone.get_by_label("Tag", exact=True).fill(today.isoformat())
    volunteer.click(phone.get_by_role("button", name="Stunden eintragen"))
    assert phone.get_by_text("Wartet auf Bestätigung").is_visible()

    coordinator = new_tab()
    coordinator.log_in(vw.coordinator.email, PASSWORD)
    coordinator.open(f"/ehrenamt/verein/{vw.club.slug}/stunden/")
    coordinator.click(coordinator.page.get_by_role("button", name=re.compile(r"^Bestätigen")))

    volunteer.open("/ehrenamt/stunden/")
    assert phone.get_by_text("Sie erfüllen die Voraussetzungen für „Ehrenamtskarte Rheinland-Pfalz“.").is_visible()
    volunteer.click(phone.get_by_role("button", name="Antrag vorbereiten: Ehrenamtskarte Rheinland-Pfalz"))
    assert phone.get_by_text("Ihr Antrag ist vorbereitet.").is_visible()

    coordinator.open(f"/ehrenamt/verein/{vw.club.slug}/ehrenamtskarte/")
    coordinator.click(coordinator.page.get_by_role("button", name=re.compile(r"^Stunden bestätigen")))

    staff = new_tab()
    staff.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    staff.open(f"/verwaltung/{world.organisation.slug}/ehrenamt/ehrenamtskarte/")
    staff.click(staff.page.get_by_role("button", name=re.compile(r"^Bestätigen")))
    assert staff.page.get_by_text("Der Antrag ist bestätigt.").is_visible()
    assert CardApplication.objects.get().status == CardStatus.APPROVED
    staff.open(f"/verwaltung/{world.organisation.slug}/ehrenamt/statistik/")
    assert staff.page.get_by_role("heading", name="Bestätigte Stunden nach Jahr").is_visible()
