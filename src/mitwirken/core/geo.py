"""GeoJSON checked with shapely. Geometry is stored as JSON plus a bounding box for prefilters."""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

# Re-exported: the modules import them from here.
from .spherical import EARTH_RADIUS_M as EARTH_RADIUS_M
from .spherical import bbox_around as bbox_around
from .spherical import distance_m as distance_m

AREA_TYPES = ("Polygon", "MultiPolygon")
# A Feature holding a MultiPolygon nests 6 deep ({ geometry { coordinates [ [ [ [). Anything far deeper is no
# geometry, and parsing it recursively (json, shapely) ends in RecursionError: it is refused before parsing.
MAX_DEPTH = 20
MAX_GEOJSON_CHARS = 5_000_000
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")
LOCATION_TYPES = ("Point", "Polygon", "MultiPolygon")


def parse_geometry(value: Any, *, allowed_types: tuple[str, ...]) -> dict[str, Any]:
    """Return the GeoJSON geometry as a dict, or raise a ValidationError in plain German."""
    too_deep = ValidationError(
        _("Das GeoJSON ist zu tief verschachtelt (höchstens %(max)s Ebenen): das ist keine Geometrie.")
        % {"max": MAX_DEPTH}
    )
    if isinstance(value, str):
        if len(value) > MAX_GEOJSON_CHARS:
            raise ValidationError(_("Das GeoJSON ist zu groß (höchstens 5 Millionen Zeichen)."))
        if text_depth(value) > MAX_DEPTH:
            raise too_deep
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise ValidationError(
                _("Das ist kein gültiges GeoJSON (JSON-Fehler: %(error)s).") % {"error": error.msg}
            ) from None
    if not isinstance(value, dict):
        raise ValidationError(_("Das ist kein gültiges GeoJSON-Objekt."))
    if value_depth(value) > MAX_DEPTH:
        raise too_deep
    if value.get("type") == "Feature":
        value = value.get("geometry") or {}
    geometry_type = value.get("type")
    if geometry_type not in allowed_types:
        raise ValidationError(
            _("Erlaubt sind nur diese Geometrietypen: %(types)s (erhalten: %(given)s).")
            % {"types": ", ".join(allowed_types), "given": geometry_type or _("keiner")}
        )
    try:
        geometry = shape(value)
    except Exception:  # shapely raises several types for malformed coordinates (incl. RecursionError)
        raise ValidationError(_("Die Koordinaten der Geometrie sind unvollständig oder fehlerhaft.")) from None
    if geometry.is_empty:
        raise ValidationError(_("Die Geometrie ist leer."))
    if not geometry.is_valid:
        raise ValidationError(_("Die Geometrie ist ungültig: %(reason)s.") % {"reason": explain_validity(geometry)})
    min_x, min_y, max_x, max_y = geometry.bounds
    if min_x < -180 or max_x > 180 or min_y < -90 or max_y > 90:
        raise ValidationError(_("Die Koordinaten liegen außerhalb des gültigen Bereichs (Länge ±180, Breite ±90)."))
    return dict(value)


def text_depth(text: str) -> int:
    """How deep the brackets of a JSON text nest, counted without parsing (strings are skipped)."""
    depth = deepest = 0
    for bracket in _BRACKETS.finditer(_JSON_STRING.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def value_depth(value: Any) -> int:
    """How deep lists and dicts nest, walked iteratively (a recursive walk would hit the recursion limit)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def to_shape(geojson: dict[str, Any]) -> BaseGeometry:
    return shape(geojson)


def bounding_box(geojson: dict[str, Any]) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat)."""
    bounds: tuple[float, float, float, float] = to_shape(geojson).bounds
    return bounds


# --- points, distances and finding a place by name ---------------------------------------------------------------

_COORDINATES = re.compile(r"^\s*(-?\d{1,2}(?:[.,]\d+)?)\s*[;,]\s*(-?\d{1,3}(?:[.,]\d+)?)\s*$")
_COORDINATES_SPACED = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s+(-?\d{1,3}(?:\.\d+)?)\s*$")


def locate(text: str) -> tuple[float, float]:
    """(lat, lon) of typed coordinates ("49,99; 8,27"), of an address with house number (the address register,
    then the remote geocoder where one is configured), or of a place name or postcode that a module's geocoder
    knows (the Mängelmelder's gazetteer); a ValidationError with a German message otherwise."""
    from . import addresses, plugins, remote_geocoder

    text = (text or "").strip()
    match = _COORDINATES_SPACED.match(text) or _COORDINATES.match(text)
    if match:
        lat, lon = (float(part.replace(",", ".")) for part in match.groups())
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError(_("Diese Koordinaten liegen außerhalb des gültigen Bereichs."))
        return lat, lon
    address = addresses.find(text)  # a ValidationError where the address is ambiguous
    if address is not None:
        return address.lat, address.lon
    if addresses.parse(text).number:
        found = remote_geocoder.locate(text)
        if found is not None:
            return found
    geocoders = [plugin.load("geocoder") for plugin in plugins.all_plugins() if plugin.geocoder]
    if not geocoders and not remote_geocoder.configured():
        raise ValidationError(_("Bitte geben Sie den Ort als Koordinaten an, z. B. „49,99; 8,27“."))
    problem = None
    for geocoder in geocoders:
        try:
            found = geocoder(text)
        except ValidationError as error:
            problem = problem or error.messages[0]
            continue
        if found is not None:
            return found
    found = None if problem else remote_geocoder.locate(text)
    if found is not None:
        return found
    raise ValidationError(
        _("%(message)s Sie können auch Koordinaten angeben, z. B. „49,99; 8,27“.")
        % {"message": problem or _("Diesen Ort kennen wir nicht.")}
    )
