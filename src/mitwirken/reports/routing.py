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
    depth = {organisation.pk: _depth(organisation) for organisation in containing}
    return sorted(containing, key=lambda organisation: -depth[organisation.pk])


def _depth(organisation: Organisation) -> int:
    depth, parent_id, seen = 0, organisation.parent_id, set()
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        depth += 1
        parent_id = Organisation.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return depth


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
    handlers = {
        handler.organisation_id: handler
        for handler in OrganisationCategory.objects.filter(template=category).select_related("organisation")
    }
    candidates: list[Organisation] = []
    for organisation in containing:  # the containing ones first, most specific first ...
        if organisation not in candidates:
            candidates.append(organisation)
    for organisation in containing:  # ... then up each parent chain
        parent = organisation.parent
        while parent is not None and parent not in candidates:
            candidates.append(parent)
            parent = parent.parent
    for organisation in candidates:
        if organisation.pk in handlers:
            return Route(organisation=handlers[organisation.pk].organisation, handler=handlers[organisation.pk])
    raise ValidationError(
        {
            "category": _(
                "Für „%(category)s“ ist an diesem Ort keine Verwaltung im Portal zuständig. Bitte wählen Sie eine "
                "andere Kategorie oder wenden Sie sich direkt an die Gemeinde."
            )
            % {"category": category.name}
        }
    )
