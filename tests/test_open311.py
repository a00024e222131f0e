"""Open311 GeoReport v2 conformance for the parts built so far: discovery and service discovery."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from mitwirken.reports.models import CategoryTemplate, OrganisationCategory

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
