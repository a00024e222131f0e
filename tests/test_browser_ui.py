"""The portal's frame on a phone and by keyboard (#14): menu, skip link, focus, tables, check boxes, icons, dates.

Every page reached is checked with axe-core (see ``browser.py``). Screenshots of the phone and desktop views
go to ``test-artifacts/ui/``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from mitwirken.core.dates import berlin_day_start, end_of_last_day
from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.core.models import Notification

from .browser import PHONE, ROOT
from .factories import PASSWORD, ModuleFactory, PhaseFactory, ProjectFactory
from .formal_fixtures import make_procedure
from .test_browser_formal import public_base

if TYPE_CHECKING:
    from .browser import Browse

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = ROOT / "test-artifacts" / "ui"


def shot(tab: Browse, name: str, *, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=SHOTS / f"{name}.png", full_page=full_page)


def no_sideways_scrolling(tab: Browse) -> None:
    widths = tab.page.evaluate("() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
    assert widths[0] <= widths[1], f"{tab.path} scrolls sideways: {widths[0]} px content in {widths[1]} px"


def active(tab: Browse) -> dict[str, Any]:
    return tab.page.evaluate(
        "() => { const e = document.activeElement; "
        "return {tag: e.tagName, id: e.id, cls: e.className, text: (e.innerText || '').trim()}; }"
    )


def tab_to(tab: Browse, selector: str, limit: int = 30) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        tab.page.keyboard.press("Tab")
        if tab.page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got the focus by Tab")


def test_phone_menu_is_folded_and_opens_by_keyboard(new_tab: Any, world: Any) -> None:
    phone = new_tab(phone=True)
    page = phone.page
    phone.open("/")
    shot(phone, "home-phone")
    toggle = page.locator(".site-nav__toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-controls") == "site-nav-list"
    assert not page.locator("#site-nav-list").is_visible()
    # The content starts on the first screen: the page's heading is fully visible without scrolling.
    heading = page.locator("main h1").bounding_box()
    assert heading is not None and heading["y"] + heading["height"] <= PHONE["height"] / 2
    no_sideways_scrolling(phone)

    tab_to(phone, ".site-nav__toggle")
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#site-nav-list").is_visible()
    shot(phone, "home-phone-menu-open")
    phone.check_axe()
    page.keyboard.press("Tab")
    assert active(phone)["text"] == "Projekte"  # the first entry of the menu, right after its button
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false" and active(phone)["cls"].startswith("site-nav__toggle")
    assert not page.locator("#site-nav-list").is_visible()

    # A desktop shows the whole navigation and no menu button.
    desktop = new_tab()
    desktop.open("/")
    shot(desktop, "home-desktop")
    assert not desktop.page.locator(".site-nav__toggle").is_visible()
    assert desktop.page.locator("#site-nav-list").is_visible()


def test_account_area_on_a_phone_starts_with_its_content(new_tab: Any, world: Any) -> None:
    phone = new_tab(phone=True)
    phone.log_in(world.personas["citizen"].email, PASSWORD)
    phone.open(reverse("accounts:overview"))
    page = phone.page
    assert page.locator(".sidebar-nav__toggle").is_visible() and not page.locator("#account-nav-list").is_visible()
    heading = page.locator("main h1").bounding_box()
    assert heading is not None and heading["y"] + heading["height"] <= PHONE["height"] / 2
    no_sideways_scrolling(phone)
    page.locator(".sidebar-nav__toggle").click()
    assert page.locator("#account-nav-list").is_visible()
    phone.check_axe()
    shot(phone, "account-phone-menu-open")


def test_without_javascript_the_phone_menu_stays_open(chromium: Any, live_server: Any) -> None:
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False, locale="de-DE")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        assert page.locator("#site-nav-list").is_visible()
        assert not page.locator(".site-nav__toggle").is_visible()
    finally:
        context.close()


def test_skip_link_leads_past_the_navigation_to_main(new_tab: Any, world: Any) -> None:
    # Two personas: the same one-time code may not be used twice.
    for tab, persona in ((new_tab(), "case_worker"), (new_tab(phone=True), "org_admin")):
        tab.log_in(world.personas[persona].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
        tab.open(f"/verwaltung/{world.organisation.slug}/projekte/")
        page = tab.page
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.keyboard.press("Tab")
        link = page.locator(".skip-link")
        assert active(tab)["cls"].startswith("skip-link") and link.is_visible()
        assert link.get_attribute("href") == "#main"
        page.keyboard.press("Enter")
        assert active(tab)["id"] == "main" and page.locator("main#main").get_attribute("tabindex") == "-1"
        # The next Tab stop is inside the content, not in the side navigation of the back office.
        page.keyboard.press("Tab")
        assert page.evaluate("() => !!document.activeElement.closest('main')")
        assert page.locator("main .sidebar-nav").count() == 0


def test_back_office_tables_fit_a_phone(new_tab: Any, world: Any) -> None:
    phone = new_tab(phone=True)
    phone.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    org = world.organisation.slug
    for number in range(3):
        ProjectFactory(organisation=world.organisation, title=f"Ein recht langer Projekttitel Nummer {number} mit "
                       "Ortsumgehungsplanfeststellungsverfahren", slug=f"lang-{number}")  # fmt: skip
    pages = [f"/verwaltung/{org}/projekte/", f"/verwaltung/{org}/",
             f"/verwaltung/{org}/projekte/{world.public.pk}/module/"]  # fmt: skip
    for path in pages:
        phone.open(path)
        no_sideways_scrolling(phone)
    # Every page of the back-office navigation, whatever the modules bring.
    links = phone.page.locator("#backoffice-nav-list a").evaluate_all("links => links.map(a => a.pathname)")
    wide = []
    for path in [link for link in links if link.startswith("/verwaltung/")]:
        phone.open(path)
        widths = phone.page.evaluate(
            "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
        )
        if widths[0] > widths[1]:
            wide.append(f"{path}: {widths[0]} > {widths[1]}")
    assert not wide, wide
    phone.open(pages[0])
    shot(phone, "backoffice-projects-phone")
    # The side navigation folds behind its own button, so the table starts on the first screen.
    assert phone.page.locator(".sidebar-nav__toggle").is_visible()
    assert not phone.page.locator("#backoffice-nav-list").is_visible()
    table = phone.page.locator("main table").first.bounding_box()
    assert table is not None and table["y"] < PHONE["height"]
    # A table wider than the screen scrolls in its own box: a named region that the keyboard can reach.
    box = phone.page.locator(".kern-table-responsive").first
    if box.evaluate("b => b.scrollWidth > b.clientWidth"):
        assert box.get_attribute("role") == "region" and box.get_attribute("tabindex") == "0"
        caption = box.locator("caption")
        assert box.get_attribute("aria-labelledby") == caption.get_attribute("id")
    phone.check_axe()
    desktop = new_tab()
    desktop.log_in(world.personas["org_admin"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    desktop.open(pages[0])
    shot(desktop, "backoffice-projects-desktop")


def test_checkbox_help_text_reads_as_text(new_tab: Any, world: Any) -> None:
    today = timezone.localdate()
    procedure = make_procedure(world.personas["case_worker"], world.public, first_day=today - timedelta(days=3),
                               last_day=today + timedelta(days=40))  # fmt: skip
    form = f"{public_base(procedure)}frist/{procedure.rounds.get().tracks.get().pk}/stellungnahme/"
    for tab in (new_tab(), new_tab(phone=True)):
        tab.log_in(world.personas["citizen"].email, PASSWORD)
        tab.open(form)
        hint = tab.page.locator("#id_publish_name_helptext")
        label = tab.page.locator("label[for=id_publish_name]").bounding_box()
        box = hint.bounding_box()
        assert box is not None and label is not None
        tab.page.locator(".kern-form-check").filter(has=hint).screenshot(path=SHOTS / "checkbox.png")
        line = tab.page.evaluate("(e) => parseFloat(getComputedStyle(e).lineHeight) || 24", hint.element_handle())
        # Under the label and as wide as it: a few lines at most, not one word per line.
        assert box["x"] >= label["x"] - 1 and box["width"] >= label["width"] - 1
        assert box["height"] <= 4 * line, f"help text {box['height']} px high for a line of {line} px"


def test_focus_goes_to_the_result_after_a_form_is_sent(tab: Browse, world: Any) -> None:
    citizen = world.personas["citizen"]
    Notification.objects.create(recipient=citizen, title="Neue Antwort auf Ihre Idee", url="/")
    tab.log_in(citizen.email, PASSWORD)
    tab.open(reverse("core:notifications"))
    tab.click(tab.page.get_by_role("button", name="Alle als gelesen markieren"))
    assert active(tab)["cls"] == "messages"
    assert "als gelesen markiert" in active(tab)["text"]


def test_focus_goes_to_the_swapped_content_after_an_htmx_swap(tab: Browse, world: Any) -> None:
    tab.open("/")
    page = tab.page
    page.evaluate(
        """() => {
          const box = document.createElement('div');
          box.id = 'swap-box';
          box.innerHTML = '<button type="button" id="swap-button" hx-get="/" hx-select="#results-heading" '
            + 'hx-target="#swap-box" hx-swap="innerHTML">Laden</button>';
          document.querySelector('main').prepend(box);
          htmx.process(box);
        }"""
    )
    page.locator("#swap-button").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.getElementById('swap-button')")
    page.wait_for_function("() => document.activeElement.id === 'swap-box'")
    # A swap that leaves the focused element alone (the filter form) does not move the focus.
    search = page.get_by_label("Suche")
    search.fill("Radweg")
    page.get_by_role("button", name="Filtern").focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    assert active(tab)["text"] == "Filtern"


def test_favicon_and_manifest_are_served(tab: Browse, live_server: Any) -> None:
    tab.open("/")
    page = tab.page
    icon = page.locator("link[rel=icon][type='image/svg+xml']").get_attribute("href")
    for href in [icon, page.locator("link[rel=apple-touch-icon]").get_attribute("href"), "/favicon.ico"]:
        response = page.request.get(live_server.url + href)
        assert response.ok and response.headers["content-type"].startswith("image/"), href
    manifest = page.request.get(live_server.url + page.locator("link[rel=manifest]").get_attribute("href"))
    assert manifest.ok
    icons = manifest.json()["icons"]
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in icons}
    for item in icons:
        assert page.request.get(live_server.url + item["src"]).ok


def test_deadlines_read_the_same_on_a_procedure_and_a_project_phase(tab: Browse, world: Any) -> None:
    today = timezone.localdate()
    first, last = today - timedelta(days=3), today + timedelta(days=40)
    procedure = make_procedure(world.personas["case_worker"], world.public, first_day=first, last_day=last)
    wording = f"vom {date_format(first, 'DATE_FORMAT')} bis einschließlich {date_format(last, 'DATE_FORMAT')}"
    tab.open(public_base(procedure))
    assert wording in tab.page.locator("main").inner_text()
    assert "00:00" not in tab.page.locator("main").inner_text()

    project = ProjectFactory(organisation=world.organisation, slug="phasen", title="Phasen", access="public")
    PhaseFactory(module=ModuleFactory(project=project, name="Information"), name="Auslegung",
                 start=berlin_day_start(first), end=end_of_last_day(last))  # fmt: skip
    tab.open(project.get_absolute_url())
    shot(tab, "project-desktop", full_page=True)
    assert f"Auslegung: {wording}" in tab.page.locator("main").inner_text()


def test_english_pages_show_english_dates(new_tab: Any, world: Any) -> None:
    day = timezone.localdate() + timedelta(days=30)
    project = ProjectFactory(organisation=world.organisation, slug="english", title="English", access="public")
    PhaseFactory(module=ModuleFactory(project=project, name="Information"), name="Auslegung",
                 start=berlin_day_start(day - timedelta(days=60)), end=end_of_last_day(day))  # fmt: skip
    tab = new_tab()
    tab.open(project.get_absolute_url())
    tab.click(tab.page.get_by_role("button", name="English"))
    text = tab.page.locator("main").inner_text()
    assert f"{day.day} {day:%B} {day.year}" in text, text
    assert f"{day.day}. {day:%B}" not in text
    phone = new_tab(phone=True)
    phone.open(project.get_absolute_url())
    shot(phone, "project-phone")
    no_sideways_scrolling(phone)


def test_phone_screens_of_the_portal_fit(new_tab: Any, world: Any) -> None:
    long = ProjectFactory(organisation=world.organisation, slug="lang", access="public",
                          title="Planfeststellungsverfahrensunterlagenauslegung für die Ortsumgehung Beispielhausen-Süd")  # fmt: skip
    PhaseFactory(module=ModuleFactory(project=long, name="Informationen"))
    phone = new_tab(phone=True)
    for path in ["/", world.public.get_absolute_url(), reverse("projects:search"), long.get_absolute_url()]:
        phone.open(path)
        no_sideways_scrolling(phone)
    # The breadcrumbs wrap between items and inside a long title, within the screen.
    rights = phone.page.locator(".breadcrumbs li").evaluate_all(
        "items => items.map(item => item.getBoundingClientRect().right)"
    )
    assert rights and max(rights) <= PHONE["width"]
    shot(phone, "project-long-title-phone")
