"""What volunteering adds to "Mein Bereich" (each area adds its own entries to ``account_sections``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from mitwirken.core.plugins import AccountSection


def account_sections() -> list[AccountSection]:
    from .models import EngagementOrganisation

    def coordinated(user: Any) -> Any:
        return (
            EngagementOrganisation.objects.coordinated_by(user)
            .select_related("exchange__organisation")
            .order_by("name", "pk")
        )

    return [
        AccountSection("engagement-organisationen", _("Meine Engagement-Organisationen"),
                       "volunteering/organisations/account_organisations.html", coordinated, order=45),
    ]  # fmt: skip
