"""The test IdP's web pages as a plain WSGI application (stdlib only besides pysaml2)."""

from __future__ import annotations

import base64
import html
import traceback
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT

from mitwirken.accounts.saml import attributes as a

from .idp import PendingLogin, RequestError, TestIdP
from .personas import SCENARIOS

WARNING = "Test-IdP – nicht für den Echtbetrieb"

Start = Callable[[str, list[tuple[str, str]]], Any]

STYLE = """
body{font-family:system-ui,sans-serif;max-width:46rem;margin:1rem auto;padding:0 1rem;line-height:1.5;color:#111}
.warnung{background:#ffe08a;border:3px solid #8a5a00;padding:.5rem 1rem;font-weight:bold}
fieldset{margin:1rem 0;border:1px solid #555}label{display:block;margin:.25rem 0}
button{font-size:1.1rem;padding:.4rem 1.2rem}:focus{outline:3px solid #0050a0;outline-offset:2px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:bold}code{word-break:break-all}
"""


def page(title: str, body: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} – {WARNING}</title><style>{STYLE}</style></head><body>"
        f'<p class="warnung" role="note">{WARNING}. Hier kann sich jede Person als jede Testperson ausgeben.</p>'
        f"<main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    ).encode()


class App:
    def __init__(self, idp: TestIdP) -> None:
        self.idp = idp

    def __call__(self, environ: dict[str, Any], start_response: Start) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        method = environ.get("REQUEST_METHOD", "GET")
        fields = _fields(environ)
        try:
            if path in {"/metadata", "/idp/metadata"}:
                return _answer(
                    start_response, "200 OK", self.idp.metadata_xml().encode(), "application/samlmetadata+xml"
                )
            if path == "/":
                return _answer(start_response, "200 OK", self.index())
            if path in {"/sso/post", "/sso/redirect"}:
                binding = BINDING_HTTP_POST if path == "/sso/post" else BINDING_HTTP_REDIRECT
                return self.sso(start_response, binding, fields)
            if path == "/login" and method == "POST":
                return self.login(start_response, fields)
            if path == "/unsolicited":
                return self.unsolicited(start_response, fields)
            if path in {"/slo/post", "/slo/redirect"}:
                binding = BINDING_HTTP_POST if path == "/slo/post" else BINDING_HTTP_REDIRECT
                return self.slo(start_response, binding, fields)
            return _answer(start_response, "404 Not Found", page("Nicht gefunden", "<p>Diese Seite gibt es nicht.</p>"))
        except RequestError as exc:
            body = page("Anfrage nicht beantwortbar", f"<p>{html.escape(str(exc))}</p>")
            return _answer(start_response, "400 Bad Request", body)
        except Exception:
            traceback.print_exc()
            body = page("Interner Fehler", "<p>Der Test-IdP hat einen Fehler; siehe seine Konsolenausgabe.</p>")
            return _answer(start_response, "500 Internal Server Error", body)

    # ----------------------------------------------------------------- pages

    def index(self) -> bytes:
        base = html.escape(self.idp.base_url)
        return page(
            f"Test-IdP ({self.idp.profile})",
            f"<p>Entity-ID: <code>{html.escape(self.idp.entity_id)}</code></p>"
            f'<ul><li><a href="{base}/metadata">Metadaten</a></li>'
            f'<li><a href="{base}/unsolicited">Anmeldung ohne Anfrage des Dienstes (IdP-initiiert)</a></li></ul>',
        )

    def sso(self, start_response: Start, binding: str, fields: dict[str, str]) -> Iterable[bytes]:
        if "SAMLRequest" not in fields:
            raise RequestError("Es fehlt die Anmeldeanfrage (SAMLRequest).")
        login = self.idp.read_authn_request(
            fields["SAMLRequest"],
            binding,
            relay_state=fields.get("RelayState", ""),
            sigalg=fields.get("SigAlg"),
            signature=fields.get("Signature"),
        )
        if fields.get("persona") and fields.get("scenario"):
            # Tests drive the IdP without the login page: persona and scenario come with the request.
            return self._respond(start_response, login, fields)
        key = self.idp.remember(login)
        return _answer(start_response, "200 OK", self.login_page(login, key))

    def login(self, start_response: Start, fields: dict[str, str]) -> Iterable[bytes]:
        with self.idp.lock:
            login = self.idp.pending.pop(fields.get("request", ""), None)
        if login is None:
            raise RequestError("Diese Anmeldung ist schon beantwortet oder unbekannt. Bitte beim Dienst neu beginnen.")
        return self._respond(start_response, login, fields)

    def unsolicited(self, start_response: Start, fields: dict[str, str]) -> Iterable[bytes]:
        sp_entity_ids = self.idp.sp_entity_ids()
        sp = fields.get("sp") or (sp_entity_ids[0] if sp_entity_ids else "")
        if sp not in sp_entity_ids:
            raise RequestError(f"Unbekannter Dienst: {sp}")
        login = PendingLogin(
            sp_entity_id=sp,
            acs_url=self.idp.acs_url(sp),
            request_id=None,
            relay_state=fields.get("RelayState", ""),
            requested_level=int(fields["level"]) if fields.get("level", "").isdigit() else None,
            comparison="minimum",
        )
        if fields.get("persona") and fields.get("scenario"):
            return self._respond(start_response, login, fields)
        key = self.idp.remember(login)
        return _answer(start_response, "200 OK", self.login_page(login, key, unsolicited=True))

    def slo(self, start_response: Start, binding: str, fields: dict[str, str]) -> Iterable[bytes]:
        if "SAMLRequest" not in fields:
            raise RequestError("Es fehlt die Abmeldeanfrage (SAMLRequest).")
        info = self.idp.logout_response(
            fields["SAMLRequest"],
            binding,
            relay_state=fields.get("RelayState", ""),
            sigalg=fields.get("SigAlg"),
            signature=fields.get("Signature"),
        )
        if info["method"] == "GET":
            location = dict(info["headers"])["Location"]  # type: ignore[call-overload]
            return _answer(start_response, "303 See Other", b"", headers=[("Location", location)])
        data = info.get("data", "")
        # pysaml2's POST page carries an inline script; ours is a plain form with a button.
        response_b64 = _hidden_value(str(data), "SAMLResponse")
        return _answer(
            start_response,
            "200 OK",
            self.post_page("Abgemeldet", str(info["url"]), response_b64, fields.get("RelayState", ""), ""),
        )

    def login_page(self, login: PendingLogin, key: str, *, unsolicited: bool = False) -> bytes:
        level = f"STORK-QAA-Level-{login.requested_level}" if login.requested_level else "keines angegeben"
        asked = "".join(f"<li><code>{html.escape(name)}</code></li>" for name in login.requested_attributes)
        personas = "".join(
            f'<label><input type="radio" name="persona" value="{p.key}"{" checked" if i == 0 else ""}> '
            f"{html.escape(p.label)}</label>"
            for i, p in enumerate(self.idp.personas.values())
        )
        scenarios = "".join(
            f'<label><input type="radio" name="scenario" value="{key_}"{" checked" if key_ == "ok" else ""}> '
            f"{html.escape(text)} <code>{key_}</code></label>"
            for key_, text in SCENARIOS.items()
        )
        intro = (
            "<p>Anmeldung ohne vorherige Anfrage des Dienstes (IdP-initiiert).</p>"
            if unsolicited
            else "<p>Ein Dienst bittet um Ihre Anmeldung.</p>"
        )
        body = (
            f"{intro}<dl><dt>Dienst</dt><dd>{html.escape(login.display_name)} "
            f"<code>{html.escape(login.sp_entity_id)}</code></dd>"
            f"<dt>Vertrauensniveau</dt><dd>{html.escape(level)} ({html.escape(login.comparison)})</dd>"
            f"<dt>Anfrage signiert</dt><dd>{'ja' if login.signed else 'nein'}</dd></dl>"
            + (f"<h2>Angefragte Attribute</h2><ul>{asked}</ul>" if asked else "")
            + f'<form method="post" action="{html.escape(self.idp.base_url)}/login">'
            f'<input type="hidden" name="request" value="{html.escape(key)}">'
            f"<fieldset><legend>Testperson</legend>{personas}</fieldset>"
            f"<fieldset><legend>Antwort des Test-IdP</legend>{scenarios}</fieldset>"
            '<p><label for="level">Vertrauensniveau erzwingen</label> <select id="level" name="level">'
            '<option value="" selected>nein (wie angefragt)</option>'
            + "".join(f'<option value="{n}">STORK-QAA-Level-{n}</option>' for n in range(1, 5))
            + "</select></p>"
            '<button type="submit">Anmelden</button></form>'
        )
        return page(
            f"Anmelden beim Test-IdP ({'BundID' if self.idp.profile == 'bundid' else 'Mein Unternehmenskonto'})", body
        )

    def post_page(self, title: str, action: str, saml_response: str, relay_state: str, summary: str) -> bytes:
        # A plain form and a button: no script, so a person (or a browser test) sees the step and clicks on.
        body = (
            f"<p>Sie werden zum Dienst zurückgeleitet.</p>{summary}"
            f'<form method="post" action="{html.escape(action)}">'
            f'<input type="hidden" name="SAMLResponse" value="{html.escape(saml_response)}">'
            + (f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">' if relay_state else "")
            + '<button type="submit">Weiter</button></form>'
        )
        return page(title, body)

    def _respond(self, start_response: Start, login: PendingLogin, fields: dict[str, str]) -> Iterable[bytes]:
        persona = self.idp.personas.get(fields.get("persona", ""))
        if persona is None:
            raise RequestError(f"Unbekannte Testperson; möglich: {', '.join(self.idp.personas)}")
        scenario = fields.get("scenario", "ok")
        if scenario not in SCENARIOS:
            raise RequestError(f"Unbekannte Antwort {scenario!r}; möglich: {', '.join(SCENARIOS)}")
        level = int(fields["level"]) if fields.get("level", "") in {"1", "2", "3", "4"} else None
        xml, summary = self.idp.response(
            persona=persona,
            scenario=scenario,
            sp_entity_id=login.sp_entity_id,
            acs_url=login.acs_url,
            request_id=login.request_id,
            requested_level=login.requested_level,
            requested_attributes=login.requested_attributes,
            level=level,
        )
        encoded = base64.b64encode(xml.encode("utf-8")).decode("ascii")
        return _answer(
            start_response,
            "200 OK",
            self.post_page("Antwort an den Dienst", login.acs_url, encoded, login.relay_state, _summary(summary)),
        )


def _summary(summary: dict[str, Any]) -> str:
    rows = [f"<dt>Antwort</dt><dd><code>{html.escape(summary['scenario'])}</code></dd>"]
    rows.append(f"<dt>Testperson</dt><dd>{html.escape(summary['persona'])}</dd>")
    if "status" in summary:
        rows.append(f"<dt>Statusmeldung</dt><dd>{html.escape(summary['status'])}</dd>")
    if "level" in summary:
        rows.append(f"<dt>Vertrauensniveau</dt><dd>STORK-QAA-Level-{summary['level']}</dd>")
        rows.append(f"<dt>Signiert</dt><dd>{'ja' if summary['signed'] else 'nein'}</dd>")
        rows.append(f"<dt>Verschlüsselt</dt><dd>{'ja' if summary['encrypted'] else 'nein'}</dd>")
    rows.append(f"<dt>Ziel</dt><dd><code>{html.escape(summary['acs_url'])}</code></dd>")
    attrs = "".join(
        f"<li><code>{html.escape(name)}</code>: {html.escape(value)} ({html.escape(level)})</li>"
        for name, value, level in summary.get("attributes", [])
        if name != a.TRUST_LEVEL
    )
    return "<dl>" + "".join(rows) + "</dl>" + (f"<h2>Attribute</h2><ul>{attrs}</ul>" if attrs else "")


def _fields(environ: dict[str, Any]) -> dict[str, str]:
    fields = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()}
    if environ.get("REQUEST_METHOD") == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(min(length, 2_000_000)).decode("utf-8", "replace")
        fields.update({k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()})
    return fields


def _hidden_value(form_html: str, name: str) -> str:
    import re

    match = re.search(rf'name="{name}"\s+value="([^"]*)"', form_html)
    return html.unescape(match.group(1)) if match else ""


def _answer(
    start_response: Start,
    status: str,
    body: bytes,
    content_type: str = "text/html; charset=utf-8",
    headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    start_response(
        status,
        [("Content-Type", content_type), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")]
        + (headers or []),
    )
    return [body]
