"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) in XML and JSON: discovery, services, service
definitions, posting and reading service requests, and tokens. docs/open311.md is the integrators' guide.

One endpoint serves every organisation, so ``jurisdiction_id`` (the organisation slug) is required.
Errors follow the spec: a list of ``{code, description}`` with HTTP 400, 403 or 404.
Nothing personal (e-mail, name, phone, account) is ever written into a response: rows are built field by
field from an allow-list, never from the model.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

import orjson
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Func, IntegerField, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from mitwirken.core import pagecache
from mitwirken.core.ids import parse_id
from mitwirken.core.links import url_template
from mitwirken.organisations.models import Organisation

from . import apikeys
from . import services as report_services
from .models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    PUBLIC_STATUSES,
    CategoryTemplate,
    OrganisationCategory,
    Report,
    ReportPhoto,
    ReportQuerySet,
    ReportStatus,
)

FORMATS = ("json", "xml")
MAX_RESULTS = 1000  # GET requests answers at most this many, newest first (documented in docs/open311.md)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # dates outside this answer 400, not an overflow
LATEST = datetime(2999, 12, 31, tzinfo=UTC)
MAX_SPAN = timedelta(days=90)  # the spec's limit between start_date and end_date, and the default window
MAX_EMAIL_LENGTH = 254  # Report.email's column; longer would fail in the database instead of answering 400
ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\]]+)\](?:\[\])?$")  # attribute[code], also PHP-style attribute[code][]


def xml_response(root: ET.Element, status: int = 200) -> HttpResponse:
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")
    return HttpResponse(body, content_type="text/xml; charset=utf-8", status=status)


# Characters XML 1.0 cannot carry at all (not even escaped). A pasted description may hold one; without this
# the XML answer would be unparseable for every client.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
XML_CONTENT_TYPE = "text/xml; charset=utf-8"
XML_CHUNK = 250  # rows per chunk of a streamed XML answer


def _clean(value: Any) -> Any:
    return XML_INVALID.sub("", value) if isinstance(value, str) else value


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else XML_INVALID.sub("", str(value))


def xml_chunks(rows: Sequence[dict[str, Any]], *, root: str, item: str) -> Iterator[bytes]:
    """The spec's XML from rows cleaned of XML_INVALID (``render`` does that), written row by row: the same bytes ElementTree wrote (``<key />`` for empty text,
    only &, < and > escaped, no declaration of its own), without building a tree of 20,000 elements."""
    yield b'<?xml version="1.0" encoding="utf-8"?>'
    if not rows:
        yield f"<{root} />".encode()
        return
    yield f"<{root}>".encode()
    for start in range(0, len(rows), XML_CHUNK):
        parts = []
        for row in rows[start : start + XML_CHUNK]:
            texts = [
                ("true" if value else "false") if isinstance(value, bool) else str(value) for value in row.values()
            ]
            # One escape() per row instead of one per field: NUL never survives the cleaning, so it can separate.
            escaped = escape("\x00".join(texts)).split("\x00")
            parts.append(f"<{item}>")
            parts.extend(
                f"<{key}>{text}</{key}>" if text else f"<{key} />" for key, text in zip(row, escaped, strict=True)
            )
            parts.append(f"</{item}>")
        yield "".join(parts).encode()
    yield f"</{root}>".encode()


def render(
    rows: list[dict[str, Any]], file_format: str, *, root: str, item: str, status: int = 200, cleaned: bool = False
) -> HttpResponse:
    """A list of flat records as JSON, or as the spec's XML: <root><item><field>…</field></item>…</root>."""
    if not cleaned:  # request_rows() cleans its rows field by field while building them
        rows = [{key: _clean(value) for key, value in row.items()} for row in rows]  # the same data in both formats
    if file_format == "json":
        # orjson: a 1,000-row list in 0.3 ms instead of 5 ms (json.dumps and encoding). Compact (no blanks after
        # ":" and ","), which parses to the same data; rows carry no lone surrogates after cleaning.
        return HttpResponse(orjson.dumps(rows), content_type="application/json", status=status)
    return HttpResponse(b"".join(xml_chunks(rows, root=root, item=item)), content_type=XML_CONTENT_TYPE, status=status)


def render_stream(rows: list[dict[str, Any]], file_format: str, *, root: str, item: str) -> HttpResponseBase:
    """Like ``render`` for rows from request_rows(), but XML is sent while it is written (the long list).
    JSON is one bytes object: orjson writes it faster than any chunking would."""
    if file_format == "json":
        return render(rows, file_format, root=root, item=item, cleaned=True)
    return StreamingHttpResponse(xml_chunks(rows, root=root, item=item), content_type=XML_CONTENT_TYPE)


def error(file_format: str, status: int, code: int, description: str) -> HttpResponse:
    return render([{"code": code, "description": description}], file_format, root="errors", item="error", status=status)


def errors(file_format: str, status: int, descriptions: Sequence[str]) -> HttpResponse:
    """One ``{code, description}`` per message, e.g. every message of a service's ValidationError."""
    rows = [{"code": status, "description": description} for description in descriptions]
    return render(rows, file_format, root="errors", item="error", status=status)


def _unknown_format() -> HttpResponse:
    return error("json", 404, 404, _("Das Format muss json oder xml sein."))


def _jurisdiction(request: HttpRequest, file_format: str) -> Organisation | HttpResponse:
    # A POST carries its parameters in the form body; the query string is accepted as well.
    slug = (request.POST.get("jurisdiction_id", "") if request.method == "POST" else "").strip()
    slug = slug or request.GET.get("jurisdiction_id", "").strip()
    if not slug:
        return error(file_format, 400, 400, _("jurisdiction_id fehlt: die Kennung (Slug) der Organisation."))
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        return error(file_format, 404, 404, _("Unbekannte jurisdiction_id: %(slug)s") % {"slug": slug})
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
        return _unknown_format()
    base = request.build_absolute_uri(reverse("reports:open311_services", kwargs={"file_format": file_format})).rsplit(
        "/", 1
    )[0]
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
        return _unknown_format()
    organisation = _jurisdiction(request, file_format)
    if isinstance(organisation, HttpResponse):
        return organisation
    entries = [service_entry(handler) for handler in handlers_for(organisation)]
    return render(entries, file_format, root="services", item="service")


@require_GET
def service_definition(request: HttpRequest, code: str, file_format: str) -> HttpResponse:
    if file_format not in FORMATS:
        return _unknown_format()
    organisation = _jurisdiction(request, file_format)
    if isinstance(organisation, HttpResponse):
        return organisation
    handler = next((h for h in handlers_for(organisation) if h.template.code == code), None)
    if handler is None:
        return error(
            file_format, 404, 404, _("Unbekannter service_code für diese jurisdiction_id: %(code)s") % {"code": code}
        )
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


# --- service requests -----------------------------------------------------------------------------------------


# What a request row reads: plain values, no model instances (1,000 of them with their related objects
# cost more than the query). An allow-list, in the order request_rows() unpacks it: nothing personal.
ROW_FIELDS = (
    "pk", "status", "status_message", "description", "hidden", "hidden_reason", "created_s", "updated_s", "address",
    "lat", "lon", "category__code", "category__name", "organisation__name", "first_photo",
)  # fmt: skip


class UnixSeconds(Func):
    """A timestamp as whole seconds since 1970: loading 2,000 timestamps as datetimes (the driver's parser, then
    Django's time zone handling) cost more than the list's query; an integer costs nothing."""

    output_field = IntegerField()
    template = "CAST(FLOOR(EXTRACT(EPOCH FROM %(expressions)s)) AS bigint)"

    def get_db_converters(self, connection: Any) -> list[Any]:
        return []  # the database answers an integer already; a converter would wrap every row in Python

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # %%%% becomes %% here and % in the SQLite backend, which turns a bare %s into a placeholder.
        return self.as_sql(
            compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)", **extra
        )


def _printable(value: str) -> str:
    """``value`` without XML_INVALID; isprintable() is false for every one of them, and fast for the usual text."""
    return value if value.isprintable() else XML_INVALID.sub("", value)


OPEN311_OPEN = frozenset(str(status.value) for status in (*OPEN_STATUSES, ReportStatus.UNCONFIRMED))


def request_rows(request: HttpRequest, reports: ReportQuerySet) -> list[dict[str, Any]]:
    """Service requests as the spec names their fields, in one query whatever the number of rows.

    Hidden reports show "Ausgeblendet: <reason>" and neither address nor photo. Strings are cleaned of
    XML_INVALID here, so JSON and XML carry the same data.
    """
    first_photo = ReportPhoto.objects.filter(report=OuterRef("pk"), hidden=False).order_by("position", "pk")
    values = reports.annotate(
        first_photo=Subquery(first_photo.values("pk")[:1]),
        created_s=UnixSeconds("created_at"),
        updated_s=UnixSeconds("updated_at"),
    ).values_list(*ROW_FIELDS)
    # One reverse() and build_absolute_uri() for the page instead of one per photo.
    photo_url, origin = url_template("reports:photo", "pk", "photo_pk"), request.build_absolute_uri("/")[:-1]
    hidden_text = _("Ausgeblendet: %(reason)s")
    zone = timezone.get_default_timezone()
    clean = _printable
    when = datetime.fromtimestamp
    rows = []
    for (pk, status, notes, description, hidden, reason, created, updated, address, lat, lon, code, name, agency,
         photo) in values:  # fmt: skip
        if hidden:
            description, address, photo = hidden_text % {"reason": reason}, "", None
        if not (notes + description + address + code + name + agency).isprintable():  # rare: see _printable
            notes, description, address = clean(notes), clean(description), clean(address)
            code, name, agency = clean(code), clean(name), clean(agency)
        rows.append({
            "service_request_id": str(pk),
            "status": "open" if status in OPEN311_OPEN else "closed",
            "status_notes": notes,
            "service_name": name,
            "service_code": code,
            "description": description,
            "agency_responsible": agency,
            "service_notice": "",
            "requested_datetime": when(created, zone).isoformat(),  # whole seconds, as the spec's examples
            "updated_datetime": when(updated, zone).isoformat(),
            "expected_datetime": "",
            "address": address,
            "address_id": "",
            "zipcode": "",
            "lat": lat,
            "long": lon,
            "media_url": "" if photo is None else origin + photo_url(pk, photo),
        })  # fmt: skip
    return rows


def _render_requests(rows: list[dict[str, Any]], file_format: str, *, cleaned: bool = False) -> HttpResponse:
    return render(rows, file_format, root="service_requests", item="request", cleaned=cleaned)


@csrf_exempt  # no cookie or session is used: a POST is authorised by its api_key alone, so CSRF cannot apply
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest, file_format: str) -> HttpResponseBase:
    if file_format not in FORMATS:
        return _unknown_format()
    organisation = _jurisdiction(request, file_format)
    if isinstance(organisation, HttpResponse):
        return organisation
    if request.method == "POST":
        return _create(request, organisation, file_format)
    return _search(request, organisation, file_format)


def _create(request: HttpRequest, jurisdiction: Organisation, file_format: str) -> HttpResponse:
    data = request.POST
    client = apikeys.api_client_for_key(data.get("api_key", "").strip())
    if client is None or client.organisation_id != jurisdiction.pk:
        return error(file_format, 403, 403, _(
            "api_key fehlt, ist unbekannt oder widerrufen oder gehört nicht zu dieser jurisdiction_id."))  # fmt: skip
    if any("\x00" in value for _key, values in data.lists() for value in values):
        # PostgreSQL cannot store a NUL character; refuse it here instead of failing in the database.
        return error(file_format, 400, 400, _("Die Anfrage enthält ein unzulässiges Nullzeichen."))
    code = data.get("service_code", "").strip()
    if not code:
        return error(file_format, 400, 400, _("service_code fehlt."))
    handler = next((h for h in handlers_for(jurisdiction) if h.template.code == code), None)
    if handler is None:
        # A parameter that does not fit is "anything else" in the spec's error rules: 400, not 404.
        return error(
            file_format, 400, 400, _("Unbekannter service_code für diese jurisdiction_id: %(code)s") % {"code": code}
        )
    email = data.get("email", "").strip()
    if email and not _is_email(email):
        return error(file_format, 400, 400, _("Die E-Mail-Adresse (email) ist ungültig."))
    name = " ".join(part for part in (data.get("first_name", "").strip(), data.get("last_name", "").strip()) if part)
    try:
        lon, lat, address = _location(data)
        report = report_services.report_create(
            category=handler.template, lon=lon, lat=lat, description=data.get("description", ""), address=address,
            attributes=_attributes(data, handler), email=email, name=name, api_client=client,
        )  # fmt: skip
    except ValidationError as invalid:
        return errors(file_format, 400, invalid.messages)
    notices = [_("Die Meldung ist eingegangen. Zuständig: %(name)s.") % {"name": report.organisation.name}]
    if report.organisation_id != jurisdiction.pk:
        notices.append(
            _("Abrufen mit jurisdiction_id=%(slug)s.") % {"slug": report.organisation.slug}  # routed elsewhere
        )
    if data.get("media_url", "").strip():
        notices.append(_("media_url wurde nicht übernommen: Das Portal lädt keine Dateien von fremden Adressen."))
    row = {"service_request_id": str(report.pk), "token": str(report.public_token),
           "service_notice": " ".join(notices), "account_id": ""}  # fmt: skip
    # 200, not 201: GeoReport v2 names only error codes (400/403/404) and documents this answer like every
    # other one, so clients written against it expect the plain 200 of a successful request.
    return _render_requests([row], file_format)


def _is_email(value: str) -> bool:
    # report_create stores e-mail addresses unchecked, so the API checks them (and their column length) first.
    try:
        validate_email(value)
    except ValidationError:
        return False
    return len(value) <= MAX_EMAIL_LENGTH


def _location(data: QueryDict) -> tuple[str, str, str]:
    """(lon, lat, address) from lat+long, or from address_string through the gazetteer."""
    lat, lon = data.get("lat", "").strip(), data.get("long", "").strip()
    address = data.get("address_string", "").strip()
    if lat and lon:
        return lon, lat, address  # report_create checks that they are numbers in range
    if lat or lon:
        raise ValidationError(_("lat und long müssen zusammen angegeben werden."))
    if address:
        place = report_services.geocode(address)
        return str(place.lon), str(place.lat), address
    if data.get("address_id", "").strip():
        raise ValidationError(_("address_id wird nicht unterstützt. Bitte lat und long oder address_string angeben."))
    raise ValidationError(_("Der Ort fehlt: Bitte lat und long oder address_string angeben."))


def _attributes(data: QueryDict, handler: OrganisationCategory) -> dict[str, Any]:
    """``attribute[code]`` values; a multivaluelist (or any repeated code) becomes a list."""
    multi = {question.get("code") for question in handler.questions if question.get("datatype") == "multivaluelist"}
    given: dict[str, list[str]] = {}
    for key in data:
        match = ATTRIBUTE_KEY.match(key)
        if match:
            given.setdefault(match.group(1), []).extend(value.strip() for value in data.getlist(key))
    return {code: values if code in multi or len(values) > 1 else values[0] for code, values in given.items()}


def _search(request: HttpRequest, jurisdiction: Organisation, file_format: str) -> HttpResponseBase:
    reports = Report.objects.public().filter(organisation=jurisdiction)
    params = request.GET
    # A handful of rows, read for the ETag anyway; filtering by their ids instead of joining on the code lets
    # PostgreSQL read the list in index order instead of collecting and sorting every match of the window.
    categories = list(CategoryTemplate.objects.order_by("pk").values_list("pk", "code", "name"))
    sliding_start = None  # the start of the default window, which moves with the clock
    try:
        ids = _split(params.get("service_request_id", ""))
        if ids:  # the spec: a list of ids overrides every other filter
            if len(ids) > MAX_RESULTS:
                raise ValidationError(_("Höchstens %(max)d service_request_id auf einmal.") % {"max": MAX_RESULTS})
            if not all(value.isascii() and value.isdigit() for value in ids):
                raise ValidationError(_("service_request_id muss eine Zahl oder eine Liste von Zahlen sein."))
            numbers = [parse_id(value) for value in ids]
            if None in numbers:
                raise ValidationError(_("service_request_id ist zu groß: so viele Meldungen gibt es nicht."))
            reports = reports.filter(pk__in=numbers)
        else:
            codes = _split(params.get("service_code", ""))
            if codes:
                reports = reports.filter(category_id__in=[pk for pk, code, _name in categories if code in codes])
            statuses = _split(params.get("status", ""))
            if any(value not in ("open", "closed") for value in statuses):
                raise ValidationError(_("status muss open oder closed sein."))
            if statuses:
                wanted = (OPEN_STATUSES if "open" in statuses else ()) + (
                    CLOSED_STATUSES if "closed" in statuses else ()
                )
                reports = reports.filter(status__in=wanted)
            start_text, end_text = params.get("start_date", ""), params.get("end_date", "")
            start, end = _date_range(start_text, end_text)
            if not (start_text.strip() or end_text.strip()):
                sliding_start = reports.filter(created_at__lt=start)
            reports = reports.filter(created_at__gte=start, created_at__lte=end)
    except ValidationError as invalid:
        return errors(file_format, 400, invalid.messages)
    etag, last_modified = _validators(request, jurisdiction, reports, file_format, sliding_start, categories)
    unchanged = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if unchanged is None:
        page = reports.order_by("-created_at", "-pk")[:MAX_RESULTS]
        # The ETag names the data, the address and the language, so apps polling the same list share one answer.
        response = pagecache.keyed(request, f"open311:{etag}", lambda: render_stream(
            request_rows(request, page), file_format, root="service_requests", item="request"))  # fmt: skip
    else:  # 304 Not Modified (or 412 for If-Match): no body
        response = unchanged
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "no-cache"  # caches may keep the list, but ask every time (cheaply, see above)
    return response


# Part of every ETag: change it when the answer's bytes change for the same data (fields, encoding, escaping).
ANSWER_VERSION = "2"


def _validators(
    request: HttpRequest,
    jurisdiction: Organisation,
    reports: ReportQuerySet,
    file_format: str,
    dropped: ReportQuerySet | None,
    categories: list[tuple[int, str, str]],
) -> tuple[str, int]:
    """ETag and Last-Modified (a Unix time) of a list of requests, without reading the list.

    Every write to a report or its photos moves ``Report.changed_at`` (``save()``, ``QuerySet.update()``,
    ``bulk_update()``, ReportPhoto), so the newest ``changed_at`` of all reports moves with any change a list
    could show: new reports, status changes (also out of a filtered list), hiding, photos, forwarding.
    The list's size covers what leaves without a write: deleted reports and the default window sliding past
    old ones. Names come from other tables and go into the ETag as they are. Last-Modified can carry only
    timestamps: it is the newest change, or the moment the default window last let a report go (``dropped``
    holds those left behind by the window); deletions and renames show in the ETag alone, which a client
    sending If-None-Match (taking precedence over If-Modified-Since) always gets right.
    """
    changed = Report.objects.order_by("-changed_at").values_list("changed_at", flat=True).first() or EARLIEST
    last_modified = changed
    if dropped is not None:
        left = dropped.order_by("-created_at").values_list("created_at", flat=True).first()
        if left is not None:
            last_modified = max(last_modified, left + MAX_SPAN)
    normalised = sorted((key, sorted(_split(request.GET.get(key, "")))) for key in request.GET)
    state = [
        ANSWER_VERSION, file_format, normalised, request.build_absolute_uri("/"), translation.get_language(),
        jurisdiction.pk, jurisdiction.name, changed.isoformat(), reports.count(),
        categories,
    ]  # fmt: skip
    digest = hashlib.sha256(json.dumps(state, ensure_ascii=False).encode()).hexdigest()[:32]
    return f'"{digest}"', int(last_modified.timestamp())


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _date_range(start_text: str, end_text: str) -> tuple[datetime, datetime]:
    """The spec's window: at most 90 days; a missing end is 90 days after the start, and so on."""
    start = _parse_w3c(start_text, "start_date") if start_text.strip() else None
    end = _parse_w3c(end_text, "end_date") if end_text.strip() else None
    if start is None:
        end = end or timezone.now()
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    if not (start >= EARLIEST and end <= LATEST):
        raise ValidationError(_("start_date und end_date müssen zwischen 1970 und 2999 liegen."))
    if end < start:
        raise ValidationError(_("end_date liegt vor start_date."))
    if end - start > MAX_SPAN:
        raise ValidationError(_("Zwischen start_date und end_date dürfen höchstens 90 Tage liegen."))
    return start, end


def _parse_w3c(text: str, name: str) -> datetime:
    """A W3C datetime; without an offset it is read as Berlin time, a bare date as 00:00 that day."""
    text = text.strip()
    # An unencoded "+01:00" in a query string arrives as " 01:00"; take it as the offset it was meant to be.
    text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", text)
    invalid = ValidationError(
        _("%(name)s ist kein gültiges Datum (W3C, z. B. 2026-11-30T10:15:00+01:00).") % {"name": name}
    )
    try:
        parsed = parse_datetime(text)
        if parsed is None:
            day: date | None = parse_date(text)
            if day is None:
                raise invalid
            parsed = datetime.combine(day, time.min)
        if not (EARLIEST.year <= parsed.year <= LATEST.year):
            # 0001-01-01 or 9999-12-31 would overflow as soon as a time zone or the 90-day window is applied
            raise ValidationError(_("%(name)s muss zwischen 1970 und 2999 liegen.") % {"name": name})
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    except (ValueError, OverflowError):
        raise invalid from None
    return parsed


@require_GET
def request_detail(request: HttpRequest, pk: str, file_format: str) -> HttpResponse:
    if file_format not in FORMATS:
        return _unknown_format()
    organisation = _jurisdiction(request, file_format)
    if isinstance(organisation, HttpResponse):
        return organisation
    number = parse_id(pk)
    rows = request_rows(request, Report.objects.public().filter(organisation=organisation, pk=number)) if number else []
    if not rows:
        return error(file_format, 404, 404, _("Unbekannte service_request_id: %(id)s") % {"id": pk})
    return _render_requests(rows, file_format, cleaned=True)


@require_GET
def token_detail(request: HttpRequest, token: str, file_format: str) -> HttpResponse:
    """The token from a POST → the request id. Not limited to the jurisdiction: routing may have sent the
    report to a parent or neighbouring body, and only the client that posted it knows the token."""
    if file_format not in FORMATS:
        return _unknown_format()
    organisation = _jurisdiction(request, file_format)
    if isinstance(organisation, HttpResponse):
        return organisation
    try:
        report = Report.objects.filter(public_token=uuid.UUID(token)).only("pk", "status", "public_token").first()
    except ValueError:  # not a UUID, so certainly not one of ours
        report = None
    if report is None:
        return error(file_format, 404, 404, _("Unbekannter token: %(token)s") % {"token": token})
    # An unconfirmed report has no public id yet; the spec's answer for "not yet" is an empty id.
    row = {"service_request_id": str(report.pk) if report.status in PUBLIC_STATUSES else "",
           "token": str(report.public_token)}  # fmt: skip
    return _render_requests([row], file_format)


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other address below the endpoint: the spec's 404 body instead of the portal's HTML page."""
    return error("xml" if request.path.endswith(".xml") else "json", 404, 404, _("Unbekannte Ressource."))
