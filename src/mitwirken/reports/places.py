"""Where a report is: positions, distances, the gazetteer and open reports nearby.

Pure reads and arithmetic. The intake, the area alerts and the report form all use them, so this module
imports nothing of the Mängelmelder but its models.
"""

from __future__ import annotations

import math
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mitwirken.core.geo import bbox_around, distance_m

from .models import CategoryTemplate, Place, Report

__all__ = ["bbox_around", "distance_m"]

DUPLICATE_RADIUS_M = 50


def check_position(lon: Any, lat: Any) -> tuple[float, float]:
    try:
        lon_f, lat_f = float(lon), float(lat)
    except (TypeError, ValueError):
        raise ValidationError(
            {"location": _("Bitte geben Sie den Ort an: auf der Karte, als Adresse oder als Koordinaten.")}
        ) from None
    if not (-180 <= lon_f <= 180 and -90 <= lat_f <= 90) or math.isnan(lon_f) or math.isnan(lat_f):
        raise ValidationError({"location": _("Die Koordinaten liegen außerhalb des gültigen Bereichs.")})
    return lon_f, lat_f


def places_matching(query: str, limit: int = 8) -> list[Place]:
    words = query.casefold().replace(",", " ").split()
    if not words:
        return []
    places = Place.objects.all()
    for word in words[:6]:
        places = places.filter(search_text__contains=word)
    return list(places.order_by("name")[:limit])


def geocode(address: str) -> Place:
    """The gazetteer entry for an address typed by hand; ambiguous or unknown text gets a clear message."""
    matches = places_matching(address, limit=10)
    exact = [place for place in matches if str(place).casefold() == address.strip().casefold()]
    if exact:
        return exact[0]
    if not matches:
        raise ValidationError(
            {
                "address": _(
                    "Diese Adresse ist uns nicht bekannt. Bitte wählen Sie einen Vorschlag, geben Sie Straße und Ort "
                    "an oder nennen Sie Koordinaten."
                )
            }
        )
    if len(matches) > 1:
        raise ValidationError(
            {"address": _("Diese Angabe passt zu mehreren Orten. Bitte ergänzen Sie den Ort oder die Postleitzahl.")}
        )
    return matches[0]


def in_box(box: tuple[float, float, float, float], limit: int) -> list[dict[str, Any]]:
    """Gazetteer entries inside (west, south, east, north), for the place labels of a map without base map."""
    west, south, east, north = box
    rows = Place.objects.filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)
    return [
        {"name": name, "lat": lat, "lon": lon}
        for name, lat, lon in rows.order_by("name").values_list("name", "lat", "lon")[: max(limit, 0)]
    ]


def nearby_open_reports(
    *, category: CategoryTemplate, lon: float, lat: float, metres: float = DUPLICATE_RADIUS_M
) -> list[Report]:
    """Open reports of the same kind within ``metres``: the reporter may support one instead of duplicating it."""
    candidates = (
        Report.objects.open().filter(category=category, hidden=False).in_bbox(*bbox_around(lon, lat, metres))
        .select_related("category").order_by("-created_at")[:50]
    )  # fmt: skip
    return [report for report in candidates if distance_m(lon, lat, report.lon, report.lat) <= metres]


POSTCODE = re.compile(r"^\s*(\d{5})\s*$")


def locate(text: str) -> tuple[float, float] | None:
    """The portal's geocoder (``core.geo.locate``): a postcode alone gives the middle of its gazetteer entries,
    anything else one gazetteer entry. None where the gazetteer does not know the text."""
    from django.db.models import Avg

    postcode = POSTCODE.match(text)
    if postcode:
        middle = Place.objects.filter(postal_code=postcode.group(1)).aggregate(lat=Avg("lat"), lon=Avg("lon"))
        return (middle["lat"], middle["lon"]) if middle["lat"] is not None else None
    try:
        place = geocode(text)
    except ValidationError as error:
        if not places_matching(text, limit=1):
            return None
        raise ValidationError(error.message_dict["address"][0]) from None
    return float(place.lat), float(place.lon)
