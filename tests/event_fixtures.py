"""Events for tests: ``make_event(organisation, capacity=…, **fields)`` – published, open for registration,
starting in a week, with one capacity category "Vor Ort"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from mitwirken.events.models import CapacityCategory, Event, RegistrationMode, Status


def make_event(organisation: Any, *, capacity: int = 10, title: str = "Bürgerversammlung", **fields: Any) -> Event:
    start = fields.pop("start", timezone.now() + timedelta(days=7))
    event = Event.objects.create(
        organisation=organisation, title=title, slug=fields.pop("slug", slugify(title)), start=start,
        end=fields.pop("end", start + timedelta(hours=2)), status=fields.pop("status", Status.PUBLISHED),
        registration=fields.pop("registration", RegistrationMode.OPEN), **fields,
    )  # fmt: skip
    CapacityCategory.objects.create(event=event, name="Vor Ort", capacity=capacity)
    return event


def event_values(organisation: Any) -> dict[str, Any]:
    """URL parameters of real event objects of ``organisation`` (an event in a series, a registration), for the
    tests that walk every URL."""
    from mitwirken.events.models import Registration, Series

    event = make_event(organisation, title=f"Sprechstunde {organisation.slug}")
    series = Series.objects.create(organisation=organisation, title=event.title, rrule="FREQ=WEEKLY;COUNT=2",
                                   first_start=event.start, duration=event.end - event.start)  # fmt: skip
    Event.objects.filter(pk=event.pk).update(series=series)
    registration = Registration.objects.create(event=event, capacity=event.capacities.get(), name="Erika Muster",
                                               email=f"erika@{organisation.slug}.example", status="confirmed")  # fmt: skip
    return {"event_pk": event.pk, "event_slug": event.slug, "series_pk": series.pk,
            "manage_token": registration.manage_token, "category_slug": "buergerversammlung"}  # fmt: skip
