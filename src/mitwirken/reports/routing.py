"""Who is responsible for a point and a category (after FixMyStreet's area → body → category routing).

1. Candidates are found by the stored bounding box (an indexed range query), so the cost does not grow
   with the number of organisations; only candidates are tested against their exact polygon.
2. Among the organisations whose area contains the point, the most specific one (deepest in the parent
   chain) that handles the category wins.
3. If none of them handles it, the parents of the containing organisations are asked, walking up: a
   Landkreis handles Kreisstraßen inside its municipalities even when its own boundary is not stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import Point
from shapely.prepared import prep

from mitwirken.core import geo
from mitwirken.organisations.models import Organisation

from .models import CategoryTemplate, OrganisationCategory


@dataclass(frozen=True)
class Route:
    organisation: Organisation
    handler: OrganisationCategory


def organisations_at(lon: float, lat: float) -> list[Organisation]:
    """Organisations whose area contains the point (the boundary line counts as inside), most specific first."""
    point = Point(lon, lat)
    containing = [
        organisation
        for organisation in Organisation.objects.containing_bbox(lon, lat).only(
            "id", "name", "slug", "parent_id", "boundary"
        )
        if organisation.boundary and prep(geo.to_shape(organisation.boundary)).covers(point)
    ]
    parent_of = _ancestry({organisation.pk: organisation.parent_id for organisation in containing})
    return sorted(containing, key=lambda organisation: -_depth(organisation.pk, parent_of))


def _ancestry(parent_of: dict[int, int | None]) -> dict[int, int | None]:
    """Complete a {id: parent_id} map up to the roots: one query per level, not one per organisation."""
    parent_of = dict(parent_of)
    missing = {parent for parent in parent_of.values() if parent is not None and parent not in parent_of}
    while missing:
        found = dict(Organisation.objects.filter(pk__in=missing).values_list("pk", "parent_id"))
        parent_of.update(found)
        parent_of.update(dict.fromkeys(missing - found.keys()))
        missing = {parent for parent in found.values() if parent is not None and parent not in parent_of}
    return parent_of


def _chain(pk: int, parent_of: dict[int, int | None]) -> list[int]:
    chain, seen = [pk], {pk}
    while (parent := parent_of.get(chain[-1])) is not None and parent not in seen:
        chain.append(parent)
        seen.add(parent)
    return chain


def _depth(pk: int, parent_of: dict[int, int | None]) -> int:
    return len(_chain(pk, parent_of)) - 1


def route(*, lon: float, lat: float, category: CategoryTemplate) -> Route:
    """The responsible organisation, or a ValidationError in plain German (never a silent drop)."""
    containing = organisations_at(lon, lat)
    if not containing:
        raise ValidationError(
            {
                "location": _(
                    "An diesem Ort ist keine Verwaltung im Portal zuständig. Bitte prüfen Sie den Ort auf der Karte "
                    "oder in der Adresse."
                )
            }
        )
    parent_of = _ancestry({organisation.pk: organisation.parent_id for organisation in containing})
    # The containing ones first, most specific first; then up each parent chain.
    candidates: list[int] = []
    for pk in [organisation.pk for organisation in containing] + [
        ancestor for organisation in containing for ancestor in _chain(organisation.pk, parent_of)[1:]
    ]:
        if pk not in candidates:
            candidates.append(pk)
    handlers = {
        handler.organisation_id: handler
        for handler in OrganisationCategory.objects.filter(template=category, organisation_id__in=candidates)
        .select_related("organisation").defer("organisation__boundary")
    }  # fmt: skip
    for pk in candidates:
        if pk in handlers:
            return Route(organisation=handlers[pk].organisation, handler=handlers[pk])
    raise ValidationError(
        {
            "category": _(
                "Für „%(category)s“ ist an diesem Ort keine Verwaltung im Portal zuständig. Bitte wählen Sie eine "
                "andere Kategorie oder wenden Sie sich direkt an die Gemeinde."
            )
            % {"category": category.name}
        }
    )
