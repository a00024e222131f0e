import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# First URL segments the portal itself uses; an organisation may not take them as its slug.
RESERVED_SLUGS = frozenset(
    {
        "admin", "api", "konto", "verwaltung", "static", "_media", "healthz", "i18n", "feed",
        "leichte-sprache", "barrierefreiheit", "gebaerdensprache", "impressum", "datenschutz", "projekte",
        "benachrichtigungen", "einladung", "zugangscode", "suche", "open311", "accounts", "media", "maengelmelder",
    }
)  # fmt: skip


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
    if value in RESERVED_SLUGS:
        raise ValidationError(_("Diese Kurzbezeichnung ist für das Portal reserviert. Bitte wählen Sie eine andere."))
