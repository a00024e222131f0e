"""Screenshots of a running portal, for docs/ and for looking at what we build.

Usage: python scripts/screenshots.py [BASE_URL] [OUT_DIR] [path ...]
Logs in as demo accounts where a path is prefixed with "email:".
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "var/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    paths = sys.argv[3:] or ["/"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for width, label in ((1280, "desktop"), (390, "phone")):
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
            page = context.new_page()
            for path in paths:
                page.goto(base + path)
                name = path.strip("/").replace("/", "_") or "start"
                page.screenshot(path=str(out / f"{name}-{label}.png"), full_page=True)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
