"""Browser journey through the procedure's "Analyse" tab: a case worker turns a topic proposal into a topic, and
the acceptance page shows the figures. Every page is checked with axe-core (see ``browser.py``); the phone layout
must not scroll sideways. ``MITWIRKEN_DOC_SCREENSHOTS=<dir>`` also writes the pictures for docs/analysis.md."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mitwirken.analysis import decisions
from mitwirken.analysis.models import Outcome, SuggestionKind
from mitwirken.core.demo import DEMO_TOTP_SECRET
from mitwirken.formal import topics
from mitwirken.formal.models import Topic

from .factories import PASSWORD
from .formal_fixtures import make_procedure
from .test_browser_formal import backoffice_base
from .test_formal_analysis_page import add_statements, campaign, corpus_texts

if TYPE_CHECKING:
    from .browser import Browse

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def procedure(world: Any) -> Any:
    procedure = make_procedure(world.personas["case_worker"], world.public)
    add_statements(procedure, corpus_texts("kiesgrube", 20) + corpus_texts("windpark", 20)
                   + corpus_texts("stromtrasse", 20))  # fmt: skip
    campaign(procedure, 30)
    topics.compute(procedure)
    return procedure


def doc_screenshot(tab: Browse, name: str) -> None:
    folder = os.environ.get("MITWIRKEN_DOC_SCREENSHOTS")
    if folder:
        tab.page.screenshot(path=str(Path(folder) / name), full_page=True)


def staff_tab(new_tab: Any, world: Any, *, phone: bool = False) -> Browse:
    tab = new_tab(phone=phone)
    tab.log_in(world.personas["case_worker"].email, PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    return tab


def test_case_worker_adopts_a_topic_and_sees_the_acceptance(new_tab: Any, world: Any, procedure: Any) -> None:
    actor = world.personas["case_worker"]
    entries, _meta = topics.entries(procedure)
    # Earlier decisions, made through the services: one proposal discarded, and suggestions of the other kinds.
    topics.proposal_discard(actor=actor, procedure=procedure, key=entries[-1].key)
    for kind, outcome in [
        (SuggestionKind.SEGMENT, Outcome.ACCEPTED),
        (SuggestionKind.SEGMENT, Outcome.ADJUSTED),
        (SuggestionKind.SEGMENT, Outcome.REJECTED),
        (SuggestionKind.KEYWORD, Outcome.ACCEPTED),
        (SuggestionKind.ANSWER, Outcome.REJECTED),
        (SuggestionKind.GROUP, Outcome.ACCEPTED),
    ]:
        decisions.record(actor=actor, organisation=world.organisation, module=procedure.module, kind=kind,
                         outcome=outcome)  # fmt: skip

    tab = staff_tab(new_tab, world)
    page = tab.page
    tab.open(backoffice_base(procedure))
    tab.click(page.get_by_role("navigation", name="Bereiche des Verfahrens").get_by_role("link", name="Analyse"))
    main = page.locator("main")
    assert "Zuletzt berechnet am" in main.inner_text()
    first = entries[0]
    article = page.locator("article.analysis-proposal").first
    assert first.name in article.inner_text()
    assert "Zusammenfassung in Sätzen aus den Stellungnahmen" in article.inner_text()
    doc_screenshot(tab, "formal-analyse.png")
    article.get_by_label("Name des Themas").fill("Kiesabbau")
    article.get_by_label("Schlagworte (durch Komma getrennt)").fill("Grundwasser, Lärm")
    tab.click(article.get_by_role("button", name="Als Thema übernehmen"))
    assert "Das Thema ist mit seinen Schlagworten angelegt." in main.inner_text()
    topic = Topic.objects.get(procedure=procedure, name="Kiesabbau")
    assert sorted(topic.keywords.values_list("name", flat=True)) == ["Grundwasser", "Lärm"]
    assert "Kiesabbau: als Thema übernommen" in main.inner_text()

    tab.click(page.get_by_role("link", name="Annahme der Vorschläge ansehen"))
    rows = {row.locator("th").inner_text(): row.locator("td").all_inner_texts()
            for row in page.locator("tbody tr").all()}  # fmt: skip
    assert rows["Themenvorschlag"] == ["2", "0", "1", "1", "50 %"]  # renamed and re-keyworded: adjusted
    assert rows["Abschnittsvorschlag"] == ["3", "1", "1", "1", "67 %"]
    assert rows["Schlagwortvorschlag"] == ["1", "1", "0", "0", "100 %"]
    assert rows["Antwortvorschlag"] == ["1", "0", "0", "1", "0 %"]
    assert rows["Masseneinwendung"] == ["1", "1", "0", "0", "100 %"]
    doc_screenshot(tab, "formal-annahme.png")
    tab.assert_all_checked()


def test_analysis_on_the_phone(new_tab: Any, world: Any, procedure: Any) -> None:
    tab = staff_tab(new_tab, world, phone=True)
    page = tab.page
    tab.open(backoffice_base(procedure) + "analyse/")
    assert page.locator("article.analysis-proposal").count() >= 3
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    doc_screenshot(tab, "formal-analyse-handy.png")
    tab.open(backoffice_base(procedure) + "analyse/annahme/")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    tab.assert_all_checked()
