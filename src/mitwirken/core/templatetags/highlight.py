"""``{{ text|highlight:query }}`` marks what a search found; ``{{ text|highlight_excerpt:query }}`` shows about 200
characters around the first match (``core.search.highlight``); ``highlight_html_excerpt`` the same of HTML."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from mitwirken.core.search import highlight as mark
from mitwirken.core.search import text_of_html

register = template.Library()


@register.filter
def highlight(text: str, query: str) -> SafeString:
    return mark(str(text or ""), str(query or ""))


@register.filter
def highlight_excerpt(text: str, query: str) -> SafeString:
    return mark(str(text or ""), str(query or ""), length=200)


@register.filter
def highlight_html_excerpt(html: str, query: str) -> SafeString:
    """The same for sanitised HTML: the excerpt is of its text."""
    return mark(text_of_html(str(html or "")), str(query or ""), length=200)
