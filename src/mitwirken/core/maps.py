"""The one configuration of every map: base map tiles, the places layer and the place search.

Every map template includes ``includes/map_assets.html``, which writes :func:`map_config` once per page as JSON;
``static/js/maps.js`` reads it. So the tile source, its attribution and the texts live here and in the settings,
never in a view. Places come from the modules (``Plugin.map_places``), so core imports none of them.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import geo, plugins

MAX_PLACES = 150
# A box wider than this (about a district) would show a crowd of labels nobody can read: none then.
MAX_PLACES_SPAN_DEGREES = 0.6


def tile_origin(url: str) -> str:
    """The origin a tile URL loads from, for the CSP; ``{s}`` subdomains become a wildcard."""
    parts = urlsplit(url.replace("{s}", "a"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin.replace("//a.", "//*.") if "{s}" in url else origin


def demo_tiles_enabled() -> bool:
    """``MAP_TILE_URL=demo``: the base map is the demo map drawn by ``core.demo_tiles`` on this portal."""
    return bool(settings.MITWIRKEN_TILE_URL == "demo")


def demo_tile_url() -> str:
    """The demo map's tile URL that Leaflet fills in (``{z}/{x}/{y}``), on this portal's own origin."""
    return reverse("core:demo_tile", kwargs={"z": 1, "x": 2, "y": 3}).replace("/1/2/3.png", "/{z}/{x}/{y}.png")


def map_config() -> dict[str, Any]:
    """What maps.js needs: the tile source (or none), the endpoints and the texts in the user's language."""
    return {
        "tiles": {
            "url": demo_tile_url() if demo_tiles_enabled() else settings.MITWIRKEN_TILE_URL,
            "attribution": settings.MITWIRKEN_TILE_ATTRIBUTION,
            "maxZoom": settings.MITWIRKEN_TILE_MAX_ZOOM,
        }
        if settings.MITWIRKEN_TILE_URL
        else None,
        "placesUrl": reverse("core:map_places"),
        "locateUrl": reverse("core:map_locate"),
        "text": {
            "offline": _(
                "Die Hintergrundkarte ist gerade nicht erreichbar; die Karte zeigt nur Gebietsgrenzen und Ortsnamen."
            ),
            "noBaseMap": _("Ohne Hintergrundkarte: die Karte zeigt Gebietsgrenzen und Ortsnamen."),
            "keys": _(
                "Tastatur: Pfeiltasten verschieben die Karte, Plus und Minus zoomen, die Eingabetaste setzt einen "
                "Punkt in der Kartenmitte (Fadenkreuz)."
            ),
            "keysView": _("Tastatur: Pfeiltasten verschieben die Karte, Plus und Minus zoomen."),
            "pointSet": _("Punkt gesetzt bei Breite %(lat)s, Länge %(lon)s."),
            "geolocate": _("Meinen Standort verwenden"),
            "geolocateHelp": _(
                "Ihr Browser fragt Sie, ob er Ihren Standort mitteilen darf. Der Standort wird nur in dieses Formular "
                "übernommen; Sie können ihn danach noch ändern."
            ),
            "geolocating": _("Standort wird ermittelt …"),
            "geolocated": _("Ihr Standort ist übernommen. Prüfen Sie ihn auf der Karte."),
            "geolocateDenied": _(
                "Sie haben die Standortfreigabe abgelehnt. Setzen Sie den Ort auf der Karte, als Adresse oder als "
                "Koordinaten."
            ),
            "geolocateFailed": _(
                "Ihr Standort konnte nicht ermittelt werden. Setzen Sie den Ort auf der Karte, als Adresse oder als "
                "Koordinaten."
            ),
            "geolocateUnsupported": _("Ihr Browser kann den Standort nicht ermitteln."),
            "draw": {
                "point": _("Punkt setzen"),
                "line": _("Linie zeichnen"),
                "polygon": _("Fläche zeichnen"),
                "finishLine": _("Linie abschließen"),
                "finishPolygon": _("Fläche abschließen"),
                "undo": _("Letzten Punkt entfernen"),
                "cancel": _("Zeichnen abbrechen"),
                "clear": _("Ortsbezug entfernen"),
                "drawingLine": _(
                    "Linie: %(count)s Punkte. Klicken Sie auf die Karte oder drücken Sie die Eingabetaste, um den "
                    "nächsten Punkt in der Kartenmitte zu setzen."
                ),
                "drawingPolygon": _(
                    "Fläche: %(count)s Punkte. Klicken Sie auf die Karte oder drücken Sie die Eingabetaste, um den "
                    "nächsten Punkt in der Kartenmitte zu setzen; ab drei Punkten können Sie abschließen."
                ),
                "drawingPoint": _("Klicken Sie auf die Karte oder drücken Sie die Eingabetaste."),
                "donePoint": _("Ortsbezug: ein Punkt."),
                "doneLine": _("Ortsbezug: eine Linie mit %(count)s Punkten."),
                "donePolygon": _("Ortsbezug: eine Fläche mit %(count)s Ecken."),
                "none": _("Noch kein Ortsbezug gezeichnet."),
                "tooFew": _("Dafür fehlen noch Punkte."),
            },
        },
    }


def area_collection(area: dict[str, Any] | None) -> dict[str, Any]:
    """An area (a GeoJSON geometry or nothing) as the FeatureCollection maps.js draws as outline ("map-areas")."""
    features = [{"type": "Feature", "geometry": area, "properties": {}}] if area else []
    return {"type": "FeatureCollection", "features": features}


def _bbox(value: str) -> tuple[float, float, float, float] | None:
    try:
        west, south, east, north = (float(part) for part in value.split(","))
    except ValueError:
        return None
    if not all(math.isfinite(n) for n in (west, south, east, north)):
        return None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    return west, south, east, north


@require_GET
def places(request: HttpRequest) -> JsonResponse:
    """Named places inside ``bbox`` (west,south,east,north) from every module that has a gazetteer."""
    box = _bbox(request.GET.get("bbox", ""))
    if box is None:
        return JsonResponse({"error": _("bbox fehlt oder ist ungültig (west,süd,ost,nord).")}, status=400)
    west, south, east, north = box
    if east - west > MAX_PLACES_SPAN_DEGREES or north - south > MAX_PLACES_SPAN_DEGREES:
        return JsonResponse({"places": []})
    found: list[dict[str, Any]] = []
    for plugin in plugins.all_plugins():
        function = plugin.load("map_places")
        if function is not None:
            found.extend(function(box, MAX_PLACES - len(found)))
        if len(found) >= MAX_PLACES:
            break
    return JsonResponse({"places": found[:MAX_PLACES]})


@require_GET
def locate(request: HttpRequest) -> JsonResponse:
    """(lat, lon) of a typed place, address or coordinates, through ``core.geo.locate``."""
    try:
        lat, lon = geo.locate(request.GET.get("q", "")[:200])
    except ValidationError as error:
        return JsonResponse({"error": error.messages[0]}, status=400)
    return JsonResponse({"lat": lat, "lon": lon})
