"""Mein Bereich (/konto/), the staff overview (/verwaltung/<org>/) and the portal search, fed by the plugins.

Each page must show what every module contributes and cost the same number of queries at 10 and at 1,000
items per module.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mitwirken.dialogue.models import Blueprint
from mitwirken.formal.models import Statement, StatementDraft
from mitwirken.projects.models import Invitation, ProjectStatus
from mitwirken.reports.models import CategoryTemplate, Report, ReportStatus, ReportUpdate

from .dialogue_fixtures import make_dialogue
from .dialogue_helpers import bulk_comments, bulk_ideas
from .factories import ProjectFactory
from .formal_fixtures import make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(world):
    procedure = make_procedure(world.personas["case_worker"], world.public)
    track = procedure.rounds.get().tracks.get()
    dialogue = make_dialogue(world.public, Blueprint.BRAINSTORMING)
    category = CategoryTemplate.objects.create(code="schlagloch", name="Schlagloch")
    return {"procedure": procedure, "track": track, "dialogue": dialogue, "category": category,
            "idea": bulk_ideas(dialogue, 1, [world.personas["invited"]])[0]}  # fmt: skip


def add_items(world, setting, count, *, user=None):
    """``count`` statements, defect reports (each with an answer), ideas, comments and invitations of ``user``."""
    user = user or world.personas["citizen"]
    now = timezone.now()
    start = Statement.objects.count()
    Statement.objects.bulk_create(
        Statement(procedure=setting["procedure"], track=setting["track"], reference=f"MK-2026-ROV-{start + i + 1:06d}",
                  text="Einwand", received_at=now - timedelta(minutes=i), content_sha256="0" * 64, author=user,
                  author_name="Erika Muster", assignee=world.personas["case_worker"] if i % 2 else None)
        for i in range(count)
    )  # fmt: skip
    reports = Report.objects.bulk_create(
        Report(organisation=world.organisation, category=setting["category"], description=f"Loch {i}", lon=7.6,
               lat=50.0, status=ReportStatus.OPEN if i % 2 else ReportStatus.FIXED, reporter=user,
               created_at=now - timedelta(days=i % 12), updated_at=now - timedelta(days=i % 12))
        for i in range(count)
    )  # fmt: skip
    ReportUpdate.objects.bulk_create(
        ReportUpdate(report=report, status=report.status, message="Wir kümmern uns.", organisation=world.organisation)
        for report in reports
    )
    bulk_ideas(setting["dialogue"], count, [user])
    bulk_comments([user], count, idea=setting["idea"])
    projects = ProjectFactory.create_batch(2, organisation=world.organisation, status=ProjectStatus.PUBLISHED)
    Invitation.objects.bulk_create(
        Invitation(project=projects[i % 2], email=user.email, role="participant", token=f"t{start}-{i}",
                   expires_at=now + timedelta(days=10))
        for i in range(count)
    )  # fmt: skip


def queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        assert response.status_code == 200, url
    return len(context.captured_queries)


def test_mein_bereich_shows_what_the_person_did_in_every_module(world, setting):
    add_items(world, setting, 3)
    StatementDraft.objects.create(track=setting["track"], author=world.personas["citizen"], data={"text": "halb"})
    content = world.client("citizen").get("/konto/").content.decode()
    statement = Statement.objects.filter(author=world.personas["citizen"]).first()
    assert statement.reference in content and "eingangsbestaetigung.pdf" in content
    assert "Entwurf zu" in content and "Frist bis einschließlich" in content
    assert "Meine Meldungen an den Mängelmelder" in content and "Wir kümmern uns." in content
    assert "Idee " in content and "Kommentar " in content
    assert "Einladung zu" in content


def test_mein_bereich_shows_nobody_elses_things(world, setting):
    add_items(world, setting, 3, user=world.personas["invited"])
    content = world.client("citizen").get("/konto/").content.decode()
    assert "MK-2026-ROV-" not in content and "Loch 1" not in content and "Einladung zu" not in content
    assert world.client("anonymous").get("/konto/").status_code == 302


def test_each_block_of_mein_bereich_pages_on_its_own(world, setting):
    add_items(world, setting, 25)
    client = world.client("citizen")
    first = client.get("/konto/").content.decode()
    second = client.get("/konto/?stellungnahmen=3").content.decode()
    assert "Seite 1 von 3" in first and "Seite 3 von 3" in second
    assert "stellungnahmen=2" in first


def test_mein_bereich_has_a_constant_number_of_queries(world, setting):
    client = world.client("citizen")
    add_items(world, setting, 10)
    queries(client, "/konto/")  # warms the content-type cache, which a test run alone starts without
    small = queries(client, "/konto/")
    add_items(world, setting, 990)
    assert queries(client, "/konto/") == small


def test_staff_overview_lists_the_waiting_work_of_every_module(world, setting):
    add_items(world, setting, 12)
    content = world.client("case_worker").get(f"/verwaltung/{world.organisation.slug}/").content.decode()
    assert "Stellungnahmen ohne Zuständigkeit" in content and "unassigned=on" in content
    assert "6 Stellungnahmen mir zugewiesen" in content
    assert "Meldungen" in content and "overdue=1" in content
    assert "Einladungen nicht angenommen" in content
    # Half of the statements are the case worker's; none is the organisation admin's.
    admin_view = world.client("org_admin").get(f"/verwaltung/{world.organisation.slug}/").content.decode()
    assert "Stellungnahmen ohne Zuständigkeit" in admin_view and "mir zugewiesen" not in admin_view


def test_every_overview_entry_opens_a_list_that_contains_the_work(world, setting):
    import re

    add_items(world, setting, 6)
    client = world.client("case_worker")
    content = client.get(f"/verwaltung/{world.organisation.slug}/").content.decode()
    links = re.findall(r'<li class="work-item[^"]*">.*?<a class="kern-link" href="([^"]+)"', content)
    assert len(links) >= 4
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link
    unassigned = next(link for link in links if "unassigned=on" in link).replace("&amp;", "&")
    page = client.get(unassigned).content.decode()
    expected = Statement.objects.filter(assignee__isnull=True).order_by("-received_at").first()
    assigned = Statement.objects.filter(assignee__isnull=False).first()
    assert expected.reference in page and assigned.reference not in page


def test_staff_overview_has_a_constant_number_of_queries(world, setting):
    client = world.client("case_worker")
    url = f"/verwaltung/{world.organisation.slug}/"
    add_items(world, setting, 10)
    small = queries(client, url)
    add_items(world, setting, 990)
    assert queries(client, url) == small


def test_staff_overview_is_only_for_the_organisations_staff(world):
    url = f"/verwaltung/{world.organisation.slug}/"
    for persona in ("citizen", "invited", "other_org_admin"):
        assert world.client(persona).get(url).status_code in (302, 404), persona


def test_search_finds_projects_ideas_and_reports_but_nothing_protected(world, setting):
    add_items(world, setting, 2)
    hidden = make_dialogue(world.protected, Blueprint.BRAINSTORMING)
    bulk_ideas(hidden, 1, [world.personas["invited"]])
    client = world.client("anonymous")
    content = client.get("/suche/?q=Idee").content.decode()
    assert "Treffer" in content and hidden.project.slug not in content
    assert "Loch" in client.get("/suche/?q=Loch").content.decode()
    assert world.public.title in client.get(f"/suche/?q={world.public.title}").content.decode()
    assert "mindestens zwei Zeichen" in client.get("/suche/?q=x").content.decode()


def test_the_daily_job_runs_every_plugin(world, setting, capsys):
    call_command("daily")
    out = capsys.readouterr().out
    assert "participation: erledigt" in out and "maengelmelder: erledigt" in out and "formal: erledigt" in out


def test_the_organisations_figures_have_a_page_of_their_own_with_constant_queries(world, setting):
    client = world.client("case_worker")
    url = f"/verwaltung/{world.organisation.slug}/zahlen/"
    add_items(world, setting, 10)
    small = queries(client, url)
    content = client.get(url).content.decode()
    assert "Stellungnahmen" in content and "Offene Mängelmeldungen" in content and "Ideen und Beiträge" in content
    add_items(world, setting, 990)
    assert queries(client, url) == small
    assert world.client("other_org_admin").get(url).status_code == 404


def test_staff_overview_counts_only_open_work(world, setting):
    """The counts come from partial indexes over open statements and open reports: closed work never counts."""
    from mitwirken.formal.models import StatementStatus

    add_items(world, setting, 4)  # two statements unassigned, two the case worker's; two reports open, unassigned
    url = f"/verwaltung/{world.organisation.slug}/"
    content = world.client("case_worker").get(url).content.decode()
    assert "2 Stellungnahmen ohne Zuständigkeit" in content and "2 neue Meldungen ohne Bearbeitung" in content
    Statement.objects.filter(pk=Statement.objects.filter(assignee__isnull=True).first().pk).update(
        status=StatementStatus.WEIGHED
    )
    Statement.objects.filter(assignee__isnull=False).update(status=StatementStatus.IN_PROGRESS)
    Report.objects.filter(pk=Report.objects.filter(status=ReportStatus.OPEN).first().pk).update(
        status=ReportStatus.IN_PROGRESS
    )
    content = world.client("case_worker").get(url).content.decode()
    assert "1 Stellungnahme ohne Zuständigkeit" in content and "2 Stellungnahmen mir zugewiesen" in content
    assert "1 neue Meldung ohne Bearbeitung" in content
