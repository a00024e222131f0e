"""A demo base map drawn from the portal's own data, for machines without internet and for the documentation.

With the base map set to ``demo`` (``core.maps.demo_tiles_enabled``) every map loads its tiles from :func:`tile`, which renders 256 × 256 PNG tiles
(XYZ, Web Mercator) with Pillow: a light land colour, the organisations' boundaries, the streets of the
address register (``core.Address``: the houses of one street in one place, ordered along the street, their
middle line drawn as a road) with their names, the names of the places (from the addresses) and the
gazetteer's other entries (``Plugin.map_places``). Nothing here is real geography: it is a plausible picture
of the demo region, labelled "Demo-Karte" in the attribution. Off unless configured, never the default.

Every tile is drawn on a larger canvas and cut out of its middle, so a label near a tile edge continues in
the neighbouring tile. Rendered tiles are kept in Django's cache.
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from django.core.cache import cache as django_cache
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from PIL import Image, ImageDraw, ImageFont

from . import plugins
from .maps import demo_tiles_enabled
from .models import Address

SIZE = 256
MARGIN = 160  # px drawn around the tile, so labels across the edge continue in the neighbour
MAX_ZOOM = 19
CACHE_SECONDS = 3600
CACHE_VERSION = 7
STRAIGHT_DEGREES = 0.00014  # of latitude: about 15 m

LAND = (244, 241, 234)
INSIDE = (236, 240, 228)  # a touch greener inside the organisations' areas
BOUNDARY = (150, 120, 170, 200)
ROAD_CASING = (190, 184, 172)
ROAD = (255, 255, 255)
ROAD_LOW = (200, 194, 182)
TEXT = (70, 70, 70)
PLACE_TEXT = (40, 40, 40)
HALO = (255, 255, 255)

Point = tuple[float, float]  # (lon, lat)


def _world(lon: float, lat: float, z: int) -> tuple[float, float]:
    """Web Mercator world pixel of a position at zoom ``z``."""
    scale = SIZE * 2**z
    lat = max(min(lat, 85.0511), -85.0511)
    sin = math.sin(math.radians(lat))
    return (lon + 180) / 360 * scale, (0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * scale


def _lon_lat(px: float, py: float, z: int) -> Point:
    scale = SIZE * 2**z
    lon = px / scale * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * py / scale))))
    return lon, lat


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf") if bold else ("DejaVuSans.ttf",):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _centre_line(points: Sequence[Point]) -> list[Point]:
    """The houses of a street ordered along its main direction, smoothed into the street's middle line.

    Houses stand left and right of the street; the mean of a few neighbours lies on the street between them.
    """
    if len(points) < 2:
        return list(points)
    mean_lon = sum(p[0] for p in points) / len(points)
    mean_lat = sum(p[1] for p in points) / len(points)
    shrink = math.cos(math.radians(mean_lat))  # a degree of longitude is shorter than one of latitude
    xs = [(p[0] - mean_lon) * shrink for p in points]
    ys = [p[1] - mean_lat for p in points]
    sxx, syy, sxy = sum(x * x for x in xs), sum(y * y for y in ys), sum(x * y for x, y in zip(xs, ys, strict=True))
    angle = 0.5 * math.atan2(2 * sxy, sxx - syy)  # the principal axis
    dx, dy = math.cos(angle), math.sin(angle)
    ordered = sorted(zip(xs, ys, strict=True), key=lambda p: p[0] * dx + p[1] * dy)
    window = min(6, len(ordered))
    middle = [
        (sum(p[0] for p in ordered[i : i + window]) / window, sum(p[1] for p in ordered[i : i + window]) / window)
        for i in range(len(ordered) - window + 1)
    ]
    # Both ends reach the outermost houses: the first and last middle point moved along the street's direction.
    first, last = ordered[0][0] * dx + ordered[0][1] * dy, ordered[-1][0] * dx + ordered[-1][1] * dy
    start = middle[0][0] * dx + middle[0][1] * dy
    end = middle[-1][0] * dx + middle[-1][1] * dy
    ends = [
        (middle[0][0] + (first - start) * dx, middle[0][1] + (first - start) * dy),
        (middle[-1][0] + (last - end) * dx, middle[-1][1] + (last - end) * dy),
    ]
    # A street whose middle strays less than about 15 m from its axis is drawn straight; a bent one through
    # every few middle points, so the houses' left-right zigzag does not show.
    bent = max(abs(-x * dy + y * dx) for x, y in middle) > STRAIGHT_DEGREES
    line = [ends[0], *middle[window // 2 : -1 : window], ends[1]] if bent else ends
    return [(mean_lon + x / shrink, mean_lat + y) for x, y in line]


def _streets(box: tuple[float, float, float, float]) -> list[tuple[str, list[Point]]]:
    """Every street with a house inside ``box`` (west, south, east, north), with all its houses."""
    west, south, east, north = box
    keys = set(
        Address.objects.filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)
        .values_list("place_key", "street_key")
        .distinct()
    )
    if not keys:
        return []
    houses: dict[tuple[str, str], list[Point]] = defaultdict(list)
    names: dict[tuple[str, str], str] = {}
    rows = Address.objects.filter(place_key__in={k[0] for k in keys}, street_key__in={k[1] for k in keys})
    for place_key, street_key, street, lon, lat in rows.values_list("place_key", "street_key", "street", "lon", "lat"):
        if (place_key, street_key) in keys:
            houses[(place_key, street_key)].append((lon, lat))
            names[(place_key, street_key)] = street
    return [(names[key], _centre_line(houses[key])) for key in sorted(houses)]


def _municipalities(box: tuple[float, float, float, float]) -> list[tuple[str, Point]]:
    """The places of the address register (Beispielhausen, Südbach …) at the middle of their houses."""
    west, south, east, north = box
    centres: list[tuple[str, Point]] = []
    for place, lon, lat in _place_centres():
        if west <= lon <= east and south <= lat <= north:
            centres.append((place, (lon, lat)))
    return centres


def _place_centres() -> list[tuple[str, float, float]]:
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for place, lon, lat in Address.objects.values_list("place", "lon", "lat").iterator():
        entry = sums[place]
        entry[0] += lon
        entry[1] += lat
        entry[2] += 1
    return [(place, lon / n, lat / n) for place, (lon, lat, n) in sorted(sums.items())]


def _gazetteer(box: tuple[float, float, float, float]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for plugin in plugins.all_plugins():
        function = plugin.load("map_places")
        if function is not None:
            found.extend(function(box, 200))
    return found


def _boundaries() -> list[list[list[Point]]]:
    """The organisations' areas as polygons (lists of rings)."""
    from mitwirken.organisations.models import Organisation

    polygons: list[list[list[Point]]] = []
    for boundary in Organisation.objects.exclude(boundary=None).values_list("boundary", flat=True):
        if not isinstance(boundary, dict):
            continue
        if boundary.get("type") == "Polygon":
            polygons.append(boundary["coordinates"])
        elif boundary.get("type") == "MultiPolygon":
            polygons.extend(boundary["coordinates"])
    return polygons


class _Canvas:
    def __init__(self, z: int, x: int, y: int) -> None:
        self.z = z
        self.left = x * SIZE - MARGIN
        self.top = y * SIZE - MARGIN
        full = SIZE + 2 * MARGIN
        self.image = Image.new("RGB", (full, full), LAND)
        self.draw = ImageDraw.Draw(self.image, "RGBA")
        west, north = _lon_lat(self.left, self.top, z)
        east, south = _lon_lat(self.left + full, self.top + full, z)
        self.box = (west, south, east, north)

    def xy(self, point: Sequence[float]) -> tuple[float, float]:
        px, py = _world(point[0], point[1], self.z)
        return px - self.left, py - self.top

    def label(self, text: str, at: tuple[float, float], size: int, *, angle: float = 0.0, bold: bool = False) -> None:
        """Text with a white halo, centred on ``at`` and turned by ``angle`` degrees (kept readable)."""
        font = _font(size, bold)
        if angle > 90:
            angle -= 180
        elif angle < -90:
            angle += 180
        left, top, right, bottom = font.getbbox(text, stroke_width=2)
        stamp = Image.new("RGBA", (int(right - left) + 4, int(bottom - top) + 4), (0, 0, 0, 0))
        ImageDraw.Draw(stamp).text(
            (2 - left, 2 - top), text, font=font, fill=PLACE_TEXT if bold else TEXT, stroke_width=2, stroke_fill=HALO
        )
        if angle:
            stamp = stamp.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
        self.image.paste(stamp, (round(at[0] - stamp.width / 2), round(at[1] - stamp.height / 2)), stamp)

    def png(self) -> bytes:
        tile = self.image.crop((MARGIN, MARGIN, MARGIN + SIZE, MARGIN + SIZE))
        out = io.BytesIO()
        tile.save(out, format="PNG", optimize=True)
        return out.getvalue()


def _road_widths(z: int) -> tuple[int, int]:
    """(casing, inner) width of a street in px at zoom ``z``; no inner line below zoom 15."""
    widths = {12: (1, 0), 13: (2, 0), 14: (3, 0), 15: (7, 5), 16: (11, 8), 17: (16, 12)}
    return widths.get(z, (20, 16) if z > 17 else (0, 0))


def _draw_lines(canvas: _Canvas, lines: Iterable[list[tuple[float, float]]], colour: Any, width: int) -> None:
    for line in lines:
        canvas.draw.line(line, fill=colour, width=width, joint="curve")
        radius = width / 2
        for px, py in (line[0], line[-1]):  # round ends
            canvas.draw.ellipse((px - radius, py - radius, px + radius, py + radius), fill=colour)


def render(z: int, x: int, y: int) -> bytes:
    """One 256 × 256 PNG tile of the demo map."""
    canvas = _Canvas(z, x, y)
    polygons = [[[canvas.xy(p) for p in ring] for ring in polygon] for polygon in _boundaries()]
    for rings in polygons:
        canvas.draw.polygon(rings[0], fill=INSIDE)
        for hole in rings[1:]:
            canvas.draw.polygon(hole, fill=LAND)
    for rings in polygons:
        for ring in rings:
            canvas.draw.line([*ring, ring[0]], fill=BOUNDARY, width=3 if z >= 12 else 2)

    casing, inner = _road_widths(z)
    streets = _streets(canvas.box) if casing else []
    lines = [[canvas.xy(p) for p in points] for _name, points in streets if len(points) > 1]
    _draw_lines(canvas, lines, ROAD_CASING if inner else ROAD_LOW, casing)
    if inner:
        _draw_lines(canvas, lines, ROAD, inner)

    if z >= 15:
        for name, points in streets:
            if len(points) < 2:
                continue
            (x0, y0), (x1, y1) = canvas.xy(points[0]), canvas.xy(points[-1])
            if math.hypot(x1 - x0, y1 - y0) < len(name) * 7:
                continue  # too short for its name
            middle = ((x0 + x1) / 2, (y0 + y1) / 2)
            canvas.label(
                name, middle, 10 if z < 16 else 11 if z < 18 else 13, angle=-math.degrees(math.atan2(y1 - y0, x1 - x0))
            )

    if z >= 14:
        street_names = {name for name, _points in streets}
        for entry in _gazetteer(canvas.box):
            if entry["name"] not in street_names:
                canvas.label(entry["name"], canvas.xy((entry["lon"], entry["lat"])), 11)
    if 9 <= z <= 16:
        for name, point in _municipalities(canvas.box):
            px, py = canvas.xy(point)
            # Above the middle of the houses, where the markers of a map (reports, clusters) cover it less.
            canvas.label(name, (px, py - (12 if z < 11 else 24)), 11 if z < 11 else 13 if z < 13 else 15, bold=True)
    return canvas.png()


@require_GET
def tile(request: HttpRequest, z: int, x: int, y: int) -> HttpResponse:
    """A demo map tile; 404 unless the base map is set to ``demo``, and for a tile outside the world."""
    if not demo_tiles_enabled() or not 0 <= z <= MAX_ZOOM or not (0 <= x < 2**z and 0 <= y < 2**z):
        raise Http404
    key = f"demo-tile:{CACHE_VERSION}:{z}/{x}/{y}"
    body = django_cache.get(key)
    if body is None:
        body = render(z, x, y)
        django_cache.set(key, body, CACHE_SECONDS)
    response = HttpResponse(body, content_type="image/png")
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response
