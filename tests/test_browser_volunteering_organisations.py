"""A Verein's journey in headless Chromium: it registers (the Ehrenamtsbörse is found from its postcode), writes
an opportunity and publishes it (it waits for the verification), the Verbandsgemeinde's staff (with a second
factor) verify the Verein, which publishes the opportunity, and the coordinator plans a weekly shift series on a
phone. Every page is checked with axe-core (see ``browser.py``)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.reports.models import Place
from mitwirken.volunteering.models import (
    EngagementOrganisation,
    Exchange,
    Opportunity,
    OpportunityStatus,
    ShiftSeries,
    VerificationStatus,
)

from .browser import Browse
from .factories import PASSWORD, UserFactory
from .test_browser_surveys import fits_the_screen
from .test_volunteering_organisations import square
from .volunteering_fixtures import HOME

if TYPE_CHECKING:
    from .conftest import World

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def field(tab: Browse, label: str, scope: Any = None) -> Any:
    """A form field by its label, which says "– optional" after the name of optional fields."""
    return (scope or tab.page).get_by_label(re.compile(f"^{re.escape(label)}( – optional)?$"))


def saturday_after(days: int) -> Any:
    day = timezone.localdate() + timedelta(days=days)
    return day + timedelta(days=(5 - day.weekday()) % 7)


def test_a_verein_registers_is_verified_and_publishes_an_opportunity_with_a_shift_series(
    world: World, new_tab: Any
) -> None:
    world.organisation.name = "Verbandsgemeinde Beispielland"
    world.organisation.boundary = square(*HOME)
    world.organisation.save()
    Exchange.objects.create(organisation=world.organisation, contact_email="ehrenamt@vg.example")
    Exchange.objects.create(organisation=world.other_organisation)
    Place.objects.create(name="Hauptstraße", municipality="Beispielhausen", postal_code="56789", lat=HOME[0],
                         lon=HOME[1])  # fmt: skip
    treasurer = UserFactory(email="kassenwart@tafel.example", display_name="Gisela Grün")

    # The Verein registers.
    club = new_tab()
    club.log_in(treasurer.email, PASSWORD)
    club.open("/ehrenamt/mitmachen/")
    page = club.page
    field(club, "Name").fill("Tafel Beispielhausen")
    field(club, "Rechtsform").select_option(label="Eingetragener Verein (e. V.)")
    page.get_by_label("Soziales", exact=True).check()
    field(club, "Beschreibung").fill("Wir retten Lebensmittel und geben sie an Bedürftige weiter.")
    field(club, "Straße und Hausnummer").fill("Marktplatz 3")
    field(club, "Postleitzahl").fill("56789")
    field(club, "Ort").fill("Beispielhausen")
    field(club, "Ansprechperson").fill("Gisela Grün")
    field(club, "E-Mail der Ansprechperson").fill("tafel@example.org")
    page.get_by_label("Ich bin berechtigt, die Organisation hier zu vertreten.").check()
    club.click(page.get_by_role("button", name="Registrieren"))
    organisation = EngagementOrganisation.objects.get(name="Tafel Beispielhausen")
    assert organisation.exchange.organisation == world.organisation
    assert page.get_by_text("Ihre Organisation wird geprüft").is_visible()

    # It writes an opportunity and publishes it: it waits for the verification.
    club.click(page.get_by_role("link", name="Neues Angebot").first)
    field(club, "Titel").fill("Lebensmittel sortieren")
    field(club, "Beschreibung").fill("Jeden Samstag sortieren wir die gespendeten Lebensmittel.")
    field(club, "Bereich").select_option(label="Soziales")
    field(club, "Ort der Tätigkeit").fill("Ausgabestelle")
    field(club, "Postleitzahl").fill("56789")
    field(club, "Ort").fill("Beispielhausen")
    page.get_by_label("Regelmäßig").check()
    field(club, "Stunden pro Woche").fill("3")
    club.click(page.get_by_role("button", name="Speichern"))
    club.click(page.get_by_role("button", name="Veröffentlichen"))
    assert page.get_by_text("wartet nun auf die Prüfung Ihrer Organisation").is_visible()
    opportunity = Opportunity.objects.get(title="Lebensmittel sortieren")
    assert opportunity.status == OpportunityStatus.REVIEW

    # The Verbandsgemeinde's staff verify the Verein from their work overview's queue.
    staff = new_tab()
    staff.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    staff.open(f"/verwaltung/{world.organisation.slug}/ehrenamt/")
    staff.click(staff.page.get_by_role("link", name="Zur Prüfung"))
    staff.click(staff.page.get_by_role("link", name="Tafel Beispielhausen"))
    staff.click(staff.page.get_by_role("button", name="Organisation bestätigen"))
    assert staff.page.get_by_text("ist bestätigt; 1 Angebote wurden veröffentlicht").is_visible()
    organisation.refresh_from_db()
    opportunity.refresh_from_db()
    assert organisation.status == VerificationStatus.VERIFIED
    assert opportunity.status == OpportunityStatus.PUBLISHED

    # The coordinator plans a weekly series on a phone.
    phone = new_tab(phone=True)
    phone.log_in(treasurer.email, PASSWORD)
    phone.open(f"/ehrenamt/verein/{organisation.slug}/angebote/{opportunity.pk}/schichten-planen/")
    fits_the_screen(phone)
    series_form = phone.page.locator("form:has(input[name=form][value=series])")
    first = saturday_after(3)
    field(phone, "Erster Tag", series_form).fill(first.isoformat())
    field(phone, "Letzter Tag", series_form).fill((first + timedelta(days=35)).isoformat())
    series_form.get_by_label("Samstag").check()
    field(phone, "Beginn (Uhrzeit)", series_form).fill("10:00")
    field(phone, "Ende (Uhrzeit)", series_form).fill("13:00")
    field(phone, "Treffpunkt", series_form).fill("Ausgabestelle, Hintereingang")
    field(phone, "Höchstens (Plätze)", series_form).fill("4")
    phone.click(series_form.get_by_role("button", name="Reihe anlegen"))
    assert phone.page.get_by_text("wöchentlich samstags 10:00–13:00, 6 Termine").first.is_visible()
    fits_the_screen(phone)
    series = ShiftSeries.objects.get(opportunity=opportunity)
    assert series.shifts.count() == 6


def test_the_other_coordinator_and_boerse_pages_pass_axe(world: World, new_tab: Any) -> None:
    from mitwirken.volunteering.services import organisations as service

    from .volunteering_fixtures import make_engagement_organisation, volunteering_world

    vw = volunteering_world(world)
    make_engagement_organisation(vw.exchange, "Neue Initiative", status=VerificationStatus.PENDING)
    invitation = service.invite_coordinator(actor=vw.coordinator, organisation=vw.club, email="neu@example.org")
    club = f"/ehrenamt/verein/{vw.club.slug}/"
    coordinator = new_tab()
    coordinator.log_in(vw.coordinator.email, PASSWORD)
    for path in ("", "angebote/", "angebote/neu/", f"angebote/{vw.opportunity.pk}/bearbeiten/", "organisation/",
                 "koordination/", f"angebote/{vw.opportunity.pk}/schichten-planen/{vw.shift.pk}/"):  # fmt: skip
        coordinator.open(club + path)
    # Error summaries: a shift ending before it starts, the last coordinator leaving.
    coordinator.open(club + f"angebote/{vw.opportunity.pk}/schichten-planen/{vw.shift.pk}/")
    field(coordinator, "Beginn (Uhrzeit)").fill("10:00")
    field(coordinator, "Ende (Uhrzeit)").fill("09:30")
    coordinator.click(coordinator.page.get_by_role("button", name="Speichern"))
    assert coordinator.page.get_by_role("alert").filter(has_text="Das Ende der Schicht muss nach ihrem Beginn").count()
    coordinator.open(club + "koordination/")
    coordinator.click(coordinator.page.get_by_role("button", name="Koordination verlassen"))
    assert coordinator.page.get_by_text("Die letzte Person in der Koordination").is_visible()
    coordinator.open(f"/ehrenamt/einladung/{invitation.token}/")  # the wrong account
    assert coordinator.page.get_by_text("Diese Einladung ging an neu@example.org").is_visible()
    coordinator.open("/ehrenamt/mitmachen/")
    coordinator.click(coordinator.page.get_by_role("button", name="Registrieren"))
    assert coordinator.page.get_by_text("Bitte korrigieren Sie die markierten Angaben.").is_visible()

    staff = new_tab(phone=True)
    staff.log_in(world.personas["org_admin"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    base = f"/verwaltung/{world.organisation.slug}/ehrenamt/"
    for path in ("", "pruefung/", "organisationen/", f"organisationen/{vw.club.pk}/", "eigene-einrichtung/"):
        staff.open(base + path)
        fits_the_screen(staff)
