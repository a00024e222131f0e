"""What the events plugin adds to pages of the portal: "Meine Anmeldungen" in Mein Bereich and the events
of a project on the project's page."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitwirken.core.plugins import AccountSection, ProjectSection


def account_sections() -> list[AccountSection]:
    from .models import Registration

    def registrations(user: Any) -> Any:
        return (
            Registration.objects.filter(user=user)
            .select_related("event__organisation", "capacity")
            .order_by("-event__start", "-pk")
        )

    return [AccountSection("anmeldungen", _("Meine Anmeldungen zu Veranstaltungen"), "events/account_registrations.html",
                           registrations, order=40)]  # fmt: skip


PROJECT_EVENTS = 10


def project_sections(request: Any, project: Any) -> list[ProjectSection]:
    """The project's coming events. The viewer may see the project already (its page checked that), so the
    events of a protected project show here to invited people although the public calendar leaves them out."""
    from .models import PUBLIC_STATUSES, Event

    events = list(
        Event.objects.filter(project=project, status__in=PUBLIC_STATUSES, end__gte=timezone.now())
        .select_related("organisation").only("title", "slug", "start", "end", "status", "kind", "venue_name",
                                             "organisation__slug")[:PROJECT_EVENTS]
    )  # fmt: skip
    if not events:
        return []
    return [ProjectSection("veranstaltungen", _("Veranstaltungen"), "events/project_section.html",
                           {"events": events, "project": project})]  # fmt: skip
