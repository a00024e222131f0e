"""Open311 fuzzing (issue 10): the GeoReport v2 API has no OpenAPI schema, so hypothesis generates the requests.

Query parameters for discovery, services, service definitions, requests and single requests, in XML and JSON,
GET and POST, with valid values mixed with hostile ones (huge numbers, odd dates, NUL bytes, markup, unicode).
The properties: never a server error; every error is the spec's body (a list of ``{code, description}``, in
the requested format); every success is parseable in that format. Bounded: a fixed number of examples.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import test_open311

region = test_open311.region  # the fixture, shared

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

hostile_text = st.sampled_from(
    ["", " ", "0", "-1", "99999999999999999999", "1e309", "NaN", "inf", "²", "١٢", "0x10", "1,2,3", ",,,", "\x00",
     "%00", "<x>", "']\"", "../../etc/passwd", "a" * 5000, "\u202e", "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
     "null", "[]", "{}", "true"]
)  # fmt: skip
dates = st.one_of(
    st.sampled_from(
        [
            "0001-01-01",
            "9999-12-31",
            "1969-12-31T23:59:59Z",
            "2026-02-30",
            "2026-13-01",
            "2026-03-29T02:30",
            "2026-01-01T00:00:00+14:00",
            "2026-01-01T00:00:00-12:00",
            "2026-01-01 01:00",
            "yesterday",
        ]
    ),
    st.datetimes().map(lambda moment: moment.isoformat()),
    hostile_text,
)
numbers = st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str), hostile_text)
floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(str), hostile_text)
codes = st.one_of(st.sampled_from(["strassenschaden", "strassenbeleuchtung", "muell", "unbekannt"]), hostile_text)
jurisdictions = st.one_of(st.sampled_from(["musterkreis", "dorf", "anderswo", ""]), hostile_text)
formats = st.sampled_from(["json", "xml"])


def params(**fields: Any) -> Any:
    """Any subset of the given fields."""
    return st.fixed_dictionaries({}, optional=fields)


def check(response: Any, file_format: str) -> None:
    body = b"".join(response.streaming_content) if response.streaming else response.content  # XML lists stream
    assert response.status_code < 500, body[:500]
    if file_format == "json" or response["Content-Type"].startswith("application/json"):
        parsed = json.loads(body)
        if response.status_code >= 400:
            assert isinstance(parsed, list) and parsed, parsed
            assert all(set(item) == {"code", "description"} and item["description"] for item in parsed), parsed
    else:
        root = ET.fromstring(body)  # noqa: S314 - our own server's answer
        if response.status_code >= 400:
            assert root.tag == "errors", body[:300]
            assert all(error.findtext("code") and error.findtext("description") for error in root), body[:300]


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


@FUZZ
@given(file_format=formats, query=params(jurisdiction_id=jurisdictions, service_code=codes, extra=hostile_text))
def test_discovery_and_services(region: Any, client: Client, file_format: str, query: dict[str, str]) -> None:
    check(client.get(f"/open311/v2/discovery.{file_format}", query), file_format)
    check(client.get(f"/open311/v2/services.{file_format}", query), file_format)
    code = query.get("service_code") or "strassenschaden"
    check(client.get(f"/open311/v2/services/{code.strip('/') or 'x'}.{file_format}", query), file_format)


@FUZZ
@given(
    file_format=formats,
    query=params(
        jurisdiction_id=jurisdictions,
        service_request_id=numbers,
        service_code=codes,
        start_date=dates,
        end_date=dates,
        status=st.one_of(st.sampled_from(["open", "closed", "open,closed"]), hostile_text),
    ),
    pk=numbers,
)
def test_request_search_and_detail(
    region: Any, client: Client, file_format: str, query: dict[str, str], pk: str
) -> None:
    query.setdefault("jurisdiction_id", "musterkreis")
    check(client.get(f"/open311/v2/requests.{file_format}", query), file_format)
    check(client.get(f"/open311/v2/requests/{pk}.{file_format}", query), file_format)
    check(client.get(f"/open311/v2/tokens/{pk}.{file_format}", query), file_format)


@FUZZ
@given(
    file_format=formats,
    fields=params(
        service_code=codes,
        lat=floats,
        long=floats,
        address_string=hostile_text,
        description=hostile_text,
        email=st.one_of(st.emails(), hostile_text),
        media_url=hostile_text,
        device_id=hostile_text,
        first_name=hostile_text,
        **{"attribute[mast]": hostile_text},
    ),
    key=st.sampled_from(["valid", "invalid", "missing"]),
    content_type=st.sampled_from(["application/x-www-form-urlencoded", "application/json", "text/plain"]),
)
def test_request_post(region: Any, client: Client, file_format: str, fields: dict[str, str], key: str,
                      content_type: str) -> None:  # fmt: skip
    fields = {"jurisdiction_id": "dorf", **fields}
    if key != "missing":
        fields["api_key"] = region.dorf_key if key == "valid" else "falsch"
    body = json.dumps(fields) if content_type == "application/json" else urlencode(fields)
    check(client.post(f"/open311/v2/requests.{file_format}", body, content_type=content_type), file_format)
