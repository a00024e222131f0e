"""The volunteer's whole journey of issue #13 in headless Chromium, end to end across the areas: find an opportunity
within 10 km of a postcode, open it, apply with a message, the coordinator (another browser, a desktop) accepts,
the volunteer sees "Angenommen", signs up for a shift of the opportunity and finds it under "Meine Schichten".

Once on a phone (390×844, a touch screen), and once by keyboard alone: Tab, Shift+Tab, Enter, Space, the
arrow keys and typing, no click and no address typed after the first page, and on every page the focused element
shows its focus ring. Every page reached is checked with axe-core and saved as a screenshot (see ``browser.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from mitwirken.reports.models import Place
from mitwirken.volunteering.models import Application, ApplicationStatus, Field, ShiftSignup, SignupStatus

from .browser import Browse
from .factories import PASSWORD
from .test_browser_surveys import active, fits_the_screen, focus_by_tab, press
from .test_browser_volunteering_shifts import morning
from .test_volunteering_search import north_of_home
from .volunteering_fixtures import HOME, make_opportunity, make_shift, volunteering_world

if TYPE_CHECKING:
    from .conftest import World
    from .volunteering_fixtures import VolunteeringWorld

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POSTCODE = "56812"
NEAR = "Bachpatenschaft am Mühlbach"  # 7.2 km from the postcode's middle
FAR = "Streuobstwiese in Fernhausen"  # 12.5 km: outside the 10 km
MESSAGE = "Ich wohne am Bach und habe samstags Zeit."
WELCOME = "Herzlich willkommen! Gummistiefel haben wir."


def setup_journey(world: World) -> tuple[VolunteeringWorld, Any, Any]:
    """The postcode's gazetteer entries lie either side of HOME, so its middle is HOME; two opportunities of the
    world's Verein in the same field north of it, one inside and one outside 10 km; a shift of the near one."""
    for street, offset in (("Mühlweg", 0.004), ("Kirchgasse", -0.004)):
        Place.objects.create(name=street, municipality="Beispielhausen", postal_code=POSTCODE, lat=HOME[0] + offset,
                             lon=HOME[1])  # fmt: skip
    vw = volunteering_world(world)
    vw.opportunity.delete()  # the world's own opportunity lies at HOME; this journey brings its own
    near = make_opportunity(vw.club, NEAR, field=Field.ENVIRONMENT, description="Den Mühlbach sauber halten.",
                            street="Mühlweg 2", postal_code=POSTCODE, **north_of_home(7_200))  # fmt: skip
    make_opportunity(vw.club, FAR, field=Field.ENVIRONMENT, description="Obstbäume schneiden.",
                     **north_of_home(12_500))  # fmt: skip
    shift = make_shift(near, start=morning(5), max_helpers=4, place="Brücke am Mühlbach", tasks="Müll sammeln")
    return vw, near, shift


def coordinator_accepts(new_tab: Any, vw: VolunteeringWorld) -> None:
    """The coordinator, at a desk in another browser, accepts the application in the coordinator area."""
    coordinator: Browse = new_tab()
    desk = coordinator.page
    coordinator.log_in(vw.coordinator.email, PASSWORD)
    coordinator.open(f"/ehrenamt/verein/{vw.club.slug}/")
    coordinator.click(desk.locator("nav").get_by_role("link", name="Bewerbungen", exact=True))
    assert desk.get_by_role("link", name="Eingegangen (1)").is_visible()
    coordinator.click(desk.get_by_role("link", name=f"Ehrenamt: {NEAR}"))
    assert desk.get_by_text(MESSAGE).is_visible()
    desk.locator("#id_annehmen-message").fill(WELCOME)
    coordinator.click(desk.get_by_role("button", name="Bewerbung annehmen"))
    assert desk.get_by_text("Die Bewerbung ist angenommen.").is_visible()
    assert Application.objects.get(volunteer=vw.volunteer).status == ApplicationStatus.ACCEPTED


def signed_up(vw: VolunteeringWorld, shift: Any) -> None:
    signup = ShiftSignup.objects.get(volunteer=vw.volunteer)
    assert (signup.shift, signup.status) == (shift, SignupStatus.CONFIRMED)


# --- a. on a phone ------------------------------------------------------------------------------------------------


def test_on_a_phone_find_apply_be_accepted_and_sign_up(new_tab: Any, world: World) -> None:
    vw, near, shift = setup_journey(world)
    volunteer: Browse = new_tab(phone=True)
    page = volunteer.page

    # Find: within 10 km of the postcode, only the near opportunity.
    volunteer.open("/ehrenamt/")
    fits_the_screen(volunteer)
    page.get_by_label("In der Nähe von").fill(POSTCODE)
    page.get_by_label("Umkreis").select_option("10")
    page.get_by_label("Bereich").select_option("umwelt")
    volunteer.click(page.get_by_role("button", name="Suchen"))
    assert page.get_by_role("status").filter(has_text="im Umkreis").inner_text() == "1 Angebot im Umkreis von 10 km"
    assert "7,2 km entfernt" in page.locator(".volunteer-card").filter(has_text=NEAR).inner_text()
    assert page.get_by_text(FAR).count() == 0
    fits_the_screen(volunteer)

    # Open it and apply; the account is asked for on the way and the form comes back.
    volunteer.click(page.get_by_role("link", name=NEAR))
    assert volunteer.path == near.get_absolute_url()
    assert page.get_by_role("heading", level=1, name=NEAR).is_visible()
    fits_the_screen(volunteer)
    volunteer.click(page.get_by_role("link", name="Jetzt bewerben"))
    volunteer.submit_login(vw.volunteer.email, PASSWORD)
    assert volunteer.path == f"{near.get_absolute_url()}bewerben/"
    page.get_by_label("Ihre Nachricht an die Organisation").fill(MESSAGE)
    fits_the_screen(volunteer)
    volunteer.click(page.get_by_role("button", name="Bewerbung abschicken"))
    application = Application.objects.get(volunteer=vw.volunteer, opportunity=near)
    assert volunteer.path == f"/ehrenamt/bewerbungen/{application.pk}/"
    assert page.locator("dl.event-facts").get_by_text("Eingegangen").is_visible()
    fits_the_screen(volunteer)

    coordinator_accepts(new_tab, vw)

    # Back on the phone: "Angenommen", the welcome, and the way to the shifts.
    volunteer.click(page.get_by_role("link", name="Meine Bewerbungen"))
    assert page.locator(".account-item").filter(has_text=NEAR).get_by_text("Angenommen").is_visible()
    volunteer.click(page.get_by_role("link", name=NEAR))
    assert page.locator("dl.event-facts").get_by_text("Angenommen").is_visible()
    assert page.get_by_text(WELCOME).is_visible()
    fits_the_screen(volunteer)
    volunteer.click(page.get_by_role("link", name="Zu den Schichten des Angebots"))
    assert page.get_by_text("4 von 4 Plätzen frei").is_visible()
    # The way back leads to the volunteering pages, as from the opportunity and the application form.
    trail = page.get_by_role("navigation", name="Brotkrümelnavigation").get_by_role("link")
    assert [trail.nth(i).get_attribute("href") for i in range(trail.count())] == ["/ehrenamt/", near.get_absolute_url()]
    fits_the_screen(volunteer)
    volunteer.click(page.locator(f"#schicht-{shift.pk}").get_by_role("button", name="Eintragen"))
    signed_up(vw, shift)
    assert page.get_by_text("Vielen Dank, Sie sind für die Schicht eingetragen").is_visible()
    assert page.locator(f"#schicht-{shift.pk}").get_by_text("Sie sind eingetragen.").is_visible()
    assert page.get_by_text("3 von 4 Plätzen frei").is_visible()
    fits_the_screen(volunteer)

    volunteer.click(page.get_by_role("link", name="Meine Schichten"))
    assert volunteer.path == "/ehrenamt/schichten/"
    item = page.locator(".account-item").filter(has_text=NEAR)
    assert item.get_by_text("Eingetragen", exact=True).is_visible()
    assert "Brücke am Mühlbach" in item.inner_text()
    fits_the_screen(volunteer)


# --- b. by keyboard alone -----------------------------------------------------------------------------------------

FOCUS_SHOWS = """(() => {
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return el.matches(':focus-visible') && (outline || (style.boxShadow && style.boxShadow !== 'none'));
})()"""


class Keyboard:
    """The volunteer's hands on the keys. Every page must show where the focus is before the volunteer leaves it:
    ``to`` checks the focus ring of what it reaches, ``leave`` refuses a page where that was never seen."""

    def __init__(self, tab: Browse) -> None:
        self.tab = tab
        self.focus_seen = False

    def to(self, predicate: str, *, back: bool = False, limit: int = 120) -> None:
        """Tab (or Shift+Tab) to the element where ``predicate`` holds; its focus must be visible."""
        focus_by_tab(self.tab, predicate, key="Shift+Tab" if back else "Tab", limit=limit)
        described = active(self.tab, "el.outerHTML.slice(0, 120)")
        assert active(self.tab, FOCUS_SHOWS), f"{self.tab.path}: no visible focus on {described}"
        self.focus_seen = True

    def type(self, text: str) -> None:
        self.tab.page.keyboard.type(text)

    def press(self, key: str) -> None:
        """A key that stays on the page (an arrow key in a select)."""
        self.tab.page.keyboard.press(key)

    def leave(self, key: str = "Enter") -> None:
        """Follow the focused link or press the focused button with ``key``; the next page is checked."""
        assert self.focus_seen, f"{self.tab.path}: left without a visible focus"
        press(self.tab, key)
        self.focus_seen = False


def test_the_same_search_and_sign_up_by_keyboard_alone(new_tab: Any, world: World) -> None:
    vw, near, shift = setup_journey(world)
    volunteer: Browse = new_tab()
    page = volunteer.page
    keys = Keyboard(volunteer)
    volunteer.open("/ehrenamt/")  # the only address typed

    # The search form: the postcode typed, the field and the radius chosen with the arrow keys.
    keys.to("el.id === 'id_bereich'")
    for _ in range(3):  # Alle Bereiche → Soziales → Sport → Umwelt und Naturschutz
        keys.press("ArrowDown")
    assert active(volunteer, "el.value") == "umwelt"
    keys.to("el.id === 'id_ort'")
    keys.type(POSTCODE)
    keys.to("el.id === 'id_umkreis'")
    keys.press("ArrowDown")  # 25 km …
    keys.press("ArrowUp")  # … and back to 10 km
    assert active(volunteer, "el.value") == "10"
    keys.to("el.tagName === 'BUTTON' && el.textContent.trim() === 'Suchen'")
    keys.leave()
    assert f"ort={POSTCODE}" in volunteer.path and "umkreis=10" in volunteer.path and "bereich=umwelt" in volunteer.path
    assert page.get_by_role("status").filter(has_text="im Umkreis").inner_text() == "1 Angebot im Umkreis von 10 km"
    assert page.get_by_text(FAR).count() == 0

    keys.to(f"el.tagName === 'A' && el.textContent.trim() === {NEAR!r}")
    keys.leave()
    assert volunteer.path == near.get_absolute_url()
    keys.to("el.tagName === 'A' && el.textContent.trim() === 'Jetzt bewerben'")
    keys.leave()

    # Signing in on the way, then the application form comes back.
    assert volunteer.path.startswith("/konto/login/"), volunteer.path
    keys.to("el.matches('input[type=email]')")
    keys.type(vw.volunteer.email)
    keys.to("el.matches('input[type=password]')")
    keys.type(PASSWORD)
    keys.leave()  # Enter in the form sends it
    assert volunteer.path == f"{near.get_absolute_url()}bewerben/"
    keys.to("el.tagName === 'TEXTAREA'")
    keys.type(MESSAGE)
    keys.to("el.tagName === 'BUTTON' && el.textContent.trim() === 'Bewerbung abschicken'")
    keys.leave("Space")
    application = Application.objects.get(volunteer=vw.volunteer, opportunity=near)
    assert application.message == MESSAGE
    assert volunteer.path == f"/ehrenamt/bewerbungen/{application.pk}/"
    assert page.locator("dl.event-facts").get_by_text("Eingegangen").is_visible()

    coordinator_accepts(new_tab, vw)

    # From the application page to the list of applications and back into the accepted one.
    keys.to("el.tagName === 'A' && el.textContent.trim() === 'Meine Bewerbungen'")
    keys.leave()
    keys.to(f"el.tagName === 'A' && el.textContent.trim() === {NEAR!r}")
    keys.leave()
    assert page.locator("dl.event-facts").get_by_text("Angenommen").is_visible()
    assert page.get_by_text(WELCOME).is_visible()
    keys.to("el.tagName === 'A' && el.textContent.trim() === 'Zu den Schichten des Angebots'")
    keys.leave()

    # The shift: past its button with Tab, back with Shift+Tab, and Space signs up.
    keys.to(f"el.tagName === 'BUTTON' && el.closest('#schicht-{shift.pk}') && el.textContent.includes('Eintragen')")
    keys.to("el.tagName === 'A' && el.textContent.trim() === 'Meine Schichten'")
    keys.to(f"el.tagName === 'BUTTON' && el.closest('#schicht-{shift.pk}')", back=True)
    keys.leave("Space")
    signed_up(vw, shift)
    assert page.get_by_text("Vielen Dank, Sie sind für die Schicht eingetragen").is_visible()
    assert page.locator(f"#schicht-{shift.pk}").get_by_text("Sie sind eingetragen.").is_visible()
    keys.to("el.tagName === 'A' && el.textContent.trim() === 'Meine Schichten'")
    keys.leave()
    assert volunteer.path == "/ehrenamt/schichten/"
    keys.to(f"el.tagName === 'A' && el.textContent.trim() === {NEAR!r}")
    assert page.locator(".account-item").filter(has_text=NEAR).get_by_text("Eingetragen", exact=True).is_visible()
