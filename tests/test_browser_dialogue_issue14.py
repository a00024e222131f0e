"""Issue #14 in the dialogue, in headless Chromium: voting and following in place (keyboard only, on a phone),
the participatory budget on a phone, paragraph comments opened next to the paragraph (keyboard only), the
project page's calls to action and the start page's topic filter, and staff reordering their topics.

Every page reached is checked with axe-core and saved as a screenshot (``browser.py``); parts swapped in by htmx
are checked again after the swap.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.dialogue import services
from mitwirken.dialogue.models import Blueprint, Idea
from mitwirken.participation.models import Comment, Follow, Rating
from mitwirken.projects.models import Topic

from .dialogue_fixtures import make_dialogue
from .factories import PASSWORD
from .test_browser_dialogue import dialogue_path, established, focus_by_tab, idea_path, module_path

if TYPE_CHECKING:
    from .browser import Browse

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def active_id(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement && document.activeElement.id"))


def swapped_in_place(page: Any, condition: str) -> None:
    """Wait for ``condition`` and for htmx to finish settling the swap.

    htmx wires up swapped-in content only when it settles (20 ms after the swap); a key pressed in between would
    submit the new form the old way, as a page load. People are not that quick; the test waits as they would.
    """
    page.wait_for_function(
        f"() => ({condition}) && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_voting_and_following_in_place_by_keyboard_on_a_phone(new_tab: Any, world: Any) -> None:
    citizen = established(world.personas["citizen"])
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect")
    idea = services.idea_create(user=established(world.personas["invited"]), module=module, title="Trinkbrunnen",
                                text="Ein Trinkbrunnen am Spielplatz.")  # fmt: skip
    phone: Browse = new_tab(phone=True)
    page = phone.page
    phone.log_in(citizen.email, PASSWORD)
    phone.open(module_path(module))
    assert fits_the_screen(page)
    up = f"rate-idee-{idea.pk}-up"
    focus_by_tab(page, f"el.id === '{up}'")
    page.keyboard.press("Enter")
    swapped_in_place(page, f"document.getElementById('{up}').getAttribute('aria-pressed') === 'true'")
    assert active_id(page) == up, "the focus stays on the button after the swap"
    status = page.locator(f"#rate-idee-{idea.pk}-status")
    assert "Jetzt 1 dafür, 0 dagegen" in status.inner_text()
    assert status.get_attribute("role") == "status"
    phone.screenshot()
    phone.check_axe()
    page.keyboard.press("Enter")  # the chosen vote again withdraws it
    swapped_in_place(page, f"document.getElementById('{up}').getAttribute('aria-pressed') === 'false'")
    assert active_id(page) == up
    assert "zurückgenommen" in status.inner_text() and "Jetzt 0 dafür" in status.inner_text()
    assert not Rating.objects.exists()
    page.keyboard.press("Tab")  # on to "Dagegen"
    page.keyboard.press("Enter")
    swapped_in_place(
        page, f"document.getElementById('rate-idee-{idea.pk}-down').getAttribute('aria-pressed') === 'true'"
    )
    assert Rating.objects.get().value == -1
    assert phone.loads == phone.checked_loads, "voting never loaded a page"

    # Following the idea, on its own page, in place as well.
    phone.open(idea_path(idea))
    button = f"follow-idee-{idea.pk}-button"
    focus_by_tab(page, f"el.id === '{button}'")
    page.keyboard.press("Enter")
    swapped_in_place(
        page, f"document.getElementById('follow-idee-{idea.pk}-status').textContent.includes('Sie folgen jetzt')"
    )
    assert active_id(page) == button and page.locator(f"#{button}").inner_text().startswith("Nicht mehr folgen")
    assert Follow.objects.filter(user=citizen, object_pk=idea.pk).exists()
    phone.screenshot()
    phone.check_axe()
    page.keyboard.press("Enter")
    swapped_in_place(
        page, f"document.getElementById('follow-idee-{idea.pk}-status').textContent.includes('nicht mehr')"
    )
    assert active_id(page) == button
    assert not Follow.objects.filter(user=citizen, object_pk=idea.pk).exists()
    assert phone.loads == phone.checked_loads, "voting and following never loaded a page"
    # The author sees no rating buttons and no "melden" on their own idea.
    author: Browse = new_tab(phone=True)
    author.log_in(world.personas["invited"].email, PASSWORD)
    author.open(idea_path(idea))
    assert author.page.locator(f"#rate-idee-{idea.pk}-up").count() == 0
    assert author.page.get_by_text("Idee melden").count() == 0


def test_participatory_budget_on_a_phone(new_tab: Any, world: Any) -> None:
    citizen = established(world.personas["citizen"])
    staff = world.personas["case_worker"]
    module = make_dialogue(world.public, Blueprint.PRIORITISATION, "rate")
    services.settings_update(actor=staff, module=module, premoderation=False, budget=100_000)
    park, school, bridge = (services.item_create(actor=staff, module=module, title=title, text=f"{title}: Beschreibung.", cost=cost)
                            for title, cost in (("Neuer Park", 60_000), ("Schulhof", 30_000), ("Fußgängerbrücke", 45_000)))  # fmt: skip
    phone: Browse = new_tab(phone=True)
    page = phone.page
    phone.open(module_path(module))  # a guest reads the items and the budget
    assert page.get_by_text("Anmelden und abstimmen").is_visible()
    phone.log_in(citizen.email, PASSWORD)
    phone.open(module_path(module))
    assert fits_the_screen(page)
    total = page.locator("#budget-total")
    assert "0 € von 100.000 € gewählt" in total.inner_text()
    focus_by_tab(page, f"el.id === 'vorschlag-{park.pk}-button'")
    page.keyboard.press("Enter")
    swapped_in_place(page, "document.getElementById('budget-total').textContent.includes('60.000 € von')")
    assert active_id(page) == f"vorschlag-{park.pk}-button"
    assert "Herausnehmen" in page.locator(f"#vorschlag-{park.pk}-button").inner_text()
    assert "noch 40.000 € übrig" in total.inner_text()
    assert "„Neuer Park“ ist gewählt" in page.locator("#budget-status").inner_text()
    page.locator(f"#vorschlag-{bridge.pk}-button").click()  # does not fit any more: refused, with the reason
    swapped_in_place(page, f"document.querySelector('#vorschlag-{bridge.pk} .budget-item__error')")
    assert "mehr als das Budget" in page.locator(f"#vorschlag-{bridge.pk}").inner_text()
    page.locator(f"#vorschlag-{school.pk}-button").click()
    swapped_in_place(page, "document.getElementById('budget-total').textContent.includes('90.000 € von')")
    phone.screenshot()
    phone.check_axe()
    assert set(Rating.objects.filter(user=citizen).values_list("object_pk", flat=True)) == {park.pk, school.pk}
    phone.open(dialogue_path(module, "ergebnisse/"))
    assert page.get_by_role("table").is_visible() and fits_the_screen(page)
    # Without JavaScript the same form posts and the page comes back with the new total.
    nojs = page.context.browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}, locale="de-DE"
    )
    try:
        plain = nojs.new_page()
        cookies = page.context.cookies()
        nojs.add_cookies(cookies)
        plain.goto(phone.url(module_path(module)))
        plain.locator(f"#vorschlag-{park.pk}-button").click()
        plain.wait_for_load_state("load")
        assert "30.000 €" in plain.locator("#budget-total").inner_text()
    finally:
        nojs.close()
    assert Idea.objects.get(pk=park.pk).positive_count == 0


def test_paragraph_comments_open_in_place_by_keyboard(new_tab: Any, world: Any) -> None:
    citizen = established(world.personas["citizen"])
    module = make_dialogue(world.public, Blueprint.TEXT_REVIEW, "comment")
    tab: Browse = new_tab()
    page = tab.page
    tab.log_in(citizen.email, PASSWORD)
    tab.open(module_path(module))
    focus_by_tab(page, "el.hasAttribute('data-paragraph-toggle')")
    toggle_box = page.evaluate("() => document.activeElement.getAttribute('aria-controls')")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'TEXTAREA'")
    assert page.evaluate("() => document.activeElement.closest('.paragraph-comments').id") == toggle_box
    assert (
        page.evaluate("() => document.querySelector('[data-paragraph-toggle]').getAttribute('aria-expanded')") == "true"
    )
    tab.screenshot()
    tab.check_axe()
    page.keyboard.press("Escape")  # closes, and the focus is back on the link
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.hasAttribute('data-paragraph-toggle')"
    )
    assert page.locator(f"#{toggle_box}").inner_html() == ""
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'TEXTAREA'")
    page.keyboard.type("Bitte auch die Ortsteile nennen.")
    focus_by_tab(page, "el.textContent.includes('Kommentar veröffentlichen')", limit=10)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab.arrived()
    comment = Comment.objects.get()
    assert comment.author == citizen and comment.text == "Bitte auch die Ortsteile nennen."
    assert page.get_by_text("Bitte auch die Ortsteile nennen.").is_visible()


def test_calls_to_action_and_the_topic_filter(new_tab: Any, world: Any) -> None:
    world.public.topics = [Topic.MOBILITY]
    world.public.save(update_fields=["topics"])
    module = make_dialogue(world.public, Blueprint.BRAINSTORMING, "collect")
    make_dialogue(world.public, Blueprint.TEXT_REVIEW, "comment", when="before")
    for phone in (False, True):
        tab: Browse = new_tab(phone=phone)
        page = tab.page
        tab.open("/")
        assert "und mehr" not in page.locator("h1 + p").inner_text()
        page.get_by_label("Thema").select_option(Topic.ENVIRONMENT.value)
        tab.click(page.locator("form[role=search] button[type=submit]"))
        assert page.get_by_text(world.public.title).count() == 0
        tab.open(f"/?topic={Topic.MOBILITY.value}")
        assert page.get_by_role("link", name=world.public.title).count() >= 1
        tab.open(world.public.get_absolute_url())
        assert page.get_by_text("Mitmachen ist ab dem").is_visible()
        tab.click(page.get_by_role("link", name=re.compile(rf"Idee einreichen\s*:\s*{module.name}")))
        assert tab.path.startswith(module_path(module))


def test_staff_reorder_and_delete_topics_by_keyboard(new_tab: Any, world: Any) -> None:
    staff = world.personas["org_admin"]
    module = make_dialogue(world.public, Blueprint.DEBATE, "discuss")
    first, second = (
        services.item_create(actor=staff, module=module, title=t, text="Text") for t in ("Parken", "Radwege")
    )
    tab: Browse = new_tab()
    page = tab.page
    tab.log_in(staff.email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    tab.open(f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/dialog/{module.pk}/")
    focus_by_tab(page, "el.textContent.includes('Nach oben') && el.textContent.includes('Radwege')", limit=200)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab.arrived()
    assert list(Idea.objects.filter(module=module).order_by("position").values_list("title", flat=True)) == [
        "Radwege",
        "Parken",
    ]
    assert page.get_by_text("Nach oben verschoben.").is_visible()
    tab.click(page.get_by_role("link", name=re.compile(r"Bearbeiten\s*:\s*Parken")))
    page.get_by_label("Titel").fill("Parken am Bahnhof")
    tab.click(page.get_by_role("button", name="Speichern"))
    assert Idea.objects.filter(title="Parken am Bahnhof").exists() and first.pk
    tab.click(page.get_by_role("button", name=re.compile(r"Löschen\s*:\s*Radwege")))
    assert not Idea.objects.filter(pk=second.pk).exists()


def test_staff_edit_a_chapter_on_a_phone(new_tab: Any, world: Any) -> None:
    staff = world.personas["org_admin"]
    module = make_dialogue(world.public, Blueprint.TEXT_REVIEW, "comment")
    chapter = module.chapters.get()
    first, second = chapter.paragraphs.all()
    phone: Browse = new_tab(phone=True)
    page = phone.page
    phone.log_in(staff.email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    phone.open(f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/dialog/{module.pk}/")
    phone.click(page.get_by_role("link", name=re.compile(r"Bearbeiten\s*:\s*§ 1")))
    assert fits_the_screen(page)
    phone.click(page.get_by_role("button", name=re.compile(r"Nach unten\s*:\s*Absatz 1")))
    assert [p.pk for p in chapter.paragraphs.all()] == [second.pk, first.pk]
    page.get_by_label("Absatz 2").fill("Diese Satzung gilt für das ganze Gemeindegebiet.")
    phone.click(page.get_by_role("button", name=re.compile(r"Speichern\s*:\s*Absatz 2")))
    first.refresh_from_db()
    assert "ganze Gemeindegebiet" in first.text
    assert page.get_by_text("Absatz 2 ist gespeichert.").is_visible()
