"""Open311 GeoReport v2 (open311.github.io/GeoReport_v2): discovery and the service list, in XML and JSON.

One endpoint serves every organisation, so ``jurisdiction_id`` (the organisation slug) is required.
Errors follow the spec: a list of ``{code, description}`` with HTTP 400, 403 or 404.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from mitwirken.organisations.models import Organisation

from .models import CategoryTemplate, OrganisationCategory

FORMATS = ("json", "xml")


def xml_response(root: ET.Element, status: int = 200) -> HttpResponse:
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")
    return HttpResponse(body, content_type="text/xml; charset=utf-8", status=status)


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def render(rows: list[dict[str, Any]], file_format: str, *, root: str, item: str, status: int = 200) -> HttpResponse:
    """A list of flat records as JSON, or as the spec's XML: <root><item><field>…</field></item>…</root>."""
    if file_format == "json":
        return JsonResponse(rows, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    element = ET.Element(root)
    for row in rows:
        child = ET.SubElement(element, item)
        for key, value in row.items():
            ET.SubElement(child, key).text = _text(value)
    return xml_response(element, status)


def error(file_format: str, status: int, code: int, description: str) -> HttpResponse:
    return render([{"code": code, "description": description}], file_format, root="errors", item="error", status=status)


def _jurisdiction(request: HttpRequest, file_format: str) -> Organisation | HttpResponse:
    slug = request.GET.get("jurisdiction_id", "").strip()
    if not slug:
        return error(file_format, 400, 400, "jurisdiction_id is required: the slug of the organisation.")
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        return error(file_format, 404, 404, f"Unknown jurisdiction_id: {slug}")
    return organisation


def handlers_for(organisation: Organisation) -> list[OrganisationCategory]:
    """Categories handled by the organisation and, for what it does not handle itself, by its parents."""
    chain, seen = [], set()
    current: Organisation | None = organisation
    while current is not None and current.pk not in seen:
        chain.append(current.pk)
        seen.add(current.pk)
        current = current.parent
    handlers = OrganisationCategory.objects.filter(organisation_id__in=chain).select_related("template")
    by_code: dict[str, OrganisationCategory] = {}
    for handler in sorted(handlers, key=lambda h: chain.index(h.organisation_id)):  # nearest organisation first
        by_code.setdefault(handler.template.code, handler)
    return sorted(by_code.values(), key=lambda h: h.template.name)


def service_entry(handler: OrganisationCategory) -> dict[str, Any]:
    template: CategoryTemplate = handler.template
    return {
        "service_code": template.code, "service_name": template.name, "description": template.description,
        "metadata": bool(handler.questions), "type": "realtime", "keywords": template.keywords, "group": template.group,
    }  # fmt: skip


@require_GET
def discovery(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in FORMATS:
        return error("json", 404, 404, "Format must be json or xml.")
    base = request.build_absolute_uri(reverse("open311:services", kwargs={"file_format": file_format})).rsplit("/", 1)[
        0
    ]
    data = {
        "changeset": "2026-11-30T00:00:00+01:00", "contact": "Betrieb des Beteiligungsportals", "key_service": "",
        "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base, "changeset": "2026-11-30T00:00:00+01:00",
                       "type": "production", "formats": ["text/xml", "application/json"]}],
    }  # fmt: skip
    if file_format == "json":
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    return _discovery_xml(data)


def _discovery_xml(data: dict[str, Any]) -> HttpResponse:
    root = ET.Element("discovery")
    for key in ("changeset", "contact", "key_service"):
        ET.SubElement(root, key).text = str(data[key])
    endpoints = ET.SubElement(root, "endpoints")
    for endpoint in data["endpoints"]:
        element = ET.SubElement(endpoints, "endpoint")
        for key in ("specification", "url", "changeset", "type"):
            ET.SubElement(element, key).text = endpoint[key]
        formats = ET.SubElement(element, "formats")
        for value in endpoint["formats"]:
            ET.SubElement(formats, "format").text = value
    return xml_response(root)


@require_GET
def services(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in FORMATS:
        return error("json", 404, 404, "Format must be json or xml.")
    organisation = _jurisdiction(request, file_format)
    if isinstance(organisation, HttpResponse):
        return organisation
    entries = [service_entry(handler) for handler in handlers_for(organisation)]
    return render(entries, file_format, root="services", item="service")


@require_GET
def service_definition(request: HttpRequest, code: str, file_format: str) -> HttpResponse:
    if file_format not in FORMATS:
        return error("json", 404, 404, "Format must be json or xml.")
    organisation = _jurisdiction(request, file_format)
    if isinstance(organisation, HttpResponse):
        return organisation
    handler = next((h for h in handlers_for(organisation) if h.template.code == code), None)
    if handler is None:
        return error(file_format, 404, 404, f"Unknown service_code for this jurisdiction: {code}")
    attributes = [
        {"variable": True, "code": question.get("code", ""), "datatype": question.get("datatype", "string"),
         "required": bool(question.get("required")), "datatype_description": question.get("datatype_description", ""),
         "order": index + 1, "description": question.get("label", ""),
         "values": [{"key": value.get("key", ""), "name": value.get("name", "")} for value in question.get("values", [])]}
        for index, question in enumerate(handler.questions)
    ]  # fmt: skip
    data = {"service_code": code, "attributes": attributes}
    if file_format == "json":
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    root = ET.Element("service_definition")
    ET.SubElement(root, "service_code").text = code
    container = ET.SubElement(root, "attributes")
    for attribute in attributes:
        element = ET.SubElement(container, "attribute")
        for key in ("variable", "code", "datatype", "required", "datatype_description", "order", "description"):
            ET.SubElement(element, key).text = _text(attribute[key])
        values = ET.SubElement(element, "values")
        for entry in attribute["values"]:
            value_element = ET.SubElement(values, "value")
            ET.SubElement(value_element, "key").text = entry["key"]
            ET.SubElement(value_element, "name").text = entry["name"]
    return xml_response(root)
