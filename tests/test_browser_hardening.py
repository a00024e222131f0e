"""Issue 10 in Chromium: the map popup sink, and the project's XSS corpus rendered on the citizen-facing pages.

A payload that runs is noticed three ways: a dialog event (``alert``), the console marker ``XSSRAN`` and
``window.__xss``; the sentinel is proven to work first. Every page is checked with axe-core (browser.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
from django.core.cache import cache
from django.test import Client

from mitwirken.dialogue import services as dialogue_services
from mitwirken.dialogue.models import Idea
from mitwirken.formal import services as formal_services
from mitwirken.participation import services as participation_services
from mitwirken.reports.models import CategoryTemplate, OrganisationCategory, Report

from . import corpora
from .conftest import login
from .dialogue_fixtures import make_dialogue
from .dialogue_helpers import established
from .factories import PASSWORD
from .formal_fixtures import make_procedure
from .test_browser_dialogue import idea_path, map_module

if TYPE_CHECKING:
    from .browser import Browse

pytest_plugins = ["tests.browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMG_PAYLOAD = '<img src=x onerror="window.__xss=1;console.log(/XSSRAN/.source);alert(1)">'


class Watch:
    """Everything a payload that ran would leave behind on a tab."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.markers: list[str] = []
        page.on("dialog", self._dialog)
        page.on(
            "console", lambda message: self.markers.append(message.text) if corpora.MARKER in message.text else None
        )

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_nothing_ran(self, where: str) -> None:
        ran = self.page.evaluate("() => window.__xss ?? null")
        assert (ran, self.dialogs, self.markers) == (None, [], []), where


def test_category_name_in_the_map_popup_is_text(new_tab: Any, world: Any) -> None:
    category = CategoryTemplate.objects.create(code="xss", name=IMG_PAYLOAD)
    OrganisationCategory.objects.create(organisation=world.organisation, template=category)
    report = Report.objects.create(organisation=world.organisation, category=category, description="Loch",
                                   lon=7.6, lat=50.05, status="open")  # fmt: skip
    tab: Browse = new_tab()
    watch = Watch(tab.page)
    tab.open("/maengelmelder/")
    marker = tab.page.locator(".leaflet-overlay-pane path.leaflet-interactive").first
    marker.wait_for()
    marker.click(force=True)
    popup = tab.page.locator(".leaflet-popup-content a")
    popup.wait_for()
    assert popup.inner_text() == f"#{report.pk} {IMG_PAYLOAD}"  # shown literally
    assert popup.get_attribute("href") == f"/maengelmelder/{report.pk}/"
    assert tab.page.locator(".leaflet-popup-content img").count() == 0
    watch.assert_nothing_ran("map popup")


def test_idea_title_in_the_points_map_popup_is_text(new_tab: Any, world: Any) -> None:
    module = map_module(world.public)
    author = established(world.personas["citizen"]) or world.personas["citizen"]
    idea = dialogue_services.idea_create(user=author, module=module, title=IMG_PAYLOAD[:160], text="<p>Text</p>",
                                         lon=7.6, lat=50.05)  # fmt: skip
    tab: Browse = new_tab()
    watch = Watch(tab.page)
    tab.open(f"/{world.organisation.slug}/projekte/{world.public.slug}/module/{module.pk}/")
    marker = tab.page.locator(".leaflet-overlay-pane path.leaflet-interactive").first
    marker.wait_for()
    marker.click(force=True)
    popup = tab.page.locator(".leaflet-popup-content a")
    popup.wait_for()
    assert popup.inner_text() == idea.title
    watch.assert_nothing_ran("points map popup")


def test_xss_corpus_through_citizen_inputs_never_runs(new_tab: Any, world: Any) -> None:
    """The corpus goes in through the real forms (server side, fast) and is rendered in Chromium."""
    payloads = corpora.xss_sample(40)
    assert {name for name, items in corpora.xss_by_class().items() if set(items) & set(payloads)} == set(
        corpora.XSS_CLASSES
    )
    citizen = world.personas["citizen"]
    established(citizen, world.personas["invited"])
    client = login(Client(), citizen)

    dialogue = make_dialogue(world.public)
    base = f"/{world.organisation.slug}/projekte/{world.public.slug}/{dialogue.slug}/"
    for number, payload in enumerate(payloads[:12]):
        cache.clear()  # rate limits are not what this test is about
        response = client.post(
            base + "ideen/neu/", {"title": f"{number} {payload}"[:160], "text": f"<p>Vorschlag</p>{payload}"}
        )
        assert response.status_code == 302, response.content[:500]
    idea = Idea.objects.filter(module=dialogue).order_by("pk").first()
    for payload in payloads:  # the service is what the comment form calls
        participation_services.comment_create(user=world.personas["invited"], target=idea, text=payload)

    procedure = make_procedure(world.personas["case_worker"], world.public)
    track = procedure.rounds.get().tracks.get()
    formal_services.draft_save(user=citizen, track=track, data={
        "text": "\n".join(payloads), "author_name": payloads[0][:150], "street": payloads[1][:150],
        "postal_code": "55555", "city": payloads[2][:100]})  # fmt: skip
    key = str(formal_services.draft_for(user=citizen, track=track).submission_key)
    statement = formal_services.statement_submit(user=citizen, track=track, submission_key=key)

    tab: Browse = new_tab()
    watch = Watch(tab.page)
    tab.open("/")
    tab.page.evaluate("() => document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.__xss=99\">')")
    tab.page.wait_for_function("() => window.__xss === 99")  # the sentinel notices markup that runs
    tab.log_in(citizen.email, PASSWORD)
    pages = [
        f"/{world.organisation.slug}/projekte/{world.public.slug}/{dialogue.slug}/", idea_path(idea),
        f"/{world.organisation.slug}/projekte/{world.public.slug}/{procedure.module.slug}/stellungnahmen/"
        f"{statement.reference}/",
    ]  # fmt: skip
    for path in pages:
        tab.open(path)
        tab.page.wait_for_timeout(150)  # let onload/onerror handlers of any injected markup fire
        watch.assert_nothing_ran(path)
        html = tab.page.content()
        assert not re.search(r"<(img|svg|iframe|details|object)[^>]*\son\w+=", html, re.IGNORECASE), path
        assert "javascript:window.__xss" not in html.replace("&amp;", "&").lower().replace(" ", "") or (
            tab.page.locator("a[href^='javascript:' i]").count() == 0
        ), path
