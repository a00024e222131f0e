"""``{% map_head %}``: the map's scripts, styles and configuration, written once per page however many maps it has."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString, mark_safe

from mitwirken.core.maps import map_config

register = template.Library()


@register.simple_tag(takes_context=True)
def map_head(context: template.Context, draw: bool = False) -> SafeString:
    """Leaflet, maps.js and the JSON configuration; with ``draw`` also the drawing plugin (Geoman)."""
    request = context.get("request")
    done: set[str] = getattr(request, "_map_head", set()) if request is not None else set()
    parts = []
    if "base" not in done:
        parts += [
            format_html('<link rel="stylesheet" href="{}">', static("vendor/leaflet/leaflet.css")),
            format_html('<script src="{}" defer></script>', static("vendor/leaflet/leaflet.js")),
            json_script(map_config(), "map-config"),
        ]
        done.add("base")
    if draw and "draw" not in done:
        parts += [
            format_html('<link rel="stylesheet" href="{}">', static("vendor/geoman/leaflet-geoman.css")),
            format_html('<script src="{}" defer></script>', static("vendor/geoman/leaflet-geoman.min.js")),
        ]
        done.add("draw")
    if "js" not in done:
        # maps.js starts on DOMContentLoaded, which waits for every deferred script (Leaflet, Geoman).
        parts.append(format_html('<script src="{}" defer></script>', static("js/maps.js")))
        done.add("js")
    if request is not None:
        request._map_head = done  # type: ignore[attr-defined]
    return mark_safe("".join(str(part) for part in parts))
