"""What the events plugin adds to the staff overview, the figures page and the daily jobs.

Staff work and figures answer with a fixed number of queries however many events there are.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from mitwirken.core.plugins import Statistic, WorkItem

from .models import INTERPRETING, NEEDS_STAFF, Event, Registration, RegistrationStatus, Status
from .services import setup

INTERPRETING_DAYS = 14


def staff_work(user: Any, organisation: Any) -> list[WorkItem]:
    """Registrations waiting for approval, and interpreting requests for the next 14 days (DGS and captioning
    must be booked early): one query."""
    if not user.has_perm("organisations.enter_backoffice", organisation):
        return []
    now = timezone.now()
    soon = Q(event__start__gte=now, event__start__lt=now + timedelta(days=INTERPRETING_DAYS))
    counts = (
        Registration.objects.filter(NEEDS_STAFF, event__organisation=organisation, event__end__gte=now)
        .exclude(event__status=Status.CANCELLED)
        .aggregate(
            pending=Count("pk", filter=Q(status=RegistrationStatus.PENDING)),
            dgs=Count("pk", filter=soon & INTERPRETING & Q(sign_language=True)),
            captions=Count("pk", filter=soon & INTERPRETING & Q(captioning=True)),
        )
    )
    url = reverse("backoffice:events", kwargs={"org_slug": organisation.slug})
    items = []
    if counts["pending"]:
        items.append(WorkItem(
            label=ngettext("%(count)d Anmeldung wartet auf Freigabe", "%(count)d Anmeldungen warten auf Freigabe",
                           counts["pending"]) % {"count": counts["pending"]},
            count=counts["pending"], url=f"{url}?pending=on",
        ))  # fmt: skip
    requests = counts["dgs"] + counts["captions"]
    if requests:
        parts = []
        if counts["dgs"]:
            parts.append(f"{counts['dgs']} × DGS")
        if counts["captions"]:
            parts.append(f"{counts['captions']} × Schriftdolmetschung")
        items.append(WorkItem(
            label=_lazy("DGS/Schriftdolmetschung angefragt (nächste 14 Tage): %(what)s") % {"what": ", ".join(parts)},
            count=requests, url=f"{url}?interpreting=on", urgent=True,
        ))  # fmt: skip
    return items


def statistics(organisation: Any) -> list[Statistic]:
    """Two queries: events by time, registrations by status."""
    now = timezone.now()
    events = (
        Event.objects.filter(organisation=organisation)
        .exclude(status=Status.DRAFT)
        .aggregate(
            upcoming=Count("pk", filter=Q(end__gte=now) & ~Q(status=Status.CANCELLED)),
            past=Count("pk", filter=Q(end__lt=now) & ~Q(status=Status.CANCELLED)),
            cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
        )
    )
    registrations = Registration.objects.filter(event__organisation=organisation).aggregate(
        confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITING)),
        checked_in=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=False)),
        no_shows=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=True,
                                      event__end__lt=now)),
    )  # fmt: skip
    return [
        Statistic(_lazy("Veranstaltungen (kommend)"), events["upcoming"]),
        Statistic(_lazy("Veranstaltungen (vergangen)"), events["past"]),
        Statistic(_lazy("Veranstaltungen (abgesagt)"), events["cancelled"]),
        Statistic(_lazy("Anmeldungen (bestätigt)"), registrations["confirmed"]),
        Statistic(_lazy("Anmeldungen auf der Warteliste"), registrations["waiting"]),
        Statistic(_lazy("Eingecheckt"), registrations["checked_in"]),
        Statistic(_lazy("Nicht erschienen (vergangene Veranstaltungen)"), registrations["no_shows"]),
    ]


def daily() -> None:
    """Release expired holds and offers (their places go to the waiting list), keep ``project_visible`` right,
    and anonymise registrations of events that ended more than ``MITWIRKEN_EVENT_RETENTION_DAYS`` ago.

    Reminders due now go out too; operators run ``manage.py events_reminders`` every few minutes as well
    (docs/operations.md), because a reminder two hours before an event cannot wait for the daily run."""
    from django.utils import timezone

    from .services import reminders

    reminders.send_due_reminders(timezone.now())
    setup.release_all_expired()
    setup.refresh_all_project_visibility()
    setup.anonymise_past_registrations()
