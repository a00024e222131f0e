"""What volunteering adds to "Mein Bereich" (/konto/)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitwirken.core.plugins import AccountSection


def account_sections() -> list[AccountSection]:
    from .models import ACTIVE_SIGNUP, ShiftSignup
    from .views_shifts import with_waiting_position

    def shifts(user: Any) -> Any:
        return with_waiting_position(
            ShiftSignup.objects.filter(volunteer=user, status__in=ACTIVE_SIGNUP, shift__end__gt=timezone.now())
            .select_related("shift__opportunity__organisation")
            .order_by("shift__start", "pk")
        )

    return [AccountSection("schichten", _("Meine Schichten"), "volunteering/shifts/account_shifts.html", shifts,
                           order=45)]  # fmt: skip
