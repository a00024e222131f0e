"""The certificate journey in headless Chromium, axe-checked on every page: a coordinator confirms attendance of
a past shift, issues an Ehrenamtsnachweis from the person's totals, the volunteer downloads the PDF on a phone and
checks its code on the public verification page, typed without dashes in small letters."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mitwirken.volunteering.models import Certificate, HoursEntry, HoursStatus, ShiftSignup, SignupStatus

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

    coordinator = new_tab()
    coordinator.log_in(vw.coordinator.email, PASSWORD)
    coordinator.open(f"/ehrenamt/verein/{vw.club.slug}/schichten/{shift.pk}/anwesenheit/")
    page = coordinator.page
    page.get_by_role("group", name=str(vw.volunteer)).get_by_label("Anwesend").check()
    coordinator.click(page.get_by_role("button", name="Anwesenheit speichern"))
    assert page.get_by_text("Die Anwesenheit ist gespeichert").is_visible()
    entry = HoursEntry.objects.get(signup=signup)
    assert (entry.status, entry.hours) == (HoursStatus.CONFIRMED, 3)

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

    volunteer.open("/ehrenamt/nachweis-pruefen/")
    phone.get_by_label("Prüfcode").fill(certificate.code.lower())
    volunteer.click(phone.get_by_role("button", name="Prüfen"))
    assert phone.get_by_text("Gültiger Ehrenamtsnachweis").is_visible()
    assert phone.get_by_text("Erika Mustermann").is_visible()
    assert phone.get_by_text(vw.club.name).first.is_visible()
