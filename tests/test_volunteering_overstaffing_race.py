"""The overstaffing race: hundreds of volunteers press "Eintragen" for one shift at the same moment, against a
live server, far more than the shift has places.

Runs on whichever database the suite runs on (SQLite in `make test`, PostgreSQL when DATABASE_URL points to
it). Every request posts the real sign-up form as a signed-in account with an accepted application (session
cookie from ``force_login``, a CSRF cookie), from many threads at once; some people press twice. However the
requests interleave, the shift gets exactly ``max_helpers`` helpers (``Shift.taken`` rises only by the
conditional UPDATE ``taken < max_helpers``), everybody else is on the waiting list exactly once, and nobody gets
a server error (on SQLite, "database is locked" must never surface as a 500).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db.models import Count
from django.urls import reverse

from mitwirken.accounts.models import User
from mitwirken.volunteering.models import (
    Application,
    ApplicationStatus,
    Exchange,
    Shift,
    ShiftSignup,
    SignupStatus,
)
from mitwirken.volunteering.services import shifts as service

from .factories import OrganisationFactory, UserFactory
from .test_events_overbooking_race import CSRF, WORKERS, post, signed_in_people
from .volunteering_fixtures import make_engagement_organisation, make_opportunity, make_shift

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.burst]

PEOPLE = 200  # "200 simultaneous sign-ups for 10 places give exactly 10"
PLACES = 10
TWICE = 40  # of them press the button a second time, at the same moment as everyone else


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: Any) -> None:
    settings.RATELIMIT_ENABLE = False


def shift_with_applicants(count: int) -> tuple[Shift, list[str]]:
    tenant = OrganisationFactory(name="Verbandsgemeinde Rennhausen")
    club = make_engagement_organisation(Exchange.objects.create(organisation=tenant), "Tafel Rennhausen",
                                       coordinator=UserFactory(email="tafel@example.org"))  # fmt: skip
    opportunity = make_opportunity(club, "Lebensmittel ausgeben")
    shift = make_shift(opportunity, days=7, max_helpers=PLACES)
    sessions = signed_in_people(count, "schicht")
    Application.objects.bulk_create(
        Application(opportunity=opportunity, volunteer=user, status=ApplicationStatus.ACCEPTED)
        for user in User.objects.filter(email__startswith="schicht")
    )
    return shift, sessions


def race(jobs: list[tuple[str, str]]) -> list[tuple[int, str]]:
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(lambda job: post(job[0], job[1], {}), jobs))


def test_200_sign_ups_for_10_places(live_server: Any) -> None:
    shift, sessions = shift_with_applicants(PEOPLE)
    url = live_server.url + reverse("volunteering:shift_sign_up", kwargs={"pk": shift.pk})
    back = reverse("volunteering:shifts", kwargs={"pk": shift.opportunity_id}) + f"#schicht-{shift.pk}"
    # The double presses are spread through the crowd, not queued after it.
    jobs = [session for n, session in enumerate(sessions) for _ in range(2 if n % (PEOPLE // TWICE) == 0 else 1)]
    assert len(jobs) == PEOPLE + TWICE and CSRF

    results = race([(url, session) for session in jobs])

    codes = sorted({status for status, _location in results})
    assert all(status < 500 for status, _location in results), codes
    assert all(status == 302 and location == back for status, location in results), codes
    shift.refresh_from_db()
    counts = dict(ShiftSignup.objects.filter(shift=shift).values_list("status").annotate(n=Count("pk")).order_by())
    assert counts == {SignupStatus.CONFIRMED: PLACES, SignupStatus.WAITING: PEOPLE - PLACES}
    assert shift.taken == PLACES
    # Everyone exactly once, whether they pressed once or twice.
    assert ShiftSignup.objects.filter(shift=shift).values("volunteer").distinct().count() == PEOPLE


def test_cancellations_and_sign_ups_at_once_leave_no_place_free_while_people_wait(live_server: Any) -> None:
    """A full shift: its 10 helpers cancel while 30 others sign up. Whatever the order, the counter matches the
    confirmed rows, and nobody waits while a place is free. (The window this guards, a cancellation that saw
    nobody waiting and a sign-up that saw the shift full both written, is narrow; the shift-row lock in
    ``services.shifts`` closes it, and this test checks the outcome under load, without deadlocks.)"""
    shift, sessions = shift_with_applicants(40)
    helpers = list(User.objects.filter(email__startswith="schicht").order_by("pk")[:PLACES])
    signups = [service.sign_up(shift, person) for person in helpers]
    sign_up_url = live_server.url + reverse("volunteering:shift_sign_up", kwargs={"pk": shift.pk})
    cancels = [(live_server.url + reverse("volunteering:shift_cancel", kwargs={"pk": s.pk}), session)
               for s, session in zip(signups, sessions[:PLACES], strict=True)]  # fmt: skip
    joins = [(sign_up_url, session) for session in sessions[PLACES:]]
    jobs = [job for pair in zip(joins, cancels + [None] * len(joins), strict=False) for job in pair if job]

    results = race(jobs)

    assert all(status == 302 for status, _location in results), sorted({status for status, _ in results})
    shift.refresh_from_db()
    rows = ShiftSignup.objects.filter(shift=shift)
    confirmed = rows.filter(status=SignupStatus.CONFIRMED).count()
    waiting = rows.filter(status=SignupStatus.WAITING).count()
    assert rows.filter(status=SignupStatus.CANCELLED).count() == PLACES
    assert shift.taken == confirmed == PLACES  # 30 people for 10 freed places: all places go again
    assert waiting == 30 - PLACES
