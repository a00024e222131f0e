"""``python -m devtools.test_idp.connect bundid=http://127.0.0.1:8089/metadata muk=…``: the development portal
trusts the running test IdPs (their metadata imported, as an administrator would at /verwaltung/anmeldedienste/).

Waits up to 30 seconds for each IdP to answer, so ``make run TEST_IDP=1`` can start everything at once. Refuses
production settings like the test IdP itself.
"""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request

from .__main__ import REFUSAL

WAIT_SECONDS = 30


def wait_for(url: str) -> str:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - a local address given by make
                return str(answer.read().decode("utf-8"))
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise SystemExit(f"Test-IdP not reachable at {url}") from None
            time.sleep(0.5)


def main(argv: list[str]) -> int:
    if os.environ.get("MITWIRKEN_ENV", "production").strip().lower() == "production":
        print(REFUSAL, file=sys.stderr)
        return 2
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitwirken.settings")
    django.setup()
    from mitwirken.accounts.saml.metadata import import_metadata

    for pair in argv:
        provider, _, url = pair.partition("=")
        idp = import_metadata(actor=None, provider=provider, xml=wait_for(url), url=url)
        print(f"{idp.get_provider_display()}: {idp.entity_id} (Test-IdP) ist eingerichtet.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
