from __future__ import annotations

from typing import Any

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def include_jinja(context: Any, template_name: str) -> SafeString:
    """A Jinja2 partial (``core/jinja.py``) rendered with this page's context, like ``{% include %}``."""
    rendered = engines["jinja2"].get_template(template_name).render(context.flatten(), context.get("request"))
    return mark_safe(rendered)  # rendered with autoescaping on
