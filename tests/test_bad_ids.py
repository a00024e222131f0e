"""Unchecked numbers and ids (issue 10): every instance the probe found answers 400/404 with a message, not 500.

The root fixes: ``core.ids`` (ids from forms and query strings), ``core.middleware.BoundedIdsMiddleware``
(``<int:…>`` path segments beyond the database's range), bounded date fields (``core.forms``), the Open311
date window, the API's bounded pagination and the nesting limit in ``core.geo``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mitwirken.core import geo, ids
from mitwirken.formal import services as formal_services
from mitwirken.reports.models import OrganisationCategory, ReportStatus

from .conftest import login, with_second_factor
from .formal_fixtures import make_procedure
from .reports_fixtures import build_region, make_report

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
DEEP = "[" * 50_000 + "]" * 50_000
DEEP_POINT = '{"type": "Point", "coordinates": ' + "[" * 3000 + "]" * 3000 + "}"
SRC = Path(__file__).resolve().parent.parent / "src" / "mitwirken"


def client_for(user: Any) -> Client:
    return login(Client(raise_request_exception=False), user)


def assert_handled(response: Any, *allowed: int) -> None:
    assert response.status_code in allowed, (response.status_code, response.content[:300])


# --- Open311 ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def region() -> Any:
    return build_region()


@pytest.mark.parametrize("file_format", ["json", "xml"])
@pytest.mark.parametrize(
    "query",
    [
        {"start_date": "0001-01-01"},
        {"start_date": "9999-12-31"},
        {"end_date": "0001-01-01"},
        {"end_date": "9999-12-31T23:59:59+14:00"},
        {"start_date": "2026-01-01", "end_date": "9999-12-31"},
        {"service_request_id": HUGE},
        {"service_request_id": "1,²"},
        {"service_request_id": "-1"},
    ],
)
def test_open311_bad_numbers_get_the_spec_error_body(region: Any, file_format: str, query: dict[str, str]) -> None:
    response = Client(raise_request_exception=False).get(
        f"/open311/v2/requests.{file_format}", {"jurisdiction_id": region.kreis.slug, **query}
    )
    assert response.status_code == 400
    if file_format == "json":
        body = json.loads(response.content)
        assert body[0]["code"] == 400 and body[0]["description"]
    else:
        assert b"<errors>" in response.content and b"<description>" in response.content


def test_open311_huge_request_id_in_the_path_is_404(region: Any) -> None:
    response = Client(raise_request_exception=False).get(
        f"/open311/v2/requests/{HUGE}.json", {"jurisdiction_id": region.kreis.slug}
    )
    assert response.status_code == 404


# --- the read API ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/projects", "/api/v1/organisations"])
@pytest.mark.parametrize("page", [HUGE, "1000000", "0", "-1", "abc", "2"])
def test_api_page_numbers_are_400_or_404(world: Any, path: str, page: str) -> None:
    response = Client(raise_request_exception=False).get(path, {"page": page})
    assert_handled(response, 400, 404)
    assert response["Content-Type"].startswith("application/json") and json.loads(response.content)["detail"]


def test_api_procedure_ids_beyond_bigint_are_404(world: Any) -> None:
    client = client_for(world.personas["case_worker"])
    response = client.get(f"/api/v1/procedures/{world.organisation.slug}/{HUGE}/{HUGE}/statements/X.xml")
    assert response.status_code == 404


# --- path segments -----------------------------------------------------------------------------------------------


def test_report_path_ids_beyond_the_database_range_are_404(region: Any) -> None:
    report = make_report(region)
    anonymous = Client(raise_request_exception=False)
    assert anonymous.get(f"/maengelmelder/{HUGE}/fotos/1/").status_code == 404
    assert anonymous.get(f"/maengelmelder/{report.pk}/fotos/{HUGE}/").status_code == 404
    assert anonymous.get(f"/maengelmelder/{HUGE}/").status_code == 404


def test_path_ids_beyond_the_database_range_are_404(world: Any) -> None:
    anonymous = Client(raise_request_exception=False)
    assert anonymous.get(f"/{world.organisation.slug}/projekte/{world.public.slug}/anhaenge/{HUGE}/").status_code == 404
    staff = client_for(world.personas["case_worker"])
    assert staff.get(f"/verwaltung/{world.organisation.slug}/projekte/{HUGE}/").status_code == 404
    assert staff.get(f"/verwaltung/{world.organisation.slug}/projekte/{2**63}/").status_code == 404
    assert ids.parse_id(str(2**63 - 1)) == 2**63 - 1 and ids.parse_id(str(2**63)) is None


# --- back-office POSTs with ids that are no ids ---------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["abc", "x", HUGE, "²", "", "1.5", "-3"])
def test_project_back_office_posts_with_malformed_ids_are_404(world: Any, bad: str) -> None:
    organisation, project = world.organisation, world.public
    staff = client_for(world.personas["org_admin"])
    project_base = f"/verwaltung/{organisation.slug}/projekte/{project.pk}"
    assert_handled(staff.post(f"{project_base}/anhaenge/", {"action": "delete", "attachment": bad}), 404)
    assert_handled(staff.post(f"/verwaltung/{world.organisation.slug}/projekte/{world.protected.pk}/teilnehmende/",
                              {"action": "revoke", "invitation": bad}), 404)  # fmt: skip
    for action, field in [("revoke", "invitation"), ("remove", "membership"), ("revoke_code", "code")]:
        response = staff.post(f"/verwaltung/{organisation.slug}/projekte/{world.protected.pk}/teilnehmende/",
                              {"action": action, field: bad})  # fmt: skip
        assert_handled(response, 200, 302, 404)


@pytest.mark.parametrize("bad", ["abc", "x", HUGE, "²", "", "1.5", "-3"])
def test_report_back_office_posts_with_malformed_ids_are_404(region: Any, bad: str) -> None:
    kreis_admin = client_for(with_second_factor(region.people["kreis_admin"]))
    reports_base = f"/verwaltung/{region.kreis.slug}/meldungen"
    assert_handled(kreis_admin.post(f"{reports_base}/vorlagen/", {"action": "delete", "template": bad}), 404)
    assert_handled(kreis_admin.post(f"{reports_base}/kategorien/", {"action": "questions", "handler": bad}), 404)
    assert_handled(kreis_admin.post(f"{reports_base}/kategorien/", {"action": "enable", "template": bad}), 404)
    assert_handled(kreis_admin.post(f"{reports_base}/api-schluessel/", {"action": "revoke", "client": bad}), 404)
    report = make_report(region, status=ReportStatus.OPEN)
    for action in ("hide_photo", "unhide_photo"):
        response = kreis_admin.post(f"{reports_base}/{report.pk}/", {"action": action, "photo": bad, "reason": "x"})
        assert_handled(response, 200, 404)  # 200: the form asks for its reason first
    inbox = kreis_admin.post(f"{reports_base}/", {"bulk-action": "status", "selected": [bad, "abc"]})
    assert_handled(inbox, 200, 302)
    search = kreis_admin.get(f"{reports_base}/", {"q": f"#{bad}"})
    assert_handled(search, 200)
    assert OrganisationCategory.objects.filter(organisation=region.kreis).count() == 1


@pytest.mark.parametrize("bad", ["abc", HUGE, "²"])
def test_procedure_posts_with_malformed_ids_are_404(world: Any, bad: str) -> None:
    procedure = make_procedure(world.personas["case_worker"], world.public)
    track = procedure.rounds.get().tracks.get()
    staff = client_for(world.personas["case_worker"])
    base = f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/verfahren/{procedure.module.pk}/"
    response = staff.post(base, {"action": "track", "round": bad, "track-audience": "public",
                                 "track-first_day": "2026-01-01", "track-last_day": "2026-03-01"})  # fmt: skip
    assert_handled(response, 200, 404)
    assert_handled(staff.post(base + "eingang/", {"selected": [bad], "action": "status", "status": "new"}), 200, 302)
    release = reverse("formal:release", kwargs={"org_slug": world.organisation.slug, "project_slug": world.public.slug,
                                                "module_slug": procedure.module.slug, "track_pk": track.pk})  # fmt: skip
    assert_handled(client_for(world.personas["agency"]).post(release, {"draft": bad}), 403, 404)


def test_recorded_statement_with_year_one_is_a_form_error(world: Any) -> None:
    procedure = make_procedure(world.personas["case_worker"], world.public)
    track = procedure.rounds.get().tracks.get()
    staff = client_for(world.personas["case_worker"])
    url = f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/verfahren/{procedure.module.pk}/eingang/erfassen/"
    for moment in ("0001-01-01T00:00", "9999-12-31T23:59"):
        response = staff.post(url, {"track": track.pk, "channel": "letter", "received_at": moment, "text": "Brief"})
        assert response.status_code == 200
        assert "Bitte geben Sie ein Datum zwischen 1970 und 2999 an." in response.content.decode()
    assert not procedure.statements.exists()


# --- deeply nested GeoJSON ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [DEEP, DEEP_POINT])
def test_deep_geojson_is_refused_everywhere(world: Any, payload: str) -> None:
    with pytest.raises(Exception, match="zu tief verschachtelt"):
        geo.parse_geometry(payload, allowed_types=geo.LOCATION_TYPES)
    nested: Any = [7.0, 50.0]
    for _ in range(5000):
        nested = [nested]
    with pytest.raises(Exception, match="zu tief verschachtelt"):
        geo.parse_geometry({"type": "Point", "coordinates": nested}, allowed_types=geo.LOCATION_TYPES)

    admin = client_for(world.personas["portal_admin"])  # the area is the portal administrators' to set
    org = world.organisation
    response = admin.post(
        f"/verwaltung/{org.slug}/einstellungen/", {"name": org.name, "kind": org.kind, "boundary": payload}
    )
    assert response.status_code == 200 and "zu tief verschachtelt" in response.content.decode()
    project = client_for(world.personas["case_worker"]).post(
        f"/verwaltung/{org.slug}/projekte/{world.public.pk}/",
        {"title": world.public.title, "slug": world.public.slug, "access": "public", "location": payload},
    )
    assert project.status_code == 200 and "zu tief verschachtelt" in project.content.decode()


def test_statement_with_deep_location_shows_a_message_on_its_check_page(world: Any) -> None:
    procedure = make_procedure(world.personas["case_worker"], world.public)
    track = procedure.rounds.get().tracks.get()
    formal_services.draft_save(user=world.personas["citizen"], track=track, data={"text": "Text", "location": DEEP})
    review = reverse("formal:review", kwargs={"org_slug": world.organisation.slug, "project_slug": world.public.slug,
                                              "module_slug": procedure.module.slug, "track_pk": track.pk})  # fmt: skip
    response = client_for(world.personas["citizen"]).get(review)
    assert response.status_code == 200 and "zu tief verschachtelt" in response.content.decode()


# --- the class stays closed ---------------------------------------------------------------------------------------


def test_no_view_turns_request_data_into_ids_by_hand() -> None:
    """Ids from requests go through core.ids; this finds the patterns that answered 500."""
    pattern = re.compile(
        r"\bint\(request\.(POST|GET)|pk=request\.(POST|GET)|pk__in=request\.(POST|GET)|_id=request\.(POST|GET)"
        r"|request\.(POST|GET)[^\n]*\.isdigit\(\)"
    )
    offenders = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in SRC.rglob("*.py")
        if path.name != "ids.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []


@pytest.mark.parametrize("url", ["/suche/?q=Pro%00jekt", "/maengelmelder/orte/?q=%00", "/?q=%00",
                                 "/open311/v2/services.json?jurisdiction_id=musterkreis%00",
                                 "/api/v1/projects?q=%00"])  # fmt: skip
def test_a_nul_character_in_the_query_string_never_reaches_the_database(world: Any, url: str) -> None:
    """PostgreSQL cannot take NUL in text: it is dropped from the query before any view sees it."""
    response = Client().get(url)
    assert response.status_code in (200, 404), response.status_code
    assert b"Traceback" not in response.content


def test_a_nul_character_in_a_path_is_dropped_before_routing(world: Any, client: Any) -> None:
    assert client.get(f"/{world.organisation.slug}%00/").status_code == 200
    assert client.get("/api/v1/projects/a%00/b").status_code == 404
    assert client.get("/open311/v2/services/x%00.json")["Content-Type"].startswith("application/json")
