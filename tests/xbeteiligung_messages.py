"""Build realistic XBeteiligung 1.2 procedure messages (0301, 0302, 0401, 0402) for tests.

Tests describe the message they need in a few keywords instead of keeping static XML files:

    kommunal("0402", blocks=[Block("public", documents=[Doc()])])
    raumordnung("0301", documents=[Doc(url="https://example.org/plan.pdf")])

The shape follows what DiPlan Cockpit sends (header with DVDV reader and author, participation blocks
with announcement, period and attachments) in the element order of the XSDs. Every message is checked
with ``mitwirken.formal.xbeteiligung.validate`` before it is returned, so a test never works with a
message the schema would refuse by accident; ``validate=False`` builds a deliberately invalid one.

Default dates are relative to today in Berlin, so the participation period is open now.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from base64 import b64encode
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from lxml import etree

from mitwirken.formal.xbeteiligung import (
    G2G,
    MIME_TYPES,
    STEP_LIST_VERSION,
    STEP_LISTS,
    Authority,
    _code,
    _message,
    _sub,
    _xb,
    validate,
)

BERLIN = ZoneInfo("Europe/Berlin")

PLANART_KOMMUNAL = ("urn:xoev-de:xleitstelle:codeliste:planartkommunal", "1")
PLANART_RAUMORDNUNG = ("urn:xoev-de:xleitstelle:codeliste:planartraumordnung", "1.0")
VERFAHRENSART_RAUMORDNUNG = ("urn:xoev-de:xleitstelle:codeliste:verfahrensartraumordnung", "1.0")
ANLAGEART = ("urn:xoev-de:xleitstelle:codeliste:verfahrensunterlagetyp", "1.0")
STEP_KOMMUNAL = (STEP_LISTS["verfahrensschrittKommunal"], STEP_LIST_VERSION)
STEP_RAUMORDNUNG = (STEP_LISTS["verfahrensschrittRaumordnung"], STEP_LIST_VERSION)

ROOTS = {
    "0301": "raumordnung.Initiieren.0301",
    "0302": "raumordnung.Aktualisieren.0302",
    "0401": "kommunal.Initiieren.0401",
    "0402": "kommunal.Aktualisieren.0402",
}

# A small area in the Westerwald, GeoJSON (WGS 84, longitude first) like DiPlan Cockpit sends it.
DEFAULT_AREA: dict[str, Any] = {
    "type": "Polygon",
    "coordinates": [[[7.60, 50.40], [7.61, 50.40], [7.61, 50.41], [7.60, 50.41], [7.60, 50.40]]],
}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def berlin_today() -> date:
    return datetime.now(BERLIN).date()


def _days_from_today(days: int) -> Any:
    return lambda: berlin_today() + timedelta(days=days)


@dataclass
class Doc:
    """One ``anlage``.

    Without ``url`` it is an ``anhang`` (document id, file name, size and SHA-256 of ``content``), with the
    content inline as ``dokument`` when ``inline`` is true. With ``url`` it is a ``uriVerlinkung``: the file
    lives elsewhere, nothing is inlined. ``hash`` overrides the SHA-256 (a test may pass a wrong one).
    """

    name: str = "Planzeichnung.pdf"
    mime: str = "application/pdf"
    content: bytes | None = PDF
    inline: bool = True
    url: str | None = None
    hash: str | None = None
    document_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    kind_code: str = "9900"
    version: str = "1.0"
    dated: date | None = field(default_factory=_days_from_today(-14))


@dataclass
class Block:
    """One participation block (kommunal: ``beteiligungOeffentlichkeit`` or ``beteiligungTOEB``).

    ``code`` defaults to the formal hearing step of the audience (public 6000, agency 5000) and
    ``participation_id`` to ``<plan_id>-OEFF-<round>`` or ``<plan_id>-TOEB-<round>``. ``zoned`` writes the
    period's days with their Berlin offset (``2026-05-24+02:00``), as some senders do.
    """

    audience: Literal["public", "agency"] = "public"
    code: str | None = None
    participation_id: str | None = None
    round: int = 1
    announced: date = field(default_factory=_days_from_today(-10))
    first_day: date = field(default_factory=_days_from_today(-3))
    last_day: date = field(default_factory=_days_from_today(40))
    notices: list[str] = field(default_factory=list)
    documents: list[Doc] = field(default_factory=list)
    published: tuple[date, date] | None = None  # veroeffentlichungszeitraum
    zoned: bool = False


def _day(day: date, *, zoned: bool = False) -> str:
    if not zoned:
        return day.isoformat()
    offset = datetime.combine(day, time(12), BERLIN).strftime("%z")
    return f"{day.isoformat()}{offset[:3]}:{offset[3:]}"


def _period(parent: Any, tag: str, first: date, last: date, *, zoned: bool = False) -> None:
    period = _sub(parent, _xb(tag))
    _sub(period, _xb("beginn"), _day(first, zoned=zoned))
    _sub(period, _xb("ende"), _day(last, zoned=zoned))


def _documents(parent: Any, documents: list[Doc]) -> None:
    if not documents:
        return
    container = _sub(parent, _xb("anlagen"))
    for doc in documents:
        # MetadatenAnlage: unqualified children, except «anhang» and «dokument» (qualified).
        item = _sub(container, "anlage")
        _sub(item, "bezeichnung", doc.name.rsplit(".", 1)[0])
        _sub(item, "versionsnummer", doc.version)
        if doc.dated:
            _sub(item, "datum", doc.dated.isoformat())
        _code(item, "anlageart", doc.kind_code, ANLAGEART)
        _code(item, "mimeType", doc.mime, MIME_TYPES)
        reference = _sub(item, "anhangOderVerlinkung")
        if doc.url:
            _sub(reference, _xb("uriVerlinkung"), doc.url)
            continue
        attributes = {}
        if doc.content:
            attributes["filesize"] = str(len(doc.content))
        digest = doc.hash or (hashlib.sha256(doc.content).hexdigest() if doc.content is not None else None)
        if digest:
            attributes["hashValue"] = digest
        attachment = _sub(reference, _xb("anhang"), **attributes)
        _sub(attachment, "dokumentid", doc.document_id)
        _sub(attachment, "dateiname", doc.name)
        if doc.inline and doc.content is not None:
            _sub(item, _xb("dokument"), b64encode(doc.content).decode("ascii"))


def _header(kind: str, *, message_id: str | None, product: str, reader: Authority, author: Authority) -> Any:
    root = _message(ROOTS[kind], sender=author, receiver=reader)
    root.set("produkt", product)
    root.set("produkthersteller", "Beispielhersteller")  # as in tests/data/xbeteiligung; no real vendor claimed
    if message_id:
        root.find(
            f"{{{G2G}}}nachrichtenkopf.g2g/{{{G2G}}}identifikation.nachricht/{{{G2G}}}nachrichtenUUID"
        ).text = message_id
    return root


def _initiator(parent: Any, name: str) -> None:
    # xbauk:Organisation: unqualified name/name.
    _sub(_sub(_sub(_sub(parent, _xb("akteurVorhaben")), _xb("veranlasser")), "name"), "name", name)


def _finish(root: Any, *, check: bool) -> bytes:
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    if check:
        validate(xml)  # raises MessageInvalid with the schema's errors: the builder itself is wrong
    return xml


def kommunal(
    kind: Literal["0401", "0402"] = "0401",
    *,
    blocks: list[Block] | None = None,
    plan_id: str = "BP-17",
    vorgang_id: str = "BP-17-V1",
    plan_name: str = 'Bebauungsplan "Am Mühlbach"',
    working_title: str | None = None,
    plan_type: str | None = None,
    stage: str = "4000",
    reason: str | None = None,
    area: dict[str, Any] | None = None,
    boundary_url: str | None = None,
    area_description: str = "Zwischen Mühlbach und Kreisstraße 12",
    participation_url: str | None = None,
    reader_id: str = "07111000",
    reader_name: str = "Landkreis Musterkreis",
    author_id: str = "07111042",
    author_name: str = "Ortsgemeinde Musterdorf",
    author_email: str | None = None,
    initiator: str = "Ortsgemeinde Musterdorf",
    message_id: str | None = None,
    product: str = "DiPlan Cockpit",
    validate: bool = True,
) -> bytes:
    """``kommunal.Initiieren.0401`` or ``kommunal.Aktualisieren.0402``.

    ``blocks`` defaults to a public (6000) and an agency (5000) block; ``[]`` sends none. At most one block
    per audience (the schema allows one of each); they are written public first. ``plan_type`` is a
    planartkommunal code such as ``6_3_EinfacherBPlan``; ``stage`` the plan's verfahrensschrittKommunal.
    """
    if kind not in ("0401", "0402"):
        raise ValueError(f"kommunal: kind {kind!r} is not 0401 or 0402")
    blocks = [Block("public"), Block("agency")] if blocks is None else blocks
    audiences = [block.audience for block in blocks]
    if len(set(audiences)) != len(audiences):
        raise ValueError("kommunal: at most one block per audience")
    root = _header(kind, message_id=message_id, product=product,
                   reader=Authority(name=reader_name, kennung=reader_id),
                   author=Authority(name=author_name, kennung=author_id, email=author_email or ""))  # fmt: skip
    content = _sub(root, _xb("nachrichteninhalt"))
    _sub(content, _xb("vorgangsID"), vorgang_id)
    participation = _sub(content, _xb("beteiligung"))
    _initiator(participation, initiator)
    _sub(participation, _xb("planID"), plan_id)
    _sub(participation, _xb("planname"), plan_name)
    if working_title:
        _sub(participation, _xb("arbeitstitel"), working_title)
    if plan_type:
        _code(participation, _xb("planartKommunal"), plan_type, PLANART_KOMMUNAL)
    _code(participation, _xb("verfahrensschrittKommunal"), stage, STEP_KOMMUNAL)
    if reason:
        _sub(participation, _xb("beschreibungPlanungsanlass"), reason)
    if boundary_url:
        _sub(participation, _xb("flaechenabgrenzungUrl"), boundary_url)
    _sub(participation, _xb("geltungsbereich"), json.dumps(area or DEFAULT_AREA, separators=(",", ":")))
    _sub(participation, _xb("raeumlicheBeschreibung"), area_description)
    if participation_url:
        _sub(participation, _xb("beteiligungURL"), participation_url)
    for block in sorted(blocks, key=lambda block: block.audience != "public"):
        public = block.audience == "public"
        element = _sub(participation, _xb("beteiligungOeffentlichkeit" if public else "beteiligungTOEB"))
        default_id = f"{plan_id}-{'OEFF' if public else 'TOEB'}-{block.round}"
        _sub(element, _xb("beteiligungsID"), block.participation_id or default_id)
        _sub(element, _xb("durchgang"), str(block.round))
        _sub(element, _xb("bekanntmachung"), block.announced.isoformat())  # Tagesdatum: no zone allowed
        for notice in block.notices:
            _sub(element, _xb("aktuelleMitteilung"), notice)
        _period(element, "zeitraum", block.first_day, block.last_day, zoned=block.zoned)
        _documents(element, block.documents)
        suffix = "Oeffentlichkeit" if public else "TOEB"
        art = _sub(element, _xb(f"beteiligungKommunal{suffix}Art"))
        _code(art, _xb(f"beteiligungKommunalFormal{suffix}"), block.code or ("6000" if public else "5000"),
              STEP_KOMMUNAL)  # fmt: skip
        if block.published:
            _period(element, "veroeffentlichungszeitraum", *block.published, zoned=block.zoned)
    return _finish(root, check=validate)


def raumordnung(
    kind: Literal["0301", "0302"] = "0301",
    *,
    code: str = "5200",
    round: int = 1,
    announced: date | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
    published: tuple[date, date] | None = None,
    zoned: bool = False,
    notices: list[str] | None = None,
    documents: list[Doc] | None = None,
    plan_id: str = "RROP-MR-2026",
    vorgang_id: str = "RROP-MR-2026-V1",
    plan_name: str = "Regionaler Raumordnungsplan Musterregion, Teilfortschreibung Windenergie",
    working_title: str | None = None,
    plan_type: str | None = None,
    procedure_kind: str | None = None,
    reason: str | None = None,
    area: dict[str, Any] | None = None,
    boundary_url: str | None = None,
    area_description: str = "Gebiet der Planungsgemeinschaft Musterregion",
    participation_url: str | None = None,
    reader_id: str = "07111000",
    reader_name: str = "Landkreis Musterkreis",
    author_id: str = "07000000",
    author_name: str = "Planungsgemeinschaft Musterregion",
    author_email: str | None = None,
    initiator: str = "Planungsgemeinschaft Musterregion",
    message_id: str | None = None,
    product: str = "DiPlan Cockpit",
    validate: bool = True,
) -> bytes:
    """``raumordnung.Initiieren.0301`` or ``raumordnung.Aktualisieren.0302``: one participation step.

    ``code`` is the verfahrensschrittRaumordnung (public hearing 5200 by default). ``plan_type``
    (planartraumordnung) or ``procedure_kind`` (verfahrensartraumordnung 1000-4000) make the importer
    treat it as a plan rather than a Raumordnungsverfahren. There is no ``participation_id``: the
    Raumordnung block has no beteiligungsID.
    """
    if kind not in ("0301", "0302"):
        raise ValueError(f"raumordnung: kind {kind!r} is not 0301 or 0302")
    root = _header(kind, message_id=message_id, product=product,
                   reader=Authority(name=reader_name, kennung=reader_id),
                   author=Authority(name=author_name, kennung=author_id, email=author_email or ""))  # fmt: skip
    content = _sub(root, _xb("nachrichteninhalt"))
    _sub(content, _xb("vorgangsID"), vorgang_id)
    participation = _sub(content, _xb("beteiligung"))
    _initiator(participation, initiator)
    _sub(participation, _xb("planID"), plan_id)
    _sub(participation, _xb("planname"), plan_name)
    if working_title:
        _sub(participation, _xb("arbeitstitel"), working_title)
    if plan_type:
        _code(participation, _xb("planart"), plan_type, PLANART_RAUMORDNUNG)
    if procedure_kind:
        _code(participation, _xb("verfahrensart"), procedure_kind, VERFAHRENSART_RAUMORDNUNG)
    if reason:
        _sub(participation, _xb("beschreibungPlanungsanlass"), reason)
    _code(participation, _xb("verfahrensschritt"), code, STEP_RAUMORDNUNG)
    _sub(participation, _xb("durchgang"), str(round))
    if boundary_url:
        _sub(participation, _xb("flaechenabgrenzungUrl"), boundary_url)
    _sub(participation, _xb("geltungsbereich"), json.dumps(area or DEFAULT_AREA, separators=(",", ":")))
    _sub(participation, _xb("raeumlicheBeschreibung"), area_description)
    today = berlin_today()
    _sub(participation, _xb("bekanntmachung"), (announced or today - timedelta(days=10)).isoformat())
    for notice in notices or []:
        _sub(participation, _xb("aktuelleMitteilung"), notice)
    _period(participation, "zeitraum", first_day or today - timedelta(days=3), last_day or today + timedelta(days=40),
            zoned=zoned)  # fmt: skip
    if published:
        _period(participation, "veroeffentlichungszeitraum", *published, zoned=zoned)
    if participation_url:
        _sub(participation, _xb("beteiligungURL"), participation_url)
    _documents(participation, documents or [])  # here after the period, unlike the kommunal blocks
    return _finish(root, check=validate)
