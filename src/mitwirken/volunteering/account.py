"""What volunteering adds to "Mein Bereich" (/konto/)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from mitwirken.core.plugins import AccountSection


def account_sections() -> list[AccountSection]:
    from .models import Application

    def applications(user: Any) -> Any:
        return (
            Application.objects.filter(volunteer=user).select_related("opportunity__organisation")
            .order_by("-created_at", "-id")
        )  # fmt: skip

    return [AccountSection("bewerbungen", _("Meine Bewerbungen"), "volunteering/applications/account_applications.html",
                           applications, order=45)]  # fmt: skip
