"""Screenshots of the back office for docs/projects.md, taken from a throw-away demo portal.

Usage (from the project root, after ``make install``):

    .venv/bin/python scripts/docs_screenshots.py                 # writes docs/img/*.png
    .venv/bin/python scripts/docs_screenshots.py --out /tmp/shots
    .venv/bin/python scripts/docs_screenshots.py --base-url http://127.0.0.1:8000   # use a running demo portal

Without ``--base-url`` the script builds its own environment, so ``var/`` is never touched:
its maps show the demo base map (``MAP_TILE_URL=demo``), not basemap.de, which needs the internet;
a temporary ``MITWIRKEN_VAR_DIR`` with a fresh SQLite database (``migrate`` + ``seed_demo``), and
``runserver`` on a free port on 127.0.0.1. Server and directory are removed again on every exit path.

It logs in as the demo organisation admin ``orgadmin@musterkreis.example`` with the demo second
factor (the code comes from ``manage.py demo_totp``) and drives Debian's Chromium through Playwright;
it never downloads a browser.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
ORG = "musterkreis"
EMAIL = "orgadmin@musterkreis.example"
PASSWORD = "mitwirken-demo"  # noqa: S105 - the published demo password (src/mitwirken/core/demo.py)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed command line, no user input
        [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


@contextlib.contextmanager
def demo_portal() -> Iterator[tuple[str, dict[str, str]]]:
    """A migrated, seeded portal in a temporary var directory, served by runserver."""
    var_dir = Path(tempfile.mkdtemp(prefix="mitwirken-docs-"))
    # The demo base map (core/demo_tiles.py): the screenshots show a map without internet; production uses basemap.de.
    env = {**os.environ, "MITWIRKEN_ENV": "development", "MITWIRKEN_VAR_DIR": str(var_dir),
           "PYTHONPATH": str(ROOT / "src"), "MAP_TILE_URL": "demo"}  # fmt: skip
    process: subprocess.Popen[bytes] | None = None
    try:
        manage(env, "migrate", "--no-input")
        manage(env, "seed_demo")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        process = subprocess.Popen(  # noqa: S603
            [str(PYTHON), "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"runserver exited with {process.returncode}")
            with contextlib.suppress(OSError), urllib.request.urlopen(base + "/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("runserver did not answer within 60 s")
            time.sleep(0.3)
        yield base, env
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(var_dir, ignore_errors=True)


def totp_code(env: dict[str, str]) -> str:
    return manage(env, "demo_totp").strip()


def log_in(page: Any, base: str, env: dict[str, str]) -> None:
    page.goto(base + "/konto/login/")
    page.get_by_label("E-Mail").fill(EMAIL)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.locator("main form button[type=submit].kern-btn--primary").click()
    page.wait_for_url("**/konto/2fa/authenticate/")
    for _attempt in range(2):  # a code can expire between reading and submitting it
        page.get_by_label("Code").fill(totp_code(env))
        with page.expect_navigation():
            page.locator("main form button[type=submit].kern-btn--primary").click()
        if "/konto/2fa/" not in page.url:
            return
        time.sleep(31 - time.time() % 30)
    raise RuntimeError(f"second factor was not accepted (still at {page.url})")


def project_pk(page: Any, base: str, title: str) -> str:
    """The back-office id of a demo project, read from the project list's link."""
    page.goto(f"{base}/verwaltung/{ORG}/projekte/")
    href = page.get_by_role("link", name=title, exact=True).get_attribute("href")
    return href.rstrip("/").rsplit("/", 1)[-1]


def settle_maps(page: Any) -> None:
    """Wait until every map has finished zooming and drawn its base map tiles (none is half-scaled or blank)."""
    if page.locator(".leaflet-container").count() == 0:
        return
    page.wait_for_function(
        "() => !document.querySelector('.leaflet-zoom-anim')"
        " && [...document.querySelectorAll('.leaflet-tile')].every(t => t.classList.contains('leaflet-tile-loaded'))",
        timeout=15_000,
    )
    page.wait_for_timeout(400)  # the tiles' fade-in


def shoot(page: Any, out: Path, name: str, *, heading: str = "", selector: str = "") -> None:
    """A viewport-sized screenshot (not the full page), optionally scrolled to a heading or a form field."""
    page.wait_for_load_state("load")
    target = None
    if heading:
        target = page.get_by_role("heading", name=heading, exact=True).first
    elif selector:
        target = page.locator(selector).first
    if target is not None:
        # KERN sets smooth scrolling; jump instead, leaving a little room above the target.
        target.evaluate(
            "e => { const box = (e.closest('fieldset') || e).getBoundingClientRect();"
            " window.scrollTo({top: box.top + window.scrollY - 24, behavior: 'instant'}); }"
        )
    settle_maps(page)
    path = out / f"{name}.png"
    page.screenshot(path=str(path))
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  ({path.stat().st_size // 1024} KB)")


def take(base: str, env: dict[str, str], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        # --lang: German date inputs, as German staff see them; needs Debian's chromium-l10n, else en-US.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--lang=de-DE"], headless=True
        )
        try:
            context = browser.new_context(viewport=VIEWPORT, locale="de-DE", timezone_id="Europe/Berlin")
            page = context.new_page()
            log_in(page, base, env)
            backoffice = f"{base}/verwaltung/{ORG}"

            page.goto(backoffice + "/")
            shoot(page, out, "backoffice-projekte")

            draft = project_pk(page, base, "Klimaschutzkonzept (Entwurf)")
            page.goto(f"{backoffice}/projekte/{draft}/")
            shoot(page, out, "projekt-formular")
            shoot(page, out, "projekt-zugang", selector="input[name=access]")

            radweg = project_pk(page, base, "Radverkehrskonzept Landkreis Musterkreis")
            page.goto(f"{backoffice}/projekte/{radweg}/module/")
            shoot(page, out, "module-phasen")
            with page.expect_navigation():
                page.get_by_role("link", name="Bearbeiten").first.click()
            shoot(page, out, "phase-formular", selector="label[for=id_phase_type]")

            k12 = project_pk(page, base, "Fachbeteiligung Ausbau der Kreisstraße K 12")
            page.goto(f"{backoffice}/projekte/{k12}/teilnehmende/")
            shoot(page, out, "teilnehmende-einladungen", heading="Per E-Mail einladen")
            shoot(page, out, "teilnehmende-zugangscodes", heading="Personen mit Zugang")

            page.goto(f"{backoffice}/einstellungen/")
            shoot(page, out, "einstellungen")
            shoot(page, out, "einstellungen-rechtstexte", selector="label[for=id_imprint]")
            context.close()

            # The public page as a citizen sees it: a fresh context without a login.
            public = browser.new_context(viewport=VIEWPORT, locale="de-DE", timezone_id="Europe/Berlin")
            page = public.new_page()
            page.goto(f"{base}/{ORG}/projekte/radverkehrskonzept/")
            shoot(page, out, "projektseite-oeffentlich")
            public.close()
        finally:
            browser.close()


@contextlib.contextmanager
def german_browser() -> Iterator[Any]:
    """Debian's Chromium in German (date inputs as German staff see them, given chromium-l10n), closed on exit."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--lang=de-DE"], headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def run_cli(take_screenshots: Callable[[str, dict[str, str], Path], None], description: str | None) -> None:
    """The command line shared by the screenshot scripts: --out, --base-url, or a throw-away demo portal."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="directory for the PNG files")
    parser.add_argument("--base-url", help="use this running demo portal instead of starting one")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium).")
    if args.base_url:
        env = {**os.environ, "MITWIRKEN_ENV": os.environ.get("MITWIRKEN_ENV", "development")}
        take_screenshots(args.base_url.rstrip("/"), env, args.out)
        return
    with demo_portal() as (base, env):
        take_screenshots(base, env, args.out)


def main() -> None:
    run_cli(take, __doc__)


if __name__ == "__main__":
    main()
