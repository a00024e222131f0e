"""What volunteering adds to "Mein Bereich": each area adds its own entries to ``account_sections``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from mitwirken.core.plugins import AccountSection


def _certificates(user: Any) -> Any:
    from .models import Certificate

    return Certificate.objects.filter(volunteer=user).order_by("-signed_at", "-pk")


def account_sections() -> list[AccountSection]:
    return [
        # Hours: the certificates, with the way to the hours page and the Ehrenamtskarte.
        AccountSection("ehrenamtsnachweise", _("Meine Engagement-Stunden und Nachweise"),
                       "volunteering/hours/account_certificates.html", _certificates, order=62),
    ]  # fmt: skip
