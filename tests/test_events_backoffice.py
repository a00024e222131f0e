"""The events back office: list, set-up with German errors, status changes, series across DST, registrations,
lists, figures, the daily job and tenant isolation."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mitwirken.core.audit import AuditEntry
from mitwirken.events import contrib, lists
from mitwirken.events.models import (
    CapacityCategory,
    Event,
    Question,
    Registration,
    RegistrationMode,
    RegistrationStatus,
    Series,
    Status,
)
from mitwirken.events.services import messaging, setup
from mitwirken.events.services import registration as registration_service

from .event_fixtures import make_event
from .factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def url(name, event=None, **kwargs):
    if event is not None:
        kwargs.update(org_slug=event.organisation.slug, event_pk=event.pk)
    return reverse(f"backoffice:{name}", kwargs=kwargs)


def register(event, number, *, user=True, **extra):
    return registration_service.register(
        event=event, capacity=extra.pop("capacity", None) or event.capacities.first(), name=f"Person {number}",
        email=f"p{number}@example.org", user=UserFactory() if user else None, **extra,
    )  # fmt: skip


@pytest.fixture
def calls(monkeypatch):
    """What the back office asked the messaging module to send."""
    log = []
    changed, cancelled, send = messaging.event_changed, messaging.event_cancelled, messaging.send_message

    def record_changed(event, changes):
        log.append(("changed", event.pk, changes))
        return changed(event, changes)

    def record_cancelled(event):
        log.append(("cancelled", event.pk))
        return cancelled(event)

    def record_message(actor, event, subject, body, audience):
        log.append(("message", event.pk, subject, audience))
        return send(actor, event, subject, body, audience)

    # The real functions run too: they raise the iCalendar SEQUENCE and queue the e-mails.
    monkeypatch.setattr(messaging, "event_changed", record_changed)
    monkeypatch.setattr(messaging, "event_cancelled", record_cancelled)
    monkeypatch.setattr(messaging, "send_message", record_message)
    return log


def form_data(**overrides):
    data = {
        "title": "Bürgerversammlung Radweg", "slug": "", "description": "Wir stellen die Planung vor.",
        "project": "", "category": "", "start": "2030-03-12T18:00", "end": "2030-03-12T20:00", "kind": "in_person",
        "online_url": "", "online_link_minutes": "30", "venue_name": "Bürgerhaus", "address": "Hauptstraße 1",
        "room": "Saal", "lat": "", "lon": "", "registration": "open", "registration_deadline": "",
        "max_companions": "1", "hold_minutes": "30", "offer_hours": "48", "reminders": ["1440", "120"],
        "reminders_other": "30",
    }  # fmt: skip
    data.update(overrides)
    return data


# --- create and edit ----------------------------------------------------------------------------------------------


def test_create_event_in_berlin_time_with_slug_from_title(world):
    client = world.client("org_admin")
    response = client.post(url("event_create", org_slug=world.organisation.slug), form_data())
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == url("event_capacities", event)
    assert event.slug == "buergerversammlung-radweg" and event.status == Status.DRAFT
    assert event.start == datetime(2030, 3, 12, 17, 0, tzinfo=UTC)  # 18:00 in Berlin (CET)
    assert event.reminder_minutes == [1440, 120, 30]
    assert AuditEntry.objects.filter(action="events.event_create").count() == 1
    # A second event with the same title gets its own address.
    client.post(url("event_create", org_slug=world.organisation.slug), form_data())
    assert sorted(Event.objects.values_list("slug", flat=True)) == ["buergerversammlung-radweg",
                                                                    "buergerversammlung-radweg-2"]  # fmt: skip


def test_end_before_start_and_other_bad_input_are_german_errors_at_the_fields(world):
    client = world.client("org_admin")
    other_project = ProjectFactory(organisation=world.other_organisation)
    response = client.post(url("event_create", org_slug=world.organisation.slug), form_data(
        end="2030-03-12T17:00", kind="online", reminders_other="eine Stunde", project=str(other_project.pk),
    ))  # fmt: skip
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["end"] == ["Das Ende muss nach dem Beginn liegen."]
    assert "Minuten" in form.errors["reminders_other"][0]
    assert "project" in form.errors  # only the organisation's projects are offered
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Event.objects.exists()
    response = client.post(url("event_create", org_slug=world.organisation.slug), form_data(kind="online"))
    assert response.context["form"].errors["online_url"] == ["Bitte geben Sie den Link zur Online-Teilnahme an."]


def test_edit_of_a_published_event_raises_sequence_and_tells_people(world, calls, django_capture_on_commit_callbacks):
    event = make_event(world.organisation, start=datetime(2030, 3, 12, 17, 0, tzinfo=UTC),
                       venue_name="Bürgerhaus", address="Hauptstraße 1")  # fmt: skip
    client = world.client("org_admin")
    data = form_data(title=event.title, slug=event.slug, start="2030-03-12T19:00", end="2030-03-12T21:00",
                     venue_name="Rathaus", room="")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("event_edit", event), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.sequence == 1 and event.start == datetime(2030, 3, 12, 18, 0, tzinfo=UTC)
    [(kind, pk, changes)] = calls
    assert kind == "changed" and pk == event.pk
    assert set(changes) == {"start", "end", "venue_name"} and changes["venue_name"] == ["Bürgerhaus", "Rathaus"]
    # A change of the description alone tells nobody.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("event_edit", event), {**data, "description": "Neu"})
    event.refresh_from_db()
    assert event.sequence == 1 and len(calls) == 1


def test_project_visibility_follows_the_project(world):
    admin = world.personas["org_admin"]
    draft = ProjectFactory(organisation=world.organisation, status="draft")
    event = setup.event_save(actor=admin, organisation=world.organisation, data={
        "title": "Werkstatt", "start": timezone.now() + timedelta(days=3), "end": timezone.now() + timedelta(days=3, hours=2),
        "venue_name": "Rathaus", "project": draft,
    })  # fmt: skip
    assert event.project_visible is False
    draft.status = "published"
    draft.save()
    assert setup.refresh_project_visibility(draft) == 1
    event.refresh_from_db()
    assert event.project_visible is True
    assert setup.event_save(actor=admin, organisation=world.organisation, event=event,
                            data={"project": world.protected}).project_visible is False  # fmt: skip
    world.protected.access = "public"
    world.protected.save()
    setup.refresh_all_project_visibility()
    event.refresh_from_db()
    assert event.project_visible is True


# --- capacities and questions -------------------------------------------------------------------------------------


def test_capacity_cannot_go_below_what_is_taken_and_more_places_go_to_the_waiting_list(world):
    event = make_event(world.organisation, capacity=2)
    capacity = event.capacities.get()
    for number in range(3):
        register(event, number)
    client = world.client("org_admin")
    response = client.post(url("event_capacities", event), {"action": "save", "capacity_pk": capacity.pk,
                                                            f"c{capacity.pk}-name": "Vor Ort", f"c{capacity.pk}-capacity": "1"})  # fmt: skip
    assert response.status_code == 200
    errors = response.context["rows"][0][1].errors["capacity"]
    assert errors == ["In diesem Kontingent sind schon 2 Plätze vergeben (angemeldet, reserviert oder angeboten). "
                      "Es kann nicht weniger Plätze haben."]  # fmt: skip
    response = client.post(url("event_capacities", event), {"action": "save", "capacity_pk": capacity.pk,
                                                            f"c{capacity.pk}-name": "Saal", f"c{capacity.pk}-capacity": "3"})  # fmt: skip
    assert response.status_code == 302
    capacity.refresh_from_db()
    assert (capacity.name, capacity.capacity, capacity.taken) == ("Saal", 3, 3)
    assert Registration.objects.filter(status=RegistrationStatus.OFFERED).count() == 1
    # Add one, remove one without registrations; one with registrations stays.
    client.post(url("event_capacities", event), {"action": "add", "new-name": "Online", "new-capacity": "50"})
    online = event.capacities.get(name="Online")
    client.post(url("event_capacities", event), {"action": "delete", "capacity_pk": online.pk})
    assert not CapacityCategory.objects.filter(pk=online.pk).exists()
    response = client.post(
        url("event_capacities", event), {"action": "delete", "capacity_pk": capacity.pk}, follow=True
    )
    assert "es kann nicht entfernt werden" in response.content.decode()
    assert CapacityCategory.objects.filter(pk=capacity.pk).exists()


def test_questions_are_added_changed_and_deleted(world):
    event = make_event(world.organisation)
    client = world.client("org_admin")
    response = client.post(url("event_questions", event), {"action": "add", "new-text": "Essenswunsch?",
                                                           "new-type": "single", "new-options": "Vegetarisch"})  # fmt: skip
    assert response.context["new_form"].errors["options"] == [
        "Bitte geben Sie mindestens zwei Antwortmöglichkeiten an, eine pro Zeile."
    ]
    client.post(url("event_questions", event), {"action": "add", "new-text": "Essenswunsch?", "new-type": "single",
                                                "new-options": "Vegetarisch\n\nVegan\n", "new-required": "on"})  # fmt: skip
    question = Question.objects.get()
    assert question.code == "essenswunsch" and question.required
    assert question.options == [["vegetarisch", "Vegetarisch"], ["vegan", "Vegan"]]
    client.post(url("event_questions", event), {"action": "save", "question_pk": question.pk,
                                                f"q{question.pk}-text": "Kommen Sie mit dem Rad?",
                                                f"q{question.pk}-type": "yes_no", f"q{question.pk}-options": "x"})  # fmt: skip
    question.refresh_from_db()
    assert (question.type, question.options, question.code) == ("yes_no", [], "essenswunsch")
    client.post(url("event_questions", event), {"action": "delete", "question_pk": question.pk})
    assert not Question.objects.exists()


# --- status -------------------------------------------------------------------------------------------------------


def test_publish_postpone_cancel(world, calls, django_capture_on_commit_callbacks):
    event = make_event(world.organisation, status=Status.DRAFT)
    client = world.client("org_admin")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url("event_detail", event), {"action": "publish"}).status_code == 302
    event.refresh_from_db()
    assert event.status == Status.PUBLISHED and event.sequence == 0 and calls == []
    response = client.post(url("event_detail", event), {"action": "cancel", "cancel-reason": ""})
    assert response.status_code == 200
    assert response.context["cancel_form"].errors["reason"] == ["Dieses Feld ist zwingend erforderlich."]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("event_detail", event), {"action": "postpone", "postpone-reason": "Saal nicht verfügbar"})
    event.refresh_from_db()
    assert (event.status, event.status_reason, event.sequence) == (Status.POSTPONED, "Saal nicht verfügbar", 1)
    assert calls == [("changed", event.pk, {"status": ["published", "postponed"]})]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("event_detail", event), {"action": "cancel", "cancel-reason": "Sturmwarnung"})
    event.refresh_from_db()
    assert (event.status, event.status_reason, event.sequence) == (Status.CANCELLED, "Sturmwarnung", 2)
    assert calls[-1] == ("cancelled", event.pk)
    with pytest.raises(ValidationError):
        setup.event_change_status(actor=world.personas["org_admin"], event=event, action="publish")


def test_publish_needs_a_capacity_when_registration_is_on_and_drafts_can_be_deleted(world):
    admin = world.personas["org_admin"]
    event = setup.event_save(actor=admin, organisation=world.organisation, data={
        "title": "Sprechstunde", "start": timezone.now() + timedelta(days=3), "venue_name": "Rathaus",
        "end": timezone.now() + timedelta(days=3, hours=1), "registration": RegistrationMode.OPEN,
    })  # fmt: skip
    with pytest.raises(ValidationError, match="Platzkontingent"):
        setup.event_change_status(actor=admin, event=event, action="publish")
    response = world.client("org_admin").post(url("event_detail", event), {"action": "delete"})
    assert response.status_code == 302 and not Event.objects.filter(pk=event.pk).exists()


# --- series -------------------------------------------------------------------------------------------------------


def series_post(client, event, **data):
    return client.post(url("event_series", event), {"frequency": "weekly", "weekdays": [], "nth": "", "until": "",
                                                    "count": "", "exdates": "", **data})  # fmt: skip


def test_weekly_series_keeps_18_00_local_across_both_dst_changes(world):
    # Tuesday 17 March 2026, 18:00 CET; summer time starts 29 March, ends 25 October.
    start = datetime(2026, 3, 17, 18, 0, tzinfo=BERLIN)
    event = make_event(world.organisation, start=start, end=start + timedelta(hours=2), title="Offene Werkstatt")
    Question.objects.create(event=event, code="rad", type="yes_no", text="Mit dem Rad?")
    client = world.client("org_admin")
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        response = series_post(client, event, weekdays=["1"], until="2026-11-03", exdates="07.04.2026, 2026-04-14")
    assert response.status_code == 302, response.context["form"].errors
    series = Series.objects.get()
    assert series.rrule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261103T225959Z"
    assert series.exdates == ["2026-04-07", "2026-04-14"]
    dates = list(series.events.order_by("start"))
    local = [timezone.localtime(e.start) for e in dates]
    assert {(moment.hour, moment.minute) for moment in local} == {(18, 0)}
    assert {timezone.localtime(e.end).hour for e in dates} == {20}
    assert local[0].date() == date(2026, 3, 17) and local[-1].date() == date(2026, 11, 3)
    assert date(2026, 4, 7) not in {m.date() for m in local} and date(2026, 3, 31) in {m.date() for m in local}
    assert len(dates) == 34 - 2  # 34 Tuesdays from 17 March to 3 November, two excepted
    # UTC shifts by an hour across the changes: 17:00 UTC in winter, 16:00 UTC in summer.
    assert {e.start.astimezone(UTC).hour for e in dates} == {16, 17}
    assert all(e.capacities.count() == 1 and e.questions.get().code == "rad" for e in dates)
    assert len({e.slug for e in dates}) == len(dates) and len({e.uid for e in dates}) == len(dates)


def test_monthly_series_on_the_nth_weekday_with_a_count(world):
    start = datetime(2026, 1, 13, 18, 0, tzinfo=BERLIN)  # the second Tuesday of January
    event = make_event(world.organisation, start=start, end=start + timedelta(hours=2))
    series = setup.series_create(actor=world.personas["org_admin"], event=event,
                                 recurrence=setup.Recurrence(frequency="monthly", nth=2, count=6))  # fmt: skip
    assert series.rrule == "FREQ=MONTHLY;BYDAY=2TU;COUNT=6"
    days = [timezone.localtime(e.start) for e in series.events.order_by("start")]
    assert [d.day for d in days] == [13, 10, 10, 14, 12, 9] and {d.hour for d in days} == {18}


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"weekdays": []}, "weekdays", "Bitte wählen Sie mindestens einen Wochentag."),
    ({"weekdays": ["1"]}, "until", "Bitte geben Sie entweder ein Enddatum oder die Zahl der Termine an."),
    ({"weekdays": ["1"], "count": "3", "until": "2030-12-31"}, "until", "entweder ein Enddatum"),
    ({"weekdays": ["3"], "count": "3"}, "frequency", "Die Regel muss diesen Tag einschließen"),
    ({"weekdays": ["0", "1", "2", "3", "4"], "until": "2031-12-31"}, "until", "mehr als 200 Termine"),
    ({"weekdays": ["1"], "count": "3", "exdates": "24.13.2030"}, "exdates", "„24.13.2030“ ist kein Datum"),
    ({"frequency": "monthly", "count": "3"}, "nth", "am wievielten Wochentag"),
])  # fmt: skip
def test_bad_series_input_is_refused_in_german(world, data, field, message):
    start = datetime(2030, 1, 8, 18, 0, tzinfo=BERLIN)  # a Tuesday
    event = make_event(world.organisation, start=start, end=start + timedelta(hours=2))
    response = series_post(world.client("org_admin"), event, **data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, [])), response.context["form"].errors
    assert not Series.objects.exists() and Event.objects.count() == 1


def test_cancelling_one_date_adds_it_to_the_exceptions_and_tells_its_people(
    world, calls, django_capture_on_commit_callbacks
):
    start = datetime(2030, 1, 8, 18, 0, tzinfo=BERLIN)
    event = make_event(world.organisation, start=start, end=start + timedelta(hours=2))
    series = setup.series_create(actor=world.personas["org_admin"], event=event,
                                 recurrence=setup.Recurrence(frequency="weekly", weekdays=[1], count=4))  # fmt: skip
    second = series.events.order_by("start")[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("org_admin").post(url("event_detail", second), {"action": "cancel",
                                                                                "cancel-reason": "Feiertag"})  # fmt: skip
    assert response.status_code == 302
    series.refresh_from_db()
    assert series.exdates == ["2030-01-15"]
    assert calls == [("cancelled", second.pk)]
    assert series.events.filter(status=Status.CANCELLED).count() == 1
    page = world.client("org_admin").get(url("event_series_detail", org_slug=world.organisation.slug,
                                              series_pk=series.pk))  # fmt: skip
    assert page.status_code == 200 and "2030-01-15" in page.content.decode()


# --- registrations ------------------------------------------------------------------------------------------------


def test_registrations_approve_decline_cancel_and_requests_summary(world, calls, django_capture_on_commit_callbacks):
    event = make_event(world.organisation, capacity=3, registration=RegistrationMode.APPROVAL,
                       sign_language_on_request=True, captioning_on_request=True)  # fmt: skip
    first = register(event, 1, sign_language=True)
    second = register(event, 2, sign_language=True, captioning=True)
    third = register(event, 3)
    waiting = register(event, 4)
    assert [r.status for r in (first, second, third, waiting)] == ["pending"] * 3 + ["waiting"]
    client = world.client("org_admin")
    page = client.get(url("event_registrations", event)).content.decode()
    assert "2 × DGS, 1 × Schriftdolmetschung" in page
    client.post(url("event_registrations", event), {"action": "approve", "registration_pk": first.pk})
    client.post(url("event_registrations", event), {"action": "decline", "registration_pk": second.pk})
    client.post(url("event_registrations", event), {"action": "cancel", "registration_pk": third.pk})
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses[first.pk] == "confirmed" and statuses[second.pk] == "declined"
    assert statuses[third.pk] == "cancelled" and statuses[waiting.pk] == "offered"
    # Someone else's registration id under this event is a 404.
    foreign = register(make_event(world.other_organisation, title="Fremd"), 9)
    assert (
        client.post(url("event_registrations", event), {"action": "cancel", "registration_pk": foreign.pk}).status_code
        == 404
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("event_message", event), {"audience": "waiting", "subject": "Hinweis",
                                                              "body": "Bitte pünktlich kommen."})  # fmt: skip
    assert response.status_code == 302 and calls == [("message", event.pk, "Hinweis", "waiting")]
    response = client.post(url("event_message", event), {"audience": "registered", "subject": "", "body": ""})
    assert response.context["form"].errors["subject"]


# --- lists and figures --------------------------------------------------------------------------------------------


def test_participant_lists_pdf_and_formula_safe_xlsx(world):
    from openpyxl import load_workbook

    event = make_event(world.organisation, capacity=5, max_companions=2)
    Question.objects.create(event=event, code="essen", type="single", text="Essen",
                            options=[["veg", "Vegetarisch"], ["all", "Alles"]])  # fmt: skip
    registration_service.register(event=event, capacity=event.capacities.get(), name="=HYPERLINK(\"http://x\")",
                                  email="a@example.org", user=UserFactory(), companions=2, sign_language=True,
                                  answers={"essen": "veg"})  # fmt: skip
    register(event, 2, answers={"essen": "@SUM(1)"})
    client = world.client("org_admin")
    response = client.get(url("event_participants", event, file_format="xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Name", "E-Mail-Adresse", "Status") and rows[0][-1] == "Essen"
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email["a@example.org"][0] == '\'=HYPERLINK("http://x")'
    assert by_email["a@example.org"][4] == 2 and by_email["a@example.org"][5] == "ja"
    assert by_email["a@example.org"][-1] == "Vegetarisch" and by_email["p2@example.org"][-1] == "'@SUM(1)"
    response = client.get(url("event_participants", event, file_format="pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"/MediaBox [0 0 841.89 595.28]" in response.content
    assert client.get(url("event_participants", event, file_format="csv")).status_code == 404


def test_attendance_statistics_of_an_event_and_a_series(world):
    start = timezone.now() - timedelta(days=15)
    event = make_event(world.organisation, capacity=3, start=start, end=start + timedelta(hours=2))
    series = setup.series_create(actor=world.personas["org_admin"], event=event,
                                 recurrence=setup.Recurrence(frequency="weekly",
                                                             weekdays=[timezone.localtime(start).weekday()], count=4))  # fmt: skip
    past, *_middle, future = series.events.order_by("start")
    assert future.end > timezone.now()
    rows = []
    for target in (past, future):
        with time_machine.travel(target.start - timedelta(days=1)):
            rows += [register(target, f"{target.pk}-{n}") for n in range(5)]
    registration_service.cancel(rows[0])  # the first waiting person is offered the place
    Registration.objects.filter(pk=rows[1].pk).update(checked_in_at=past.start)
    counts = lists.attendance([past, future])
    assert counts[past.pk] == lists.Attendance(confirmed=2, places=2, pending=0, waiting=2, cancelled=1,
                                               checked_in=1, no_shows=1)  # fmt: skip
    assert counts[future.pk].confirmed == 3 and counts[future.pk].no_shows is None
    total = lists.total(counts.values())
    assert (total.confirmed, total.waiting, total.cancelled, total.checked_in, total.no_shows) == (5, 4, 1, 1, 1)
    figures = {str(s.label): s.value for s in contrib.statistics(world.organisation)}
    assert figures["Anmeldungen (bestätigt)"] == 5 and figures["Eingecheckt"] == 1
    assert figures["Nicht erschienen (vergangene Veranstaltungen)"] == 1


def test_staff_work_counts_pending_approvals_and_interpreting_requests(world):
    event = make_event(world.organisation, capacity=10, registration=RegistrationMode.APPROVAL,
                       start=timezone.now() + timedelta(days=5))  # fmt: skip
    register(event, 1, sign_language=True)
    register(event, 2, sign_language=True, captioning=True)
    register(event, 3)
    later = make_event(world.organisation, title="Später", start=timezone.now() + timedelta(days=30))
    register(later, 4, sign_language=True)
    with CaptureQueriesContext(connection) as queries:
        items = contrib.staff_work(world.personas["org_admin"], world.organisation)
    assert len(queries) <= 3
    labels = [str(item.label) for item in items]
    assert labels == ["3 Anmeldungen warten auf Freigabe",
                      "DGS/Schriftdolmetschung angefragt (nächste 14 Tage): 2 × DGS, 1 × Schriftdolmetschung"]  # fmt: skip
    assert items[1].urgent
    page = world.client("org_admin").get(items[0].url)
    assert [row[0].pk for row in page.context["rows"]] == [event.pk]
    assert contrib.staff_work(world.personas["citizen"], world.organisation) == []


# --- the daily job ------------------------------------------------------------------------------------------------


def test_daily_releases_expired_holds_and_anonymises_old_registrations(world, settings):
    settings.MITWIRKEN_EVENT_RETENTION_DAYS = 90
    start = timezone.now() + timedelta(days=2)
    event = make_event(world.organisation, capacity=1, start=start, end=start + timedelta(hours=2), hold_minutes=30)
    held = register(event, 1, user=False)
    waiting = register(event, 2)
    assert (held.status, waiting.status) == ("unconfirmed", "waiting")
    recent = make_event(world.organisation, title="Später", start=start + timedelta(days=30))
    kept = register(recent, 3, answers={"x": "y"})
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        contrib.daily()
    held.refresh_from_db(), waiting.refresh_from_db()
    assert held.status == "expired" and waiting.status == "offered"
    Registration.objects.filter(pk=waiting.pk).update(status="confirmed", checked_in_at=start, answers={"a": "b"},
                                                      sign_language=True)  # fmt: skip
    before = lists.attendance([event])[event.pk]
    with time_machine.travel(event.end + timedelta(days=89)):
        contrib.daily()
    assert Registration.objects.get(pk=waiting.pk).email == "p2@example.org"
    with time_machine.travel(event.end + timedelta(days=91)):
        contrib.daily()
    anonymised = Registration.objects.get(pk=waiting.pk)
    assert anonymised.name == "Anonymisiert" and anonymised.email.endswith("@anonymisiert.invalid")
    assert anonymised.answers == {} and anonymised.user is None and anonymised.manage_token != waiting.manage_token
    assert lists.attendance([event])[event.pk] == before  # the counts stay
    assert Registration.objects.get(pk=kept.pk).email == "p3@example.org"  # its event is younger
    with time_machine.travel(event.end + timedelta(days=92)):
        assert setup.anonymise_past_registrations() == 0  # once is enough


# --- the list, queries, access ------------------------------------------------------------------------------------


def make_many(organisation, count):
    start = timezone.now() + timedelta(days=1)
    events = Event.objects.bulk_create([
        Event(organisation=organisation, title=f"Termin {n}", slug=f"termin-{n}", start=start + timedelta(hours=n),
              end=start + timedelta(hours=n + 1), status=Status.PUBLISHED, registration=RegistrationMode.OPEN)
        for n in range(count)
    ])  # fmt: skip
    events = list(Event.objects.filter(organisation=organisation))
    CapacityCategory.objects.bulk_create(
        [CapacityCategory(event=e, name="Vor Ort", capacity=5, taken=1) for e in events]
    )
    capacities = {c.event_id: c for c in CapacityCategory.objects.filter(event__organisation=organisation)}
    Registration.objects.bulk_create([
        Registration(event=e, capacity=capacities[e.pk], name="P", email=f"p{e.pk}@example.org", status="confirmed")
        for e in events
    ])  # fmt: skip


def list_queries(client, organisation):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("events", org_slug=organisation.slug), {"q": "Termin"})
    assert response.status_code == 200
    return len(queries), response


def test_list_queries_do_not_grow_with_the_events(world):
    client = world.client("org_admin")
    make_many(world.organisation, 10)
    few, response = list_queries(client, world.organisation)
    assert "1 / 5" in response.content.decode()
    make_many(world.other_organisation, 5)
    Event.objects.filter(organisation=world.organisation).delete()
    make_many(world.organisation, 1000)
    many, response = list_queries(client, world.organisation)
    assert response.context["page"].paginator.count == 1000
    assert few == many


def test_list_filters(world):
    now = timezone.now()
    upcoming = make_event(world.organisation, title="Radweg", start=now + timedelta(days=2))
    make_event(world.organisation, title="Vergangen", start=now - timedelta(days=2))
    draft = make_event(world.organisation, title="Entwurf", status=Status.DRAFT, start=now + timedelta(days=3))
    client = world.client("case_worker")

    def titles(**query):
        return [
            row[0].title for row in client.get(url("events", org_slug=world.organisation.slug), query).context["rows"]
        ]

    assert titles() == ["Radweg", "Entwurf"]
    assert titles(when="past") == ["Vergangen"]
    assert titles(status="draft") == [draft.title]
    assert titles(q="radw") == [upcoming.title]
    assert titles(when="all") == ["Entwurf", "Radweg", "Vergangen"]


def test_list_rows_show_what_each_event_holds(world):
    """The rows are a Jinja2 partial: time in Berlin, link, category, series, place or kind, open registrations,
    interpreting requests, status badge, places taken of those offered, waiting list, check-ins; in English too."""
    start = datetime(2030, 7, 1, 16, 30, tzinfo=UTC)  # 18:30 in Berlin (summer time)
    event = make_event(
        world.organisation, title="Radweg <Nord>", start=start, venue_name="Bürgerhaus", capacity=20, max_companions=1
    )
    register(event, 1, companions=1)
    register(event, 2, sign_language=True)
    Registration.objects.filter(event=event, name="Person 2").update(status=RegistrationStatus.PENDING)
    Registration.objects.create(event=event, capacity=event.capacities.get(), name="Wartend", email="w@example.org",
                                status=RegistrationStatus.WAITING)  # fmt: skip
    online = make_event(world.organisation, title="Sprechstunde", start=start + timedelta(days=1), kind="online",
                        registration=RegistrationMode.OFF, status=Status.CANCELLED)  # fmt: skip
    series = Series.objects.create(organisation=world.organisation, title="Sprechstunde", rrule="FREQ=WEEKLY;COUNT=2",
                                   first_start=online.start, duration=online.end - online.start)  # fmt: skip
    Event.objects.filter(pk=online.pk).update(series=series)
    client = world.client("case_worker")
    body = client.get(url("events", org_slug=world.organisation.slug)).content.decode()
    rows = dict(re.findall(r'<tr class="kern-table__row">\s*<td class="kern-table__cell">[^<]*<br>[^<]*</td>\s*'
                           r'<th[^>]*><a class="kern-link" href="[^"]+">([^<]+)</a>(.*?)</tr>', body, re.S))  # fmt: skip
    first = rows["Radweg &lt;Nord&gt;"]
    assert "01.07.2030<br>18:30 Uhr" in body and url("event_detail", event) in body
    assert "Bürgerhaus</span>" in first and "1 offen</span>" in first and "1 × DGS</span>" in first
    assert '"kern-badge kern-badge--small kern-badge--success">Veröffentlicht</span>' in first
    assert "2 / 20</td>" in first and '<td class="kern-table__cell kern-table__cell--numeric">1</td>' in first
    second = rows["Sprechstunde"]
    assert "Reihe · Online</span>" in second and "–</td>" in second and "kern-badge--danger" in second
    client.cookies["django_language"] = "en"
    english = client.get(url("events", org_slug=world.organisation.slug), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "01.07.2030<br>18:30 (German time)" in english and "Published</span>" in english
    assert "1 pending</span>" in english and "Series · Online</span>" in english and "Uhr" not in english


ROUTE_NAMES = ["event_detail", "event_edit", "event_capacities", "event_questions", "event_series",
               "event_registrations", "event_message", "event_participants", "event_checkin", "event_checkin_person"]  # fmt: skip


def event_routes(event, code="x", names=ROUTE_NAMES):
    extra = {"event_participants": {"file_format": "pdf"}, "event_checkin_person": {"manage_token": code}}
    return [url(name, event, **extra.get(name, {})) for name in names]


def test_other_organisations_and_citizens_get_404(world):
    ours = make_event(world.organisation)
    registration = register(ours, 1)
    series = setup.series_create(actor=world.personas["org_admin"], event=make_event(world.organisation, title="Reihe"),
                                 recurrence=setup.Recurrence(frequency="weekly", weekdays=[
                                     timezone.localtime(ours.start).weekday()], count=2))  # fmt: skip
    theirs = make_event(world.other_organisation, title="Fremd")
    routes = [*event_routes(ours, registration.manage_token),
              url("event_series_detail", org_slug=world.organisation.slug, series_pk=series.pk),
              url("events", org_slug=world.organisation.slug), url("event_create", org_slug=world.organisation.slug)]  # fmt: skip
    assert world.client("org_admin").get(routes[0]).status_code == 200
    for persona in ("other_org_admin", "citizen", "invited"):
        client = world.client(persona)
        for route in routes:
            assert client.get(route).status_code == 404, (persona, route)
            assert client.post(route, {"action": "publish"}).status_code == 404, (persona, route)
    anonymous = world.client("anonymous").get(routes[0])
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    # Our slug with their event's id, and their series: 404 as well.
    client = world.client("org_admin")
    for route in event_routes(theirs):
        foreign = route.replace(f"/{world.other_organisation.slug}/", f"/{world.organisation.slug}/")
        assert client.get(foreign).status_code == 404, foreign
    assert client.get(url("event_checkin_person", ours, manage_token="nicht-da")).status_code == 404
    assert ours.status == Status.PUBLISHED and not AuditEntry.objects.filter(action__startswith="events.event").exists()


def test_the_pages_render(world):
    event = make_event(world.organisation, sign_language_on_request=True, max_companions=1)
    register(event, 1, sign_language=True, companions=1)
    client = world.client("case_worker")
    own = [url("events", org_slug=world.organisation.slug), url("event_create", org_slug=world.organisation.slug)]
    for route in [*event_routes(event, names=ROUTE_NAMES[:7]), *own]:
        response = client.get(route)
        assert response.status_code == 200, route
        assert "<script>" not in response.content.decode() and " style=" not in response.content.decode()


def test_answers_given_through_the_public_form_show_in_every_staff_list(world):
    """The form stores choices as the survey question engine reads them ({"choice": …}, {"choices": […]}); the
    registrations list, the check-in page and the participant lists show their labels (formerly a server error)."""
    from openpyxl import load_workbook

    event = make_event(world.organisation, capacity=5)
    Question.objects.create(event=event, code="essen", type="single", text="Essen",
                            options=[["veg", "Vegetarisch"], ["alles", "Alles"]])  # fmt: skip
    Question.objects.create(event=event, code="themen", type="multiple", text="Themen",
                            options=[["verkehr", "Verkehr"], ["gruen", "Grün"]])  # fmt: skip
    registration = register(event, 1, answers={"essen": {"choice": "veg", "other": ""},
                                               "themen": {"choices": ["verkehr", "gruen"], "other": ""}})  # fmt: skip
    client = world.client("case_worker")
    expected = "Essen: Vegetarisch; Themen: Verkehr, Grün"
    assert expected in client.get(url("event_registrations", event)).content.decode()
    page = client.get(url("event_checkin_person", event, manage_token=registration.manage_token))
    assert expected in page.content.decode()
    sheet = load_workbook(io.BytesIO(b"".join(
        client.get(url("event_participants", event, file_format="xlsx")).streaming_content
    ))).active  # fmt: skip
    assert list(sheet.iter_rows(values_only=True))[1][-2:] == ("Vegetarisch", "Verkehr, Grün")
    assert client.get(url("event_participants", event, file_format="pdf")).status_code == 200
