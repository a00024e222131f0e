"""Finding an opportunity in headless Chromium: on a phone, a volunteer searches within 10 km of a postcode, sees
the results as a list and on the map, opens the near one and its page carries the JSON-LD; the same search by
keyboard alone (Tab, typing and Enter). Every page is checked with axe-core (see ``browser.py``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from mitwirken.reports.models import Place
from mitwirken.volunteering.models import Field, SavedSearch, VolunteerProfile

from .browser import Browse
from .factories import PASSWORD, UserFactory
from .test_browser_surveys import active, fits_the_screen, focus_by_tab, press
from .test_volunteering_search import north_of_home
from .volunteering_fixtures import HOME, make_opportunity, volunteering_world

if TYPE_CHECKING:
    from .conftest import World

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEAR = "Bachpatenschaft am Mühlbach"
FAR = "Streuobstwiese in Fernhausen"


def setup_world(world: World) -> Any:
    Place.objects.create(name="Hauptstraße", municipality="Beispielhausen", postal_code="56789", lat=HOME[0],
                         lon=HOME[1])  # fmt: skip
    vw = volunteering_world(world)
    near = make_opportunity(vw.club, NEAR, field=Field.ENVIRONMENT, description="Den Bach sauber halten.",
                            street="Mühlweg 2", **north_of_home(6_500))  # fmt: skip
    make_opportunity(vw.club, FAR, field=Field.ENVIRONMENT, **north_of_home(14_000))
    return near


def check_json_ld(tab: Browse, title: str) -> None:
    data = json.loads(tab.page.locator('script[type="application/ld+json"]').text_content() or "{}")
    assert data["@type"] == "JobPosting" and data["employmentType"] == "VOLUNTEER"
    assert data["title"] == title
    assert data["hiringOrganization"]["name"] == "Sportverein Beispielhausen"


def test_on_a_phone_search_within_10_km_of_a_postcode_and_open_the_result(new_tab: Any, world: World) -> None:
    near = setup_world(world)
    tab: Browse = new_tab(phone=True)
    page = tab.page
    tab.open("/ehrenamt/")
    fits_the_screen(tab)
    page.get_by_label("In der Nähe von").fill("56789")
    page.get_by_label("Umkreis").select_option("10")
    page.get_by_label("Bereich").select_option("umwelt")
    tab.click(page.get_by_role("button", name="Suchen"))
    assert page.get_by_role("status").filter(has_text="im Umkreis").inner_text() == "1 Angebot im Umkreis von 10 km"
    card = page.locator(".volunteer-card").filter(has_text=NEAR)
    assert "6,5 km entfernt" in card.inner_text()
    assert page.get_by_text(FAR).count() == 0
    fits_the_screen(tab)

    # The map shows this page's results; the list stays under it.
    tab.click(page.get_by_role("link", name="Liste mit Karte"))
    assert page.get_by_role("region", name="Karte mit den Orten der Angebote").is_visible()
    assert page.locator(".volunteer-card").filter(has_text=NEAR).is_visible()

    tab.click(page.get_by_role("link", name=NEAR))
    assert tab.path == near.get_absolute_url()
    assert page.get_by_role("heading", level=1, name=NEAR).is_visible()
    assert page.get_by_text("Mühlweg 2").is_visible()
    assert (
        page.get_by_role("link", name="Jetzt bewerben").get_attribute("href") == f"{near.get_absolute_url()}bewerben/"
    )
    check_json_ld(tab, NEAR)
    fits_the_screen(tab)


def test_the_same_search_by_keyboard_alone(tab: Browse, world: World) -> None:
    near = setup_world(world)
    page = tab.page
    tab.open("/ehrenamt/")
    focus_by_tab(tab, "el.id === 'id_ort'", limit=120)
    page.keyboard.type("56789")
    page.keyboard.press("Tab")
    assert active(tab, "el.id") == "id_umkreis"
    assert active(tab, "el.value") == "10"
    focus_by_tab(tab, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Suchen'", limit=20)
    press(tab, "Enter")
    assert "ort=56789" in tab.path and "umkreis=10" in tab.path
    assert page.locator(".volunteer-card").filter(has_text=NEAR).is_visible()
    assert page.get_by_text(FAR).count() == 0
    focus_by_tab(tab, f"el.tagName === 'A' && el.textContent.includes({NEAR!r})", limit=120)
    press(tab, "Enter")
    assert tab.path == near.get_absolute_url()
    check_json_ld(tab, NEAR)

    # An unknown postcode is explained next to the field, and the keyboard reaches the message's field.
    tab.open("/ehrenamt/?ort=99999")
    assert "Diesen Ort kennen wir nicht." in page.locator("#id_ort_error").inner_text()
    focus_by_tab(tab, "el.id === 'id_ort'", limit=120)
    assert active(tab, "el.getAttribute('aria-invalid')") == "true"


def test_on_a_phone_save_the_search_and_fill_in_the_profile(new_tab: Any, world: World) -> None:
    setup_world(world)
    volunteer = UserFactory(email="mia@example.org", display_name="Mia")
    tab: Browse = new_tab(phone=True)
    page = tab.page
    tab.log_in(volunteer.email, PASSWORD)
    tab.open("/ehrenamt/?ort=56789&umkreis=10&bereich=umwelt")
    page.get_by_label("Name des Suchauftrags").fill("Umwelt bei mir")
    page.get_by_label("Wöchentlich (Zusammenfassung)").check()
    tab.click(page.get_by_role("button", name="Suche speichern"))
    assert tab.path == "/ehrenamt/suchen/"
    assert page.get_by_role("link", name="Umwelt bei mir").is_visible()
    assert SavedSearch.objects.get(user=volunteer).frequency == "weekly"
    fits_the_screen(tab)

    tab.click(page.get_by_role("link", name="Mein Profil"))
    page.get_by_label("Umwelt und Naturschutz").check()
    page.locator("#id_availability_sa_vormittag").check()
    page.get_by_label("Postleitzahl").fill("56789")
    page.get_by_label("Geburtsdatum").fill("1950-03-01")
    fits_the_screen(tab)
    tab.click(page.get_by_role("button", name="Profil speichern"))
    assert page.get_by_text("Ihr Profil ist gespeichert.").is_visible()
    tab.click(page.get_by_role("link", name="Vorschläge", exact=True))
    card = page.locator(".volunteer-card").filter(has_text=NEAR)
    assert "passt zu: Umwelt und Naturschutz, 6,5 km" in card.inner_text()
    fits_the_screen(tab)

    # Keep it on the list, find it there, and look at the organisation.
    tab.click(card.get_by_role("link", name=NEAR))
    tab.click(page.get_by_role("button", name="Auf die Merkliste setzen"))
    assert page.get_by_role("button", name="Von der Merkliste nehmen").is_visible()
    tab.open("/ehrenamt/merkliste/")
    assert page.locator(".volunteer-card").filter(has_text=NEAR).is_visible()
    tab.click(page.get_by_role("link", name=NEAR))
    tab.click(page.locator("aside").get_by_role("link", name="Sportverein Beispielhausen"))
    assert page.get_by_role("heading", level=1, name="Sportverein Beispielhausen").is_visible()
    assert page.locator(".volunteer-card").filter(has_text=NEAR).is_visible()
    fits_the_screen(tab)


def test_a_parent_confirms_by_the_link(tab: Browse, world: World) -> None:
    setup_world(world)
    child = UserFactory(email="mia@example.org", display_name="Mia")
    today = timezone.localdate()
    VolunteerProfile.objects.create(user=child, birth_date=today.replace(year=today.year - 13, day=min(today.day, 28)),
                                    parent_name="Petra Muster", parent_email="petra@example.org", parent_token="abc123")  # fmt: skip
    tab.open("/ehrenamt/einverstaendnis/abc123/")
    assert tab.page.get_by_text("Mia möchte sich über dieses Portal ehrenamtlich engagieren.", exact=False).is_visible()
    tab.click(tab.page.get_by_role("button", name="Ich bin einverstanden"))
    assert tab.page.get_by_text("Ihr Einverständnis ist gespeichert.", exact=False).is_visible()
    assert VolunteerProfile.objects.get(user=child).parent_consented_at is not None
