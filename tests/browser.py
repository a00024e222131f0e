"""Playwright fixtures and helpers for the browser tests in ``test_browser.py``.

Every page a test reaches goes through :class:`Browse`, which runs axe-core on it
and saves a screenshot. A ``load`` listener counts the documents the page has
loaded, and the fixture fails a test that reached a page without checking it, so
an accessibility check cannot be forgotten when a journey grows.
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = ROOT / "src" / "mitwirken" / "static" / "vendor" / "axe" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING_IMPACTS = {"serious", "critical"}
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000
TILE_HOSTS = re.compile(r"^https://sgx\.geodatenzentrum\.de/")


def totp_code(secret: str) -> str:
    """The code an authenticator app shows right now for ``secret``.

    Near the end of a 30-second window the code may expire before the form reaches the server, so wait
    for the next window then, as a person would.
    """
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        # A target is a list of selectors: one per iframe or shadow root on the way to the node.
        targets = [" >>> ".join(node["target"]) for node in violation["nodes"][:3]]
        more = len(violation["nodes"]) - len(targets)
        lines.append(
            f"  {violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"      at {', '.join(targets)}{f' and {more} more' if more > 0 else ''}"
        )
    return "\n".join(lines)


class Browse:
    """One browser tab of one test; every way of reaching a page ends in :meth:`arrived`."""

    def __init__(self, page: Any, base_url: str, next_screenshot: Callable[[], Path]) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.next_screenshot = next_screenshot
        self.loads = 0
        self.checked_loads = 0
        self.unchecked: list[str] = []
        page.on("load", self._on_load)

    def _on_load(self, page: Any) -> None:
        if self.loads > self.checked_loads:
            self.unchecked.append(page.url)
        self.loads += 1

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base_url}{path}"

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def open(self, path: str, *, status: int = 200) -> Any:
        """Go to ``path``, assert the HTTP status, and check the page."""
        response = self.page.goto(self.url(path))
        assert response is not None
        assert response.status == status, f"{path}: HTTP {response.status}, expected {status}"
        self.arrived()
        return response

    def click(self, locator: Any) -> None:
        """Click something that loads a new page (a link or a submit button), then check that page."""
        with self.page.expect_navigation():
            locator.click()
        self.arrived()

    def arrived(self) -> None:
        self.page.wait_for_load_state("load")
        self.screenshot()
        self.check_axe()
        self.checked_loads = self.loads

    def screenshot(self) -> Path:
        path = self.next_screenshot()
        self.page.screenshot(path=path, full_page=True)
        return path

    def check_axe(self) -> None:
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE_JS))
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        blocking = [v for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"axe found serious/critical violations on {self.path}:\n{_describe(blocking)}"

    def assert_all_checked(self) -> None:
        missed = self.unchecked + ([self.page.url] if self.loads > self.checked_loads else [])
        assert not missed, f"pages loaded without an accessibility check: {missed}"

    # Helpers for the account pages shared by the journeys.

    def log_in(self, email: str, password: str, *, totp_secret: str | None = None) -> None:
        self.open("/konto/login/")
        self.submit_login(email, password, totp_secret=totp_secret)

    def submit_login(self, email: str, password: str, *, totp_secret: str | None = None) -> None:
        """Fill in the login form on the current page; answer the second-factor prompt if one is expected."""
        assert "/konto/login/" in self.page.url, self.page.url
        self.page.get_by_label("E-Mail").fill(email)
        self.page.get_by_label("Passwort", exact=True).fill(password)
        self.click(self.page.locator("main form button[type=submit].kern-btn--primary"))
        if totp_secret is not None:
            assert "/konto/2fa/authenticate/" in self.page.url, self.page.url
            self.page.get_by_label("Code").fill(totp_code(totp_secret))
            self.click(self.page.locator("main form button[type=submit].kern-btn--primary"))
            if "/konto/2fa/authenticate/" in self.page.url:
                # A code is accepted once: an earlier test may have used this window's code for the same
                # account. A person waits for the next code; so does the test.
                time.sleep(30 - time.time() % 30 + 0.2)
                self.page.get_by_label("Code").fill(totp_code(totp_secret))
                self.click(self.page.locator("main form button[type=submit].kern-btn--primary"))
        # On a phone the button sits in the folded menu: present, not necessarily visible.
        logout = self.page.get_by_role("button", name="Abmelden", include_hidden=True)
        assert logout.count() == 1, f"not logged in at {self.path}"


def _safe_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.rsplit("::", 1)[-1]).strip("_")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the whole session (Debian's, never a downloaded one)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed; the browser tests need Debian's chromium package"
        if os.environ.get("MITWIRKEN_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (MITWIRKEN_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing; run `make static`")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread for as long as it is started, and
    # Django refuses database access from a thread with a running loop unless told it is safe. That holds
    # for every test that runs after this fixture in the session, browser test or not, hence session scope.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()


@pytest.fixture
def new_tab(chromium: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A factory for isolated tabs (own cookies), each wrapped in :class:`Browse`.

    ``new_tab()`` is a desktop tab, ``new_tab(phone=True)`` a 390×844 phone screen.
    axe-core is injected from a local file; bypass_csp lets it run despite ``script-src 'self'``.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = _safe_name(request.node.nodeid)
    numbers = itertools.count(1)  # one sequence across the test's tabs, in the order pages were reached
    contexts: list[Any] = []
    tabs: list[Browse] = []
    failed_before = request.session.testsfailed

    def make(*, phone: bool = False) -> Browse:
        context = chromium.new_context(
            bypass_csp=True,
            locale="de-DE",
            timezone_id="Europe/Berlin",
            viewport=PHONE if phone else {"width": 1280, "height": 900},
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(TIMEOUT_MS)
        # The tests run offline, as the development machine: the base map's server is never reached (the maps
        # then say so and show outlines and places, see test_browser_maps.py).
        context.route(TILE_HOSTS, lambda route: route.abort("internetdisconnected"))
        contexts.append(context)
        tab = Browse(context.new_page(), live_server.url, lambda: SCREENSHOTS / f"{base}-{next(numbers)}.png")
        tabs.append(tab)
        return tab

    yield make
    try:
        if request.session.testsfailed == failed_before:  # a failed test has already said what went wrong
            for tab in tabs:
                tab.assert_all_checked()
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def tab(new_tab: Any) -> Browse:
    return new_tab()
