"""XBeteiligung 1.2: writing and reading the messages; ``exchange`` decides what they change.

XBeteiligung is the XÖV standard of the XLeitstelle for participation procedures. Every message is an
XÖV g2g base message: a header with message id, type, creation time, reader (``leser``) and author
(``autor``), then the content (``nachrichteninhalt``).

- ``statement_message`` writes ``allgemein.stellungnahme.Neuabgegeben.0701`` for one statement, with the
  sender's ids and the sender as addressee for imported procedures; ``statement_batch_zip`` /
  ``write_statement_batch`` put one such file per statement into a ZIP.
- ``read_procedure`` / ``read_plan`` read 0301/0302 (raumordnung) and 0401/0402 (kommunal) into plain data:
  header, plan texts, area, step codes (``law.KOMMUNAL_STEPS`` / ``RAUMORDNUNG_STEPS``), participation
  blocks with periods, notices and documents.
- ``reply_message`` writes the OK and not-OK replies (0311/0321, 0411/0421, 0412/0422, …).
- ``validate`` checks a message against the XSDs; both directions use it, so we never send and never
  accept a message the schema refuses.

The XSDs ship with the app in ``formal/standards/xbeteiligung-1.2/``; the setting or environment variable
``XBETEILIGUNG_XSD_DIR`` points to another version's folder. ``schema_check`` makes a missing schema a
startup error.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import threading
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils import timezone
from lxml import etree

from mitwirken.core.text import strip_control_characters

from .law import KOMMUNAL_STEPS, RAUMORDNUNG_STEPS, STEP_LIST_NAMES, Audience, ProcedureType, RoundKind, Step
from .models import Procedure, Statement, StatementAttachment, StatementStatus, Track

# Namespaces

XBETEILIGUNG = "https://www.xleitstelle.de/xbeteiligung/12"
G2G = "http://xoev.de/schemata/basisnachricht/g2g/1_1"
BEHOERDE = "http://xoev.de/schemata/basisnachricht/behoerde/1_1"
KOMMUNIKATION = "http://xoev.de/schemata/basisnachricht/kommunikation/1_1"
GML = "http://www.opengis.net/gml/3.2"
NSMAP = {"xbeteiligung": XBETEILIGUNG, "bn-g2g": G2G, "bn-beh": BEHOERDE, "bn-kom": KOMMUNIKATION, "gml": GML}

STANDARD, STANDARD_VERSION = "XBeteiligung", "1.2"
PRODUCT = "mitwirken"

STATEMENT_MESSAGE = "allgemein.stellungnahme.Neuabgegeben.0701"
RAUMORDNUNG_INITIATE = "raumordnung.Initiieren.0301"
KOMMUNAL_INITIATE = "kommunal.Initiieren.0401"

# Code lists. Where the schema fixes listURI/listVersionID we send exactly that. The step
# lists (Verfahrensschritt, Verfahrensteilschritt) and the KoSIT lists are external
# ("Typ 3") lists whose version the schema leaves open; the values follow what the
# demosplan XBeteiligung adapter exchanges with DiPlan Cockpit.
MESSAGE_TYPES = ("urn:xoev-de:xleitstelle:codeliste:xbeteiligung-nachrichten", "1.2")
DIRECTORY_SERVICES = ("urn:xoev-de:kosit:codeliste:verzeichnisdienst", "3")
CHANNELS = ("urn:de:xoev:codeliste:erreichbarkeit", "3")
CHANNEL_EMAIL = "01"
MIME_TYPES = ("urn:xoev-de:xbau:codeliste:xbau-mimetypes", "1.0")
STEP_LIST_VERSION = "3"
STEP_LISTS = {
    "verfahrensschrittKommunal": "urn:xoev-de:xleitstelle:codeliste:verfahrensschrittkommunal",
    "verfahrensschrittRaumordnung": "urn:xoev-de:xleitstelle:codeliste:verfahrensschrittraumordnung",
    "verfahrensschrittPlanfeststellung": "urn:xoev-de:xleitstelle:codeliste:verfahrensschrittplanfeststellung",
}
SUBSTEP_LIST = "urn:xoev-de:xleitstelle:codeliste:verfahrensteilschritt"
STATUS_LIST = ("urn:xoev-de:xleitstelle:codeliste:statusderstellungnahme", "1.0")
KIND_LIST = ("urn:xoev-de:xleitstelle:codeliste:artderstellungnahme", "1.0")
FEEDBACK_LIST = ("urn:xoev-de:xleitstelle:codeliste:artderrueckmeldung", "1.0")

# Statusderstellungnahme 1.0: 1000 neu, 2000 in Bearbeitung, 3000 bearbeitet, 4000 Schlussmitteilung versandt.
STATUS_CODES: dict[str, str] = {
    StatementStatus.NEW: "1000",
    StatementStatus.IN_PROGRESS: "2000",
    StatementStatus.WEIGHED: "3000",
    StatementStatus.RELEASED: "3000",
}
STATUS_FINAL_NOTICE_SENT = "4000"
KIND_ANONYMOUS, KIND_NAMED = "1000", "2000"  # artderstellungnahme 1.0
FEEDBACK_EMAIL, FEEDBACK_POST = "1000", "2000"  # artderrueckmeldung 1.0

# GeoJSON is WGS 84 (longitude, latitude); GML with this CRS URI takes the EPSG axis order (latitude, longitude).
WGS84 = "http://www.opengis.net/def/crs/EPSG/0/4326"

ROUND_ORDER = {RoundKind.EARLY: 0, RoundKind.HEARING: 1, RoundKind.RENEWED: 2}


class MessageInvalid(ValueError):
    """A message the schema (or our mapping) refuses. ``errors`` holds one readable line per problem."""

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        self.errors = errors or []
        super().__init__("\n".join([message, *self.errors]))


@dataclass(frozen=True)
class Authority:
    """A public body in the message header (``bn-beh:BehoerdeType``).

    ``kennung`` is the body's key in the directory service: the AGS for routing between
    planning portals, or a DVDV "prefix:id" such as ``psw:01003110``.
    """

    name: str
    kennung: str
    verzeichnisdienst: str = "DVDV"
    email: str = ""


# Schema


def xsd_dir() -> Path:
    configured = getattr(settings, "XBETEILIGUNG_XSD_DIR", None) or os.environ.get("XBETEILIGUNG_XSD_DIR")
    if configured:
        return Path(configured)
    # The public XBeteiligung 1.2 schemas ship with the app (unchanged, see their README), so validation works
    # wherever the portal runs.
    return Path(__file__).resolve().parent / "standards" / "xbeteiligung-1.2"


# lxml keeps the error log on the schema object, not per call: one compiled schema per thread
# keeps the errors of concurrent validations apart. Compiling takes a few milliseconds.
_schemas = threading.local()


def schema() -> etree.XMLSchema:
    """The compiled XBeteiligung schema, built once per thread and folder."""
    directory = xsd_dir()
    cache: dict[Path, etree.XMLSchema] = _schemas.__dict__.setdefault("by_folder", {})
    if directory not in cache:
        entry = directory / "xbeteiligung.xsd"
        if not entry.is_file():
            raise ImproperlyConfigured(
                f"XBeteiligung-Schema nicht gefunden: {entry} (Einstellung XBETEILIGUNG_XSD_DIR)"
            )
        cache[directory] = etree.XMLSchema(etree.parse(str(entry), parser=_safe_parser()))
    return cache[directory]


def schema_check(**kwargs: Any) -> list[Any]:
    """A startup check: without the schema no message can be read or written, so the portal must not start
    silently and answer 500 later."""
    from django.core.checks import Error

    try:
        schema()
    except (ImproperlyConfigured, etree.XMLSchemaParseError, OSError) as error:
        return [
            Error(
                f"XBeteiligung-Schema nicht lesbar: {error}",
                id="formal.E001",
                hint="XBETEILIGUNG_XSD_DIR muss auf einen Ordner mit xbeteiligung.xsd zeigen (oder leer sein).",
            )
        ]
    return []


def _safe_parser() -> etree.XMLParser:
    # Messages come from outside: no external entities, no DTDs, no network.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)


def _parse(xml_bytes: bytes) -> Any:
    try:
        return etree.fromstring(xml_bytes, parser=_safe_parser())
    except etree.XMLSyntaxError as error:
        raise MessageInvalid(
            "Die Nachricht ist kein wohlgeformtes XML.", [f"Zeile {error.lineno}: {error.msg}"]
        ) from None


def _validate_tree(root: Any) -> None:
    checker = schema()
    if not checker.validate(root):
        lines = [f"Zeile {entry.line}: {entry.message}" for entry in checker.error_log]
        raise MessageInvalid("Die Nachricht entspricht nicht dem Schema XBeteiligung 1.2.", lines)


def validate(xml_bytes: bytes) -> None:
    """Raise ``MessageInvalid`` with the schema's errors (line and message) unless the message is valid."""
    _validate_tree(_parse(xml_bytes))


# Text for DIN 91379 fields

# The single characters of DIN 91379 datatype C (din-norm-91379-datatypes.xsd). Typographic quotes,
# dashes, emoji and the like are outside it and would make the whole message invalid.
_DIN_C_CHAR = re.compile(
    "[\t\n\r\x20-\x7e\xa0-\xac\xae-\u017e\u0187\u0188\u018f\u0197\u01a0\u01a1\u01af\u01b0\u01b7\u01cd-\u01dc"
    "\u01de\u01df\u01e2-\u01f0\u01f4\u01f5\u01f8-\u01ff\u0212\u0213\u0218-\u021b\u021e\u021f\u0227-\u0233\u0259"
    "\u0268\u0292\u02b9\u02ba\u02be\u02bf\u02c8\u02cc\u1e02\u1e03\u1e06\u1e07\u1e0a-\u1e11\u1e17\u1e1c-\u1e2b"
    "\u1e2f-\u1e37\u1e3a\u1e3b\u1e40-\u1e49\u1e52-\u1e5b\u1e5e-\u1e63\u1e6a-\u1e6f\u1e80-\u1e87\u1e8c-\u1e97"
    "\u1e9e\u1ea0-\u1ef9\u2019\u2021\u20ac]"
)
_DIN_C_REPLACEMENTS = {
    "„": '"', "“": '"', "”": '"', "‟": '"', "″": '"', "‚": "'", "‘": "'", "‛": "'", "′": "'",
    "–": "-", "—": "-", "‒": "-", "―": "-", "−": "-", "‐": "-", "‑": "-", "…": "...", "•": "*",
    "\u2007": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ",
    "\u00ad": "", "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "",
}  # fmt: skip


def din_text(value: str) -> str:
    """``value`` with every character outside DIN 91379 datatype C replaced by its nearest allowed form.

    The statement in our database keeps its exact wording; only the message is transliterated.
    """
    result = []
    for char in unicodedata.normalize("NFC", value):
        if _DIN_C_CHAR.fullmatch(char):
            result.append(char)
        elif char in _DIN_C_REPLACEMENTS:
            result.append(_DIN_C_REPLACEMENTS[char])
        elif unicodedata.combining(char):
            continue  # a diacritic NFC could not merge into its letter
        else:
            folded = "".join(part for part in unicodedata.normalize("NFKD", char) if _DIN_C_CHAR.fullmatch(part))
            result.append(folded or "?")
    return "".join(result)


# Element builders


def _sub(parent: Any, tag: str, text: str | None = None, **attributes: str) -> Any:
    element = etree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = strip_control_characters(text)  # lxml refuses them; text stored before cleaning may hold them
    return element


def _xb(name: str) -> str:
    return f"{{{XBETEILIGUNG}}}{name}"


def _code(parent: Any, tag: str, code: str, lists: tuple[str, str] | None = None, *, name: str = "") -> Any:
    """An XÖV code element: ``<code>`` (and ``<name>``) are unqualified children; the list travels in attributes."""
    element = _sub(parent, tag)
    if lists:
        element.set("listURI", lists[0])
        element.set("listVersionID", lists[1])
    _sub(element, "code", code)
    if name:
        _sub(element, "name", din_text(name))
    return element


def _authority(parent: Any, tag: str, authority: Authority) -> None:
    element = _sub(parent, tag)
    _code(element, f"{{{BEHOERDE}}}verzeichnisdienst", authority.verzeichnisdienst, DIRECTORY_SERVICES)
    _sub(element, f"{{{BEHOERDE}}}kennung", din_text(authority.kennung))
    _sub(element, f"{{{BEHOERDE}}}name", din_text(authority.name))
    if authority.email:
        reachability = _sub(element, f"{{{KOMMUNIKATION}}}erreichbarkeit")
        _code(reachability, f"{{{KOMMUNIKATION}}}kanal", CHANNEL_EMAIL, CHANNELS)
        _sub(reachability, f"{{{KOMMUNIKATION}}}kennung", din_text(authority.email))


def _message(root_name: str, *, sender: Authority, receiver: Authority) -> Any:
    """The g2g base message with its header; returns the root, ready for ``nachrichteninhalt``."""
    root = etree.Element(_xb(root_name), nsmap=NSMAP)
    root.set("produkt", PRODUCT)
    root.set("produkthersteller", getattr(settings, "XBETEILIGUNG_PRODUCT_MANUFACTURER", PRODUCT))
    root.set("standard", STANDARD)
    root.set("version", STANDARD_VERSION)
    if getattr(settings, "ENVIRONMENT", "production") != "production":
        root.set("test", "true")  # receivers must never process messages from a test or development system
    header = _sub(root, f"{{{G2G}}}nachrichtenkopf.g2g")
    identification = _sub(header, f"{{{G2G}}}identifikation.nachricht")
    _sub(identification, f"{{{G2G}}}nachrichtenUUID", str(uuid.uuid4()))
    _code(identification, f"{{{G2G}}}nachrichtentyp", root_name.rsplit(".", 1)[-1], MESSAGE_TYPES, name=root_name)
    # The base message asks for milliseconds and a time zone; we write Berlin time with its offset.
    created = timezone.localtime()
    _sub(identification, f"{{{G2G}}}erstellungszeitpunkt", created.isoformat(timespec="milliseconds"))
    _authority(header, f"{{{G2G}}}leser", receiver)
    _authority(header, f"{{{G2G}}}autor", sender)
    return root


# Statement export (0701)


def organisation_authority(organisation: Any) -> Authority:
    """The organisation as message author: its AGS is the routing key; without one, its portal slug."""
    return Authority(name=organisation.name, kennung=organisation.ags or organisation.slug,
                     email=organisation.contact_email)  # fmt: skip


def configured_receiver() -> Authority | None:
    """``settings.XBETEILIGUNG_RECEIVER``: a dict with name, kennung and optionally verzeichnisdienst, email."""
    configured = getattr(settings, "XBETEILIGUNG_RECEIVER", None)
    return Authority(**configured) if configured else None


def imported_plan(procedure: Procedure) -> Any:
    """The sender's plan of an imported procedure, or None (a select_related miss costs no query)."""
    try:
        return procedure.imported_plan
    except ObjectDoesNotExist:
        return None


def procedure_ids(procedure: Procedure) -> tuple[str, str]:
    """(vorgangsID, planID) for a procedure: the sender's, if it came by XBeteiligung.

    A procedure set up in the portal has no sender; its ids are derived from our own keys then: stable,
    unique within the portal.
    """
    plan = imported_plan(procedure)
    if plan is not None:
        return plan.vorgang_id, plan.plan_id
    key = f"mitwirken:{procedure.module.project.organisation.slug}:verfahren:{procedure.pk}"
    return key, key


def track_id(track: Track) -> str:
    """The beteiligungsID: one participation step (audience and round); the sender's where it named one."""
    if track.external_id:
        return str(track.external_id)
    return f"mitwirken:{track.round.procedure.module.project.organisation.slug}:frist:{track.pk}"


def plan_sender(procedure: Procedure) -> Authority | None:
    """Who sent the 0301/0401 of an imported procedure: the addressee of its statements."""
    plan = imported_plan(procedure)
    if plan is None:
        return None
    return Authority(name=plan.sender_name, kennung=plan.sender_id, verzeichnisdienst=plan.sender_directory or "DVDV",
                     email=plan.sender_email)  # fmt: skip


def _step_element(procedure: Procedure) -> str:
    if procedure.procedure_type == ProcedureType.BAULEITPLANUNG:
        return "verfahrensschrittKommunal"
    if procedure.procedure_type == ProcedureType.PLANFESTSTELLUNG:
        return "verfahrensschrittPlanfeststellung"
    return "verfahrensschrittRaumordnung"


def _status_code(statement: Statement) -> str:
    # final_notice_sent_at arrives with the Abwägung work; getattr keeps this module independent of it.
    if getattr(statement, "final_notice_sent_at", None):
        return STATUS_FINAL_NOTICE_SENT
    return STATUS_CODES.get(statement.status, "1000")


_NAME_PARTICLES = frozenset(
    ["von", "vom", "van", "de", "der", "den", "zu", "zum", "zur", "ten", "ter", "di", "da", "del", "le", "la"]
)


def split_name(full_name: str) -> tuple[str, str]:
    """(given names, family name) from the one name field we have: the family name is the last word,
    together with any lowercase particles before it ("Ursula von der Leyen" -> "Ursula", "von der Leyen")."""
    words = full_name.split()
    if len(words) < 2:
        return "", full_name.strip()
    cut = len(words) - 1
    while cut > 1 and words[cut - 1] in _NAME_PARTICLES:
        cut -= 1
    return " ".join(words[:cut]), " ".join(words[cut:])


def _person_name(parent: Any, tag: str, full_name: str) -> None:
    # xbauk:NameNatuerlichePerson; its children are unqualified (the XBau core module's element form).
    given, family = split_name(full_name)
    name = _sub(parent, tag)
    for part_tag, value in (("familienname", family), ("vorname", given)):
        part = _sub(name, part_tag)
        if value:
            _sub(part, "name", din_text(value))
        else:
            _sub(part, "nichtVorhanden", "true")


def _author(parent: Any, statement: Statement) -> None:
    if not statement.author_name.strip():
        return  # anonymous or anonymised: the schema makes the whole verfasser optional, but its name mandatory
    author = _sub(parent, _xb("verfasser"))
    if not statement.organisation_name.strip():
        _sub(author, _xb("privatperson"), "true")
    _person_name(author, _xb("name"), statement.author_name.strip())
    if statement.organisation_name.strip():
        organisation = _sub(author, _xb("organisation"))
        _sub(organisation, _xb("name"), din_text(statement.organisation_name.strip()))
    if statement.street or statement.postal_code or statement.city:
        address = _sub(author, _xb("anschrift"))
        for tag, value in (("strasseHausnummer", statement.street), ("postleitzahl", statement.postal_code),
                           ("ort", statement.city)):  # fmt: skip
            if value.strip():
                _sub(address, tag, din_text(value.strip()))
    if statement.email:
        channel = _sub(author, _xb("kommunikation"))
        _code(channel, "kanal", CHANNEL_EMAIL, CHANNELS)
        _sub(channel, "kennung", din_text(statement.email))


def _feedback_code(statement: Statement) -> str | None:
    if statement.email:
        return FEEDBACK_EMAIL
    return FEEDBACK_POST if statement.has_postal_address else None


def _section_reference(parent: Any, statement: Statement) -> None:
    section = statement.section
    if section is None:
        return
    # zuordnungID is a free token; the code list «zuordnung» only fits B-Plan justifications, so it stays empty.
    reference = _sub(parent, _xb("zuordnung"))
    _sub(reference, _xb("zuordnungID"), f"{section.document.title} / {section}")


def _positions(coordinates: Iterable[Iterable[float]]) -> str:
    return " ".join(f"{lat} {lon}" for lon, lat, *_rest in coordinates)


def _geometry_parts(geometry: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(Point|LineString|Polygon, coordinates) for a GeoJSON geometry, multi-geometries split up."""
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind in ("Point", "LineString", "Polygon"):
        yield kind, coordinates
    elif kind in ("MultiPoint", "MultiLineString", "MultiPolygon"):
        for part in coordinates or []:
            yield kind.removeprefix("Multi"), part


def _georeference(parent: Any, statement: Statement) -> None:
    location = statement.location
    if location and location.get("type") == "Feature":
        location = location.get("geometry")
    parts = list(_geometry_parts(location or {}))
    if not parts:
        return
    # The schema wants points, then areas, then lines; each is GML 3.2 inside XBau wrappers.
    order = {"Point": 0, "Polygon": 1, "LineString": 2}
    georeference = _sub(parent, _xb("georeferenzierung"))
    for number, (kind, coordinates) in enumerate(sorted(parts, key=lambda part: order[part[0]]), start=1):
        gml_id = f"geo-{statement.submission_key}-{number}"
        if kind == "Point":
            wrapper = _sub(_sub(georeference, _xb("punkt")), "punkt")
            point = _sub(wrapper, "punkt", **{f"{{{GML}}}id": gml_id, "srsName": WGS84})
            _sub(point, f"{{{GML}}}pos", _positions([coordinates]))
        elif kind == "Polygon":
            wrapper = _sub(_sub(georeference, _xb("flaeche")), "flaeche")
            polygon = _sub(wrapper, "polygon", **{f"{{{GML}}}id": gml_id, "srsName": WGS84})
            for index, ring in enumerate(coordinates):
                boundary = _sub(polygon, f"{{{GML}}}exterior" if index == 0 else f"{{{GML}}}interior")
                _sub(_sub(boundary, f"{{{GML}}}LinearRing"), f"{{{GML}}}posList", _positions(ring))
        else:
            wrapper = _sub(_sub(georeference, _xb("linie")), "linie")
            curve = _sub(wrapper, "linie", **{f"{{{GML}}}id": gml_id, "srsName": WGS84})
            segment = _sub(_sub(curve, f"{{{GML}}}segments"), f"{{{GML}}}LineStringSegment")
            _sub(segment, f"{{{GML}}}posList", _positions(coordinates))


def _attachments(parent: Any, attachments: Iterable[StatementAttachment]) -> None:
    attachments = list(attachments)
    if not attachments:
        return
    container = _sub(parent, _xb("anlagen"))
    for attachment in attachments:
        # MetadatenAnlage: unqualified children; «anhang» (qualified) names the file and carries its SHA-256.
        item = _sub(container, "anlage")
        _sub(item, "bezeichnung", din_text(attachment.name))
        _code(item, "mimeType", attachment.content_type, MIME_TYPES)
        reference = _sub(item, "anhangOderVerlinkung")
        attributes = {"hashValue": attachment.sha256}
        if attachment.size:
            attributes["filesize"] = str(attachment.size)
        document = _sub(reference, _xb("anhang"), **attributes)
        _sub(document, "dokumentid", f"anlage-{attachment.pk}")
        _sub(document, "dateiname", din_text(attachment.name))


def _statement(parent: Any, statement: Statement) -> None:
    track = statement.track
    procedure = track.round.procedure
    step_code = track.xbeteiligung_code
    if step_code is None:
        raise MessageInvalid(
            f"Für den Beteiligungsschritt „{track}“ ist kein XBeteiligung-Verfahrensschritt hinterlegt."
        )
    _vorgang_id, plan_id = procedure_ids(procedure)
    element = _sub(parent, _xb("stellungnahme"))
    _sub(element, _xb("stellungnahmeID"), str(statement.submission_key))
    _sub(element, _xb("planID"), plan_id)
    _sub(element, _xb("beteiligungsID"), track_id(track))
    _code(element, _xb("status"), _status_code(statement), STATUS_LIST)
    _author(element, statement)
    _sub(element, _xb("titel"), din_text(f"Stellungnahme {statement.reference}"))
    _sub(element, _xb("beschreibung"), din_text(statement.text))
    _sub(element, _xb("durchgang"), str(track.external_round or track.round.number))
    _sub(element, _xb("datum"), timezone.localdate(statement.received_at).isoformat())
    _code(element, _xb("artDerStellungnahme"), KIND_NAMED if statement.author_name.strip() else KIND_ANONYMOUS,
          KIND_LIST)  # fmt: skip
    feedback = _feedback_code(statement)
    if feedback:
        _code(element, _xb("artDerRueckmeldung"), feedback, FEEDBACK_LIST)
    step_element = _step_element(procedure)
    _code(element, _xb(step_element), str(step_code), (STEP_LISTS[step_element], STEP_LIST_VERSION),
          name=str(track))  # fmt: skip
    # We do not model sub-steps; the step itself is the finest sub-step we can name.
    _code(element, _xb("verfahrensteilschritt"), str(step_code), (SUBSTEP_LIST, STEP_LIST_VERSION))
    _section_reference(element, statement)
    _georeference(element, statement)
    _attachments(element, statement.attachments.all())


def statement_message(
    statement: Statement, *, sender: Authority | None = None, receiver: Authority | None = None
) -> bytes:
    """``allgemein.stellungnahme.Neuabgegeben.0701`` for one statement, checked against the schema.

    ``sender`` defaults to the procedure's organisation; ``receiver`` to the sender of an imported
    procedure's 0301/0401, then ``settings.XBETEILIGUNG_RECEIVER``, or, when neither is there (an
    archive download), the sender itself.
    """
    procedure = statement.track.round.procedure  # one path to the procedure, so a batch can select it along
    sender = sender or organisation_authority(procedure.module.project.organisation)
    receiver = receiver or plan_sender(procedure) or configured_receiver() or sender
    root = _message(STATEMENT_MESSAGE, sender=sender, receiver=receiver)
    content = _sub(root, _xb("nachrichteninhalt"))
    vorgang_id, _plan_id = procedure_ids(procedure)
    _sub(content, _xb("vorgangsID"), vorgang_id)
    _statement(content, statement)
    _validate_tree(root)  # never hand out a message the schema refuses
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


def _batch_queryset(statements: Iterable[Statement]) -> Iterable[Statement]:
    if isinstance(statements, QuerySet):
        return (
            statements.select_related(
                "track__round__procedure__module__project__organisation",
                "track__round__procedure__imported_plan",
                "section__document",
            )
            .prefetch_related("attachments")
            .iterator(chunk_size=500)
        )
    return statements


def write_statement_batch(
    statements: Iterable[Statement], target: IO[bytes], *, sender: Authority | None = None,
    receiver: Authority | None = None,
) -> int:  # fmt: skip
    """Write a ZIP with one 0701 file per statement to ``target``; returns the number of files.

    Files are named after the reference number (Vorgangsnummer). Stream ``target`` from a temporary
    file for large procedures.
    """
    names: set[str] = set()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for statement in _batch_queryset(statements):
            name = f"{statement.reference}.xml"
            if name in names:  # references are unique per procedure only
                name = f"{statement.reference}-{statement.submission_key}.xml"
            names.add(name)
            archive.writestr(name, statement_message(statement, sender=sender, receiver=receiver))
    return len(names)


def statement_batch_zip(
    statements: Iterable[Statement], *, sender: Authority | None = None, receiver: Authority | None = None
) -> bytes:
    """The batch download as bytes; see ``write_statement_batch``."""
    buffer = BytesIO()
    write_statement_batch(statements, buffer, sender=sender, receiver=receiver)
    return buffer.getvalue()


# Incoming messages (0301/0302, 0401/0402): read into plain data; ``exchange`` decides what they change.

RAUMORDNUNG_UPDATE = "raumordnung.Aktualisieren.0302"
KOMMUNAL_UPDATE = "kommunal.Aktualisieren.0402"


@dataclass(frozen=True)
class Handling:
    """What an incoming message does, and the standard's replies to it."""

    family: str
    creates: bool
    ok: str
    not_ok: str


HANDLED = {
    RAUMORDNUNG_INITIATE: Handling("raumordnung", True, "raumordnung.Initiieren.OK.0311", "raumordnung.Initiieren.NOK.0321"),
    RAUMORDNUNG_UPDATE: Handling("raumordnung", False, "raumordnung.Aktualisieren.OK.0312", "raumordnung.Aktualisieren.NOK.0322"),
    KOMMUNAL_INITIATE: Handling("kommunal", True, "kommunal.Initiieren.OK.0411", "kommunal.Initiieren.NOK.0421"),
    KOMMUNAL_UPDATE: Handling("kommunal", False, "kommunal.Aktualisieren.OK.0412", "kommunal.Aktualisieren.NOK.0422"),
}  # fmt: skip  # fmt: skip
# Messages we understand but do not carry out; they get their not-OK reply with the reason.
REFUSED = {
    "kommunal.Loeschen.0409": "kommunal.Loeschen.NOK.0429",
    "raumordnung.Loeschen.0309": "raumordnung.Loeschen.NOK.0329",
}
FAULT_LIST = ("urn:xoev-de:xleitstelle:codeliste:fehlerart", "1.0")
FAULT_ERROR = "3000"  # fehlerart 1.0: 1000 Information, 2000 Warnung, 3000 Fehler


@dataclass(frozen=True)
class Header:
    """The base message header of an incoming message."""

    message_type: str
    message_id: str
    reader: Authority
    author: Authority


@dataclass(frozen=True)
class IncomingDocument:
    """One ``anlage``: inline content, a link, or only its metadata (the file travels elsewhere)."""

    document_id: str
    title: str
    content_type: str
    content: bytes | None = None
    url: str = ""
    hash_value: str = ""
    size: int | None = None


@dataclass(frozen=True)
class IncomingBlock:
    """One participation block: a step for one audience with its period, notices and documents."""

    audience: str
    step: Step
    participation_id: str
    durchgang: int
    first_day: date
    last_day: date
    announced_on: date | None
    notices: tuple[str, ...] = ()
    documents: tuple[IncomingDocument, ...] = ()
    published: tuple[date, date] | None = None  # veroeffentlichungszeitraum

    @property
    def round_kind(self) -> str | None:
        if self.step.kind is None:
            return None
        return RoundKind.RENEWED if self.step.renewed or self.durchgang > 1 else self.step.kind


@dataclass(frozen=True)
class IncomingPlan:
    """What a 0301/0302/0401/0402 says about the plan, before anything is saved."""

    header: Header
    family: str
    vorgang_id: str
    plan_id: str
    plan_name: str
    procedure_type: str
    stage: Step
    blocks: tuple[IncomingBlock, ...]
    working_title: str = ""
    plan_type: str = ""
    initiator: str = ""
    planning_reason: str = ""
    area: dict[str, Any] | None = None
    area_description: str = ""
    boundary_url: str = ""
    participation_url: str = ""

    @property
    def creates(self) -> bool:
        return HANDLED[self.header.message_type].creates


def _find(element: Any, path: str) -> Any:
    return element.find(path, namespaces={"x": XBETEILIGUNG, "g2g": G2G, "beh": BEHOERDE, "kom": KOMMUNIKATION})


def _findall(element: Any, path: str) -> list[Any]:
    return element.findall(path, namespaces={"x": XBETEILIGUNG, "g2g": G2G, "beh": BEHOERDE, "kom": KOMMUNIKATION})


def _text(element: Any, path: str) -> str:
    found = _find(element, path)
    return (found.text or "").strip() if found is not None else ""


def _day(value: str) -> date:
    return date.fromisoformat(value[:10])  # xs:date may carry a time zone, which a calendar day ignores


def _header_authority(element: Any) -> Authority:
    emails = [_text(channel, "kom:kennung") for channel in _findall(element, "kom:erreichbarkeit")]
    return Authority(
        name=_text(element, "beh:name"), kennung=_text(element, "beh:kennung"),
        verzeichnisdienst=_text(element, "beh:verzeichnisdienst/code") or "DVDV",
        email=next((email for email in emails if "@" in email), ""),
    )  # fmt: skip


def read_header(root: Any) -> Header:
    head = _find(root, "g2g:nachrichtenkopf.g2g")
    return Header(
        message_type=etree.QName(root).localname,
        message_id=_text(head, "g2g:identifikation.nachricht/g2g:nachrichtenUUID"),
        reader=_header_authority(_find(head, "g2g:leser")),
        author=_header_authority(_find(head, "g2g:autor")),
    )


def parse_message(xml_bytes: bytes) -> Any:
    """The root element of a well-formed message that the schema accepts, or ``MessageInvalid``."""
    root = _parse(xml_bytes)
    _validate_tree(root)
    return root


def step_for(family: str, code: str) -> Step:
    """The step of a code in the family's list; a code the list does not define is refused, naming the list."""
    steps = KOMMUNAL_STEPS if family == "kommunal" else RAUMORDNUNG_STEPS
    if code not in steps:
        raise MessageInvalid(
            f"Unbekannter Verfahrensschritt „{code}“: Die Codeliste {STEP_LIST_NAMES[family]} kennt "
            f"{', '.join(sorted(steps))}."
        )
    return steps[code]


def _period(block: Any, where: str, tag: str = "x:zeitraum") -> tuple[date, date]:
    first, last = _text(block, f"{tag}/x:beginn"), _text(block, f"{tag}/x:ende")
    if not first or not last:
        raise MessageInvalid(f"{where}: Der Zeitraum braucht Beginn und Ende.")
    first_day, last_day = _day(first), _day(last)
    if last_day < first_day:
        raise MessageInvalid(f"{where}: Das Ende des Zeitraums ({last_day:%d.%m.%Y}) liegt vor seinem Beginn.")
    return first_day, last_day


def _documents(block: Any, where: str) -> tuple[IncomingDocument, ...]:
    documents = []
    for item in _findall(block, "x:anlagen/anlage"):
        attachment = _find(item, "anhangOderVerlinkung/x:anhang")
        inline = _text(item, "x:dokument")
        content = None
        if inline:
            try:
                content = base64.b64decode(inline, validate=False)
            except (binascii.Error, ValueError):
                raise MessageInvalid(f"{where}: Eine Anlage ist nicht gültig base64-codiert.") from None
        file_name = _text(attachment, "dateiname") if attachment is not None else ""
        size = attachment.get("filesize") if attachment is not None else None
        documents.append(IncomingDocument(
            document_id=_text(attachment, "dokumentid") if attachment is not None else "",
            title=_text(item, "bezeichnung") or file_name or _text(item, "anhangOderVerlinkung/x:uriVerlinkung"),
            content_type=_text(item, "mimeType/code"), content=content,
            url=_text(item, "anhangOderVerlinkung/x:uriVerlinkung"),
            hash_value=(attachment.get("hashValue") or "") if attachment is not None else "",
            size=int(size) if size else None,
        ))  # fmt: skip
    return tuple(documents)


def _block(element: Any, *, family: str, code: str, where: str, audience: str | None) -> IncomingBlock:
    step = step_for(family, code)
    first_day, last_day = _period(element, where)
    announced = _text(element, "x:bekanntmachung")
    return IncomingBlock(
        audience=step.audience or audience or Audience.PUBLIC, step=step,
        participation_id=_text(element, "x:beteiligungsID"), durchgang=int(_text(element, "x:durchgang") or 1),
        first_day=first_day, last_day=last_day, announced_on=_day(announced) if announced else None,
        notices=tuple(notice.text.strip() for notice in _findall(element, "x:aktuelleMitteilung") if notice.text
                      and notice.text.strip()),
        documents=_documents(element, where),
        published=_period(element, where, "x:veroeffentlichungszeitraum")
        if _find(element, "x:veroeffentlichungszeitraum/x:beginn") is not None else None,
    )  # fmt: skip


def read_area(text: str) -> dict[str, Any] | None:
    """The plan area as a GeoJSON geometry (WGS 84): GeoJSON as the schema asks, or a GML polygon as some send.

    Anything else is refused rather than stored as an area the map cannot draw.
    """
    text = text.strip()
    if not text:
        return None
    from . import geometry  # shapely is only needed here

    try:
        return geometry.area_from_gml(text) if text.startswith("<") else geometry.area_from_geojson(text)
    except ValueError as error:
        raise MessageInvalid(f"Geltungsbereich: {error}") from None


# (audience, label, participation block, its formal step code); the other choice in a block is an informal format.
_KOMMUNAL_BLOCKS = (
    (Audience.PUBLIC, "Beteiligung der Öffentlichkeit", "x:beteiligungOeffentlichkeit",
     "x:beteiligungKommunalOeffentlichkeitArt/x:beteiligungKommunalFormalOeffentlichkeit"),
    (Audience.AGENCY, "Beteiligung der Träger öffentlicher Belange", "x:beteiligungTOEB",
     "x:beteiligungKommunalTOEBArt/x:beteiligungKommunalFormalTOEB"),
)  # fmt: skip


def _kommunal_blocks(participation: Any) -> list[IncomingBlock]:
    blocks = []
    for audience, where, path, formal_path in _KOMMUNAL_BLOCKS:
        element = _find(participation, path)
        if element is None:
            continue
        formal = _find(element, formal_path)
        if formal is None:
            raise MessageInvalid(
                f"{where}: Informelle Beteiligungsformen können nicht als förmliches Verfahren übernommen werden."
            )
        block = _block(element, family="kommunal", code=_text(formal, "code"), where=where, audience=audience)
        if block.step.audience not in (None, audience):
            raise MessageInvalid(f"{where}: Der Verfahrensschritt „{block.step.code}“ ({block.step.label}) gehört "
                                 f"nicht zu dieser Zielgruppe.")  # fmt: skip
        blocks.append(IncomingBlock(**{**block.__dict__, "audience": audience}))
    return blocks


def read_plan(root: Any) -> IncomingPlan:
    """Read a validated 0301/0302/0401/0402; nothing is saved."""
    header = read_header(root)
    family = HANDLED[header.message_type].family
    participation = _find(root, "x:nachrichteninhalt/x:beteiligung")
    common: dict[str, Any] = {
        "header": header, "family": family, "vorgang_id": _text(root, "x:nachrichteninhalt/x:vorgangsID"),
        "plan_id": _text(participation, "x:planID"), "plan_name": _text(participation, "x:planname"),
        "working_title": _text(participation, "x:arbeitstitel"),
        "initiator": _text(participation, "x:akteurVorhaben/x:veranlasser/name/name"),
        "planning_reason": _text(participation, "x:beschreibungPlanungsanlass"),
        "area": read_area(_text(participation, "x:geltungsbereich")),
        "area_description": _text(participation, "x:raeumlicheBeschreibung"),
        "boundary_url": _text(participation, "x:flaechenabgrenzungUrl"),
        "participation_url": _text(participation, "x:beteiligungURL"),
    }  # fmt: skip
    if family == "raumordnung":
        code = _text(participation, "x:verfahrensschritt/code")
        block = _block(participation, family=family, code=code, where="Beteiligung", audience=None)
        # Planart and Verfahrensart (Änderung, Teilfortschreibung, Neuaufstellung …) only describe plans:
        # such a message sets up a Raumordnungsplan; without them it is a Raumordnungsverfahren.
        plan_type = _text(participation, "x:planart/code")
        is_plan = bool(plan_type) or _find(participation, "x:verfahrensart") is not None
        return IncomingPlan(
            **common, stage=block.step, blocks=(block,), plan_type=plan_type,
            procedure_type=ProcedureType.LANDESPLANUNG if is_plan else ProcedureType.RAUMORDNUNGSVERFAHREN,
        )  # fmt: skip
    stage = step_for(family, _text(participation, "x:verfahrensschrittKommunal/code"))
    return IncomingPlan(
        **common, stage=stage, blocks=tuple(_kommunal_blocks(participation)),
        plan_type=_text(participation, "x:planartKommunal/code"), procedure_type=ProcedureType.BAULEITPLANUNG,
    )  # fmt: skip


def read_procedure(xml_bytes: bytes) -> IncomingPlan:
    """Parse and validate a message that creates or updates a procedure; nothing is saved."""
    root = parse_message(xml_bytes)
    message_type = etree.QName(root).localname
    if message_type not in HANDLED:
        raise MessageInvalid(
            f"Die Nachricht „{message_type}“ legt kein Verfahren an und ändert keines. "
            f"Verarbeitet werden: {', '.join(HANDLED)}."
        )
    return read_plan(root)


# Replies (x1x OK, x2x not OK)


def reply_message(
    reply_type: str, *, sender: Authority, receiver: Authority, vorgang_id: str, plan_id: str,
    participation_id: str = "", errors: Iterable[str] = (), faulty_documents: Iterable[tuple[str, str]] = (),
) -> bytes:  # fmt: skip
    """An OK (``Nachrichteninhalt.template.OK``) or not-OK reply (``…template.NOK``) to an incoming message."""
    root = _message(reply_type, sender=sender, receiver=receiver)
    content = _sub(root, _xb("nachrichteninhalt"))
    _sub(content, _xb("vorgangsID"), din_text(vorgang_id or "unbekannt"))
    _sub(content, _xb("planID"), din_text(plan_id or "unbekannt"))
    if ".NOK." in reply_type:
        for error in errors:
            fault = _sub(content, _xb("fehler"))
            _sub(fault, _xb("beschreibung"), din_text(error))
            _code(fault, _xb("art"), FAULT_ERROR, FAULT_LIST)
        for document_id, problem in faulty_documents:
            faulty = _sub(content, _xb("fehlerhafteUnterlagen"))
            _sub(faulty, _xb("fehlerbeschreibung"), din_text(problem))
            _sub(faulty, _xb("dokumentID"), din_text(document_id or "unbekannt"))
            _code(faulty, _xb("art"), FAULT_ERROR, FAULT_LIST)
        if ".Initiieren." not in reply_type:  # the update and delete refusals name the participation, too
            _sub(content, _xb("beteiligungsID"), din_text(participation_id or "unbekannt"))
    else:
        _sub(content, _xb("beteiligungsID"), din_text(participation_id or "unbekannt"))
    _validate_tree(root)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml
