"""§ 72a SGB VIII records: only the inspection is recorded (no upload anywhere), only the volunteer and the
organisation's coordinators see it (never the Börse's staff), and the daily job deletes records at its edges."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import rules
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mitwirken.core import plugins
from mitwirken.volunteering.models import (
    Application,
    ApplicationStatus,
    OpportunityStatus,
    PoliceCertificateRecord,
)
from mitwirken.volunteering.services import police

from .conftest import login
from .volunteering_fixtures import VolunteeringWorld, make_opportunity, volunteering_world

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 6)
DAYS = settings.MITWIRKEN_POLICE_RECORD_DAYS


@pytest.fixture
def vw(world: Any) -> VolunteeringWorld:
    world_ = volunteering_world(world)
    world_.opportunity.police_certificate = True
    world_.opportunity.save()
    return world_


def application(vw: VolunteeringWorld, status: str = ApplicationStatus.ACCEPTED, volunteer: Any = None,
                opportunity: Any = None, **fields: Any) -> Application:  # fmt: skip
    return Application.objects.create(opportunity=opportunity or vw.opportunity, volunteer=volunteer or vw.volunteer,
                                      status=status, **fields)  # fmt: skip


def recorded(vw: VolunteeringWorld, app: Application) -> PoliceCertificateRecord:
    return PoliceCertificateRecord.objects.create(
        organisation=app.opportunity.organisation, volunteer=app.volunteer, application=app,
        certificate_date=date(2026, 1, 10), inspected_on=date(2026, 1, 20), relevant_entry=False,
    )  # fmt: skip


def page_url(vw: VolunteeringWorld, app: Application) -> str:
    return reverse("volunteering:police_record", kwargs={"org_slug": vw.club.slug, "pk": app.pk})


def test_the_coordinator_records_the_inspection_and_nothing_can_be_uploaded(vw: VolunteeringWorld) -> None:
    app = application(vw)
    client = login(Client(), vw.coordinator)
    page = client.get(page_url(vw, app)).content.decode()
    assert 'type="file"' not in page and "multipart" not in page
    response = client.post(page_url(vw, app), {"certificate_date": "2026-01-10", "inspected_on": "2026-01-20",
                                               "relevant_entry": "no"})  # fmt: skip
    assert response.status_code == 302
    record = PoliceCertificateRecord.objects.get()
    assert (record.volunteer, record.organisation, record.relevant_entry) == (vw.volunteer, vw.club, False)
    assert {field.name for field in PoliceCertificateRecord._meta.get_fields()}.isdisjoint({"file", "document"})
    volunteer_page = login(Client(), vw.volunteer).get(reverse("volunteering:my_hours")).content.decode()
    assert "eingesehen am 20.01.2026, ausgestellt am 10.01.2026" in volunteer_page
    assert "keine einschlägige Eintragung" in volunteer_page


def test_bad_dates_get_german_messages_and_nothing_is_saved(vw: VolunteeringWorld) -> None:
    app = application(vw)
    client = login(Client(), vw.coordinator)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(page_url(vw, app), {"certificate_date": future, "inspected_on": "2026-01-20",
                                               "relevant_entry": "no"})  # fmt: skip
    assert "Das Ausstellungsdatum darf nicht in der Zukunft liegen." in response.content.decode()
    response = client.post(page_url(vw, app), {"certificate_date": "2026-01-20", "inspected_on": "2026-01-10",
                                               "relevant_entry": "yes"})  # fmt: skip
    assert "Die Einsicht kann nicht vor der Ausstellung liegen." in response.content.decode()
    assert not PoliceCertificateRecord.objects.exists()


def test_nobody_else_sees_a_record(vw: VolunteeringWorld, world: Any) -> None:
    app = application(vw)
    record = recorded(vw, app)
    # The rule itself (Django's has_perm grants a superuser everything; the views ask the rule).
    assert rules.has_perm("volunteering.view_police_record", vw.volunteer, record)
    assert rules.has_perm("volunteering.view_police_record", vw.coordinator, record)
    outsiders = [vw.other_volunteer, vw.other_coordinator, world.personas["case_worker"],
                 world.personas["org_admin"], world.personas["other_org_admin"], world.personas["portal_admin"]]  # fmt: skip
    for person in outsiders:
        assert not rules.has_perm("volunteering.view_police_record", person, record), person
        assert login(Client(), person).get(page_url(vw, app)).status_code == 404
        assert "eingesehen am" not in login(Client(), person).get(reverse("volunteering:my_hours")).content.decode()
    assert Client().get(page_url(vw, app)).status_code == 302


def test_no_page_for_opportunities_without_the_requirement(vw: VolunteeringWorld) -> None:
    app = application(vw, opportunity=make_opportunity(vw.club, "Kuchen backen"))
    assert login(Client(), vw.coordinator).get(page_url(vw, app)).status_code == 404


def test_no_record_for_a_declined_application(vw: VolunteeringWorld) -> None:
    app = application(vw, status=ApplicationStatus.DECLINED)
    response = login(Client(), vw.coordinator).post(page_url(vw, app), {
        "certificate_date": "2026-01-10", "inspected_on": "2026-01-20", "relevant_entry": "no"})  # fmt: skip
    assert "keine Einsicht mehr erfasst" in response.content.decode()
    assert not PoliceCertificateRecord.objects.exists()


def ending(vw: VolunteeringWorld, title: str, ends_on: date) -> Any:
    return make_opportunity(vw.club, title, police_certificate=True, starts_on=ends_on - timedelta(days=30),
                            ends_on=ends_on)  # fmt: skip


def test_the_daily_job_deletes_at_the_edges(vw: VolunteeringWorld) -> None:
    people = iter(range(100))

    def record_for(status: str = ApplicationStatus.ACCEPTED, opportunity: Any = None, **fields: Any) -> Any:
        from .volunteering_fixtures import make_volunteer

        person = make_volunteer(f"p{next(people)}@example.org")
        return recorded(vw, application(vw, status=status, volunteer=person, opportunity=opportunity, **fields))

    keep = [
        record_for(),  # engaged
        record_for(ApplicationStatus.OPEN),  # about to start
        record_for(ApplicationStatus.ENDED, ended_on=TODAY - timedelta(days=DAYS)),  # the last day it is kept
        record_for(opportunity=ending(vw, "A", TODAY - timedelta(days=DAYS))),
    ]
    delete = [
        record_for(ApplicationStatus.DECLINED),  # did not start
        record_for(ApplicationStatus.WITHDRAWN),
        record_for(ApplicationStatus.ENDED, ended_on=TODAY - timedelta(days=DAYS + 1)),
        record_for(opportunity=ending(vw, "B", TODAY - timedelta(days=DAYS + 1))),
    ]
    # Marked ended on TODAY (German time), whatever the clock of the machine running the test says.
    with time_machine.travel("2026-12-06 12:00 +01:00", tick=False):
        ended = make_opportunity(vw.club, "C", police_certificate=True, status=OpportunityStatus.ENDED)
        record_for(opportunity=ended)
    assert police.delete_due(TODAY) == len(delete)
    remaining = set(PoliceCertificateRecord.objects.values_list("pk", flat=True))
    assert {record.pk for record in keep} <= remaining
    assert not {record.pk for record in delete} & remaining
    # An opportunity marked ended just now keeps its records for the period, and loses them after it.
    assert PoliceCertificateRecord.objects.filter(application__opportunity=ended).exists()
    assert police.delete_due(TODAY + timedelta(days=DAYS + 1)) >= 1
    assert not PoliceCertificateRecord.objects.filter(application__opportunity=ended).exists()


def test_the_plugins_daily_job_runs_the_deletion(vw: VolunteeringWorld) -> None:
    recorded(vw, application(vw, status=ApplicationStatus.WITHDRAWN))
    (plugin,) = [plugin for plugin in plugins.all_plugins() if plugin.key == "volunteering"]
    plugin.load("daily")()
    assert not PoliceCertificateRecord.objects.exists()
