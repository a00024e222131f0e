"""The public search of opportunities: the filter form's cleaned data turned into rows, and distances.

Words are matched by the shared full-text search (``core.search``: German stemming and prefix matching on
PostgreSQL, so "Umwelt" finds "Umweltschutz"; substrings on SQLite). Without a place the rows are a queryset,
newest first, paginated in SQL. With a place, a bounding box around it narrows the rows in SQL
(``opportunity_published_place``), one query fetches only the candidates' ids and coordinates,
the exact great-circle distance decides and sorts them in Python, and a second query loads the page's rows.
Both ways cost the same few queries however many opportunities there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _

from mitwirken.core import geo
from mitwirken.core import search as fulltext
from mitwirken.core.pagination import KeysFirstPaginator

from .models import Opportunity, OpportunityQuerySet

PAGE_SIZE = 20
RADII_KM = (5, 10, 25, 50)
DEFAULT_RADIUS_KM = 10
MAX_WORDS = 8


@dataclass(frozen=True)
class Filters:
    """What the search form asks for (``forms_public.SearchForm.filters``)."""

    words: tuple[str, ...] = ()
    field: str = ""
    commitment: str = ""
    point: tuple[float, float] | None = None  # (lat, lon)
    radius_km: int = DEFAULT_RADIUS_KM
    remote: bool = False  # with a place: remote opportunities come along wherever they are
    age: int | None = None

    @property
    def empty(self) -> bool:
        return not (self.words or self.field or self.commitment or self.point or self.age is not None)


def words_of(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(text.casefold().split()))[:MAX_WORDS]


def apply(opportunities: OpportunityQuerySet, filters: Filters) -> OpportunityQuerySet:
    """Every filter but the exact distance: words AND-ed, field, commitment, age, and the place's bounding box
    (or remote) where a place is given."""
    if filters.words:
        opportunities = fulltext.matching(opportunities, " ".join(filters.words))
    if filters.field:
        opportunities = opportunities.filter(field=filters.field)
    if filters.commitment:
        opportunities = opportunities.filter(commitment=filters.commitment)
    if filters.age is not None:
        opportunities = opportunities.filter(Q(minimum_age__isnull=True) | Q(minimum_age__lte=filters.age))
    if filters.point is not None:
        lat, lon = filters.point
        west, south, east, north = geo.bbox_around(lon, lat, filters.radius_km * 1000)
        near = Q(lat__gte=south, lat__lte=north, lon__gte=west, lon__lte=east)
        opportunities = opportunities.filter(near | Q(remote=True) if filters.remote else near)
    return opportunities


def distance_between(point: tuple[float, float], lat: float | None, lon: float | None) -> float | None:
    if lat is None or lon is None:
        return None
    return geo.distance_m(point[1], point[0], lon, lat)


def within(filters: Filters, opportunities: OpportunityQuerySet) -> list[tuple[int, float | None]]:
    """(id, metres) of the candidates within the radius, nearest first; remote ones further away (with the
    "auch von zu Hause" tick) follow, the latest first. One query of four columns per candidate (no dates:
    turning thousands of them into datetimes would cost more than the distances)."""
    if filters.point is None:
        return []
    limit = filters.radius_km * 1000
    near: list[tuple[float, int]] = []
    remote: list[int] = []
    # No ORDER BY: the distances decide the order, and sorting thousands of rows by date in SQL was half the query.
    for pk, lat, lon, is_remote in opportunities.order_by().values_list("id", "lat", "lon", "remote"):
        metres = distance_between(filters.point, lat, lon)
        if metres is not None and metres <= limit:
            near.append((metres, pk))
        elif is_remote and filters.remote:
            remote.append(pk)
    near.sort()
    remote.sort(reverse=True)
    return [(pk, metres) for metres, pk in near] + [(pk, None) for pk in remote]


def _loaded(ids: Sequence[tuple[int, float | None]]) -> list[Opportunity]:
    """The opportunities of ``ids`` in that order (one query), each with its ``distance_m``."""
    rows = Opportunity.objects.for_list().in_bulk([pk for pk, _ in ids])
    result = []
    for pk, metres in ids:
        if pk in rows:  # deleted between the two queries: left out
            _with_distance(rows[pk], metres)
            result.append(rows[pk])
    return result


def _newest(opportunities: OpportunityQuerySet) -> OpportunityQuerySet:
    return opportunities.for_list().order_by("-published_at", "-id")


def search_page(filters: Filters, number: Any, *, base: OpportunityQuerySet | None = None) -> Page[Any]:
    """One page (``PAGE_SIZE``) of the results; each opportunity carries ``distance_m`` (None without a place
    or for a remote one outside the radius)."""
    opportunities = apply(base if base is not None else Opportunity.objects.searchable(), filters)
    if filters.point is None:
        # The page's ids come from the index alone (``opportunity_by_published`` holds the organisation too).
        page: Page[Any] = KeysFirstPaginator(_newest(opportunities), PAGE_SIZE).get_page(number)
        page.object_list = [_far(opportunity) for opportunity in page.object_list]
        return page
    found: Page[Any] = Paginator(within(filters, opportunities), PAGE_SIZE).get_page(number)
    found.object_list = _loaded(list(found.object_list))  # the page's (id, metres) become its opportunities
    return found


def _far(opportunity: Opportunity) -> Opportunity:
    return _with_distance(opportunity, None)


def _with_distance(opportunity: Opportunity, metres: float | None) -> Opportunity:
    """``distance_m`` and its label ``distance`` ("2,4 km") on the row: attributes the model does not declare."""
    setattr(opportunity, "distance_m", metres)  # noqa: B010
    setattr(opportunity, "distance", format_km(metres))  # noqa: B010
    return opportunity


def matching_since(filters: Filters, since: datetime, until: datetime, limit: int) -> list[Opportunity]:
    """Opportunities published in (since, until] that match (for saved searches), nearest or newest first."""
    opportunities = apply(Opportunity.objects.searchable(), filters).filter(published_at__gt=since,
                                                                            published_at__lte=until)  # fmt: skip
    if filters.point is None:
        return [_far(opportunity) for opportunity in _newest(opportunities)[:limit]]
    return _loaded(within(filters, opportunities)[:limit])


def format_km(metres: float | None) -> str:
    """ "800 m", "2,4 km", "13 km" in the current language's number format."""
    if metres is None:
        return ""
    if metres < 100:
        return _("unter 100 m")
    if metres < 1000:
        return f"{int(round(metres, -2)) or 100} m"
    if metres < 10_000:
        return f"{formats.number_format(round(metres / 1000, 1), 1)} km"  # it truncates; round first
    return f"{round(metres / 1000)} km"


def map_points(opportunities: Sequence[Opportunity]) -> list[dict[str, Any]]:
    """The page's opportunities with a place, for the map (``maps.js`` data-points-map)."""
    return [
        {"lat": item.lat, "lon": item.lon, "title": item.title, "url": item.get_absolute_url()}
        for item in opportunities
        if item.lat is not None and item.lon is not None
    ]
