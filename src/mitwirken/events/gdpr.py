"""The person's registrations in the GDPR export; erasing an account anonymises its registrations."""

from __future__ import annotations

from typing import Any


def export(user: Any) -> list[dict[str, Any]]:
    from .models import Registration

    return [
        {"veranstaltung": registration.event.title, "beginn": registration.event.start.isoformat(),
         "status": registration.get_status_display(), "name": registration.name, "email": registration.email,
         "begleitpersonen": registration.companions, "antworten": registration.answers,
         "identitaet": registration.identity_text, "angemeldet_fuer": registration.on_behalf_of_name}
        for registration in Registration.objects.filter(user=user).select_related("event")
    ]  # fmt: skip


def erase(user: Any) -> None:
    """Places the person holds or waits for are given up (the waiting list moves up), then their registrations
    are anonymised like those past the retention period, and their personal calendar address stops working."""
    from .models import ACTIVE, CalendarToken, Registration
    from .services import registration as registrations
    from .services.setup import anonymise

    for active in Registration.objects.filter(user=user, status__in=ACTIVE).select_related("event", "capacity"):
        registrations.cancel(active)
    anonymise(Registration.objects.filter(user=user))
    CalendarToken.objects.filter(user=user).delete()
