"""Applications and the messages between volunteers and engagement organisations.

The service (applying, a second application, under age, not published, deciding, the question-and-answer cycle,
the end of an engagement, withdrawing and the § 72a record), the permission matrix of the pages (volunteer,
another volunteer, the coordinator, another organisation's coordinator, the Börse's staff, anonymous), the
e-mails' address privacy, constant query counts of both lists, and bad input.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mitwirken.volunteering.eligibility import age_on
from mitwirken.volunteering.models import (
    Application,
    ApplicationStatus,
    Message,
    OpportunityStatus,
    PoliceCertificateRecord,
    VolunteerProfile,
)
from mitwirken.volunteering.services import applications as service

from .conftest import login
from .volunteering_fixtures import VolunteeringWorld, make_opportunity, make_volunteer, volunteering_world

pytestmark = pytest.mark.django_db

COORDINATOR_MAIL = "trainer@sv.example"
VOLUNTEER_MAIL = "ehrenamt@example.org"
CLUB_CONTACT = "kontakt@sportverein-beispielhausen.example"


@pytest.fixture
def vw(world: Any) -> VolunteeringWorld:
    return volunteering_world(world)


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run the after-commit callbacks (e-mails), as a committed request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def applied(vw: VolunteeringWorld, **extra: Any) -> Application:
    return service.apply(user=vw.volunteer, opportunity=vw.opportunity, message="Ich helfe gern samstags.", **extra)


def visible(message: Any) -> str:
    """Everything the recipient sees: every header (From, Reply-To, …) and the text."""
    headers = " ".join(f"{name}: {value}" for name, value in message.message().items())
    return f"{headers}\n{message.body}"


def as_user(user: Any) -> Client:
    return login(Client(), user)


def detail_url(application: Application) -> str:
    return reverse("volunteering:my_application", kwargs={"pk": application.pk})


def coordinator_url(application: Application, org_slug: str | None = None) -> str:
    return reverse("volunteering:coordinator_application",
                   kwargs={"org_slug": org_slug or application.opportunity.organisation.slug, "pk": application.pk})  # fmt: skip


# --- the service ---------------------------------------------------------------------------------------------------


def test_apply_saves_and_tells_each_coordinator_without_the_volunteers_address(vw: VolunteeringWorld, commit: Any
                                                                                ) -> None:  # fmt: skip
    with commit():
        application = applied(vw)
    assert application.status == ApplicationStatus.OPEN
    assert not application.volunteer_shares_email
    (message,) = mail.outbox
    assert message.to == [COORDINATOR_MAIL]
    assert "Neue Bewerbung: Trainer für die Bambini" in message.subject
    assert "Ich helfe gern samstags." in message.body
    assert coordinator_url(application) in message.body
    assert VOLUNTEER_MAIL not in visible(message)


def test_a_shared_address_reaches_the_coordinators(vw: VolunteeringWorld, commit: Any) -> None:
    with commit():
        applied(vw, share_email=True)
    (message,) = mail.outbox
    assert VOLUNTEER_MAIL in message.body
    assert message.message()["Reply-To"] == VOLUNTEER_MAIL


def test_a_second_active_application_is_refused_and_nothing_saved(vw: VolunteeringWorld) -> None:
    applied(vw)
    with pytest.raises(ValidationError) as error:
        applied(vw)
    assert "Sie haben sich auf dieses Angebot bereits beworben" in error.value.messages[0]
    assert Application.objects.count() == 1


def test_the_database_constraint_catches_a_race(vw: VolunteeringWorld, monkeypatch: Any) -> None:
    applied(vw)
    # The check before the insert saw nothing (a parallel request): the partial unique constraint still holds.
    monkeypatch.setattr(service, "active_application", lambda user, opportunity: None)
    with pytest.raises(ValidationError) as error:
        applied(vw)
    assert "bereits beworben" in error.value.messages[0]
    assert Application.objects.count() == 1


def test_after_withdrawing_one_may_apply_again(vw: VolunteeringWorld) -> None:
    service.withdraw(user=vw.volunteer, application=applied(vw))
    assert applied(vw).status == ApplicationStatus.OPEN
    assert Application.objects.count() == 2


def test_under_age_is_refused_on_the_server(vw: VolunteeringWorld) -> None:
    vw.opportunity.minimum_age = 18
    vw.opportunity.save()
    young = make_volunteer("jung@example.org", birth_date=timezone.localdate() - timedelta(days=17 * 365))
    with pytest.raises(ValidationError) as error:
        service.apply(user=young, opportunity=vw.opportunity, message="Hallo")
    assert "mindestens 18 Jahre" in error.value.messages[0]
    assert not Application.objects.exists()


def test_under_sixteen_needs_the_parents_consent(vw: VolunteeringWorld) -> None:
    child = make_volunteer("kind@example.org", birth_date=timezone.localdate() - timedelta(days=14 * 366))
    with pytest.raises(ValidationError) as error:
        service.apply(user=child, opportunity=vw.opportunity, message="Hallo")
    assert "Zustimmung eines Elternteils" in error.value.messages[0]
    VolunteerProfile.objects.filter(user=child).update(parent_consented_at=timezone.now())
    assert service.apply(user=child, opportunity=vw.opportunity, message="Hallo").pk


@pytest.mark.parametrize("status", [OpportunityStatus.DRAFT, OpportunityStatus.REVIEW, OpportunityStatus.FILLED,
                                    OpportunityStatus.ENDED])  # fmt: skip
def test_only_published_opportunities_take_applications(vw: VolunteeringWorld, status: str) -> None:
    opportunity = make_opportunity(vw.club, "Kassenprüfung", status=status)
    with pytest.raises(ValidationError) as error:
        service.apply(user=vw.volunteer, opportunity=opportunity, message="Hallo")
    assert "keine Bewerbungen mehr möglich" in error.value.messages[0]
    assert not Application.objects.exists()


def test_an_opportunity_without_applications_sends_to_the_shifts(vw: VolunteeringWorld) -> None:
    opportunity = make_opportunity(vw.club, "Kuchenverkauf", application_required=False)
    with pytest.raises(ValidationError, match="keine Bewerbung nötig"):
        service.apply(user=vw.volunteer, opportunity=opportunity, message="Hallo")
    response = as_user(vw.volunteer).get(reverse("volunteering:apply", kwargs={"pk": opportunity.pk}))
    assert "keine Bewerbung nötig" in response.content.decode()
    assert f'href="/ehrenamt/angebote/{opportunity.pk}/schichten/"' in response.content.decode()


def test_an_empty_message_is_refused(vw: VolunteeringWorld) -> None:
    with pytest.raises(ValidationError) as error:
        service.apply(user=vw.volunteer, opportunity=vw.opportunity, message="  \n ")
    assert "ein paar Sätze" in error.value.message_dict["message"][0]
    assert not Application.objects.exists()


def test_accept_tells_the_volunteer_without_the_coordinators_address(vw: VolunteeringWorld, commit: Any) -> None:
    application = applied(vw)
    with commit():
        service.accept(actor=vw.coordinator, application=application, message="Willkommen im Team!")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    assert application.decided_by == vw.coordinator
    (message,) = mail.outbox
    assert message.to == [VOLUNTEER_MAIL]
    assert "angenommen" in message.subject
    assert "Willkommen im Team!" in message.body
    assert detail_url(application) in message.body
    assert COORDINATOR_MAIL not in visible(message)
    assert CLUB_CONTACT not in visible(message)


def test_the_organisations_shared_contact_appears(vw: VolunteeringWorld, commit: Any) -> None:
    application = applied(vw)
    service.share_email(user=vw.coordinator, application=application, share=True, as_organisation=True)
    with commit():
        service.send_message(sender=vw.coordinator, application=application, body="Kommen Sie vorbei.",
                             as_organisation=True)  # fmt: skip
    (message,) = mail.outbox
    assert CLUB_CONTACT in message.body
    assert message.message()["Reply-To"] == CLUB_CONTACT
    assert COORDINATOR_MAIL not in message.body


def test_question_and_answer_cycle(vw: VolunteeringWorld, commit: Any) -> None:
    application = applied(vw)
    with commit():
        service.ask(actor=vw.coordinator, application=application, message="Haben Sie einen Trainerschein?")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.QUESTION
    assert "Rückfrage" in mail.outbox[-1].subject
    assert "Haben Sie einen Trainerschein?" in mail.outbox[-1].body
    with commit():
        service.send_message(sender=vw.volunteer, application=application, body="Ja, seit 2019.",
                             as_organisation=False)  # fmt: skip
    application.refresh_from_db()
    assert application.status == ApplicationStatus.OPEN
    answer = mail.outbox[-1]
    assert answer.to == [COORDINATOR_MAIL] and "Ja, seit 2019." in answer.body
    assert VOLUNTEER_MAIL not in visible(answer)
    assert [m.from_organisation for m in Message.objects.order_by("pk")] == [True, False]


def test_a_question_needs_text(vw: VolunteeringWorld) -> None:
    application = applied(vw)
    with pytest.raises(ValidationError) as error:
        service.ask(actor=vw.coordinator, application=application, message="")
    assert error.value.message_dict["message"] == ["Bitte schreiben Sie Ihre Frage."]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.OPEN
    assert not Message.objects.exists()


def test_decided_applications_are_not_decided_again(vw: VolunteeringWorld) -> None:
    application = applied(vw)
    service.decline(actor=vw.coordinator, application=application, message="Leider voll.")
    with pytest.raises(ValidationError, match="schon entschieden"):
        service.accept(actor=vw.coordinator, application=application)
    with pytest.raises(ValidationError, match="Nachrichten sind nicht mehr möglich"):
        service.send_message(sender=vw.volunteer, application=application, body="Schade", as_organisation=False)


def police_record(vw: VolunteeringWorld, application: Application) -> PoliceCertificateRecord:
    return PoliceCertificateRecord.objects.create(
        organisation=vw.club, volunteer=vw.volunteer, application=application, certificate_date=date(2026, 1, 5),
        inspected_on=timezone.localdate(), relevant_entry=False, recorded_by=vw.coordinator,
    )  # fmt: skip


def test_decline_deletes_the_police_record(vw: VolunteeringWorld) -> None:
    application = applied(vw)
    police_record(vw, application)
    service.decline(actor=vw.coordinator, application=application)
    assert not PoliceCertificateRecord.objects.exists()


def test_withdraw_deletes_the_police_record_and_tells_the_coordinators(vw: VolunteeringWorld, commit: Any) -> None:
    application = applied(vw)
    service.accept(actor=vw.coordinator, application=application)
    police_record(vw, application)
    with commit():
        service.withdraw(user=vw.volunteer, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert not PoliceCertificateRecord.objects.exists()
    assert "zurückgezogen" in mail.outbox[-1].subject
    with pytest.raises(ValidationError, match="bereits abgeschlossen"):
        service.withdraw(user=vw.volunteer, application=application)


def test_only_the_volunteer_withdraws(vw: VolunteeringWorld) -> None:
    application = applied(vw)
    for user in (vw.other_volunteer, vw.coordinator):
        with pytest.raises(PermissionDenied):
            service.withdraw(user=user, application=application)


def test_end_of_the_engagement(vw: VolunteeringWorld, commit: Any) -> None:
    application = applied(vw)
    with pytest.raises(ValidationError, match="Nur ein angenommenes"):
        service.end(actor=vw.coordinator, application=application, ended_on=timezone.localdate())
    service.accept(actor=vw.coordinator, application=application)
    record = police_record(vw, application)
    with pytest.raises(ValidationError) as error:
        service.end(actor=vw.coordinator, application=application, ended_on=timezone.localdate() + timedelta(days=1))
    assert "nicht in der Zukunft" in error.value.message_dict["ended_on"][0]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    today = timezone.localdate()
    with commit():
        service.end(actor=vw.coordinator, application=application, ended_on=today)
    application.refresh_from_db()
    assert (application.status, application.ended_on) == (ApplicationStatus.ENDED, today)
    record.refresh_from_db()
    assert record.delete_after == service.add_months(today, 3)
    assert "beendet" in mail.outbox[-1].subject


def test_add_months_keeps_the_month_end() -> None:
    assert service.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert service.add_months(date(2026, 1, 15), 3) == date(2026, 4, 15)


@pytest.mark.parametrize("actor", ["other_coordinator", "volunteer", "other_volunteer", "case_worker"])
def test_only_the_organisations_coordinators_decide(vw: VolunteeringWorld, world: Any, actor: str) -> None:
    application = applied(vw)
    user = world.personas["case_worker"] if actor == "case_worker" else getattr(vw, actor)
    for call in (
        lambda: service.accept(actor=user, application=application),
        lambda: service.decline(actor=user, application=application),
        lambda: service.ask(actor=user, application=application, message="?"),
        lambda: service.send_message(sender=user, application=application, body="Hallo", as_organisation=True),
    ):
        with pytest.raises(PermissionDenied):
            call()
    if actor != "volunteer":
        with pytest.raises(PermissionDenied):
            service.send_message(sender=user, application=application, body="Hallo", as_organisation=False)
    assert not Message.objects.exists()


# --- the pages: who sees what --------------------------------------------------------------------------------------

PERSONAS = ["anonymous", "volunteer", "other_volunteer", "coordinator", "other_coordinator", "case_worker"]


def client_for(persona: str, vw: VolunteeringWorld, world: Any) -> Client:
    if persona == "anonymous":
        return Client()
    if persona == "case_worker":
        return world.client("case_worker")
    return as_user(getattr(vw, persona))


@pytest.mark.parametrize("persona", PERSONAS)
def test_volunteer_page_matrix(vw: VolunteeringWorld, world: Any, persona: str) -> None:
    application = applied(vw, share_email=True)
    response = client_for(persona, vw, world).get(detail_url(application))
    if persona == "anonymous":
        assert response.status_code == 302 and "/konto/" in response["Location"]
    elif persona == "volunteer":
        assert response.status_code == 200
        assert "Ich helfe gern samstags." in response.content.decode()
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_coordinator_pages_matrix(vw: VolunteeringWorld, world: Any, persona: str) -> None:
    application = applied(vw, share_email=True)
    client = client_for(persona, vw, world)
    for url in (coordinator_url(application),
                reverse("volunteering:coordinator_applications", kwargs={"org_slug": vw.club.slug})):  # fmt: skip
        response = client.get(url)
        if persona == "anonymous":
            assert response.status_code == 302
        elif persona == "coordinator":
            assert response.status_code == 200
            assert "Ehrenamt" in response.content.decode()  # the display name of ehrenamt@example.org
        else:
            # The Börse's staff verify organisations but never see applications or volunteers' profiles.
            assert response.status_code == 404


def test_another_organisations_coordinator_cannot_reach_it_through_their_own_area(vw: VolunteeringWorld) -> None:
    application = applied(vw)
    client = as_user(vw.other_coordinator)
    assert client.get(coordinator_url(application, vw.other_club.slug)).status_code == 404
    response = client.post(coordinator_url(application, vw.other_club.slug), {"action": "message",
                                                                              "nachricht-body": "Hallo"})  # fmt: skip
    assert response.status_code == 404
    response = client.post(coordinator_url(application, vw.other_club.slug), {"action": "accept"})
    assert response.status_code == 404
    assert not Message.objects.exists()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.OPEN


def test_a_forged_reply_to_someone_elses_application_is_404(vw: VolunteeringWorld) -> None:
    application = applied(vw)
    response = as_user(vw.other_volunteer).post(detail_url(application), {"action": "reply", "antwort-body": "Hallo"})
    assert response.status_code == 404
    response = as_user(vw.other_volunteer).post(reverse("volunteering:withdraw_application",
                                                        kwargs={"pk": application.pk}), {"zurueckziehen-confirm": "on"})  # fmt: skip
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_profile_shows_age_not_birth_date_and_email_only_when_shared(vw: VolunteeringWorld) -> None:
    VolunteerProfile.objects.filter(user=vw.volunteer).update(
        skills="Erste Hilfe", languages="Deutsch, Türkisch", availability=["sa-vormittag", "mi-abend"],
        fields=["sport", "jugend"],
    )  # fmt: skip
    application = applied(vw)
    client = as_user(vw.coordinator)
    page = client.get(coordinator_url(application)).content.decode()
    age = age_on(date(1980, 5, 1), timezone.localdate())
    assert f"{age} Jahre" in page
    assert "1980" not in page and "01.05." not in page
    assert "56789" not in page  # where the person lives is not the organisation's business
    for fact in ("Erste Hilfe", "Deutsch, Türkisch", "Samstag vormittags", "Mittwoch abends", "Kinder und Jugend"):
        assert fact in page
    assert VOLUNTEER_MAIL not in page
    service.share_email(user=vw.volunteer, application=application, share=True, as_organisation=False)
    assert VOLUNTEER_MAIL in client.get(coordinator_url(application)).content.decode()


def test_the_volunteer_sees_the_organisations_address_only_when_shared(vw: VolunteeringWorld) -> None:
    application = applied(vw)
    client = as_user(vw.volunteer)
    assert CLUB_CONTACT not in client.get(detail_url(application)).content.decode()
    assert COORDINATOR_MAIL not in client.get(detail_url(application)).content.decode()
    response = as_user(vw.coordinator).post(coordinator_url(application), {"action": "share", "teilen-share": "on"})
    assert response.status_code == 302
    assert CLUB_CONTACT in client.get(detail_url(application)).content.decode()


# --- the pages: applying, deciding, answering ----------------------------------------------------------------------


def test_apply_page_form_and_second_application_link(vw: VolunteeringWorld) -> None:
    client = as_user(vw.volunteer)
    url = reverse("volunteering:apply", kwargs={"pk": vw.opportunity.pk})
    assert url == f"/ehrenamt/angebote/{vw.opportunity.pk}/bewerben/"
    page = client.get(url).content.decode()
    assert "Meine E-Mail-Adresse an die Organisation weitergeben" in page
    assert 'name="share_email"' in page and "checked" not in page
    response = client.post(url, {"message": ""})
    assert "ein paar Sätze" in response.content.decode()
    assert not Application.objects.exists()
    response = client.post(url, {"message": "Ich bin dabei."})
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(application)
    page = client.get(url).content.decode()
    assert "Sie haben sich auf dieses Angebot bereits beworben." in page
    assert f'href="{detail_url(application)}"' in page
    client.post(url, {"message": "Noch einmal."})
    assert Application.objects.count() == 1


def test_apply_page_shows_why_not(vw: VolunteeringWorld) -> None:
    vw.opportunity.minimum_age = 70
    vw.opportunity.save()
    page = as_user(vw.volunteer).get(reverse("volunteering:apply", kwargs={"pk": vw.opportunity.pk})).content.decode()
    assert "mindestens 70 Jahre" in page and 'name="message"' not in page


def test_apply_to_a_draft_is_404(vw: VolunteeringWorld) -> None:
    draft = make_opportunity(vw.club, "Geheim", status=OpportunityStatus.DRAFT)
    assert as_user(vw.volunteer).get(reverse("volunteering:apply", kwargs={"pk": draft.pk})).status_code == 404
    assert Client().get(reverse("volunteering:apply", kwargs={"pk": draft.pk})).status_code == 302


def test_coordinator_decides_through_the_page(vw: VolunteeringWorld) -> None:
    application = applied(vw)
    client = as_user(vw.coordinator)
    response = client.post(coordinator_url(application), {"action": "question", "frage-message": ""})
    assert response.status_code == 200 and "Bitte schreiben Sie Ihre Frage." in response.content.decode()
    client.post(coordinator_url(application), {"action": "question", "frage-message": "Wann haben Sie Zeit?"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.QUESTION
    volunteer = as_user(vw.volunteer)
    assert "Rückfrage" in volunteer.get(detail_url(application)).content.decode()
    response = volunteer.post(detail_url(application), {"action": "reply", "antwort-body": ""})
    assert "Bitte schreiben Sie eine Nachricht." in response.content.decode()
    volunteer.post(detail_url(application), {"action": "reply", "antwort-body": "Samstags."})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.OPEN
    client.post(coordinator_url(application), {"action": "accept", "annehmen-message": ""})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    assert "Angenommen" in volunteer.get(detail_url(application)).content.decode()
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(coordinator_url(application), {"action": "end", "ende-ended_on": future})
    assert "nicht in der Zukunft" in response.content.decode()
    response = client.post(coordinator_url(application), {"action": "end", "ende-ended_on": "gestern"})
    assert "gültiges Datum" in response.content.decode()
    client.post(coordinator_url(application), {"action": "end", "ende-ended_on": timezone.localdate().isoformat()})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ENDED


def test_unknown_action_is_404(vw: VolunteeringWorld) -> None:
    application = applied(vw)
    assert as_user(vw.coordinator).post(coordinator_url(application), {"action": "x"}).status_code == 404
    assert as_user(vw.volunteer).post(detail_url(application), {"action": "x"}).status_code == 404


def test_withdraw_through_the_page(vw: VolunteeringWorld) -> None:
    application = applied(vw)
    client = as_user(vw.volunteer)
    url = reverse("volunteering:withdraw_application", kwargs={"pk": application.pk})
    response = client.post(url)  # without the tick: refused, nothing changes
    assert "Bitte bestätigen Sie, dass Sie Ihre Bewerbung zurückziehen möchten." in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.OPEN
    response = client.post(url, {"zurueckziehen-confirm": "on"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert client.get(reverse("volunteering:withdraw_application", kwargs={"pk": application.pk})).status_code == 405


def test_my_area_lists_the_applications(vw: VolunteeringWorld) -> None:
    applied(vw)
    page = as_user(vw.volunteer).get("/konto/").content.decode()
    assert "Meine Bewerbungen" in page and "Trainer für die Bambini" in page


def test_coordinator_tab_and_status_filter(vw: VolunteeringWorld) -> None:
    applied(vw)
    other = make_volunteer("zweite@example.org")
    service.decline(actor=vw.coordinator, application=service.apply(user=other, opportunity=vw.opportunity,
                                                                      message="Hallo"))  # fmt: skip
    client = as_user(vw.coordinator)
    url = reverse("volunteering:coordinator_applications", kwargs={"org_slug": vw.club.slug})
    page = client.get(url).content.decode()
    assert "Alle (2)" in page and "Eingegangen (1)" in page and "Abgelehnt (1)" in page
    assert 'aria-current="page">Bewerbungen</a>' in page
    declined = client.get(url, {"status": "declined"}).content.decode()
    assert "Zweite" in declined and "Ehrenamt:" not in declined


# --- query counts ---------------------------------------------------------------------------------------------------


def fill(vw: VolunteeringWorld, count: int) -> None:
    Application.objects.all().delete()
    opportunities = [make_opportunity(vw.club, f"Angebot {n}") for n in range(count)]
    statuses = list(ApplicationStatus.values)
    Application.objects.bulk_create(
        Application(opportunity=opportunity, volunteer=vw.volunteer, message="Hallo", status=statuses[n % len(statuses)])
        for n, opportunity in enumerate(opportunities)
    )  # fmt: skip
    Message.objects.bulk_create(Message(application=application, body="Frage", from_organisation=n % 2 == 0)
                                for n, application in enumerate(Application.objects.all()))  # fmt: skip


@pytest.mark.parametrize("side", ["volunteer", "coordinator", "account"])
def test_lists_keep_a_constant_number_of_queries(vw: VolunteeringWorld, side: str) -> None:
    url = {"volunteer": reverse("volunteering:my_applications"), "account": "/konto/",
           "coordinator": reverse("volunteering:coordinator_applications", kwargs={"org_slug": vw.club.slug})}[side]  # fmt: skip
    client = as_user(vw.coordinator if side == "coordinator" else vw.volunteer)
    counts = []
    for count in (10, 100):
        fill(vw, count)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert f"Angebot {count - 1}" in response.content.decode()  # the newest
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
