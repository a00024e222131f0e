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
