"""``{% location lat lon %}``: a stored location as people read it, a small map with a marker and the nearest
address of the register, never as bare coordinates (those stay available to experts, folded away). The page
loads the map component in its ``head`` block (``includes/map_assets.html``); without it, or without JavaScript,
the address alone is shown."""

from __future__ import annotations

from typing import Any

from django import template

from mitwirken.core.addresses import nearest_address
from mitwirken.core.geo import distance_m

register = template.Library()
AT_ADDRESS_M = 30  # closer than this, the point is "at" the address; farther, "near" it


@register.inclusion_tag("includes/location.html", takes_context=True)
def location(
    context: template.Context, lat: Any, lon: Any, label: str = "", map: bool = True, title: str = ""
) -> dict[str, Any]:
    """``label``: an address given with the location (shown instead of the nearest one); ``map=False`` for lists;
    ``title``: the marker's popup text."""
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        return {"valid": False}
    # Counted in the render context's base, which every included template shares: ids stay unique on the page.
    shared: dict[str, Any] = context.render_context.dicts[0]  # type: ignore[assignment]
    counter = int(shared.get("location_counter") or 0) + 1
    shared["location_counter"] = counter
    address = None if label else nearest_address(lat_f, lon_f)
    near = address is not None and distance_m(lon_f, lat_f, address.lon, address.lat) > AT_ADDRESS_M
    anchor = f"location-{counter}"
    return {
        "valid": True, "lat": lat_f, "lon": lon_f, "label": label, "address": address, "near": near,
        "map": map, "anchor": anchor, "points_id": f"{anchor}-points",
        "points": [{"lat": lat_f, "lon": lon_f, "url": f"#{anchor}", "title": title or label or (address.label if address else "")}],
    }  # fmt: skip


@register.simple_tag
def place_of(lat: Any, lon: Any) -> str:
    """The nearest register address of a point as text ("Hauptstraße 25, 55487 Beispielhausen"), for sentences and
    e-mails; "dem gewählten Punkt auf der Karte" where none is near. One query: not for long lists."""
    from django.utils.translation import gettext as _

    address = nearest_address(lat, lon)
    return address.label if address is not None else _("dem gewählten Punkt auf der Karte")
