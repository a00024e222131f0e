"""Open311 GeoReport v2 conformance: every endpoint in XML and JSON, errors, privacy, query counts, API keys."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mitwirken.core.models import AuditEntry
from mitwirken.reports import apikeys, open311
from mitwirken.reports import services as report_services
from mitwirken.reports.models import (
    ApiClient,
    CategoryTemplate,
    OrganisationCategory,
    Place,
    Report,
    ReportPhoto,
    ReportStatus,
)

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}


@pytest.fixture
def jurisdiction():
    kreis = OrganisationFactory(slug="kreis")
    dorf = OrganisationFactory(slug="dorf", parent=kreis)
    road = CategoryTemplate.objects.create(code="strassenschaden", name="Straßenschaden", group="Verkehr")
    light = CategoryTemplate.objects.create(code="strassenbeleuchtung", name="Straßenbeleuchtung", group="Verkehr")
    OrganisationCategory.objects.create(organisation=kreis, template=road)
    OrganisationCategory.objects.create(
        organisation=dorf, template=light,
        questions=[{"code": "mast", "label": "Mastnummer", "datatype": "string", "required": True},
                   {"code": "art", "label": "Art", "datatype": "singlevaluelist", "values": [{"key": "aus", "name": "Leuchtet nicht"}]}],
    )  # fmt: skip
    return dorf


def test_services_include_the_parents_categories_in_both_formats(client, jurisdiction):
    as_json = client.get("/open311/v2/services.json?jurisdiction_id=dorf")
    assert as_json["Content-Type"].startswith("application/json")
    services = as_json.json()
    assert {s["service_code"] for s in services} == {"strassenschaden", "strassenbeleuchtung"}
    assert all(set(s) == SERVICE_FIELDS for s in services)
    as_xml = client.get("/open311/v2/services.xml?jurisdiction_id=dorf")
    assert as_xml["Content-Type"].startswith("text/xml")
    root = ET.fromstring(as_xml.content)  # noqa: S314
    assert root.tag == "services"
    xml_services = [{child.tag: child.text or "" for child in service} for service in root.findall("service")]
    json_as_text = [
        {k: ("true" if v is True else "false" if v is False else str(v)) for k, v in s.items()} for s in services
    ]
    assert xml_services == json_as_text  # the same data in both formats


def test_service_definition_lists_the_attributes(client, jurisdiction):
    definition = client.get("/open311/v2/services/strassenbeleuchtung.json?jurisdiction_id=dorf").json()
    assert definition["service_code"] == "strassenbeleuchtung"
    first, second = definition["attributes"]
    assert (first["code"], first["required"], first["order"], first["datatype"]) == ("mast", True, 1, "string")
    assert second["values"] == [{"key": "aus", "name": "Leuchtet nicht"}]
    root = ET.fromstring(client.get("/open311/v2/services/strassenbeleuchtung.xml?jurisdiction_id=dorf").content)  # noqa: S314
    assert root.tag == "service_definition" and root.find("attributes/attribute/code").text == "mast"


@pytest.mark.parametrize("file_format", ["json", "xml"])
def test_errors_follow_the_spec(client, jurisdiction, file_format):
    missing = client.get(f"/open311/v2/services.{file_format}")
    unknown = client.get(f"/open311/v2/services.{file_format}?jurisdiction_id=nirgendwo")
    no_service = client.get(f"/open311/v2/services/gibtsnicht.{file_format}?jurisdiction_id=dorf")
    assert (missing.status_code, unknown.status_code, no_service.status_code) == (400, 404, 404)
    for response in (missing, unknown, no_service):
        if file_format == "json":
            body = json.loads(response.content)
            assert set(body[0]) == {"code", "description"}
        else:
            root = ET.fromstring(response.content)  # noqa: S314
            assert (
                root.tag == "errors"
                and root.find("error/code") is not None
                and root.find("error/description") is not None
            )


def test_discovery_names_the_endpoint(client):
    body = client.get("/open311/v2/discovery.json").json()
    assert body["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert ET.fromstring(client.get("/open311/v2/discovery.xml").content).find("endpoints/endpoint/url").text  # noqa: S314


# --- service requests: POST, GET, tokens, API keys ------------------------------------------------------------

REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
]  # fmt: skip
POST_FIELDS = ["service_request_id", "token", "service_notice", "account_id"]
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
PERSONAL = ["geheim@example.org", "Erika", "Geheimnis", "0170 1234567", "citizen@example.org"]
IN_DORF = {"lat": "49.35", "long": "7.35"}
IN_KREIS_ONLY = {"lat": "49.8", "long": "7.8"}


def box(west, south, east, north):
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


@pytest.fixture
def region(world):
    """The Landkreis (world.organisation) with a Gemeinde inside; both with boundaries, both with API keys."""
    kreis = world.organisation
    kreis.boundary = box(7.0, 49.0, 8.0, 50.0)
    kreis.save()
    dorf = OrganisationFactory(slug="dorf", name="Ortsgemeinde Dorf", parent=kreis, boundary=box(7.3, 49.3, 7.4, 49.4))
    road = CategoryTemplate.objects.create(code="strassenschaden", name="Straßenschaden", group="Verkehr")
    light = CategoryTemplate.objects.create(code="strassenbeleuchtung", name="Straßenbeleuchtung", group="Verkehr")
    waste = CategoryTemplate.objects.create(code="muell", name="Wilder Müll")
    OrganisationCategory.objects.create(organisation=kreis, template=road)
    OrganisationCategory.objects.create(organisation=dorf, template=road)
    OrganisationCategory.objects.create(organisation=kreis, template=waste)
    OrganisationCategory.objects.create(
        organisation=dorf, template=light,
        questions=[{"code": "mast", "label": "Mastnummer", "datatype": "string", "required": True},
                   {"code": "art", "label": "Art", "datatype": "multivaluelist",
                    "values": [{"key": "aus", "name": "Leuchtet nicht"}, {"key": "flackert", "name": "Flackert"}]}],
    )  # fmt: skip
    Place.objects.create(name="Hauptstraße", municipality="Dorf", postal_code="54321", lon=7.36, lat=49.36)
    admin = world.personas["portal_admin"]
    _client, kreis_key = apikeys.api_client_create(actor=admin, organisation=kreis, name="Kreis-App")
    dorf_client, dorf_key = apikeys.api_client_create(actor=admin, organisation=dorf, name="Dorf-App")
    return SimpleNamespace(kreis=kreis, dorf=dorf, road=road, light=light, waste=waste, kreis_key=kreis_key,
                           dorf_key=dorf_key, dorf_client=dorf_client)  # fmt: skip


def post(client, file_format, fields):
    """Form-urlencoded, as the spec says; ``fields`` is a dict or a list of pairs (for repeated keys)."""
    return client.post(
        f"/open311/v2/requests.{file_format}", urlencode(fields, doseq=True),
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip


def light_request(region, **extra):
    return {"jurisdiction_id": "dorf", "api_key": region.dorf_key, "service_code": "strassenbeleuchtung",
            "description": "Die Laterne vor Nr. 5 ist dunkel.", "attribute[mast]": "17", **IN_DORF, **extra}  # fmt: skip


def body(response):
    """The bytes of an answer; the list of requests in XML is streamed, so it is read once and kept."""
    if not response.streaming:
        return response.content
    if not hasattr(response, "read_body"):
        response.read_body = b"".join(response.streaming_content)
    return response.read_body


def rows(response, file_format):
    """The records of a list response, as flat dicts of text: the same shape for JSON and XML."""
    if file_format == "json":
        assert response["Content-Type"].startswith("application/json")
        return [{key: as_text(value) for key, value in row.items()} for row in response.json()]
    assert response["Content-Type"].startswith("text/xml")
    assert body(response).startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(body(response))  # noqa: S314
    assert root.tag in ("service_requests", "errors")
    item = "request" if root.tag == "service_requests" else "error"
    assert all(child.tag == item for child in root)
    return [{child.tag: child.text or "" for child in element} for element in root]


def as_text(value):
    return "true" if value is True else "false" if value is False else str(value)


def both(client, url):
    """JSON and XML of the same GET; asserts they carry the same data and returns the rows."""
    as_json, as_xml = client.get(url.format(fmt="json")), client.get(url.format(fmt="xml"))
    assert as_json.status_code == as_xml.status_code == 200, (as_json.content, body(as_xml))
    json_rows, xml_rows = rows(as_json, "json"), rows(as_xml, "xml")
    assert json_rows == xml_rows
    return json_rows


def assert_error(response, file_format, status):
    assert response.status_code == status, response.content
    errors = rows(response, file_format)
    assert errors and all(set(error) == {"code", "description"} for error in errors)
    assert all(error["code"] == str(status) and error["description"] for error in errors)
    if file_format == "json":
        assert all(isinstance(error["code"], int) for error in response.json())
    return [error["description"] for error in errors]


def make_report(organisation, category, *, status=ReportStatus.OPEN, **fields):
    now = timezone.now()
    defaults = {"description": "Schlagloch", "lon": 7.35, "lat": 49.35, "address": "Hauptstraße 5",
                "email": "geheim@example.org", "name": "Erika Geheimnis", "created_at": now, "updated_at": now}  # fmt: skip
    return Report.objects.create(organisation=organisation, category=category, status=status, **{**defaults, **fields})


@pytest.mark.parametrize("file_format", ["json", "xml"])
def test_post_creates_a_confirmed_report(client, region, file_format):
    fields = [*light_request(region, email="geheim@example.org", first_name="Erika", last_name="Geheimnis",
                                phone="0170 1234567").items(), ("attribute[art]", "aus"), ("attribute[art]", "flackert")]  # fmt: skip
    response = post(client, file_format, fields)
    assert response.status_code == 200, response.content
    (row,) = rows(response, file_format)
    assert list(row) == POST_FIELDS
    report = Report.objects.get()
    assert row["service_request_id"] == str(report.pk) and row["token"] == str(report.public_token)
    assert row["account_id"] == "" and "Ortsgemeinde Dorf" in row["service_notice"]
    assert (report.organisation, report.status, report.source, report.api_client) == (
        region.dorf,
        ReportStatus.OPEN,
        "open311",
        region.dorf_client,
    )
    assert report.attributes == {"mast": "17", "art": ["aus", "flackert"]}
    assert (report.email, report.name, report.publish_name) == ("geheim@example.org", "Erika Geheimnis", False)
    assert report.confirmed_at is not None


def test_post_accepts_an_address_string_instead_of_coordinates(client, region):
    fields = {k: v for k, v in light_request(region, address_string="Hauptstraße, Dorf").items() if k not in IN_DORF}
    assert post(client, "json", fields).status_code == 200
    report = Report.objects.get()
    assert (report.lon, report.lat, report.address) == (7.36, 49.36, "Hauptstraße, Dorf")


def test_media_url_is_not_fetched_and_the_notice_says_so(client, region):
    response = post(client, "json", light_request(region, media_url="https://example.org/foto.jpg"))
    assert "media_url wurde nicht übernommen" in response.json()[0]["service_notice"]
    assert not ReportPhoto.objects.exists()


def test_a_posted_report_follows_routing_to_the_most_specific_body(client, region):
    base = {"jurisdiction_id": region.kreis.slug, "api_key": region.kreis_key, "description": "Loch"}
    in_dorf = post(client, "json", {**base, "service_code": "strassenschaden", **IN_DORF}).json()[0]
    elsewhere = post(client, "json", {**base, "service_code": "strassenschaden", **IN_KREIS_ONLY}).json()[0]
    assert Report.objects.get(pk=in_dorf["service_request_id"]).organisation == region.dorf
    assert Report.objects.get(pk=elsewhere["service_request_id"]).organisation == region.kreis
    assert "jurisdiction_id=dorf" in in_dorf["service_notice"]  # tells the client where to read it back
    # A category the Gemeinde does not handle itself goes up to the Landkreis, also when posted to the Gemeinde.
    waste = post(client, "json", {**light_request(region), "service_code": "muell"}).json()[0]
    assert Report.objects.get(pk=waste["service_request_id"]).organisation == region.kreis
    # The token resolves whatever body the report was routed to.
    assert both(client, f"/open311/v2/tokens/{waste['token']}.{{fmt}}?jurisdiction_id=dorf") == [
        {"service_request_id": waste["service_request_id"], "token": waste["token"]}
    ]


def test_a_posted_report_gets_the_same_email_receipt_as_the_web_form(
    client, region, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = post(client, "json", light_request(region, email="api@example.org")).json()[0]
    api_mail = [message for message in mail.outbox if message.to == ["api@example.org"]]
    assert len(api_mail) == 1  # confirmed at once: the receipt, no confirmation link
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        web = report_services.report_create(category=region.light, lon=7.35, lat=49.35, description="Dunkel",
                                            attributes={"mast": "3"}, email="web@example.org")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        report_services.report_confirm(token=str(web.confirm_token))
    web_receipt = mail.outbox[-1]
    assert web_receipt.to == ["web@example.org"]

    def shape(text, number):
        return text.replace(f"#{number}", "#N").replace(f"/{number}/", "/N/")

    assert shape(api_mail[0].subject, row["service_request_id"]) == shape(web_receipt.subject, web.pk)
    assert shape(api_mail[0].body, row["service_request_id"]) == shape(web_receipt.body, web.pk)


@pytest.mark.parametrize("file_format", ["json", "xml"])
def test_post_errors_follow_the_spec_and_store_nothing(client, region, file_format):
    def refused(status, **changes):
        fields = {k: v for k, v in {**light_request(region), **changes}.items() if v is not None}
        return assert_error(post(client, file_format, fields), file_format, status)

    assert any("Mastnummer" in text for text in refused(400, **{"attribute[mast]": None}))
    assert refused(400, **{"attribute[art]": "gibtsnicht"})
    assert refused(403, api_key=None)
    assert refused(403, api_key="falsch")
    assert refused(403, api_key=region.kreis_key)  # a valid key, but of another organisation
    assert refused(400, service_code=None)
    assert refused(400, service_code="gibtsnicht")
    assert any("höchstens 4000" in text for text in refused(400, description="x" * 4001))
    assert any("keine Verwaltung im Portal zuständig" in text for text in refused(400, lat="52.5", long="13.4"))
    assert refused(400, lat=None, long=None)
    assert refused(400, long=None)
    assert refused(400, lat="Norden")
    assert refused(400, lat=None, long=None, address_string="Nirgendwostraße")
    assert refused(400, lat=None, long=None, address_id="4711")
    assert refused(400, email="keine-adresse")
    assert refused(400, description="")
    assert refused(400, description="Loch\x00")  # PostgreSQL could not store it
    assert refused(404, jurisdiction_id="nirgendwo")
    assert refused(400, jurisdiction_id=None)
    assert not Report.objects.exists()


def test_post_needs_no_csrf_token(region):
    assert post(Client(enforce_csrf_checks=True), "json", light_request(region)).status_code == 200


def test_characters_xml_cannot_carry_are_dropped_in_both_formats(client, region):
    report = make_report(region.dorf, region.road, description="Loch\x0b im\x08 Weg", address="Ecke\x1f Markt")
    (row,) = both(client, f"/open311/v2/requests/{report.pk}.{{fmt}}?jurisdiction_id=dorf")
    assert (row["description"], row["address"]) == ("Loch im Weg", "Ecke Markt")


def test_a_revoked_key_is_refused(client, region):
    apikeys.api_client_revoke(actor=region.dorf_client.created_by, client=region.dorf_client)
    assert_error(post(client, "json", light_request(region)), "json", 403)
    assert apikeys.api_client_for_key(region.dorf_key) is None


def test_unknown_formats_and_paths_answer_404_with_the_spec_body(client, region):
    assert_error(post(client, "html", light_request(region)), "json", 404)
    assert_error(client.get("/open311/v2/requests.csv?jurisdiction_id=dorf"), "json", 404)
    assert_error(client.get("/open311/v2/requests/abc.xml?jurisdiction_id=dorf"), "xml", 404)
    assert_error(client.get("/open311/v2/gibtsnicht.json"), "json", 404)
    assert client.delete("/open311/v2/requests.json?jurisdiction_id=dorf").status_code == 405


@pytest.fixture
def listed(region):
    """Reports of the Gemeinde in every state, plus some that must never be listed for it."""
    dorf, light, road = region.dorf, region.light, region.road
    open_one = make_report(dorf, light, status_message="Wird geprüft", address="Am Markt 1")
    ReportPhoto.objects.create(report=open_one, image="reports/2026/11/versteckt.jpg", position=0, hidden=True)
    ReportPhoto.objects.create(report=open_one, image="reports/2026/11/laterne.jpg", position=1)
    fixed = make_report(dorf, road, status=ReportStatus.FIXED, created_at=timezone.now() - timedelta(days=2))
    hidden = make_report(dorf, road, hidden=True, hidden_reason="Beleidigung", description="Beleidigender Text")
    ReportPhoto.objects.create(report=hidden, image="reports/2026/11/beleidigend.jpg")
    old = make_report(dorf, road, created_at=timezone.now() - timedelta(days=100))
    unconfirmed = make_report(dorf, road, status=ReportStatus.UNCONFIRMED)
    of_kreis = make_report(region.kreis, road, **{k: float(v) for k, v in (("lat", 49.8), ("lon", 7.8))})
    return SimpleNamespace(
        open=open_one, fixed=fixed, hidden=hidden, old=old, unconfirmed=unconfirmed, of_kreis=of_kreis
    )


def ids(found):
    return [int(row["service_request_id"]) for row in found]


def test_get_requests_lists_public_reports_of_the_jurisdiction_in_both_formats(client, region, listed):
    found = both(client, "/open311/v2/requests.{fmt}?jurisdiction_id=dorf")
    assert ids(found) == [listed.hidden.pk, listed.open.pk, listed.fixed.pk]  # newest first; last 90 days only
    assert all(list(row) == REQUEST_FIELDS for row in found)
    by_id = {int(row["service_request_id"]): row for row in found}
    first = by_id[listed.open.pk]
    assert first["status"] == "open" and by_id[listed.fixed.pk]["status"] == "closed"
    assert (first["service_code"], first["service_name"]) == ("strassenbeleuchtung", "Straßenbeleuchtung")
    assert (first["status_notes"], first["agency_responsible"], first["address"]) == (
        "Wird geprüft",
        "Ortsgemeinde Dorf",
        "Am Markt 1",
    )
    assert (first["lat"], first["long"]) == ("49.35", "7.35")
    assert first["expected_datetime"] == first["address_id"] == first["zipcode"] == first["service_notice"] == ""
    # The first photo is hidden, so the second one is shown, as an absolute URL of the checked photo view.
    shown = listed.open.photos.get(hidden=False)
    assert first["media_url"] == f"http://testserver/maengelmelder/{listed.open.pk}/fotos/{shown.pk}/"
    hidden_photo = listed.open.photos.get(hidden=True)
    assert client.get(f"/maengelmelder/{listed.open.pk}/fotos/{hidden_photo.pk}/").status_code == 404
    assert all(W3C.match(row["requested_datetime"]) and W3C.match(row["updated_datetime"]) for row in found)
    placeholder = by_id[listed.hidden.pk]
    assert placeholder["description"] == "Ausgeblendet: Beleidigung" and placeholder["media_url"] == ""
    as_json = client.get("/open311/v2/requests.json?jurisdiction_id=dorf").json()
    assert isinstance(as_json[0]["lat"], float) and isinstance(as_json[0]["service_request_id"], str)


def test_datetimes_are_w3c_in_berlin_time(client, region):
    report = make_report(region.dorf, region.road, created_at=datetime(2026, 11, 30, 9, 15, tzinfo=UTC),
                         updated_at=datetime(2026, 7, 1, 8, 0, tzinfo=UTC))  # fmt: skip
    (row,) = both(client, f"/open311/v2/requests/{report.pk}.{{fmt}}?jurisdiction_id=dorf")
    assert (row["requested_datetime"], row["updated_datetime"]) == (
        "2026-11-30T10:15:00+01:00",
        "2026-07-01T10:00:00+02:00",
    )


def test_get_requests_filters(client, region, listed):
    url = "/open311/v2/requests.{fmt}?jurisdiction_id=dorf&"
    assert ids(both(client, url + "status=closed")) == [listed.fixed.pk]
    assert ids(both(client, url + "status=open,closed")) == [listed.hidden.pk, listed.open.pk, listed.fixed.pk]
    assert ids(both(client, url + "service_code=strassenbeleuchtung")) == [listed.open.pk]
    # A list of ids overrides every other filter, but never shows what is not public or not the jurisdiction's.
    wanted = f"{listed.old.pk},{listed.fixed.pk},{listed.unconfirmed.pk},{listed.of_kreis.pk}"
    assert ids(both(client, url + f"service_request_id={wanted}&status=open")) == [listed.fixed.pk, listed.old.pk]
    old_day = timezone.localtime(listed.old.created_at)
    window = (
        f"start_date={(old_day - timedelta(days=1)).isoformat()}&end_date={(old_day + timedelta(days=1)).isoformat()}"
    )
    assert ids(both(client, url + window.replace("+", "%2B"))) == [listed.old.pk]
    assert ids(both(client, url + window)) == [listed.old.pk]  # an unencoded "+" still means the offset
    start = (old_day - timedelta(days=1)).date().isoformat()
    assert ids(both(client, url + f"start_date={start}")) == [listed.old.pk]  # a start alone: 90 days from it


@pytest.mark.parametrize("file_format", ["json", "xml"])
def test_get_requests_errors(client, region, listed, file_format):
    url = f"/open311/v2/requests.{file_format}?"
    assert_error(client.get(url + "jurisdiction_id=dorf&start_date=2026-01-01T00:00:00Z&end_date=2026-05-01T00:00:00Z"),
                 file_format, 400)  # fmt: skip
    assert_error(client.get(url + "jurisdiction_id=dorf&start_date=2026-05-01&end_date=2026-01-01"), file_format, 400)
    assert_error(client.get(url + "jurisdiction_id=dorf&start_date=gestern"), file_format, 400)
    assert_error(client.get(url + "jurisdiction_id=dorf&start_date=2026-13-45"), file_format, 400)
    assert_error(client.get(url + "jurisdiction_id=dorf&status=erledigt"), file_format, 400)
    assert_error(client.get(url + "jurisdiction_id=dorf&service_request_id=1,zwei"), file_format, 400)
    assert_error(client.get(url + "jurisdiction_id=nirgendwo"), file_format, 404)
    assert_error(client.get(url), file_format, 400)


def test_get_request_by_id(client, region, listed):
    listed_row = next(r for r in both(client, "/open311/v2/requests.{fmt}?jurisdiction_id=dorf")
                      if r["service_request_id"] == str(listed.open.pk))  # fmt: skip
    assert both(client, f"/open311/v2/requests/{listed.open.pk}.{{fmt}}?jurisdiction_id=dorf") == [listed_row]
    for file_format in ("json", "xml"):
        for pk in (listed.unconfirmed.pk, listed.of_kreis.pk, 999999):
            assert_error(client.get(f"/open311/v2/requests/{pk}.{file_format}?jurisdiction_id=dorf"), file_format, 404)
        assert_error(
            client.get(f"/open311/v2/requests/{listed.open.pk}.{file_format}?jurisdiction_id=x"), file_format, 404
        )
        assert_error(client.get(f"/open311/v2/requests/{listed.open.pk}.{file_format}"), file_format, 400)
    assert both(client, f"/open311/v2/requests/{listed.of_kreis.pk}.{{fmt}}?jurisdiction_id={region.kreis.slug}")


def test_tokens(client, region, listed):
    url = "/open311/v2/tokens/{token}.{{fmt}}?jurisdiction_id=dorf"
    assert both(client, url.format(token=listed.open.public_token)) == [
        {"service_request_id": str(listed.open.pk), "token": str(listed.open.public_token)}]  # fmt: skip
    assert both(client, url.format(token=listed.unconfirmed.public_token)) == [
        {"service_request_id": "", "token": str(listed.unconfirmed.public_token)}]  # fmt: skip
    for file_format in ("json", "xml"):
        for token in (uuid.uuid4(), "kein-token"):
            assert_error(client.get(f"/open311/v2/tokens/{token}.{file_format}?jurisdiction_id=dorf"), file_format, 404)


def test_personal_data_never_appears_in_any_get(client, region, listed, world):
    listed.open.reporter = world.personas["citizen"]
    listed.open.publish_name = True  # even a name published on the web page stays out of the API
    listed.open.save()
    post(client, "json", light_request(region, email="geheim@example.org", first_name="Erika", last_name="Geheimnis",
                                       phone="0170 1234567"))  # fmt: skip
    posted = Report.objects.get(source="open311")
    urls = ["/open311/v2/requests.{fmt}?jurisdiction_id=dorf",
            f"/open311/v2/requests.{{fmt}}?jurisdiction_id=dorf&service_request_id={listed.open.pk},{posted.pk}",
            f"/open311/v2/requests/{listed.open.pk}.{{fmt}}?jurisdiction_id=dorf",
            f"/open311/v2/requests/{posted.pk}.{{fmt}}?jurisdiction_id=dorf",
            f"/open311/v2/tokens/{posted.public_token}.{{fmt}}?jurisdiction_id=dorf"]  # fmt: skip
    for url in urls:
        for file_format in ("json", "xml"):
            content = body(client.get(url.format(fmt=file_format))).decode()
            assert not [word for word in PERSONAL if word in content], url


def add_reports(organisation, category, count):
    now = timezone.now()
    reports = Report.objects.bulk_create(
        Report(organisation=organisation, category=category, description=f"Meldung {i}", lon=7.35, lat=49.35,
               status=ReportStatus.OPEN, created_at=now - timedelta(minutes=i), updated_at=now)
        for i in range(count)
    )  # fmt: skip
    ReportPhoto.objects.bulk_create(ReportPhoto(report=r, image=f"reports/x/{r.pk}.jpg") for r in reports)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "&status=open&service_code=strassenschaden,muell",
        f"&start_date={timezone.now() - timedelta(days=2):%Y-%m-%d}",
    ],
)
@pytest.mark.parametrize("file_format", ["json", "xml"])
def test_get_requests_runs_the_same_number_of_queries_at_10_and_1000_reports(client, region, file_format, query):
    url = f"/open311/v2/requests.{file_format}?jurisdiction_id=dorf{query}"

    def queries():
        with CaptureQueriesContext(connection) as context:
            response = fetched(client, url)
        assert response.status_code == 200
        with CaptureQueriesContext(connection) as unchanged:
            assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
        return len(context.captured_queries), len(unchanged.captured_queries), len(rows(response, file_format))

    add_reports(region.dorf, region.road, 10)
    few, few_304, ten = queries()
    add_reports(region.dorf, region.road, 1000)
    many, many_304, limited = queries()
    assert (ten, limited) == (10, open311.MAX_RESULTS)
    assert (few, few_304) == (many, many_304)
    assert few_304 < few  # a 304 reads no rows


# --- conditional GET: ETag and Last-Modified of the list ------------------------------------------------------


LIST = "/open311/v2/requests.{fmt}?jurisdiction_id=dorf"


def fetched(client, url, **headers):
    response = client.get(url, **headers)
    body(response)  # a streamed answer is written while it is read
    return response


@pytest.mark.parametrize("file_format", ["json", "xml"])
def test_an_unchanged_list_answers_304_without_a_body(client, region, listed, file_format):
    url = LIST.format(fmt=file_format)
    first = fetched(client, url)
    assert first.status_code == 200 and first["ETag"].startswith('"') and first["Last-Modified"]
    for headers in ({"HTTP_IF_NONE_MATCH": first["ETag"]}, {"HTTP_IF_MODIFIED_SINCE": first["Last-Modified"]}):
        with CaptureQueriesContext(connection) as context:
            again = client.get(url, **headers)
        assert again.status_code == 304 and again.content == b"", headers
        assert again["ETag"] == first["ETag"] and again["Last-Modified"] == first["Last-Modified"]
        assert not [query for query in context.captured_queries if 'reports_report"."description' in query["sql"]]
    # Another format, filter or language is another answer with another ETag.
    other = "xml" if file_format == "json" else "json"
    for changed in (LIST.format(fmt=other), f"{url}&status=open", f"{url}&service_code=strassenschaden"):
        assert fetched(client, changed, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200, changed
    assert fetched(client, url, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ACCEPT_LANGUAGE="en").status_code == 200


def test_errors_carry_no_validators_and_ignore_conditions(client, region, listed):
    url = "/open311/v2/requests.json?jurisdiction_id=dorf&status=kaputt"
    response = client.get(url, HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 400 and not response.has_header("ETag")
    assert client.get("/open311/v2/requests.xml?jurisdiction_id=nirgendwo", HTTP_IF_NONE_MATCH="*").status_code == 404


def _new_report(region, listed, actor):
    make_report(region.dorf, region.light)


def _status(region, listed, actor):
    report_services.report_change_status(actor=actor, report=listed.open, status=ReportStatus.IN_PROGRESS)


def _fixed_leaves_the_open_list(region, listed, actor):
    report_services.report_change_status(actor=actor, report=listed.open, status=ReportStatus.FIXED)


def _hide(region, listed, actor):
    report_services.report_hide(actor=actor, report=listed.open, reason="Beleidigung")


def _unhide(region, listed, actor):
    report_services.report_hide(actor=actor, report=listed.hidden, reason="", hidden=False)


def _photo_hidden(region, listed, actor):
    report_services.photo_hide(actor=actor, photo=listed.open.photos.get(hidden=False), reason="Gesicht zu sehen")


def _photo_added(region, listed, actor):
    ReportPhoto.objects.create(report=listed.fixed, image="reports/2026/11/neu.jpg")


def _category_renamed(region, listed, actor):
    region.light.name = "Straßenlaterne"
    region.light.save()


def _organisation_renamed(region, listed, actor):
    region.dorf.name = "Ortsgemeinde Neudorf"
    region.dorf.save()


def _bulk_update(region, listed, actor):
    Report.objects.filter(pk=listed.open.pk).update(status_message="Auftrag erteilt")


def _forwarded_away(region, listed, actor):
    report_services.report_forward(actor=actor, report=listed.hidden, organisation=region.kreis)  # handles roads


def _deleted(region, listed, actor):
    listed.open.delete()


CHANGES = [_new_report, _status, _fixed_leaves_the_open_list, _hide, _unhide, _photo_hidden, _photo_added,
           _category_renamed, _organisation_renamed, _bulk_update, _forwarded_away, _deleted]  # fmt: skip


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__.strip("_"))
@pytest.mark.parametrize("query", ["", "&status=open"])
def test_every_change_a_list_could_show_changes_its_validators(client, region, listed, world, monkeypatch, change,
                                                                 query):  # fmt: skip
    urls = [LIST.format(fmt=file_format) + query for file_format in ("json", "xml")]
    before = [fetched(client, url) for url in urls]
    later = timezone.now() + timedelta(seconds=5)  # Last-Modified counts whole seconds
    monkeypatch.setattr(timezone, "now", lambda: later)
    change(region, listed, world.personas["portal_admin"])
    for url, first in zip(urls, before, strict=True):
        after = fetched(client, url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert after.status_code == 200 and after["ETag"] != first["ETag"], url
        if change is not _deleted:  # a deleted row leaves no time behind: the ETag alone sees it
            assert fetched(client, url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200, url
        assert fetched(client, url, HTTP_IF_NONE_MATCH=after["ETag"]).status_code == 304


def test_the_default_window_letting_a_report_go_changes_the_validators(client, region, listed, monkeypatch):
    url = LIST.format(fmt="json")
    first = fetched(client, url)
    oldest = min(Report.objects.filter(pk__in=[listed.open.pk, listed.fixed.pk, listed.hidden.pk]),
                 key=lambda report: report.created_at)  # fmt: skip
    later = oldest.created_at + open311.MAX_SPAN + timedelta(seconds=5)  # 90 days on, nothing written
    monkeypatch.setattr(timezone, "now", lambda: later)
    after = fetched(client, url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    assert oldest.pk not in ids(after.json())
    assert fetched(client, url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200


# --- the back-office page for API keys ------------------------------------------------------------------------


def keys_url(organisation):
    return f"/verwaltung/{organisation.slug}/meldungen/api-schluessel/"


def test_org_admin_creates_a_key_that_is_shown_once_and_works(world, region):
    admin = world.client("org_admin")
    url = keys_url(world.organisation)
    assert admin.get(url).status_code == 200
    created = admin.post(url, {"action": "create", "name": "Mängel-App"})
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    html = created.content.decode()
    key = re.search(r'id="new-api-key" type="text" value="([^"]+)"', html).group(1)
    assert "Kopieren Sie den Schlüssel jetzt." in html
    client = ApiClient.objects.get(name="Mängel-App")
    assert client.organisation == world.organisation and client.created_by == world.personas["org_admin"]
    assert client.key_hash == hashlib.sha256(key.encode()).hexdigest() and client.key_prefix == key[:8]
    assert key not in admin.get(url).content.decode()  # never again
    assert client.key_prefix in admin.get(url).content.decode()
    assert AuditEntry.objects.filter(action="api_client.create", organisation=world.organisation).exists()
    fields = {"jurisdiction_id": world.organisation.slug, "api_key": key, "service_code": "strassenschaden",
              "description": "Loch", **IN_KREIS_ONLY}  # fmt: skip
    assert post(Client(), "json", fields).status_code == 200
    revoked = admin.post(url, {"action": "revoke", "client": client.pk})
    assert revoked.status_code == 302
    client.refresh_from_db()
    assert client.revoked_at is not None
    assert AuditEntry.objects.filter(action="api_client.revoke", object_id=str(client.pk)).exists()
    assert_error(post(Client(), "json", fields), "json", 403)
    assert "widerrufen" in admin.get(url).content.decode()


def test_an_empty_name_is_explained_next_to_the_field(world):
    response = world.client("org_admin").post(keys_url(world.organisation), {"action": "create", "name": " "})
    assert response.status_code == 200 and "kern-error" in response.content.decode()
    assert not ApiClient.objects.exists()


@pytest.mark.parametrize("persona", ["case_worker", "other_org_admin", "citizen"])
def test_others_get_404_for_the_key_page(world, region, persona):
    client = world.client(persona)
    url = keys_url(world.organisation)
    kreis_client = ApiClient.objects.get(organisation=world.organisation)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "create", "name": "Fremd"}).status_code == 404
    assert client.post(url, {"action": "revoke", "client": kreis_client.pk}).status_code == 404
    assert ApiClient.objects.filter(revoked_at__isnull=True).count() == 2
    with pytest.raises(PermissionDenied):
        apikeys.api_client_create(actor=world.personas[persona], organisation=world.organisation, name="x")


def test_anonymous_is_sent_to_log_in(world):
    assert world.client("anonymous").get(keys_url(world.organisation)).status_code == 302


def test_a_key_of_another_organisation_cannot_be_revoked_through_ones_own_page(world, region):
    foreign, _key = apikeys.api_client_create(
        actor=world.personas["other_org_admin"], organisation=world.other_organisation, name="Fremd"
    )
    admin = world.client("org_admin")
    assert admin.post(keys_url(world.organisation), {"action": "revoke", "client": foreign.pk}).status_code == 404
    assert admin.post(keys_url(world.organisation), {"action": "revoke", "client": "x"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None
