"""Browser journeys of a case worker in the inboxes (issue #14): full width, next/previous with the filter
kept, single-key shortcuts and switching them off, and the phone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest

from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.formal.models import Statement

from .conftest import with_second_factor
from .factories import PASSWORD
from .formal_fixtures import make_procedure
from .reports_fixtures import build_region, make_report, staff_of
from .staff_fixtures import many_statements
from .test_browser_formal import backoffice_base, submit_as

if TYPE_CHECKING:
    from .browser import Browse

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture
def inbox(world: Any) -> Any:
    procedure = make_procedure(world.personas["case_worker"], world.public)
    first = submit_as(world.personas["citizen"], procedure.rounds.get().tracks.get())
    many_statements(first, 499, late_every=7)
    return procedure


def _uses_the_full_width(tab: Browse) -> bool:
    """The page's layout spans the window (no wide margins) and the content reaches its right edge; only the
    back office's side navigation sits beside it."""
    box = tab.page.evaluate(
        "() => { const r = (s) => document.querySelector(s).getBoundingClientRect();"
        " return {layout: r('.site-main').width, right: r('main').right, main: r('main').width}; }"
    )
    width = DESKTOP["width"]
    return box["layout"] > width * 0.95 and box["right"] > width * 0.95 and box["main"] > width * 0.7


def test_statement_inbox_uses_the_full_width_and_walks_with_the_filter(tab: Browse, world: Any, inbox: Any) -> None:
    page = tab.page
    page.set_viewport_size(DESKTOP)
    tab.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    tab.open(backoffice_base(inbox) + "eingang/")
    assert page.get_by_role("heading", name="500 Stellungnahmen").is_visible()
    assert _uses_the_full_width(tab), "the inbox is squeezed into a column"
    # A readable excerpt: the long text is cut at about 200 characters, not 120.
    assert any(len(text) > 150 for text in page.locator(".excerpt").all_inner_texts())

    page.get_by_label("Fristgerecht").select_option(label="verspätet")
    page.get_by_label("Sortierung").select_option(label="älteste zuerst")
    tab.click(page.get_by_role("button", name="Filtern"))
    late = list(Statement.objects.filter(procedure=inbox, late=True).order_by("received_at", "-id"))
    assert page.get_by_role("heading", name=f"{len(late)} Stellungnahmen").is_visible()

    tab.click(page.get_by_role("link", name=late[0].reference, exact=True))
    assert page.get_by_text("Keine vorherige").is_visible()
    tab.click(page.get_by_role("link", name="Nächste"))
    assert f"/eingang/{late[1].pk}/" in page.url
    assert parse_qs(urlsplit(page.url).query)["late"] == ["1"], "the filter is carried along"

    # j/k walk through the filtered list; typing "j" in a text field types, it does not navigate.
    with page.expect_navigation():
        page.keyboard.press("j")
    tab.arrived()
    assert f"/eingang/{late[2].pk}/" in page.url
    with page.expect_navigation():
        page.keyboard.press("k")
    tab.arrived()
    assert f"/eingang/{late[1].pk}/" in page.url
    field = page.get_by_label("Neuer Abschnitt")
    field.press_sequentially("jk")
    assert field.input_value() == "jk"
    assert f"/eingang/{late[1].pk}/" in page.url

    # Switched off (WCAG 2.1.4), the keys do nothing; the setting is the person's, stored on the server.
    page.get_by_text("Tastaturkürzel (eingeschaltet)").click()
    tab.click(page.get_by_role("button", name="Tastaturkürzel ausschalten"))
    assert f"/eingang/{late[1].pk}/" in page.url
    page.keyboard.press("j")
    page.wait_for_timeout(300)
    assert f"/eingang/{late[1].pk}/" in page.url
    world.personas["case_worker"].refresh_from_db()
    assert world.personas["case_worker"].keyboard_shortcuts is False

    tab.click(page.get_by_role("link", name="Zurück zur Liste"))
    assert page.get_by_label("Fristgerecht").input_value() == "1"


def test_statement_inbox_rows_by_keyboard(tab: Browse, world: Any, inbox: Any) -> None:
    page = tab.page
    tab.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    tab.open(backoffice_base(inbox) + "eingang/")
    page.keyboard.press("j")
    page.keyboard.press("j")
    focused = page.evaluate("() => document.activeElement.textContent")
    newest = list(Statement.objects.filter(procedure=inbox).order_by("-received_at", "-id")[:2])
    assert focused == newest[1].reference
    tab.click(page.locator(":focus"))  # Enter or click opens it
    assert f"/eingang/{newest[1].pk}/" in page.url


def test_statement_inbox_on_the_phone(new_tab: Any, world: Any, inbox: Any) -> None:
    tab = new_tab(phone=True)
    tab.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    tab.open(backoffice_base(inbox) + "eingang/")
    wide = tab.page.evaluate(
        "() => Array.from(document.querySelectorAll('main *')).filter(e => e.getBoundingClientRect().right > 392)"
        ".filter(e => !e.closest('.kern-table-responsive')).slice(0, 5).map(e => e.tagName + '.' + e.className)"
    )
    assert tab.page.evaluate("() => document.documentElement.scrollWidth") <= 390, wide


def test_report_inbox_full_width_and_next_previous(tab: Browse) -> None:
    region = build_region()
    organisation = region.handler_of(region.road)
    worker = with_second_factor(staff_of(organisation, email="kreis@example.org"))
    reports = [make_report(region, description=f"Schlagloch Nummer {number}") for number in range(30)]
    page = tab.page
    page.set_viewport_size(DESKTOP)
    tab.log_in(worker.email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    tab.open(f"/verwaltung/{organisation.slug}/meldungen/?q=Schlagloch")
    assert _uses_the_full_width(tab)
    tab.click(page.get_by_role("link", name=f"#{reports[0].pk}", exact=True))
    tab.click(page.get_by_role("link", name="Nächste"))
    assert f"/{reports[1].pk}/?q=Schlagloch" in page.url
    with page.expect_navigation():
        page.keyboard.press("k")
    tab.arrived()
    assert f"/{reports[0].pk}/?q=Schlagloch" in page.url
