"""Server-side clustering for the public map.

The visible box is cut into a grid whose cell size follows the zoom level; the database groups the reports
per cell. The answer holds at most MAX_CELLS² clusters, however many reports there are, and the box is
snapped to the grid so that neighbouring requests share cache entries.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.cache import cache
from django.db.models import Avg, Count, F, Min
from django.db.models.functions import Floor

from .models import Report, ReportQuerySet

CELLS_PER_TILE = 6  # a 256 px map tile is split into 6 × 6 cells of about 43 px
MAX_CELLS = 40
CACHE_SECONDS = 30
MAX_ZOOM = 19


def cell_size(zoom: int, west: float, south: float, east: float, north: float) -> float:
    size = 360 / (2 ** max(0, min(zoom, MAX_ZOOM))) / CELLS_PER_TILE
    while (east - west) / size > MAX_CELLS or (north - south) / size > MAX_CELLS:
        size *= 2
    return size


def clusters(
    reports: ReportQuerySet, *, west: float, south: float, east: float, north: float, zoom: int, cache_key: str = ""
) -> dict[str, Any]:
    """``{"cell": size, "clusters": [{lon, lat, count, id?, status?, category?}]}``; single reports carry their id."""
    size = cell_size(zoom, west, south, east, north)
    west, south = math.floor(west / size) * size, math.floor(south / size) * size
    east, north = math.ceil(east / size) * size, math.ceil(north / size) * size
    key = f"reports:map:{cache_key}:{size:.8f}:{west:.6f}:{south:.6f}:{east:.6f}:{north:.6f}"
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    rows = list(
        reports.in_bbox(west, south, east, north)
        .annotate(cell_x=Floor(F("lon") / size), cell_y=Floor(F("lat") / size))
        .values("cell_x", "cell_y")
        .annotate(count=Count("id"), mean_lon=Avg("lon"), mean_lat=Avg("lat"), first_id=Min("id"))
        .order_by()
    )
    single_ids = [row["first_id"] for row in rows if row["count"] == 1]
    singles: dict[int, Any] = {
        row["pk"]: row
        for row in Report.objects.filter(pk__in=single_ids).values("pk", "status", "category__name", "hidden")
    }
    result = {"cell": size, "clusters": [_cluster(row, singles.get(row["first_id"])) for row in rows]}
    cache.set(key, result, CACHE_SECONDS)
    return result


def _cluster(row: dict[str, Any], single: dict[str, Any] | None) -> dict[str, Any]:
    cluster: dict[str, Any] = {
        "lon": round(row["mean_lon"], 6),
        "lat": round(row["mean_lat"], 6),
        "count": row["count"],
    }
    if row["count"] == 1 and single is not None:
        cluster.update(
            id=single["pk"], status=single["status"], category="" if single["hidden"] else single["category__name"]
        )
    return cluster
