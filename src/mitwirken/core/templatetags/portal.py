from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """Look up a dict entry by a variable key (Django templates cannot)."""
    return mapping.get(key, "")


@register.simple_tag
def backoffice_nav(organisation: Any) -> list[dict[str, Any]]:
    """The plugins' entries of the back-office navigation, with their URLs for ``organisation``."""
    from django.urls import reverse

    from mitwirken.core import plugins

    return [
        {"label": label, "url": reverse(name, kwargs={"org_slug": organisation.slug}), "section": section}
        for plugin in plugins.all_plugins()
        for label, name, section in plugin.backoffice_nav
    ]


@register.simple_tag
def main_nav() -> list[dict[str, Any]]:
    """The plugins' entries of the portal's main navigation (e.g. the Mängelmelder)."""
    from django.urls import reverse

    from mitwirken.core import plugins

    return [
        {"label": label, "url": reverse(name)} for plugin in plugins.all_plugins() for label, name in plugin.main_nav
    ]


@register.simple_tag
def period(start: Any = None, end: Any = None) -> str:
    """A period or deadline in the legal wording, e.g. ``{% period phase.start phase.end %}`` gives
    "vom 1. Dezember 2026 bis einschließlich 31. Dezember 2026"; ``{% period end=track.end %}`` gives
    "bis einschließlich …". The rule for exclusive ends and times is in ``core/dates.py``."""
    from mitwirken.core.dates import format_period

    return format_period(start or None, end or None)


@register.filter
def weekday_date(value: Any) -> str:
    """``{{ event.start|weekday_date }}``: "Sonntag, 6. Dezember 2026" in German, "Sunday, 6 December 2026" in English."""
    from mitwirken.core.dates import with_weekday

    return with_weekday(value) if value else ""


@register.filter
def weekday_datetime(value: Any) -> str:
    """As ``weekday_date``, with the time: "Sonntag, 6. Dezember 2026, 18:00"."""
    from mitwirken.core.dates import with_weekday

    return with_weekday(value, time_too=True) if value else ""
