"""Shift journeys in headless Chromium: a volunteer with an accepted application signs up for a shift on a phone
by keyboard alone, finds it under "Meine Schichten" and downloads its calendar file; a coordinator on a phone
sees the under-staffed shift, adds a helper by keyboard and writes to all helpers.

Every page reached is checked with axe-core and saved as a screenshot (see ``browser.py``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.core import mail
from django.utils import timezone

from mitwirken.volunteering.models import Application, ApplicationStatus, ShiftSignup, SignupStatus

from .browser import Browse
from .factories import PASSWORD
from .test_browser_surveys import active, fits_the_screen, focus_by_tab, press
from .volunteering_fixtures import make_shift, make_volunteer, volunteering_world

if TYPE_CHECKING:
    from .conftest import World

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def morning(days: int) -> Any:
    """9:00 German time, ``days`` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 9))


def test_volunteer_signs_up_on_a_phone_by_keyboard(new_tab: Any, world: World) -> None:
    vw = volunteering_world(world)
    Application.objects.create(opportunity=vw.opportunity, volunteer=vw.volunteer, status=ApplicationStatus.ACCEPTED)
    vw.shift.delete()
    first = make_shift(vw.opportunity, start=morning(5), max_helpers=4, tasks="Bälle aufpumpen, Tore aufstellen")
    make_shift(vw.opportunity, start=morning(12), max_helpers=2)
    tab: Browse = new_tab(phone=True)
    shifts = f"/ehrenamt/angebote/{vw.opportunity.pk}/schichten/"
    tab.open(shifts)
    fits_the_screen(tab)
    assert tab.page.get_by_text("4 von 4 Plätzen frei").is_visible()
    # Signing in by keyboard from the shifts page, and back to it.
    focus_by_tab(tab, "el.matches('a') && el.textContent.includes('Melden Sie sich an')")
    press(tab, "Enter")
    focus_by_tab(tab, "el.matches('input[type=email]')")
    tab.page.keyboard.type(vw.volunteer.email)
    focus_by_tab(tab, "el.matches('input[type=password]')")
    tab.page.keyboard.type(PASSWORD)
    press(tab, "Enter")
    assert tab.path == shifts
    focus_by_tab(tab, "el.matches('button[type=submit]') && el.textContent.includes('Eintragen')")
    assert active(tab, "el.closest('li').id") == f"schicht-{first.pk}"
    press(tab, "Enter")

    signup = ShiftSignup.objects.get(volunteer=vw.volunteer)
    assert signup.shift == first and signup.status == SignupStatus.CONFIRMED
    assert tab.page.get_by_text("Vielen Dank, Sie sind für die Schicht eingetragen").is_visible()
    assert tab.page.locator(f"#schicht-{first.pk}").get_by_text("Sie sind eingetragen.").is_visible()
    assert tab.page.get_by_text("3 von 4 Plätzen frei").is_visible()
    assert [m.to for m in mail.outbox] == [[vw.volunteer.email]]
    fits_the_screen(tab)

    focus_by_tab(tab, "el.matches('a') && el.textContent.trim() === 'Meine Schichten'")
    press(tab, "Enter")
    assert tab.path == "/ehrenamt/schichten/"
    assert tab.page.get_by_role("link", name="Trainer für die Bambini", exact=True).is_visible()
    fits_the_screen(tab)
    focus_by_tab(tab, "el.matches('a[download]')")
    with tab.page.expect_download() as download:
        tab.page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".ics")


def test_coordinator_staffs_a_shift_on_a_phone(new_tab: Any, world: World) -> None:
    vw = volunteering_world(world)
    vw.shift.min_helpers = 2
    vw.shift.save()
    late = make_volunteer("spaet@example.org")
    Application.objects.create(opportunity=vw.opportunity, volunteer=late, status=ApplicationStatus.ACCEPTED,
                               volunteer_shares_email=True)  # fmt: skip
    tab: Browse = new_tab(phone=True)
    tab.log_in(vw.coordinator.email, PASSWORD)

    tab.open(f"/ehrenamt/verein/{vw.club.slug}/schichten/")
    fits_the_screen(tab)
    assert tab.page.get_by_text("Unterbesetzt").is_visible()
    tab.click(tab.page.locator(".volunteer-shift h2 a").first)
    fits_the_screen(tab)
    focus_by_tab(tab, "el.matches('select')")
    tab.page.keyboard.press("ArrowDown")
    assert active(tab, "el.options[el.selectedIndex].textContent") == str(late)
    focus_by_tab(tab, "el.matches('button[type=submit]') && el.textContent.trim() === 'Eintragen'")
    press(tab, "Enter")
    assert ShiftSignup.objects.get(volunteer=late).status == SignupStatus.CONFIRMED
    assert tab.page.get_by_role("link", name=late.email).is_visible()  # shared on the application

    tab.page.get_by_label("Nachricht", exact=True).fill("")
    tab.click(tab.page.get_by_role("button", name="Nachricht senden"))
    assert tab.page.get_by_role("alert").get_by_text("Bitte schreiben Sie eine Nachricht.").is_visible()
    tab.page.get_by_label("Nachricht", exact=True).fill("Bitte feste Schuhe mitbringen.")
    tab.click(tab.page.get_by_role("button", name="Nachricht senden"))
    assert tab.page.get_by_text("Ihre Nachricht ist an 1 Helfende unterwegs.").is_visible()
    fits_the_screen(tab)
