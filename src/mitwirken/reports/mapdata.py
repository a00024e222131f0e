"""Server-side clustering for the public map.

The visible box is cut into a grid whose cell size follows the zoom level; the database groups the reports
per cell. The answer holds at most MAX_CELLS² clusters, however many reports there are, and the box is
snapped to the grid so that neighbouring requests share cache entries.

On PostgreSQL the coarse grids (a Landkreis or more on screen, where the live GROUP BY reads most of the
table) come from ``MapCell``, counted ahead by triggers; the fine ones and SQLite group the reports live. Both
give the same clusters: a cell's count and id are exact, its mean position equal within float rounding.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Avg, Count, F, Min, Q, Sum
from django.db.models.functions import Floor

from .models import MapCell, Report

CELLS_PER_TILE = 6  # a 256 px map tile is split into 6 × 6 cells of about 43 px
MAX_CELLS = 40
CACHE_SECONDS = 30
MAX_ZOOM = 19
# Levels kept in MapCell (migration 0010): level n has cells of 60 / 2**n degrees, level 12 about 1.1 km.
AGGREGATE_LEVELS = range(0, 13)


def cell_size(zoom: int, west: float, south: float, east: float, north: float) -> float:
    size = 360 / (2 ** max(0, min(zoom, MAX_ZOOM))) / CELLS_PER_TILE
    while (east - west) / size > MAX_CELLS or (north - south) / size > MAX_CELLS:
        size *= 2
    return size


def grid_level(size: float) -> int:
    """n with ``size == 60 / 2**n``: every size ``cell_size`` returns is one of these, exactly."""
    return round(math.log2(60 / size))


def clusters(
    filters: dict[str, Any], *, west: float, south: float, east: float, north: float, zoom: int, cache_key: str = ""
) -> dict[str, Any]:
    """``{"cell": size, "clusters": [{lon, lat, count, id?, status?, category?}]}``; single reports carry their id.

    ``filters`` are lookups on ``status``, ``category_id`` and ``organisation_id`` (fields of both Report and
    MapCell) that select the public reports to show."""
    size = cell_size(zoom, west, south, east, north)
    west, south = math.floor(west / size) * size, math.floor(south / size) * size
    east, north = math.ceil(east / size) * size, math.ceil(north / size) * size
    key = f"reports:map:{cache_key}:{size:.8f}:{west:.6f}:{south:.6f}:{east:.6f}:{north:.6f}"
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    level = grid_level(size)
    if connection.vendor == "postgresql" and level in AGGREGATE_LEVELS:
        rows = counted_cells(filters, level=level, west=west, south=south, east=east, north=north)
    else:
        rows = live_cells(filters, size=size, west=west, south=south, east=east, north=north)
    single_ids = [row["first_id"] for row in rows if row["count"] == 1]
    singles: dict[int, Any] = {
        row["pk"]: row
        for row in Report.objects.filter(pk__in=single_ids).values("pk", "status", "category__name", "hidden")
    }
    result = {"cell": size, "clusters": [_cluster(row, singles.get(row["first_id"])) for row in rows]}
    cache.set(key, result, CACHE_SECONDS)
    return result


def live_cells(
    filters: dict[str, Any], *, size: float, west: float, south: float, east: float, north: float
) -> list[dict[str, Any]]:
    """The reports in the box grouped per cell: ``{cell_x, cell_y, count, mean_lon, mean_lat, first_id}``."""
    return list(
        Report.objects.filter(**filters)
        .in_bbox(west, south, east, north)
        .annotate(cell_x=Floor(F("lon") / size), cell_y=Floor(F("lat") / size))
        .values("cell_x", "cell_y")
        .annotate(count=Count("id"), mean_lon=Avg("lon"), mean_lat=Avg("lat"), first_id=Min("id"))
        .order_by()
    )


def counted_cells(
    filters: dict[str, Any], *, level: int, west: float, south: float, east: float, north: float
) -> list[dict[str, Any]]:
    """What ``live_cells`` returns, summed from MapCell (PostgreSQL). ``first_id`` is only right for a cell of one
    report (the sum of the ids), the only place it is used. The box's edges are grid lines: a report on the east
    or north edge lies in the next cell and belongs to the box, the rest of that cell does not."""
    size = 60 / 2**level
    first_x, first_y, last_x, last_y = (round(value / size) for value in (west, south, east, north))
    rows = (
        MapCell.objects.filter(**filters)
        .filter(level=level, cell_x__gte=first_x, cell_x__lte=last_x, cell_y__gte=first_y, cell_y__lte=last_y)
        .filter(Q(cell_x__lt=last_x) | Q(on_x_edge=True), Q(cell_y__lt=last_y) | Q(on_y_edge=True))
        .values("cell_x", "cell_y")
        .annotate(count=Sum("reports"), sum_lon=Sum("sum_lon"), sum_lat=Sum("sum_lat"), first_id=Sum("sum_id"))
        .filter(count__gt=0)
        .order_by()
    )
    return [
        {
            "cell_x": row["cell_x"],
            "cell_y": row["cell_y"],
            "count": row["count"],
            "mean_lon": float(row["sum_lon"] / row["count"]),
            "mean_lat": float(row["sum_lat"] / row["count"]),
            "first_id": int(row["first_id"]),
        }
        for row in rows
    ]


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
