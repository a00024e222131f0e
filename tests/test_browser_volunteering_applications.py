"""Applying in headless Chromium: a volunteer on a phone applies (without sharing the address), the coordinator
reads the application with the profile and accepts it, and the volunteer sees "Angenommen" and the message.

Every page reached is checked with axe-core and saved as a screenshot (see ``browser.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.core import mail

from mitwirken.volunteering.models import Application, ApplicationStatus

from .browser import Browse
from .factories import PASSWORD
from .test_browser_surveys import fits_the_screen
from .volunteering_fixtures import volunteering_world

if TYPE_CHECKING:
    from .conftest import World

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_volunteer_applies_on_a_phone_and_is_accepted(new_tab: Any, world: World) -> None:
    vw = volunteering_world(world)
    volunteer: Browse = new_tab(phone=True)
    page = volunteer.page
    volunteer.log_in(vw.volunteer.email, PASSWORD)
    volunteer.open(f"/ehrenamt/angebote/{vw.opportunity.pk}/bewerben/")
    fits_the_screen(volunteer)
    assert page.get_by_role("heading", level=1, name="Bewerben: Trainer für die Bambini").is_visible()
    share = page.get_by_label("Meine E-Mail-Adresse an die Organisation weitergeben")
    assert not share.is_checked()
    volunteer.click(page.get_by_role("button", name="Bewerbung abschicken"))  # empty: refused
    assert page.get_by_text("Bitte schreiben Sie der Organisation ein paar Sätze").first.is_visible()
    page.get_by_label("Ihre Nachricht an die Organisation").fill("Ich habe samstags Zeit und spiele selbst Fußball.")
    volunteer.click(page.get_by_role("button", name="Bewerbung abschicken"))
    fits_the_screen(volunteer)
    application = Application.objects.get()
    assert volunteer.path == f"/ehrenamt/bewerbungen/{application.pk}/"
    assert page.locator("dl.event-facts").get_by_text("Eingegangen").is_visible()
    (told,) = mail.outbox
    assert told.to == [vw.coordinator.email] and vw.volunteer.email not in told.body

    coordinator: Browse = new_tab()
    desk = coordinator.page
    coordinator.log_in(vw.coordinator.email, PASSWORD)
    coordinator.open(f"/ehrenamt/verein/{vw.club.slug}/bewerbungen/")
    assert desk.get_by_role("link", name="Eingegangen (1)").is_visible()
    coordinator.click(desk.get_by_role("link", name="Ehrenamt: Trainer für die Bambini"))
    assert desk.get_by_text("Ich habe samstags Zeit und spiele selbst Fußball.").is_visible()
    assert desk.get_by_text("nicht geteilt – bitte schreiben Sie über das Portal").is_visible()
    desk.locator("#id_annehmen-message").fill("Willkommen! Training ist samstags um 10 Uhr.")
    coordinator.click(desk.get_by_role("button", name="Bewerbung annehmen"))
    assert desk.get_by_text("Die Bewerbung ist angenommen.").is_visible()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED

    volunteer.open(f"/ehrenamt/bewerbungen/{application.pk}/")
    fits_the_screen(volunteer)
    assert page.locator("dl.event-facts").get_by_text("Angenommen").is_visible()
    assert page.get_by_text("Willkommen! Training ist samstags um 10 Uhr.").is_visible()
    volunteer.open("/ehrenamt/bewerbungen/")
    assert page.get_by_role("link", name="Trainer für die Bambini").is_visible()
