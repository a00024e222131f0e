import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# First URL segments the portal itself uses; an organisation may not take them as its slug. The plugins'
# portal-level addresses (/maengelmelder/, /veranstaltungen/, …) are added from the registry: ``reserved_slugs``.
RESERVED_SLUGS = frozenset(
    {
        "admin", "api", "konto", "verwaltung", "static", "_media", "healthz", "readyz", "metrics", "i18n", "feed",
        "leichte-sprache", "barrierefreiheit", "gebaerdensprache", "impressum", "datenschutz", "projekte",
        "benachrichtigungen", "einladung", "zugangscode", "suche", "open311", "accounts", "media", "anmeldedienste",
    }
)  # fmt: skip


def reserved_slugs() -> frozenset[str]:
    """The portal's own first segments and those of every plugin's portal-level URL patterns."""
    from importlib import import_module

    from mitwirken.core import plugins

    segments = set()
    for plugin in plugins.all_plugins():
        for pattern in getattr(import_module(plugin.urls), "urlpatterns", []) if plugin.urls else []:
            first = str(pattern.pattern).split("/", 1)[0]
            if first and "<" not in first and "." not in first:
                segments.add(first)
    return RESERVED_SLUGS | segments


def validate_ags(value: str) -> None:
    """Amtlicher Gemeindeschlüssel: 8 digits, starting with a state code 01-16."""
    if not re.fullmatch(r"\d{8}", value or ""):
        raise ValidationError(
            _("Der Amtliche Gemeindeschlüssel (AGS) besteht aus genau 8 Ziffern, z. B. 07135001."), code="ags_format"
        )
    if not 1 <= int(value[:2]) <= 16:
        raise ValidationError(
            _(
                "Die ersten beiden Ziffern des AGS müssen ein Land bezeichnen (01 bis 16), z. B. 07 für Rheinland-Pfalz."
            ),
            code="ags_state",
        )


def validate_organisation_slug(value: str) -> None:
    if value in reserved_slugs():
        raise ValidationError(_("Diese Kurzbezeichnung ist für das Portal reserviert. Bitte wählen Sie eine andere."))
