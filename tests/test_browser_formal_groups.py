"""Browser journey for mass objections (issue #18): statements arrive, the analysis places them in a proposed group
(after the commit, as in production), and a case worker reviews the group: sees what a member adds (marked), takes
one out, and confirms the group. Every page is checked with axe-core (see ``browser.py``); the group page also on
a phone.
"""

from __future__ import annotations

from typing import Any

import pytest

from mitwirken.analysis.models import Decision
from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.formal.models import Statement

from .browser import PHONE
from .factories import PASSWORD
from .formal_fixtures import make_procedure
from .test_browser_formal import backoffice_base
from .test_formal_grouping import record, small_campaign

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def procedure(world: Any) -> Any:
    return make_procedure(world.personas["case_worker"], world.public)


def test_case_worker_reviews_and_confirms_a_proposed_group(new_tab: Any, world: Any, procedure: Any) -> None:
    track = procedure.rounds.get().tracks.get()
    rows = small_campaign()  # the plain letter, then a copy with a paragraph of its own, then other copies
    # Recorded one by one and committed: each is placed by the task that its recording enqueued.
    lead, own, *others = (record(world, track, row["text"], 100 - n) for n, row in enumerate(rows))
    assert Statement.objects.get(pk=own.pk).proposed_lead_id == lead.pk

    tab = new_tab()
    tab.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    page = tab.page
    tab.open(backoffice_base(procedure) + "eingang/")
    tab.click(page.get_by_role("link", name="Masseneinwendungen"))
    main = page.locator("main")
    assert "1 Gruppe" in main.inner_text() and "vorgeschlagen" in main.inner_text()
    tab.click(page.get_by_role("link", name=lead.reference))

    # What the copy adds to the lead is marked, and flagged as an own point.
    member = page.locator(f"#mitglied-{own.pk}")
    assert member.locator("mark").first.is_visible()
    added = " ".join(member.locator("mark").all_inner_texts())
    assert added and added.split()[0] not in Statement.objects.get(pk=lead.pk).text.split("\n\n")[-1]
    assert "eigener Punkt" in member.inner_text() and "Warum in der Gruppe" in member.inner_text()

    # One copy out, then the rest confirmed.
    out = others[0]
    tab.click(page.get_by_role("button", name=f"{out.reference} aus der Gruppe nehmen"))
    assert f"{out.reference} gehört nicht mehr zur Gruppe" in main.inner_text()
    assert page.locator(f"#mitglied-{out.pk}").count() == 0
    tab.click(page.get_by_role("button", name="Gruppe bestätigen"))
    assert "Die Gruppe ist bestätigt" in main.inner_text()
    assert page.get_by_role("button", name="Gruppe bestätigen").count() == 0

    statements = {s.pk: s for s in Statement.objects.filter(procedure=procedure)}
    assert statements[out.pk].grouping_declined and statements[out.pk].lead_id is None
    assert all(statements[s.pk].lead_id == lead.pk for s in [own, *others[1:]])
    assert statements[own.pk].needs_own_response
    assert sorted(Decision.objects.values_list("outcome", flat=True)) == ["adjusted", "rejected"]

    # The member's own page says it needs its own response; the inbox filter finds it.
    tab.open(backoffice_base(procedure) + f"eingang/{own.pk}/")
    assert "braucht eigene Erwiderung" in main.inner_text()
    tab.open(backoffice_base(procedure) + "eingang/?own_response=on")
    assert own.reference in main.inner_text() and lead.reference not in main.inner_text()

    # The group page on a phone: nothing scrolls sideways.
    phone = new_tab(phone=True)
    phone.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    phone.open(backoffice_base(procedure) + f"masseneinwendungen/{lead.pk}/")
    assert phone.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
