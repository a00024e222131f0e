"""The participatory-budget race: people send many choices at the same moment, against a live server.

Runs on whichever database the suite runs on (SQLite in `make test`, PostgreSQL in CI's second pass), as the
other race tests do. Each person posts the real "Auswählen" form for every item of the budget from many threads
at once; each item alone fits, all of them together cost three times the budget. However the requests
interleave, nobody's choice costs more than the budget (``budget_choose`` locks the person's row first; SQLite's
IMMEDIATE transactions serialise the writes), the vote counters equal the rows, and nobody gets a server error.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count, Sum

from mitwirken.dialogue import services
from mitwirken.dialogue.models import Blueprint, Idea
from mitwirken.participation.models import Rating

from .dialogue_fixtures import make_dialogue
from .dialogue_helpers import durl
from .test_events_overbooking_race import WORKERS, post, signed_in_people

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.burst]

BUDGET = 100_000
COSTS = [20_000, 30_000, 25_000, 40_000, 35_000, 50_000, 45_000, 55_000]  # 300,000 in all
PEOPLE = 12


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: Any) -> None:
    settings.RATELIMIT_ENABLE = False


def test_concurrent_choices_never_exceed_the_budget(live_server: Any, world: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    staff = world.personas["case_worker"]
    module = make_dialogue(world.public, Blueprint.PRIORITISATION, "rate")
    services.settings_update(actor=staff, module=module, premoderation=False, budget=BUDGET)
    items = [services.item_create(actor=staff, module=module, title=f"Vorschlag {n}", text="<p>x</p>", cost=cost)
             for n, cost in enumerate(COSTS)]  # fmt: skip
    sessions = signed_in_people(PEOPLE, "haushalt")
    jobs = [(session, item) for session in sessions for item in items]

    def choose(job: tuple[str, Idea]) -> tuple[int, str]:
        session, item = job
        return post(live_server.url + durl(module, "budget_choose", idea_pk=item.pk), session, {"action": "choose"})

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(choose, jobs))

    statuses = sorted({status for status, _location in results})
    assert all(status == 302 for status, _location in results), statuses
    spent = (
        Rating.objects.filter(module=module, value=1)
        .values("user")
        .annotate(total=Sum("idea__cost"), n=Count("pk"))
        .order_by()
    )
    assert len(spent) == PEOPLE
    assert all(0 < row["total"] <= BUDGET for row in spent), [row["total"] for row in spent]
    # Every person got as far as the budget allows: no choice that would still fit was refused.
    cheapest = min(COSTS)
    for row in spent:
        chosen = set(Rating.objects.filter(module=module, user=row["user"]).values_list("object_pk", flat=True))
        left = BUDGET - row["total"]
        assert all(item.cost > left for item in items if item.pk not in chosen) or left < cheapest
    for item in Idea.objects.filter(module=module):
        assert item.positive_count == Rating.objects.filter(idea=item, value=1).count()
