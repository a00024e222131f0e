"""Distances on the sphere, without Django or shapely: ``geo`` re-exports them, and the address register uses them
without importing ``geo`` (which looks addresses up in the register)."""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_000


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine); exact enough for duplicate checks, alert radii and "near me"."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bbox_around(lon: float, lat: float, metres: float) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a square that contains the circle: the index-friendly prefilter for an
    exact distance check."""
    metres_per_degree = EARTH_RADIUS_M * math.pi / 180  # the same sphere as distance_m, plus a safety margin
    d_lat = metres * 1.01 / metres_per_degree
    d_lon = metres * 1.01 / (metres_per_degree * max(math.cos(math.radians(lat)), 0.01))
    return lon - d_lon, lat - d_lat, lon + d_lon, lat + d_lat
