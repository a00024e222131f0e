"""Runs the local test IdP (devtools/test_idp) as a subprocess and drives it without a browser.

The fixtures are in ``tests/saml_idp.py``; this module holds what they and other tests import (a module that is
a pytest plugin should not be imported by test modules too).
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SP_METADATA_PATH = "/konto/saml/metadata/"


class _Forms(HTMLParser):
    """Every form's action and its input fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((values.get("action", ""), {}))
            self._in_form = True
        elif tag == "input" and self._in_form and values.get("name"):
            self.forms[-1][1][values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def read_form(page: str) -> tuple[str, dict[str, str]]:
    """The form carrying a SAML message (a portal page has other forms too), else the first form."""
    parser = _Forms()
    parser.feed(page)
    for action, fields in parser.forms:
        if "SAMLRequest" in fields or "SAMLResponse" in fields:
            return action, fields
    if not parser.forms:
        raise AssertionError(f"no form in page:\n{page[:2000]}")
    return parser.forms[0]


class IdPError(AssertionError):
    """The IdP answered with an error page instead of a SAML response."""


@dataclass
class RunningIdP:
    base_url: str
    profile: str
    process: subprocess.Popen[str]
    log_file: str

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/metadata"

    @property
    def entity_id(self) -> str:
        return f"{self.base_url}/idp/metadata"

    def metadata(self) -> str:
        with urllib.request.urlopen(self.metadata_url, timeout=10) as answer:  # noqa: S310 – local
            return answer.read().decode("utf-8")

    def log(self) -> str:
        return Path(self.log_file).read_text(encoding="utf-8", errors="replace")

    def page(self, url: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        """GET (or POST ``data`` to) a page of the IdP: (status, HTML) – or (status, Location) for a redirect."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")  # noqa: S310
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=30) as answer:
                return answer.status, answer.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            if 300 <= exc.code < 400:  # a redirect: its target instead of a page
                return exc.code, str(exc.headers.get("Location", ""))
            return exc.code, exc.read().decode("utf-8", "replace")

    def respond(
        self, authn_request: Any, *, persona: str = "erika", scenario: str = "ok", level: int | None = None
    ) -> tuple[str, str, str]:
        """Answer the SP's AuthnRequest as the chosen persona: ``(SAMLResponse, RelayState, ACS URL)``.

        ``authn_request`` is what the SP sent the browser: the HTML page with the auto-post form (a string, or
        a Django test-client response), the form's fields as a dict, or the redirect URL (HTTP-Redirect
        binding; a 302 test-client response works too).
        """
        choice = {"persona": persona, "scenario": scenario}
        if level is not None:
            choice["level"] = str(level)
        if hasattr(authn_request, "status_code"):  # a Django test-client response
            if 300 <= authn_request.status_code < 400:
                authn_request = authn_request["Location"]
            else:
                authn_request = authn_request.content.decode("utf-8")
        if isinstance(authn_request, dict):
            status, page = self.page(f"{self.base_url}/sso/post", {**authn_request, **choice})
        elif isinstance(authn_request, str) and authn_request.lstrip().startswith("http"):
            separator = "&" if "?" in authn_request else "?"
            status, page = self.page(authn_request.strip() + separator + urllib.parse.urlencode(choice))
        else:
            action, fields = read_form(str(authn_request))
            status, page = self.page(action, {**fields, **choice})
        return self._saml_response(status, page)

    def unsolicited(
        self,
        *,
        persona: str = "erika",
        scenario: str = "ok",
        relay_state: str = "",
        level: int | None = None,
        sp: str | None = None,
    ) -> tuple[str, str, str]:
        """An IdP-initiated response (no InResponseTo): ``(SAMLResponse, RelayState, ACS URL)``."""
        data = {"persona": persona, "scenario": scenario, "RelayState": relay_state}
        if level is not None:
            data["level"] = str(level)
        if sp:
            data["sp"] = sp
        return self._saml_response(*self.page(f"{self.base_url}/unsolicited", data))

    def _saml_response(self, status: int, page: str) -> tuple[str, str, str]:
        if status != 200 or "SAMLResponse" not in page:
            raise IdPError(f"test IdP answered {status}:\n{page[:3000]}\n--- IdP log ---\n{self.log()[-3000:]}")
        action, fields = read_form(page)
        return fields["SAMLResponse"], fields.get("RelayState", ""), action


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@contextmanager
def run_test_idp(
    profile: str = "bundid",
    *,
    sp_metadata_url: str | None = None,
    sp_metadata_file: str | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[RunningIdP]:
    """Start the test IdP on a free port (the system picks it, so xdist workers never clash); stop it after."""
    source = (
        ["--sp-metadata-url", sp_metadata_url] if sp_metadata_url else ["--sp-metadata-file", str(sp_metadata_file)]
    )
    command = [sys.executable, "-m", "devtools.test_idp", "--profile", profile, "--port", "0", *source]
    log = tempfile.NamedTemporaryFile("w", prefix="test-idp-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={**os.environ, "MITWIRKEN_ENV": "test", **(env or {})},
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 30)
        line = process.stdout.readline() if ready else ""
        if not line.startswith("Test-IdP listening on "):
            process.kill()
            raise RuntimeError(f"test IdP did not start: {line!r}\n{Path(log.name).read_text(errors='replace')}")
        yield RunningIdP(base_url=line.split()[-1], profile=profile, process=process, log_file=log.name)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        os.unlink(log.name)
