"""Jinja2 for the rows of the busiest lists; every other template is Django's.

Django's template engine renders the 50 rows of the statement inbox in about 19 ms; Jinja2 renders the same markup
in about 8 (docs/architecture.md has the figures). The row templates live in an app's ``jinja2/`` folder and are
included from the Django page with ``{% include_jinja "…" %}`` (``core/templatetags/jinja.py``), which hands them
the page's context. They speak a small, fixed vocabulary, given here, so that a row reads like its Django original:

- ``_("…")`` translates (Django's active language). The file ends in ``.html`` so that ``makemessages`` extracts
  ``{{ _("…") }}`` like a Django template; placeholders go through ``|format(name=…)``, never inside ``_()``.
- ``display(instance, "field")`` is ``instance.get_field_display()``, without rebuilding the field's choices on every
  call as Django does (a third of the inbox rows' time went there).
- ``url(name, **kwargs)`` is Django's ``reverse``; ``period(start, end)`` is ``{% period %}``.
- ``date``, ``truncatechars``, ``truncatewords`` and ``highlight_excerpt`` are the Django filters of the same names.
  ``date`` shows the time in the current time zone (Europe/Berlin) as Django's does; a date and time printed
  without it would be in UTC, so print them only through ``date``.

Autoescaping is on, and Django's safe strings (``mark_safe``, ``format_html``) stay unescaped, as in Django.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models
from django.template import defaultfilters
from django.urls import reverse
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in django-stubs
from django.utils.translation import gettext, ngettext
from jinja2 import Environment

from mitwirken.core.dates import format_period
from mitwirken.core.templatetags.highlight import highlight_excerpt


@cache
def _labels(field: models.Field) -> dict[Any, Any]:  # type: ignore[type-arg]
    return dict(field.flatchoices)  # the labels stay lazy: each is translated when shown


def display(instance: models.Model, field_name: str) -> str:
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)  # type: ignore[union-attr]
    return str(_labels(field).get(value, value))  # type: ignore[arg-type]


def url(viewname: str, **kwargs: Any) -> str:
    return reverse(viewname, kwargs=kwargs)


def date(value: Any, arg: str | None = None) -> str:
    return defaultfilters.date(template_localtime(value), arg)


def environment(**options: Any) -> Environment:
    options.pop("autoescape", None)  # Django's backend passes it; here it is always on, whatever the settings say
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=False)  # type: ignore[attr-defined]  # by the i18n extension
    env.globals.update(url=url, display=display, period=format_period)
    env.filters.update(
        date=date,
        truncatechars=defaultfilters.truncatechars,
        truncatewords=defaultfilters.truncatewords,
        highlight_excerpt=highlight_excerpt,
    )
    return env
