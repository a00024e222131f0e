"""The optional remote geocoder: a Nominatim-compatible search (JSON list with ``lat``/``lon``) or a GeoJSON
search such as the BKG's geocoding service (``geosearch``) or Photon. ``MITWIRKEN_GEOCODER_URL`` is a URL with
``{query}`` where the typed text goes, e.g.
``https://nominatim.example.org/search?format=jsonv2&countrycodes=de&limit=1&q={query}`` or
``https://sg.geodatenzentrum.de/gdz_geokodierung__<key>/geosearch?count=1&query={query}``.

A page never waits longer than ``MITWIRKEN_GEOCODER_TIMEOUT`` seconds (2 by default) for it, DNS included: the
request runs in a worker thread that is abandoned at the deadline. After a failure the service is left alone for
a minute, so that a dead geocoder does not slow down every page; answers are cached for a day.
"""

from __future__ import annotations

import hashlib
import json
import logging
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="geocoder")
PAUSE_KEY = "geocoder:remote:paused"
PAUSE_SECONDS = 60
CACHE_SECONDS = 86_400
MAX_BYTES = 1_000_000


def configured() -> bool:
    return bool(getattr(settings, "MITWIRKEN_GEOCODER_URL", ""))


def _fetch(url: str, timeout: float) -> Any:
    request = urllib.request.Request(  # noqa: S310 - the operator's configured https/http URL
        url, headers={"User-Agent": settings.MITWIRKEN_GEOCODER_USER_AGENT, "Accept": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read(MAX_BYTES).decode("utf-8"))


def _first_position(data: Any) -> tuple[float, float] | None:
    """(lat, lon) of the first hit of a Nominatim list or a GeoJSON FeatureCollection."""
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return float(data[0]["lat"]), float(data[0]["lon"])
    if isinstance(data, dict) and isinstance(data.get("features"), list) and data["features"]:
        lon, lat = data["features"][0]["geometry"]["coordinates"][:2]
        return float(lat), float(lon)
    return None


def locate(text: str) -> tuple[float, float] | None:
    """(lat, lon) from the remote geocoder, or None: not configured, not found, too slow or failing."""
    template = getattr(settings, "MITWIRKEN_GEOCODER_URL", "")
    text = text.strip()[:200]
    if not template or not text or cache.get(PAUSE_KEY):
        return None
    key = "geocoder:remote:" + hashlib.sha256(text.casefold().encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return tuple(cached) if cached else None  # type: ignore[return-value]
    timeout = float(settings.MITWIRKEN_GEOCODER_TIMEOUT)
    url = template.replace("{query}", urllib.parse.quote(text))
    try:
        data = _pool.submit(_fetch, url, timeout).result(timeout=timeout)
        found = _first_position(data)
        if found is not None and not (-90 <= found[0] <= 90 and -180 <= found[1] <= 180):
            found = None
    except (FutureTimeout, OSError, ValueError, KeyError, IndexError, TypeError) as error:
        logger.warning("remote geocoder failed (%s); local register only for %s s", type(error).__name__, PAUSE_SECONDS)
        cache.set(PAUSE_KEY, True, PAUSE_SECONDS)
        return None
    cache.set(key, list(found) if found else [], CACHE_SECONDS)
    return found
