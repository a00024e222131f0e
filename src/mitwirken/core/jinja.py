"""Jinja2 for the rows of the busiest lists; every other template is Django's.

Django's template engine renders the 50 rows of the statement inbox in about 19 ms; Jinja2 renders the same markup
in about 8 (docs/architecture.md has the figures). The row templates live in an app's ``jinja2/`` folder and are
included from the Django page with ``{% include_jinja "…" %}`` (``core/templatetags/jinja.py``), which hands them
the page's context. They speak a small, fixed vocabulary, given here, so that a row reads like its Django original:

- ``_("…")`` translates (Django's active language). The file ends in ``.html`` so that ``makemessages`` extracts
  ``{{ _("…") }}`` like a Django template; placeholders go through ``|format(name=…)``, never inside ``_()``.
- ``display(instance, "field")`` is ``instance.get_field_display()``, without rebuilding the field's choices on every
  call as Django does (a third of the inbox rows' time went there).
- ``url(name, **kwargs)`` is Django's ``reverse``; ``url_template(name, "key", **kwargs)`` reverses once for a whole
  list and returns a function of the row's key (``core/links.py``); ``period(start, end)`` is ``{% period %}``.
- ``include_django("…", **values)`` renders a Django partial with this context and ``values``, for a piece that
  Django views also render on their own (the rating form, which htmx swaps in place).
- ``date``, ``time``, ``truncatechars``, ``truncatewords``, ``highlight``, ``highlight_excerpt`` and
  ``highlight_html_excerpt`` are the Django filters of the same names; ``html_excerpt(n)`` is
  ``|safe|striptags|truncatechars:n`` (the plain text of sanitised HTML, whose entities stay as they are).
  ``date`` and ``time`` show the time in the current time zone (Europe/Berlin) as Django's do; a date and time
  printed without them would be in UTC, so print them only through these. A format of zero-padded numbers only
  ("d.m.Y H:i") is written with ``strftime``, the same text in a tenth of the time.
- Plural texts come from Python (``ngettext`` there, e.g. a model property): ``makemessages`` does not find
  ``ngettext`` calls in a template.

Autoescaping is on, and Django's safe strings (``mark_safe``, ``format_html``) stay unescaped, as in Django.
"""

from __future__ import annotations

import datetime
from functools import cache
from typing import Any

from django.db import models
from django.template import Context, defaultfilters, engines
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in django-stubs
from django.utils.translation import gettext, ngettext
from jinja2 import Environment, pass_context
from jinja2.runtime import Context as JinjaContext

from mitwirken.core.dates import format_period
from mitwirken.core.links import url_template
from mitwirken.core.templatetags.highlight import highlight, highlight_excerpt, highlight_html_excerpt


@cache
def _labels(field: models.Field) -> dict[Any, Any]:  # type: ignore[type-arg]
    return dict(field.flatchoices)  # the labels stay lazy: each is translated when shown


def display(instance: models.Model, field_name: str) -> str:
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)  # type: ignore[union-attr]
    return str(_labels(field).get(value, value))  # type: ignore[arg-type]


def url(viewname: str, **kwargs: Any) -> str:
    return reverse(viewname, kwargs=kwargs)


# Django's format characters that are plain numbers, with strftime's equivalent; and separators.
_NUMERIC_FORMAT = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y", "H": "%H", "i": "%M", "s": "%S"}
_SEPARATORS = set(".:-/ ,")


@cache
def _strftime_format(arg: str | None) -> str | None:
    """The strftime format that writes exactly what Django's ``date`` writes for ``arg``, where ``arg`` holds only
    zero-padded numbers and separators ("d.m.Y H:i", "Y-m-d"); None for anything named or localised."""
    if not arg or not all(char in _NUMERIC_FORMAT or char in _SEPARATORS for char in arg):
        return None
    return "".join(_NUMERIC_FORMAT.get(char, char) for char in arg)


def date(value: Any, arg: str | None = None) -> str:
    numeric = _strftime_format(arg)
    if numeric is not None and isinstance(value, datetime.datetime):
        return template_localtime(value).strftime(numeric)  # a tenth of Django's formatter's time, per row
    return defaultfilters.date(template_localtime(value), arg)


def time(value: Any, arg: str | None = None) -> str:
    return defaultfilters.time(template_localtime(value), arg)


def html_excerpt(html: str, length: int) -> SafeString:
    return mark_safe(Truncator(strip_tags(html)).chars(length))  # sanitised HTML: what is left is escaped text


@pass_context
def include_django(context: JinjaContext, template_name: str, **values: Any) -> SafeString:
    template = engines["django"].get_template(template_name).template  # type: ignore[attr-defined]
    return template.render(Context({**context.get_all(), **values}, autoescape=True))


def environment(**options: Any) -> Environment:
    options.pop("autoescape", None)  # Django's backend passes it; here it is always on, whatever the settings say
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=False)  # type: ignore[attr-defined]  # by the i18n extension
    env.globals.update(
        url=url, url_template=url_template, display=display, period=format_period, include_django=include_django
    )
    env.filters.update(
        date=date,
        time=time,
        truncatechars=defaultfilters.truncatechars,
        truncatewords=defaultfilters.truncatewords,
        highlight=highlight,
        highlight_excerpt=highlight_excerpt,
        highlight_html_excerpt=highlight_html_excerpt,
        html_excerpt=html_excerpt,
    )
    return env
