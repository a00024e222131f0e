"""The overbooking race: hundreds of people send the registration form of one event at the same moment, against
a live server, more than there are places.

Runs on whichever database the suite runs on (SQLite in `make test`, PostgreSQL in CI's second pass). Every
request posts the real form of the event page as a signed-in account (session cookie from ``force_login``, a CSRF
cookie), from many threads at once. However the requests interleave, the places given are exactly the capacity
(``CapacityCategory.taken`` is raised only by the conditional UPDATE ``taken + n <= capacity``), everybody else
is on the waiting list in one piece, and nobody gets a server error (on SQLite, "database is locked" must never
surface as a 500).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.conf import settings
from django.db.models import Count, F, Sum
from django.test import Client
from django.urls import reverse

from mitwirken.accounts.models import User
from mitwirken.events.models import HOLDING, CapacityCategory, Event, Registration, RegistrationStatus

from .dialogue_helpers import OLD
from .event_fixtures import make_event
from .factories import OrganisationFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.burst]

PEOPLE = 500
# Django's live server accepts a short queue of connections; more parallel clients than that get a connection
# reset from the socket, not an answer from the portal. 16, as in the other race tests, keeps the server busy.
WORKERS = 16
CSRF = "e" * 32


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: Any) -> None:
    # 500 registrations from one address within seconds: the per-address limit would turn most of them away.
    settings.RATELIMIT_ENABLE = False


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def post(url: str, session: str, fields: dict[str, str]) -> tuple[int, str]:
    """(status, Location) of one registration."""
    body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": CSRF}).encode()
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 - the local live server
    request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={CSRF}")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    opener = urllib.request.build_opener(NoRedirect)
    for attempt in range(3):
        try:
            with opener.open(request, timeout=120) as response:
                return int(response.status), response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            return int(error.code), error.headers.get("Location", "")
        except (ConnectionResetError, ConnectionRefusedError):
            # Refused at the socket before the portal saw the request (a full accept queue): send it again, as
            # a browser would. An answer of the portal is never retried.
            time.sleep(0.2 * (attempt + 1))
    raise ConnectionError(f"{url}: no connection after three attempts")


def signed_in_people(count: int, prefix: str) -> list[str]:
    """Session cookies of ``count`` established accounts (no proof of work asked of them)."""
    users = User.objects.bulk_create(
        User(email=f"{prefix}{i}@example.org", display_name=f"Person {i}", date_joined=OLD) for i in range(count)
    )
    sessions = []
    for user in users:
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return sessions


def race(live_server: Any, event: Event, jobs: list[tuple[str, dict[str, str]]]) -> list[tuple[int, str]]:
    url = live_server.url + reverse("events:register", kwargs={"org_slug": event.organisation.slug,
                                                               "event_slug": event.slug})  # fmt: skip
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(lambda job: post(url, *job), jobs))


def check_responses(results: list[tuple[int, str]], event: Event) -> None:
    statuses = sorted({status for status, _location in results})
    assert all(status < 500 for status, _location in results), statuses
    registered = reverse("events:registered", kwargs={"org_slug": event.organisation.slug, "event_slug": event.slug})
    assert all(status == 302 and location == registered for status, location in results), statuses


def held_places(capacity: CapacityCategory) -> int:
    """The places the registrations of the category hold, counted from the rows."""
    rows = Registration.objects.filter(capacity=capacity, status__in=HOLDING)
    return rows.aggregate(places=Sum(F("companions") + 1, default=0))["places"]


def statuses_of(capacity: CapacityCategory) -> dict[str, int]:
    rows = Registration.objects.filter(capacity=capacity).values("status").annotate(n=Count("pk")).order_by()
    return {row["status"]: row["n"] for row in rows}


def test_500_registrations_for_100_places(live_server: Any) -> None:
    event = make_event(OrganisationFactory(), capacity=100)
    sessions = signed_in_people(PEOPLE, "rennen")

    results = race(live_server, event, [(session, {"name": f"Person {n}"}) for n, session in enumerate(sessions)])

    check_responses(results, event)
    capacity = event.capacities.get()
    assert statuses_of(capacity) == {RegistrationStatus.CONFIRMED: 100, RegistrationStatus.WAITING: 400}
    assert capacity.taken == 100 == held_places(capacity)
    assert Registration.objects.filter(event=event, email_confirmed=True).count() == PEOPLE  # accounts: proven
    assert Registration.objects.values("email").distinct().count() == PEOPLE  # everyone exactly once


def test_parties_of_two_in_two_capacity_categories(live_server: Any) -> None:
    event = make_event(OrganisationFactory(), capacity=101, kind="hybrid", online_url="https://konferenz.example.org",
                       max_companions=1)  # fmt: skip
    on_site = event.capacities.get()
    online = CapacityCategory.objects.create(event=event, name="Online", capacity=60, position=1)
    sessions = signed_in_people(PEOPLE, "paare")
    jobs = [(session, {"name": f"Person {n}", "companions": "1", "capacity": str((on_site, online)[n % 2].pk)})
            for n, session in enumerate(sessions)]  # fmt: skip

    results = race(live_server, event, jobs)

    check_responses(results, event)
    on_site.refresh_from_db(), online.refresh_from_db()
    # 101 places take 50 parties of two; the last place stays free (a party is never split or squeezed in).
    assert statuses_of(on_site) == {RegistrationStatus.CONFIRMED: 50, RegistrationStatus.WAITING: 200}
    assert on_site.taken == 100 == held_places(on_site)
    assert statuses_of(online) == {RegistrationStatus.CONFIRMED: 30, RegistrationStatus.WAITING: 220}
    assert online.taken == 60 == held_places(online)
    assert set(Registration.objects.filter(event=event).values_list("companions", flat=True)) == {1}
