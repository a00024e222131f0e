"""Query counts of the events back office that the other test files do not cover yet: the registrations list of
one event is a constant number of queries with 10 or 1,000 registrations (in every status filter).

Covered elsewhere: the back-office event list (``test_events_backoffice.test_list_queries_do_not_grow_with_the_events``)
and the public calendar in its list, month and "free places" views
(``test_events_public.test_calendar_query_count_does_not_grow_with_the_number_of_events``).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mitwirken.events.models import CapacityCategory, Event, Question, Registration, RegistrationStatus

from .event_fixtures import make_event

pytestmark = pytest.mark.django_db

STATUSES = [RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING, RegistrationStatus.WAITING,
            RegistrationStatus.OFFERED, RegistrationStatus.CANCELLED, RegistrationStatus.UNCONFIRMED]  # fmt: skip


def fill(event: Event, count: int) -> None:
    Registration.objects.filter(event=event).delete()
    capacities = list(event.capacities.all())
    Registration.objects.bulk_create(
        Registration(event=event, capacity=capacities[n % len(capacities)], name=f"Person {n}",
                     email=f"p{n}@example.org", status=STATUSES[n % len(STATUSES)], companions=n % 2,
                     sign_language=n % 7 == 0, answers={"essen": {"choice": "veg", "other": ""}, "hinweis": "Rampe"},
                     email_confirmed=n % 5 != 0)
        for n in range(count)
    )  # fmt: skip


@pytest.mark.parametrize("status", ["", "pending", "waiting", "cancelled"])
def test_registrations_list_queries_do_not_grow_with_the_registrations(world: Any, status: str) -> None:
    event = make_event(world.organisation, capacity=2000, sign_language_on_request=True, max_companions=1)
    CapacityCategory.objects.create(event=event, name="Online", capacity=2000, position=1)
    Question.objects.create(event=event, code="essen", type="single", text="Essen",
                            options=[["veg", "Vegetarisch"], ["alles", "Alles"]])  # fmt: skip
    Question.objects.create(event=event, code="hinweis", type="short_text", text="Hinweise")
    client = world.client("case_worker")
    url = reverse("backoffice:event_registrations", kwargs={"org_slug": event.organisation.slug,
                                                             "event_pk": event.pk})  # fmt: skip
    counts = []
    for count in (10, 1000):
        fill(event, count)
        client.get(url, {"status": status})  # sessions, caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"status": status})
        assert response.status_code == 200
        assert "Vegetarisch" in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
