"""The person's registrations in the GDPR export; erasing an account anonymises its registrations."""

from __future__ import annotations

from typing import Any


def export(user: Any) -> list[dict[str, Any]]:
    from .models import Registration

    return [
        {"veranstaltung": registration.event.title, "beginn": registration.event.start.isoformat(),
         "status": registration.get_status_display(), "name": registration.name, "email": registration.email,
         "begleitpersonen": registration.companions, "antworten": registration.answers}
        for registration in Registration.objects.filter(user=user).select_related("event")
    ]  # fmt: skip


def erase(user: Any) -> None:
    from .models import Registration

    Registration.objects.filter(user=user).update(user=None, name="", email="", answers={})
