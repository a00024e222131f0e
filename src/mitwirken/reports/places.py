"""Where a report is: positions, distances, the gazetteer and open reports nearby.

Pure reads and arithmetic. The intake, the area alerts and the report form all use them, so this module
imports nothing of the Mängelmelder but its models.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import CategoryTemplate, Place, Report

DUPLICATE_RADIUS_M = 50
EARTH_RADIUS_M = 6_371_000


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine); exact enough for 50 m duplicate checks and alert radii."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bbox_around(lon: float, lat: float, metres: float) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a square that contains the circle: the prefilter for an exact check."""
    metres_per_degree = EARTH_RADIUS_M * math.pi / 180  # the same sphere as distance_m, plus a safety margin
    d_lat = metres * 1.01 / metres_per_degree
    d_lon = metres * 1.01 / (metres_per_degree * max(math.cos(math.radians(lat)), 0.01))
    return lon - d_lon, lat - d_lat, lon + d_lon, lat + d_lat


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


def nearby_open_reports(
    *, category: CategoryTemplate, lon: float, lat: float, metres: float = DUPLICATE_RADIUS_M
) -> list[Report]:
    """Open reports of the same kind within ``metres``: the reporter may support one instead of duplicating it."""
    candidates = (
        Report.objects.open().filter(category=category, hidden=False).in_bbox(*bbox_around(lon, lat, metres))
        .select_related("category").order_by("-created_at")[:50]
    )  # fmt: skip
    return [report for report in candidates if distance_m(lon, lat, report.lon, report.lat) <= metres]
