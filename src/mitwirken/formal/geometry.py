"""The plan area of an incoming XBeteiligung message as a GeoJSON geometry in WGS 84.

XBeteiligung 1.2 asks for GeoJSON in ``geltungsbereich``; planning systems that speak XPlanung often send a
GML polygon instead (in EPSG:4326 or, in Germany, ETRS89 / UTM zone 32, EPSG:25832). Both end as the same
GeoJSON that the portal's maps draw. Errors are ``ValueError`` with a German sentence.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from lxml import etree

from mitwirken.core.addresses import utm_to_wgs84
from mitwirken.core.geo import AREA_TYPES, parse_geometry

GML_NAMESPACES = ("http://www.opengis.net/gml/3.2", "http://www.opengis.net/gml")
_EPSG = re.compile(r"(?:EPSG(?:/0/|::|:))(\d+)", re.IGNORECASE)


def area_from_geojson(value: str | dict[str, Any]) -> dict[str, Any]:
    try:
        return parse_geometry(value, allowed_types=AREA_TYPES)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None


def _local(element: Any) -> str:
    return str(etree.QName(element).localname)


def _to_lon_lat(srs: str, numbers: list[float]) -> list[list[float]]:
    """Coordinate pairs in GeoJSON order (longitude, latitude)."""
    if len(numbers) % 2:
        raise ValueError("Die GML-Koordinatenliste hat eine ungerade Anzahl von Werten.")
    code = _EPSG.search(srs or "")
    epsg = code.group(1) if code else "4326"
    pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
    if epsg == "4326":  # the EPSG axis order: latitude first
        return [[lon, lat] for lat, lon in pairs]
    if epsg in ("25832", "4647"):
        result = []
        for easting, northing in pairs:
            lat, lon = utm_to_wgs84(easting % 1_000_000 if epsg == "4647" else easting, northing)
            result.append([lon, lat])
        return result
    raise ValueError(f"Das Koordinatensystem EPSG:{epsg} wird nicht unterstützt (EPSG:4326 oder EPSG:25832).")


def _ring(element: Any, srs: str) -> list[list[float]]:
    positions = [node for node in element.iter() if isinstance(node.tag, str) and _local(node) in ("posList", "pos")]
    numbers: list[float] = []
    try:
        for node in positions:
            numbers.extend(float(value) for value in (node.text or "").split())
    except ValueError:
        raise ValueError("Die GML-Koordinaten sind keine Zahlen.") from None
    ring = _to_lon_lat(srs, numbers)
    if len(ring) < 4:
        raise ValueError("Ein Polygonring braucht mindestens vier Punkte.")
    return ring


def _polygon(element: Any, srs: str) -> list[list[list[float]]]:
    srs = element.get("srsName") or srs
    rings = []
    for child in element:
        if isinstance(child.tag, str) and _local(child) in ("exterior", "interior"):
            rings.append(_ring(child, srs))
    if not rings:
        raise ValueError("Das GML-Polygon hat keine äußere Begrenzung.")
    return rings


def area_from_gml(text: str) -> dict[str, Any]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(text.encode(), parser=parser)
    except etree.XMLSyntaxError:
        raise ValueError("Der GML-Text ist kein wohlgeformtes XML.") from None
    polygons = [
        node for node in root.iter()
        if isinstance(node.tag, str) and _local(node) == "Polygon" and etree.QName(node).namespace in GML_NAMESPACES
    ]  # fmt: skip
    if not polygons:
        raise ValueError("Im GML ist kein Polygon (gml:Polygon) enthalten.")
    srs = root.get("srsName") or ""
    shapes = [_polygon(polygon, srs) for polygon in polygons]
    geometry = {"type": "Polygon", "coordinates": shapes[0]} if len(shapes) == 1 else {
        "type": "MultiPolygon", "coordinates": shapes}  # fmt: skip
    return area_from_geojson(geometry)
