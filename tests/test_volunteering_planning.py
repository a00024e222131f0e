"""Opportunities and shift planning in the coordinator area: bad input, the publish flow per verification
status, single shifts and weekly series (bad input, readable rule, at most 100), shifts with helpers kept, a
series' free future shifts deleted, foreign ids 404, and the lists' query counts."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mitwirken.volunteering.models import (
    Opportunity,
    OpportunityStatus,
    Shift,
    ShiftSeries,
    ShiftSignup,
    SignupStatus,
    VerificationStatus,
)
from mitwirken.volunteering.services import shift_planning

from .factories import UserFactory
from .volunteering_fixtures import make_engagement_organisation, make_opportunity, make_shift, volunteering_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def vw(world: Any) -> Any:
    return volunteering_world(world)


@pytest.fixture
def coordinator(vw: Any) -> Client:
    client = Client()
    client.force_login(vw.coordinator)
    return client


def url(name: str, organisation: Any, **kwargs: Any) -> str:
    return reverse(f"volunteering:{name}", kwargs={"org_slug": organisation.slug, **kwargs})


def opportunity_data(**changes: Any) -> dict[str, Any]:
    data = {"title": "Helfer für das Sommerfest", "description": "Aufbau, Kuchenstand, Abbau.", "field": "kultur",
            "place_name": "Festplatz", "street": "Am Anger 1", "postal_code": "56789", "city": "Beispielhausen",
            "commitment": "one_off", "hours_per_week": "", "starts_on": "2030-06-01", "ends_on": "2030-06-02",
            "volunteers_wanted": "8", "minimum_age": "14", "skills": "Backen", "languages": "Deutsch",
            "accessibility": "Ebenerdig", "step_free": "on", "expenses_reimbursed": "on",
            "application_required": "on", "signup_cutoff_hours": "24"}  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def form_errors(response: Any, form: str = "form") -> dict[str, list[str]]:
    return {key: list(value) for key, value in response.context[form].errors.items()}


# --- opportunities -----------------------------------------------------------------------------------------------


def test_create_an_opportunity_with_every_field(vw: Any, coordinator: Client) -> None:
    response = coordinator.post(url("opportunity_create", vw.club), opportunity_data(driving_licence="on",
                                                                                   police_certificate="on"))  # fmt: skip
    opportunity = Opportunity.objects.get(title="Helfer für das Sommerfest")
    assert response.status_code == 302 and response["Location"] == url(
        "shift_planning", vw.club, opportunity_pk=opportunity.pk
    )
    assert opportunity.status == OpportunityStatus.DRAFT and opportunity.organisation == vw.club
    assert opportunity.minimum_age == 14 and opportunity.volunteers_wanted == 8
    assert opportunity.driving_licence and opportunity.police_certificate and opportunity.step_free
    assert opportunity.ends_on == date(2030, 6, 2) and not opportunity.paid


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"starts_on": "2030-06-02", "ends_on": "2030-06-01"}, "ends_on", "Das Ende darf nicht vor dem Beginn liegen."),
    ({"commitment": "regular"}, "hours_per_week", "Bitte geben Sie bei einem regelmäßigen Engagement die Stunden"),
    ({"commitment": "regular", "hours_per_week": "80"}, "hours_per_week", "Bitte geben Sie zwischen 0,5 und 60"),
    ({"postal_code": "", "city": ""}, "city", "Bitte geben Sie an, wo die Tätigkeit stattfindet"),
    ({"title": ""}, "title", "Dieses Feld ist zwingend erforderlich."),
    ({"field": "astrologie"}, "field", "Bitte eine gültige Auswahl treffen."),
    ({"volunteers_wanted": "0"}, "volunteers_wanted", "Bitte suchen Sie mindestens eine Person."),
    ({"minimum_age": "120"}, "minimum_age", "Bitte geben Sie ein Mindestalter bis 99 Jahre an."),
    ({"starts_on": "0001-01-01"}, "starts_on", "Bitte geben Sie ein Datum zwischen 1970 und 2999 an."),
    ({"starts_on": "morgen"}, "starts_on", "Bitte ein gültiges Datum eingeben."),
])  # fmt: skip
def test_opportunity_bad_input(vw: Any, coordinator: Client, changes: dict[str, Any], field: str, message: str
                               ) -> None:  # fmt: skip
    response = coordinator.post(url("opportunity_create", vw.club), opportunity_data(**changes))
    assert response.status_code == 200
    assert form_errors(response)[field][0].startswith(message), form_errors(response)
    assert not Opportunity.objects.filter(title="Helfer für das Sommerfest").exists()


def test_remote_needs_no_place_and_an_edit_keeps_the_status(vw: Any, coordinator: Client) -> None:
    response = coordinator.post(
        url("opportunity_create", vw.club),
        opportunity_data(
            remote="on", postal_code="", city="", place_name="", street="", commitment="regular", hours_per_week="2,5"
        ),
    )
    assert response.status_code == 302, form_errors(response)
    opportunity = Opportunity.objects.get(title="Helfer für das Sommerfest")
    assert opportunity.remote and opportunity.lat is None and str(opportunity.hours_per_week) == "2.5"
    edit = url("opportunity_edit", vw.club, opportunity_pk=vw.opportunity.pk)
    response = coordinator.post(edit, opportunity_data(title="Neuer Titel", ends_on="2030-05-01"))
    assert "Das Ende darf nicht vor dem Beginn liegen." in form_errors(response)["ends_on"]
    vw.opportunity.refresh_from_db()
    assert vw.opportunity.title == "Trainer für die Bambini"
    coordinator.post(edit, opportunity_data(title="Neuer Titel"))
    vw.opportunity.refresh_from_db()
    assert vw.opportunity.title == "Neuer Titel" and vw.opportunity.status == OpportunityStatus.PUBLISHED


def status(client: Client, opportunity: Opportunity, action: str) -> str:
    response = client.post(url("opportunity_status", opportunity.organisation, opportunity_pk=opportunity.pk), {"action": action},
                           follow=True)  # fmt: skip
    opportunity.refresh_from_db()
    return response.content.decode()


def test_publish_flow_of_a_verified_organisation(vw: Any, coordinator: Client) -> None:
    draft = make_opportunity(vw.club, "Entwurf", status=OpportunityStatus.DRAFT)
    status(coordinator, draft, "publish")
    assert draft.status == OpportunityStatus.PUBLISHED and draft.published_at is not None
    published_at = draft.published_at
    status(coordinator, draft, "fill")
    assert draft.status == OpportunityStatus.FILLED
    status(coordinator, draft, "publish")
    assert draft.status == OpportunityStatus.PUBLISHED and draft.published_at == published_at
    status(coordinator, draft, "draft")
    assert draft.status == OpportunityStatus.DRAFT
    status(coordinator, draft, "end")
    assert draft.status == OpportunityStatus.ENDED
    page = status(coordinator, draft, "fill")
    assert "Im Status „Beendet“ ist dieser Schritt nicht möglich." in page
    assert draft.status == OpportunityStatus.ENDED
    assert "Diese Aktion gibt es nicht." in status(coordinator, draft, "launch")


def test_publishing_waits_for_the_verification(vw: Any) -> None:
    person = UserFactory()
    pending = make_engagement_organisation(vw.exchange, "Neue Initiative", coordinator=person,
                                           status=VerificationStatus.PENDING)  # fmt: skip
    draft = make_opportunity(pending, "Vorlesen im Altenheim", status=OpportunityStatus.DRAFT)
    client = Client()
    client.force_login(person)
    page = status(client, draft, "publish")
    assert draft.status == OpportunityStatus.REVIEW and draft.published_at is None
    assert "wartet nun auf die Prüfung Ihrer Organisation" in page
    assert not Opportunity.objects.public().filter(pk=draft.pk).exists()
    pending.status = VerificationStatus.REJECTED
    pending.save()
    other = make_opportunity(pending, "Zweites", status=OpportunityStatus.DRAFT)
    assert "nicht bestätigt" in status(client, other, "publish")
    assert other.status == OpportunityStatus.DRAFT


def test_the_coordinator_area_is_404_for_others(vw: Any, world: Any) -> None:
    outsider = Client()
    outsider.force_login(vw.other_coordinator)
    for path in (url("coordinator_opportunities", vw.club), url("shift_planning", vw.club, opportunity_pk=vw.opportunity.pk),
                 url("opportunity_edit", vw.club, opportunity_pk=vw.opportunity.pk)):  # fmt: skip
        assert outsider.get(path).status_code == 404
        assert world.client("case_worker").get(path).status_code == 404  # the Börse's staff do not coordinate
    assert (
        outsider.post(
            url("opportunity_status", vw.club, opportunity_pk=vw.opportunity.pk), {"action": "end"}
        ).status_code
        == 404
    )
    vw.opportunity.refresh_from_db()
    assert vw.opportunity.status == OpportunityStatus.PUBLISHED


def test_a_foreign_opportunity_under_ones_own_slug_is_404(vw: Any, coordinator: Client) -> None:
    foreign = make_opportunity(vw.other_club, "Fremd")
    shift = make_shift(foreign)
    assert coordinator.get(url("shift_planning", vw.club, opportunity_pk=foreign.pk)).status_code == 404
    assert (
        coordinator.post(url("opportunity_status", vw.club, opportunity_pk=foreign.pk), {"action": "end"}).status_code
        == 404
    )
    assert (
        coordinator.post(url("shift_delete", vw.club, opportunity_pk=vw.opportunity.pk, shift_pk=shift.pk)).status_code
        == 404
    )
    assert (
        coordinator.get(url("shift_edit", vw.club, opportunity_pk=vw.opportunity.pk, shift_pk=2**70)).status_code == 404
    )
    assert Shift.objects.filter(pk=shift.pk).exists()


def count_queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_lists_keep_their_query_count(vw: Any, coordinator: Client) -> None:
    opportunities = url("coordinator_opportunities", vw.club)
    planning = url("shift_planning", vw.club, opportunity_pk=vw.opportunity.pk)
    overview = url("coordinator_overview", vw.club)
    before = [count_queries(coordinator, path) for path in (opportunities, planning, overview)]
    for number in range(25):
        opportunity = make_opportunity(vw.club, f"Angebot {number}", status=OpportunityStatus.DRAFT)
        make_shift(opportunity, days=number + 1)
    shift_planning.series_create(actor=vw.coordinator, opportunity=vw.opportunity,
                                 first_day=timezone.localdate() + timedelta(days=1),
                                 last_day=timezone.localdate() + timedelta(days=200), weekdays=[1, 5],
                                 data=shift_planning.ShiftData(day=timezone.localdate(), start_time=time(10),
                                                               end_time=time(13)))  # fmt: skip
    after = [count_queries(coordinator, path) for path in (opportunities, planning, overview)]
    assert after == before


# --- shifts ------------------------------------------------------------------------------------------------------


def shift_data(**changes: Any) -> dict[str, Any]:
    day = timezone.localdate() + timedelta(days=10)
    data = {"form": "shift", "day": day.isoformat(), "start_time": "10:00", "end_time": "13:00",
            "place": "Vereinsheim", "tasks": "Kuchen verkaufen", "min_helpers": "2", "max_helpers": "4"}  # fmt: skip
    data.update(changes)
    return data


def series_data(**changes: Any) -> dict[str, Any]:
    first = timezone.localdate() + timedelta(days=1)
    data = {"form": "series", "reihe-first_day": first.isoformat(),
            "reihe-last_day": (first + timedelta(days=41)).isoformat(), "reihe-weekdays": ["5"],
            "reihe-start_time": "10:00", "reihe-end_time": "13:00", "reihe-place": "Tafel",
            "reihe-tasks": "Ausgabe", "reihe-min_helpers": "1", "reihe-max_helpers": "3"}  # fmt: skip
    data.update(changes)
    return data


def test_add_a_shift_in_german_time(vw: Any, coordinator: Client) -> None:
    planning = url("shift_planning", vw.club, opportunity_pk=vw.opportunity.pk)
    response = coordinator.post(planning, shift_data())
    assert response.status_code == 302
    shift = Shift.objects.filter(opportunity=vw.opportunity).latest("created_at")
    assert timezone.localtime(shift.start).hour == 10 and str(timezone.localtime(shift.start).tzinfo) == "Europe/Berlin"
    assert (shift.min_helpers, shift.max_helpers, shift.place) == (2, 4, "Vereinsheim")


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"end_time": "09:00"}, "end_time", "Das Ende der Schicht muss nach ihrem Beginn liegen."),
    ({"end_time": "10:00"}, "end_time", "Das Ende der Schicht muss nach ihrem Beginn liegen."),
    ({"min_helpers": "5"}, "min_helpers", "Es können nicht mehr Helfende nötig sein, als Plätze da sind"),
    ({"max_helpers": "0"}, "max_helpers", "Dieser Wert muss größer oder gleich 1 sein."),
    ({"day": "2020-01-01"}, "day", "Der Beginn der Schicht liegt in der Vergangenheit."),
    ({"day": "31.02.2030"}, "day", "Bitte ein gültiges Datum eingeben."),
    ({"start_time": "25:00"}, "start_time", "Bitte eine gültige Uhrzeit eingeben."),
])  # fmt: skip
def test_shift_bad_input(vw: Any, coordinator: Client, changes: dict[str, Any], field: str, message: str) -> None:
    before = Shift.objects.count()
    response = coordinator.post(url("shift_planning", vw.club, opportunity_pk=vw.opportunity.pk), shift_data(**changes))
    assert response.status_code == 200
    assert form_errors(response)[field][0].startswith(message), form_errors(response)
    assert Shift.objects.count() == before


def test_a_weekly_series(vw: Any, coordinator: Client) -> None:
    response = coordinator.post(url("shift_planning", vw.club, opportunity_pk=vw.opportunity.pk), series_data())
    assert response.status_code == 302
    series = ShiftSeries.objects.get(opportunity=vw.opportunity)
    shifts = list(series.shifts.order_by("start"))
    assert len(shifts) == 6
    assert series.description == "wöchentlich samstags 10:00–13:00, 6 Termine"
    assert all(timezone.localtime(shift.start).weekday() == 5 for shift in shifts)
    assert all(timezone.localtime(shift.start).hour == 10 for shift in shifts)  # also across a change of DST
    page = coordinator.get(url("shift_planning", vw.club, opportunity_pk=vw.opportunity.pk)).content.decode()
    assert "wöchentlich samstags 10:00–13:00, 6 Termine" in page


def test_series_descriptions() -> None:
    assert (shift_planning.describe_series([5, 1], time(18), time(20, 30), 12)
            == "wöchentlich dienstags und samstags 18:00–20:30, 12 Termine")  # fmt: skip
    assert shift_planning.describe_series([0, 2, 4], time(9), time(10), 1) == (
        "wöchentlich montags, mittwochs und freitags 09:00–10:00, 1 Termin"
    )


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"reihe-weekdays": []}, "weekdays", "Dieses Feld ist zwingend erforderlich."),
    ({"reihe-end_time": "09:00"}, "end_time", "Das Ende der Schicht muss nach ihrem Beginn liegen."),
    ({"reihe-min_helpers": "4"}, "min_helpers", "Es können nicht mehr Helfende nötig sein"),
    ({"reihe-last_day": "2020-01-01"}, "last_day", "Der letzte Tag darf nicht vor dem ersten liegen."),
    ({"reihe-first_day": "2020-01-01", "reihe-last_day": "2020-02-01"}, "first_day",
     "Der erste Tag liegt in der Vergangenheit."),
    ({"reihe-weekdays": ["0", "1", "2", "3", "4", "5", "6"]}, None, None),
    ({"reihe-last_day": "2099-01-01"}, "last_day", "Eine Reihe hat höchstens 100 Schichten."),
])  # fmt: skip
def test_series_bad_input(vw: Any, coordinator: Client, changes: dict[str, Any], field: str | None,
                          message: str | None) -> None:  # fmt: skip
    response = coordinator.post(
        url("shift_planning", vw.club, opportunity_pk=vw.opportunity.pk), series_data(**changes)
    )
    if field is None:  # every day for six weeks: 42 shifts, fine
        assert response.status_code == 302 and ShiftSeries.objects.get().shifts.count() == 42
        return
    assert response.status_code == 200
    assert form_errors(response, "series_form")[field][0].startswith(message), form_errors(response, "series_form")
    assert not ShiftSeries.objects.exists()


def test_a_series_of_exactly_100_and_one_day_without_the_weekday(vw: Any) -> None:
    first = timezone.localdate() + timedelta(days=1)
    data = shift_planning.ShiftData(day=first, start_time=time(23), end_time=time(23, 30))
    series = shift_planning.series_create(actor=vw.coordinator, opportunity=vw.opportunity, first_day=first,
                                          last_day=first + timedelta(days=99), weekdays=list(range(7)), data=data)  # fmt: skip
    assert series.shifts.count() == 100
    day = first + timedelta(days=(2 - first.weekday()) % 7)  # a Wednesday
    with pytest.raises(Exception, match="keiner der gewählten Wochentage"):
        shift_planning.series_create(actor=vw.coordinator, opportunity=vw.opportunity, first_day=day, last_day=day,
                                     weekdays=[5], data=data)  # fmt: skip


def test_a_shift_with_helpers_is_kept(vw: Any, coordinator: Client) -> None:
    shift = vw.shift
    ShiftSignup.objects.create(shift=shift, volunteer=vw.volunteer, status=SignupStatus.CONFIRMED)
    ShiftSignup.objects.create(shift=shift, volunteer=vw.other_volunteer, status=SignupStatus.CONFIRMED)
    Shift.objects.filter(pk=shift.pk).update(taken=2)
    page = coordinator.post(
        url("shift_delete", vw.club, opportunity_pk=vw.opportunity.pk, shift_pk=shift.pk), follow=True
    )
    assert "Für diese Schicht haben sich bereits Helfende eingetragen" in page.content.decode()
    assert Shift.objects.filter(pk=shift.pk).exists()
    edit = url("shift_edit", vw.club, opportunity_pk=vw.opportunity.pk, shift_pk=shift.pk)
    response = coordinator.post(edit, shift_data(max_helpers="1", min_helpers="1"))
    assert form_errors(response)["max_helpers"][0].startswith("Es sind bereits 2 Personen eingetragen")
    shift.refresh_from_db()
    assert shift.max_helpers == 3
    assert coordinator.post(edit, shift_data(max_helpers="2", min_helpers="1")).status_code == 302
    shift.refresh_from_db()
    assert shift.max_helpers == 2 and timezone.localtime(shift.start).hour == 10


def test_a_shift_with_only_a_waiting_list_is_kept_and_a_free_one_goes(vw: Any, coordinator: Client) -> None:
    waiting = make_shift(vw.opportunity, days=3)
    ShiftSignup.objects.create(shift=waiting, volunteer=vw.volunteer, status=SignupStatus.WAITING)
    coordinator.post(url("shift_delete", vw.club, opportunity_pk=vw.opportunity.pk, shift_pk=waiting.pk))
    assert Shift.objects.filter(pk=waiting.pk).exists()
    free = make_shift(vw.opportunity, days=4)
    assert (
        coordinator.get(url("shift_delete", vw.club, opportunity_pk=vw.opportunity.pk, shift_pk=free.pk)).status_code
        == 405
    )
    coordinator.post(url("shift_delete", vw.club, opportunity_pk=vw.opportunity.pk, shift_pk=free.pk))
    assert not Shift.objects.filter(pk=free.pk).exists()


def test_deleting_a_series_keeps_past_and_staffed_shifts(vw: Any, coordinator: Client) -> None:
    coordinator.post(url("shift_planning", vw.club, opportunity_pk=vw.opportunity.pk), series_data())
    series = ShiftSeries.objects.get()
    shifts = list(series.shifts.order_by("start"))
    Shift.objects.filter(pk=shifts[0].pk).update(start=timezone.now() - timedelta(days=1, hours=3),
                                                 end=timezone.now() - timedelta(days=1))  # fmt: skip
    Shift.objects.filter(pk=shifts[1].pk).update(taken=1)
    ShiftSignup.objects.create(shift=shifts[2], volunteer=vw.volunteer, status=SignupStatus.WAITING)
    page = coordinator.post(
        url("series_delete", vw.club, opportunity_pk=vw.opportunity.pk, series_pk=series.pk), follow=True
    )
    assert "3 kommende Schichten der Reihe sind gelöscht. 2 bleiben" in page.content.decode()
    assert set(series.shifts.values_list("pk", flat=True)) == {shifts[0].pk, shifts[1].pk, shifts[2].pk}


def test_an_ended_opportunity_gets_no_shifts(vw: Any, coordinator: Client) -> None:
    Opportunity.objects.filter(pk=vw.opportunity.pk).update(status=OpportunityStatus.ENDED)
    response = coordinator.post(url("shift_planning", vw.club, opportunity_pk=vw.opportunity.pk), shift_data())
    assert "Das Angebot ist beendet" in str(response.context["form"].non_field_errors())


def test_more_places_go_to_the_waiting_list_in_order(vw: Any, coordinator: Client,
                                                      django_capture_on_commit_callbacks: Any) -> None:  # fmt: skip
    from mitwirken.volunteering.models import ShiftSignup, SignupStatus
    from tests.volunteering_fixtures import make_volunteer

    Shift.objects.filter(pk=vw.shift.pk).update(max_helpers=1, taken=1)
    people = [make_volunteer(f"wartend{n}@example.org") for n in range(4)]
    ShiftSignup.objects.create(shift=vw.shift, volunteer=people[0], status=SignupStatus.CONFIRMED)
    waiting = [ShiftSignup.objects.create(shift=vw.shift, volunteer=person, status=SignupStatus.WAITING)
               for person in people[1:]]  # fmt: skip
    edit = url("shift_edit", vw.club, opportunity_pk=vw.opportunity.pk, shift_pk=vw.shift.pk)
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(edit, shift_data(max_helpers="3", min_helpers="1"))
    statuses = [ShiftSignup.objects.get(pk=signup.pk).status for signup in waiting]
    assert statuses == [SignupStatus.CONFIRMED, SignupStatus.CONFIRMED, SignupStatus.WAITING]
    assert Shift.objects.get(pk=vw.shift.pk).taken == 3
