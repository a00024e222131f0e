from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """Look up a dict entry by a variable key (Django templates cannot)."""
    return mapping.get(key, "")
