"""Robustness (issue 10): hostile input to every form and API route, as several personas, is never a 500.

The routes come from the URL resolver (like the protected-mode and tenant tests), so a page added later is
covered without touching this file. Each route is requested with hostile query parameters; where the page has
a form, its fields (read from the HTML) are posted with NUL bytes, very long text, huge numbers, malformed
GeoJSON and coordinates and impossible dates, and the route gets invalid UTF-8 and wrong content types.
The answer may be a 4xx with a message or the form with errors; never a server error.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver

from mitwirken.dialogue import services as dialogue_services
from mitwirken.dialogue.models import Blueprint
from mitwirken.participation import services as participation_services

from .conftest import login
from .corpora import xss_sample
from .dialogue_fixtures import make_dialogue
from .dialogue_helpers import established
from .event_fixtures import event_values
from .formal_fixtures import make_procedure, pdf_upload
from .survey_fixtures import make_survey
from .test_protected_mode import FORMAL_PATHS, SURVEY_PATHS, fill, walk
from .volunteering_fixtures import volunteering_values

pytestmark = pytest.mark.django_db

HUGE = "9" * 30
DEEP = "[" * 20_000 + "]" * 20_000
HOSTILE_QUERY = {
    "q": "a\x00b", "seite": HUGE, "page": HUGE, "page_size": "-1", "bbox": "nan,nan,inf,inf", "zoom": HUGE,
    "status": "\x00", "category": "<script>", "lat": "1e309", "lon": "-1e309", "address": "x" * 5000,
    "next": "//evil.example/", "sort": "__class__", "jurisdiction_id": "\x00", "start_date": "0001-01-01",
}  # fmt: skip
SKIPPED = ("admin/", "konto/logout/", "konto/loeschen/", "static/", "media/")  # logging out / deleting oneself


class FormFields(HTMLParser):
    """The names of the fields of every POST form on a page (the CSRF token excluded)."""

    def __init__(self) -> None:
        super().__init__()
        self.in_post_form = False
        self.forms: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.in_post_form = (values.get("method") or "").lower() == "post"
            if self.in_post_form:
                self.forms.append({"__action": values.get("action") or ""})
        elif self.in_post_form and tag in ("input", "textarea", "select", "button") and values.get("name"):
            name = values["name"] or ""
            if name != "csrfmiddlewaretoken":
                self.forms[-1][name] = (
                    (values.get("type") or tag).lower() if tag != "button" else "button:" + (values.get("value") or "")
                )

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_post_form = False


def hostile_value(name: str, kind: str, variant: int) -> str:
    """One hostile value per field, chosen by what the field looks like; ``variant`` cycles the classes."""
    lowered = name.lower()
    if kind.startswith("button:"):
        return kind.split(":", 1)[1]
    if variant == 0:
        return "a\x00b"
    if variant == 1:
        return HUGE
    if any(word in lowered for word in ("location", "boundary", "geometry", "geojson")):
        return DEEP
    if lowered in ("lat", "lon", "long") or lowered.endswith(("-lat", "-lon")):
        return "1e309"
    if kind in ("date", "datetime-local") or any(word in lowered for word in ("date", "_at", "day", "start", "end")):
        return "0001-01-01T00:00"
    if kind == "email" or "email" in lowered:
        return "a@" + "x" * 300 + ".example"
    return "x" * 60_000


def routes() -> list[str]:
    return [
        route for route in walk(get_resolver().url_patterns)
        if not route.startswith(SKIPPED) and "(?P<path>" not in route
    ]  # fmt: skip


@pytest.fixture
def values(world: Any) -> dict[str, Any]:
    """Real objects for every URL parameter, so pages render their forms instead of answering 404."""
    from mitwirken.formal import evaluation
    from mitwirken.formal import services as formal_services
    from mitwirken.reports.models import CategoryTemplate, OrganisationCategory, Report, ReportPhoto

    established(*[user for user in world.personas.values() if user is not None])
    case_worker = world.personas["case_worker"]
    procedure = make_procedure(case_worker, world.public)
    track = procedure.rounds.get().tracks.get()
    formal_services.document_add(actor=case_worker, procedure=procedure, track=track, title="Plan", upload=pdf_upload())
    statement = formal_services.statement_record(
        actor=case_worker, track=track, received_at=track.start, channel="letter", text="Einwand", author_name="E. M."
    )
    segment = evaluation.segment_create(actor=case_worker, statement=statement, text="Einwand")
    dialogue = make_dialogue(world.public, Blueprint.BRAINSTORMING)
    idea = dialogue_services.idea_create(user=world.personas["citizen"], module=dialogue, title="Idee", text="Text")
    comment = participation_services.comment_create(user=world.personas["citizen"], target=idea, text="Kommentar")
    category = CategoryTemplate.objects.create(code="robust", name="Robust")
    OrganisationCategory.objects.create(organisation=world.organisation, template=category)
    report = Report.objects.create(organisation=world.organisation, category=category, description="Loch", lon=7.6,
                                   lat=50.0, status="open")  # fmt: skip
    survey = make_survey(world.public)
    event_parts = event_values(world.organisation)
    return {
        **event_parts,
        **volunteering_values(world.organisation),
        "org_slug": world.organisation.slug, "project_slug": world.public.slug, "project_pk": world.public.pk,
        "formal_module": procedure.module, "dialogue_module": dialogue, "survey_module": survey.module,
        "page_pk": survey.pages.first().pk, "question_pk": survey.questions.first().pk, "answer_set_pk": 1, "number": 1, "track_pk": track.pk, "rest": "",
        "statement_pk": statement.pk, "segment_pk": segment.pk, "reference": statement.reference, "document_pk": procedure.documents.get().pk,
        "idea_pk": idea.pk, "comment_pk": comment.pk, "report_pk": report.pk, "pk": report.pk,
        "photo_pk": ReportPhoto.objects.values_list("pk", flat=True).first() or 1,
        "phase_pk": world.public.modules.first().phases.first().pk, "membership_pk": 1, "invitation_pk": 1, "user_pk": 1,
        "attachment_pk": 1, "paragraph_pk": 1, "follow_pk": 1, "target_pk": 1, "code": "robust", "file_format": "json", "kind": "x",
        "token": "00000000-0000-0000-0000-000000000000", "key": "x", "uidb36": "1",
        "contact_pk": 1, "group_pk": 1, "video_pk": 1, "round_pk": procedure.rounds.first().pk, "chapter_pk": 1, "message_pk": 1, "client_pk": 1, "identity_pk": 1, "provider": "bundid", "z": 1, "x": 0, "y": 0,
    }  # fmt: skip


def url_for(route: str, values: dict[str, Any]) -> str:
    under_module = "<slug:module_slug>/" in route and not route.endswith("<slug:module_slug>/")
    formal = "verfahren" in route or (under_module and any(part in route for part in FORMAL_PATHS))
    module = values["formal_module"] if formal else values["dialogue_module"]
    if "/umfrage/" in route or (under_module and any(part in route for part in SURVEY_PATHS)):
        module = values["survey_module"]
    return fill(route, {**values, "module_pk": module.pk, "module_slug": module.slug}).replace("\\", "")


def post_variants(url: str, fields: dict[str, str]) -> list[tuple[str, Any, str]]:
    """(url, body, content type) for each hostile way of posting this form."""
    target = fields.get("__action") or url
    names = {name: kind for name, kind in fields.items() if name != "__action"}
    variants: list[tuple[str, Any, str]] = []
    for variant in range(3):
        variants.append((target, {name: hostile_value(name, kind, variant) for name, kind in names.items()}, ""))
    return variants


def raw_variants(url: str) -> list[tuple[str, Any, str]]:
    return [
        (url, b"text=%ff%fe%00&title=\xff\xfe", "application/x-www-form-urlencoded"),
        (url, b'{"text": "' + b"[" * 5000 + b'"}', "application/json"),
        (url, b"\xff\xfe\x00garbage", "text/plain"),
        (url, b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n\xff\r\n', "multipart/form-data; boundary=y"),
    ]


@pytest.mark.parametrize("persona", ["anonymous", "citizen", "org_admin"])
def test_no_hostile_input_causes_a_server_error(world: Any, values: dict[str, Any], persona: str) -> None:
    client = Client(raise_request_exception=False)
    if world.personas[persona] is not None:
        login(client, world.personas[persona])
    failures: list[str] = []
    routes_seen = forms_seen = 0

    def request(method: str, url: str, data: Any = None, content_type: str = "") -> Any:
        if method == "get":
            response = client.get(url, data)
        elif content_type:
            response = client.post(url, data, content_type=content_type)
        else:
            response = client.post(url, data)
        if response.status_code >= 500:
            failures.append(f"{method.upper()} {url} [{content_type or 'form'}] → {response.status_code}")
        return response

    for route in routes():
        url = url_for(route, values)
        routes_seen += 1
        page = request("get", url, HOSTILE_QUERY)
        plain = client.get(url) if page.status_code < 500 else page
        forms: list[dict[str, str]] = []
        if plain.status_code == 200 and plain.get("Content-Type", "").startswith("text/html"):
            parser = FormFields()
            parser.feed(plain.content.decode(errors="replace"))
            forms = [form for form in parser.forms if len(form) > 1][:3]
        for fields in forms:
            forms_seen += 1
            for target, body, content_type in post_variants(url, fields):
                request("post", target, body, content_type)
        if forms or url.startswith(("/api/", "/open311/")):
            for target, body, content_type in raw_variants(url):
                request("post", target, body, content_type)
        if world.personas[persona] is not None and "_auth_user_id" not in client.session:
            login(client, world.personas[persona])  # a form (e.g. e-mail change) may have ended the session
    assert routes_seen > 100
    assert persona == "anonymous" or forms_seen > 10, forms_seen
    assert failures == [], "\n".join(failures)


def test_xss_sample_in_query_strings_is_never_reflected_unescaped(world: Any) -> None:
    """Reflected input (search boxes, filters) is escaped: the payload's markup never reaches a page as markup."""
    client = login(Client(raise_request_exception=False), world.personas["org_admin"])
    pages = ["/", "/projekte/", "/maengelmelder/liste/", f"/verwaltung/{world.organisation.slug}/",
             f"/verwaltung/{world.organisation.slug}/meldungen/", "/suche/"]  # fmt: skip
    for payload in xss_sample(24):
        for path in pages:
            response = client.get(path, {"q": payload, "address": payload, "status": payload})
            assert response.status_code < 500
            html = response.content.decode(errors="replace")
            for marker in re.findall(r"<(?:script|img|svg|iframe|details|input|body|math|object|a)\b[^>]*>", payload):
                assert marker not in html, (path, payload)
