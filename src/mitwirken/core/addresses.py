"""The address register: normalising and parsing typed addresses, suggestions, exact look-ups, the nearest
address to a point, and the import of an operator's CSV (``manage.py import_addresses``).

Suggestions and look-ups are prefix searches on normalised keys, served by one index
(``core_address_search``); ``bench/geocoder.py`` measures them with 100,000 addresses.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Collate
from django.utils.translation import gettext as _

from .models import Address
from .spherical import bbox_around, distance_m

NEAREST_RADIUS_M = 150
MAX_QUERY_CHARS = 200
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_STRASSE = re.compile(r"(str|strasse|strase)(?:\.|\b)")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
# The house number: digits, optionally a letter suffix ("25a", "25 a") or a range ("25-27", "25/1").
_NUMBER = re.compile(r"^(\d{1,5})\s*([a-z](?![a-z]))?(?:\s*[-/]\s*(\d{1,5}[a-z]?))?")
_POSTCODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")


def normalise(text: str) -> str:
    """The search form of a street or place: case folded, umlauts as ae/oe/ue, ß as ss, "Str."/"Straße" as
    "strasse", punctuation and spacing as single spaces; accents of other letters dropped."""
    text = unicodedata.normalize("NFC", text or "").casefold().translate(_UMLAUTS)
    text = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
    text = _STRASSE.sub("strasse", text)
    return " ".join(_SEPARATORS.sub(" ", text).split())


def normalise_number(text: str) -> str:
    """ "25 A" → "25a", "25 - 27" → "25-27"."""
    return re.sub(r"\s+", "", (text or "").casefold())


def number_sort(number: str) -> int:
    match = re.match(r"\d+", number)
    return min(int(match.group()), 2_000_000_000) if match else 0


@dataclass(frozen=True)
class Query:
    """A typed address split into its parts; every part may be partial (the user is still typing)."""

    street: str = ""
    number: str = ""
    postal_code: str = ""
    place: str = ""
    # True where the house number is followed by more text, so it is complete ("25" in "Hauptstraße 25, B").
    number_complete: bool = False

    @property
    def empty(self) -> bool:
        return not (self.street or self.postal_code or self.place)


def parse(text: str) -> Query:
    """ "Hauptstraße 25, Beispielhausen", "Hauptstr. 25a, 55487 Beispielhausen", "hauptstrasse 25 55487" …"""
    text = (text or "")[:MAX_QUERY_CHARS]
    street_part, comma, locality = text.partition(",")
    words = normalise(street_part).split()
    if words and _POSTCODE.fullmatch(words[0]):  # "55487 Beispielhausen": no street
        return Query(postal_code=words[0], place=normalise(" ".join([*words[1:], locality])))
    # The street ends where the first word starting with a digit begins: that word is the house number.
    position = next((i for i, word in enumerate(words) if i > 0 and word[:1].isdigit()), len(words))
    street, tail = " ".join(words[:position]), " ".join(words[position:])
    number, complete = "", False
    match = _NUMBER.match(tail)
    if match and not _POSTCODE.fullmatch(match.group(1)):
        number = match.group(1) + (match.group(2) or "") + (f"-{match.group(3)}" if match.group(3) else "")
        tail = tail[match.end() :]
        complete = bool(tail.strip()) or bool(comma)
    rest = f"{tail} {locality}"
    postal_code = ""
    found = _POSTCODE.search(normalise(rest))
    if found:
        postal_code = found.group(1)
    place = " ".join(word for word in normalise(rest).split() if word != postal_code)
    if not postal_code and place.isdigit() and len(place) < 5:  # a postcode being typed
        postal_code, place = place, ""
    return Query(street=street, number=number, postal_code=postal_code, place=place, number_complete=complete)


_KEYS = ("street_key", "place_key", "number_key", "postal_code")


def _bytes(field: str) -> str:
    """The name to compare ``field`` by in byte order: on PostgreSQL its ``COLLATE "C"`` alias (what
    ``core_address_search`` holds), elsewhere the column itself (SQLite compares bytes)."""
    return f"{field}_c" if connection.vendor == "postgresql" and field in _KEYS else field


def _prefix(field: str, value: str) -> Q:
    """``field`` starts with ``value``, as a range in byte order: served by ``core_address_search`` on either
    database (the keys are plain ASCII)."""
    name = _bytes(field)
    return Q(**{f"{name}__gte": value, f"{name}__lt": value + "\x7f"})


def in_register_order(addresses: QuerySet[Address]) -> QuerySet[Address]:
    """The register's order (street, place, number) in byte order, which the index holds: no sort."""
    return addresses.order_by(*(_bytes(name) for name in Address._meta.ordering))  # type: ignore[union-attr]


def matching(query: Query, *, exact_number: bool = False) -> QuerySet[Address]:
    addresses = Address.objects.all()
    if connection.vendor == "postgresql":
        addresses = addresses.alias(**{f"{name}_c": Collate(name, "C") for name in _KEYS})
    if query.street:
        addresses = addresses.filter(_prefix("street_key", query.street))
    if query.number:
        exact = exact_number or query.number_complete
        addresses = addresses.filter(Q(number_key=query.number) if exact else _prefix("number_key", query.number))
    if query.place:
        addresses = addresses.filter(_prefix("place_key", query.place))
    if len(query.postal_code) == 5:
        addresses = addresses.filter(postal_code=query.postal_code)
    elif query.postal_code:
        addresses = addresses.filter(_prefix("postal_code", query.postal_code))
    return addresses


def suggest(text: str, limit: int = 8) -> list[Address]:
    """Up to ``limit`` register entries that the typed text may mean, in the order street, place, number."""
    query = parse(text)
    if len(query.street) < 3:  # two letters match half the register
        return []
    limit = max(1, min(limit, 20))
    return list(in_register_order(matching(query))[:limit])


def find(text: str) -> Address | None:
    """The one register entry a complete address names; None where the register does not know it. Raises a
    ValidationError where it fits several places (the same street and number in two towns)."""
    query = parse(text)
    if not (query.street and query.number):
        return None
    candidates = list(in_register_order(matching(query, exact_number=True))[:10])
    exact = [address for address in candidates if address.street_key == query.street]
    candidates = exact or candidates
    if not candidates:
        return None
    places = {(address.postal_code, address.place_key) for address in candidates}
    streets = {address.street_key for address in candidates}
    if len(places) > 1 or len(streets) > 1:
        raise ValidationError(
            _("Diese Adresse gibt es mehrfach. Bitte ergänzen Sie den Ort oder die Postleitzahl, z. B. „%(example)s“.")
            % {"example": candidates[0].label},
            code="ambiguous_address",
        )
    return candidates[0]


def nearest_address(lat: float, lon: float, *, metres: float = NEAREST_RADIUS_M) -> Address | None:
    """The register entry nearest to the point within ``metres``; candidates come from a bounding box in SQL."""
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if math.isnan(lat) or math.isnan(lon):
        return None
    west, south, east, north = bbox_around(lon, lat, metres)
    candidates = Address.objects.filter(lat__gte=south, lat__lte=north, lon__gte=west, lon__lte=east)[:500]
    best: tuple[float, Address] | None = None
    for address in candidates:
        distance = distance_m(lon, lat, address.lon, address.lat)
        if distance <= metres and (best is None or distance < best[0]):
            best = (distance, address)
    return best[1] if best else None


def as_json(address: Address) -> dict[str, Any]:
    return {"label": address.label, "lat": round(address.lat, 7), "lon": round(address.lon, 7)}


# --- coordinates of the official house coordinates (ETRS89 / UTM zone 32N) ---------------------------------------

_A = 6_378_137.0  # GRS80; ETRS89 and WGS84 differ by well under a metre in Germany
_F = 1 / 298.257222101
_N = _F / (2 - _F)
_K0 = 0.9996
_E0 = 500_000.0
_RECTIFYING = _A / (1 + _N) * (1 + _N**2 / 4 + _N**4 / 64)
_BETA = (
    _N / 2 - 2 * _N**2 / 3 + 37 * _N**3 / 96,
    _N**2 / 48 + _N**3 / 15,
    17 * _N**3 / 480,
)
_DELTA = (2 * _N - 2 * _N**2 / 3 - 2 * _N**3, 7 * _N**2 / 3 - 8 * _N**3 / 5, 56 * _N**3 / 15)


def utm_to_wgs84(easting: float, northing: float, *, zone: int = 32) -> tuple[float, float]:
    """(lat, lon) of a UTM coordinate (EPSG:25832 for zone 32), by Krüger's series: millimetre-exact in the
    zone, so no projection library is needed."""
    xi = northing / (_K0 * _RECTIFYING)
    eta = (easting - _E0) / (_K0 * _RECTIFYING)
    xi_p, eta_p = xi, eta
    for j, beta in enumerate(_BETA, start=1):
        xi_p -= beta * math.sin(2 * j * xi) * math.cosh(2 * j * eta)
        eta_p -= beta * math.cos(2 * j * xi) * math.sinh(2 * j * eta)
    chi = math.asin(math.sin(xi_p) / math.cosh(eta_p))
    lat = chi + sum(delta * math.sin(2 * j * chi) for j, delta in enumerate(_DELTA, start=1))
    lon0 = math.radians(zone * 6 - 183)
    lon = lon0 + math.atan2(math.sinh(eta_p), math.cos(xi_p))
    return math.degrees(lat), math.degrees(lon)


# --- the import ----------------------------------------------------------------------------------------------------

COLUMNS: dict[str, tuple[str, ...]] = {
    "street": ("strasse", "str", "street", "strassenname", "stn", "strname"),
    "house_number": ("hausnummer", "hnr", "hsnr", "nr", "housenumber", "house_number", "hausnr"),
    "suffix": ("adressierungszusatz", "zusatz", "hnrzusatz", "hausnummerzusatz", "hnz", "suffix", "zus"),
    "postal_code": ("plz", "postleitzahl", "postcode", "postal_code", "zip"),
    "place": ("ort", "gemeinde", "place", "city", "ortsname", "gemeindename", "stadt", "gmd", "ott"),
    "lat": ("lat", "breite", "latitude", "y_wgs84", "wgs84_lat"),
    "lon": ("lon", "lng", "laenge", "longitude", "x_wgs84", "wgs84_lon"),
    "east": ("ostwert", "rechtswert", "east", "easting", "x", "utm_east", "e"),
    "north": ("nordwert", "hochwert", "north", "northing", "y", "utm_north", "n"),
}


def _column_key(name: str) -> str:
    return normalise(name).replace(" ", "_").replace("strasse", "strasse")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    problems: list[tuple[int, str]] | None = None

    def __post_init__(self) -> None:
        self.problems = self.problems or []


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    keys = [_column_key(name) for name in header]
    for field, names in COLUMNS.items():
        for position, key in enumerate(keys):
            if key in names and field not in found:
                found[field] = position
    missing = [field for field in ("street", "house_number", "place") if field not in found]
    has_position = ("lat" in found and "lon" in found) or ("east" in found and "north" in found)
    if missing or not has_position:
        raise ValidationError(
            _(
                "Die Kopfzeile der CSV-Datei muss Spalten für Straße, Hausnummer, Ort und Koordinaten (lat/lon "
                "oder Ostwert/Nordwert) haben. Gefunden: %(header)s"
            )
            % {"header": ", ".join(header)}
        )
    return found


def _number(value: str) -> float:
    return float(value.strip().replace(",", "."))


def _row(values: list[str], columns: dict[str, int]) -> Address:
    def get(field: str) -> str:
        position = columns.get(field)
        return values[position].strip() if position is not None and position < len(values) else ""

    street, number, place = get("street"), get("house_number") + get("suffix"), get("place")
    if not street or not number or not place:
        raise ValueError(_("Straße, Hausnummer oder Ort fehlt."))
    if not re.match(r"^\d", number):
        raise ValueError(_("Die Hausnummer „%(number)s“ beginnt nicht mit einer Ziffer.") % {"number": number})
    postal_code = get("postal_code")
    if postal_code and not re.fullmatch(r"\d{5}", postal_code):
        raise ValueError(_("Die Postleitzahl „%(code)s“ hat nicht fünf Ziffern.") % {"code": postal_code})
    try:
        if get("lat") and get("lon"):
            lat, lon = _number(get("lat")), _number(get("lon"))
        else:
            lat, lon = utm_to_wgs84(_number(get("east")), _number(get("north")))
    except ValueError:
        raise ValueError(_("Die Koordinaten sind keine Zahlen.")) from None
    if not (47 <= lat <= 56 and 5 <= lon <= 16):
        raise ValueError(
            _("Die Koordinaten (%(lat).5f, %(lon).5f) liegen nicht in Deutschland.") % {"lat": lat, "lon": lon}
        )
    address = Address(
        street=street[:200], house_number=number[:20], postal_code=postal_code, place=place[:120], lat=lat, lon=lon
    )
    fill_keys(address)
    return address


def fill_keys(address: Address) -> None:
    address.street_key = normalise(address.street)[:200]
    address.number_key = normalise_number(address.house_number)[:20]
    address.number_sort = number_sort(address.number_key)
    address.place_key = normalise(address.place)[:120]


def _rows(lines: Iterable[str]) -> Iterator[tuple[int, list[str], str]]:
    """(line number, values, delimiter) of a CSV with ``;`` or ``,`` (sniffed from the header)."""
    lines = iter(lines)
    header = next(lines, "")
    delimiter = ";" if header.count(";") >= header.count(",") else ","
    if header.count("\t") > max(header.count(";"), header.count(",")):
        delimiter = "\t"
    yield 1, next(csv.reader([header.lstrip("\ufeff")], delimiter=delimiter)), delimiter
    reader = csv.reader(lines, delimiter=delimiter)
    for values in reader:
        yield reader.line_num + 1, values, delimiter


def import_addresses(lines: Iterable[str], *, replace: bool = False, batch_size: int = 2_000) -> ImportResult:
    """Import a CSV register. Rows with the same street, number, postcode and place update the entry; with
    ``replace`` the register holds only the file's entries afterwards. Bad rows are reported by line number and
    skipped; everything else is imported in batches, in one transaction (nothing half-replaced)."""
    result = ImportResult()
    problems: list[tuple[int, str]] = result.problems  # type: ignore[assignment]
    rows = _rows(lines)
    _line, header, _delimiter = next(rows)
    columns = _columns(header)
    with transaction.atomic():
        if replace:
            result.deleted, _details = Address.objects.all().delete()
        batch: dict[tuple[str, str, str, str], Address] = {}
        for line, values, _delimiter in rows:
            if not any(value.strip() for value in values):
                continue
            try:
                address = _row(values, columns)
            except ValueError as error:
                problems.append((line, str(error)))
                continue
            batch[(address.street_key, address.number_key, address.postal_code, address.place_key)] = address
            if len(batch) >= batch_size:
                _save(batch, result)
                batch = {}
        _save(batch, result)
    return result


def _save(batch: dict[tuple[str, str, str, str], Address], result: ImportResult) -> None:
    if not batch:
        return
    streets = {key[0] for key in batch}
    existing = {
        (address.street_key, address.number_key, address.postal_code, address.place_key): address
        for address in Address.objects.filter(
            street_key__in=streets, number_key__in={key[1] for key in batch}, place_key__in={key[3] for key in batch}
        )
    }
    changed, new = [], []
    for key, address in batch.items():
        old = existing.get(key)
        if old is None:
            new.append(address)
            continue
        values = (address.street, address.house_number, address.place, address.lat, address.lon)
        if (old.street, old.house_number, old.place, old.lat, old.lon) == values:
            result.unchanged += 1  # a re-import of the same register writes nothing
            continue
        old.street, old.house_number, old.place, old.lat, old.lon = values
        changed.append(old)
    Address.objects.bulk_create(new, batch_size=1_000)
    if changed:
        Address.objects.bulk_update(changed, ["street", "house_number", "place", "lat", "lon"], batch_size=500)
    result.created += len(new)
    result.updated += len(changed)


def import_text(text: str, **options: Any) -> ImportResult:
    return import_addresses(io.StringIO(text), **options)
