"""Hours: attendance writes and removes confirmed hours, volunteers' own entries with their refusals, the
coordinator's decisions, totals and export; certificates, their PDF, who may download it, and the public
verification of the code; the statistics of the Börse. Lists keep their number of queries."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from mitwirken.volunteering import certificate_pdf
from mitwirken.volunteering.models import (
    Application,
    ApplicationStatus,
    Attendance,
    Certificate,
    Field,
    HoursEntry,
    HoursStatus,
    OpportunityStatus,
    ShiftSignup,
    SignupStatus,
)
from mitwirken.volunteering.services import certificates as certificate_service
from mitwirken.volunteering.services import hours as hours_service
from mitwirken.volunteering.statistics import for_exchange

from .conftest import login
from .factories import UserFactory
from .volunteering_fixtures import VolunteeringWorld, make_opportunity, make_shift, volunteering_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def vw(world: Any) -> VolunteeringWorld:
    return volunteering_world(world)


def as_user(user: Any) -> Client:
    return login(Client(), user)


def signed_up(shift: Any, volunteer: Any) -> ShiftSignup:
    shift.taken += 1
    shift.save(update_fields=["taken"])
    return ShiftSignup.objects.create(shift=shift, volunteer=volunteer, status=SignupStatus.CONFIRMED)


def accepted(opportunity: Any, volunteer: Any) -> Application:
    return Application.objects.create(opportunity=opportunity, volunteer=volunteer, status=ApplicationStatus.ACCEPTED)


def confirmed_hours(vw: VolunteeringWorld, volunteer: Any, day: date, hours: str, **fields: Any) -> HoursEntry:
    return HoursEntry.objects.create(volunteer=volunteer, organisation=fields.pop("organisation", vw.club),
                                     opportunity=fields.pop("opportunity", vw.opportunity), day=day,
                                     hours=Decimal(hours), status=fields.pop("status", HoursStatus.CONFIRMED),
                                     **fields)  # fmt: skip


# --- attendance --------------------------------------------------------------------------------------------------


def past_shift(vw: VolunteeringWorld, **fields: Any) -> Any:
    return make_shift(vw.opportunity, days=-2, hours=fields.pop("hours", 2.5), **fields)


def test_attendance_writes_confirmed_hours_and_changing_back_removes_them(vw: VolunteeringWorld) -> None:
    vw.opportunity.paid = True
    vw.opportunity.save()
    shift = past_shift(vw)
    mine, other = signed_up(shift, vw.volunteer), signed_up(shift, vw.other_volunteer)
    client = as_user(vw.coordinator)
    url = reverse("volunteering:attendance", kwargs={"org_slug": vw.club.slug, "pk": shift.pk})
    hours_page = client.get(reverse("volunteering:coordinator_hours", kwargs={"org_slug": vw.club.slug}))
    assert "2 Personen noch nicht erfasst" in hours_page.content.decode()
    page = client.get(url)
    assert page.status_code == 200
    assert 'type="radio"' in page.content.decode()
    response = client.post(url, {f"attendance-{mine.pk}": "attended", f"attendance-{other.pk}": "absent"})
    assert response.status_code == 302
    entry = HoursEntry.objects.get()
    assert (entry.volunteer, entry.signup, entry.hours, entry.status, entry.paid) == (
        vw.volunteer,
        mine,
        Decimal("2.50"),
        HoursStatus.CONFIRMED,
        True,
    )
    assert entry.day == timezone.localtime(shift.start).date()
    mine.refresh_from_db()
    assert mine.attendance == Attendance.ATTENDED
    client.post(url, {f"attendance-{mine.pk}": "absent", f"attendance-{other.pk}": "absent"})
    assert not HoursEntry.objects.exists()


def test_attendance_of_a_shift_not_started_is_refused_in_german(vw: VolunteeringWorld) -> None:
    mine = signed_up(vw.shift, vw.volunteer)
    client = as_user(vw.coordinator)
    url = reverse("volunteering:attendance", kwargs={"org_slug": vw.club.slug, "pk": vw.shift.pk})
    assert "hat noch nicht begonnen" in client.get(url).content.decode()
    response = client.post(url, {f"attendance-{mine.pk}": "attended"})
    assert response.status_code == 400
    assert "hat noch nicht begonnen" in response.content.decode()
    assert not HoursEntry.objects.exists()


def test_attendance_is_the_organisations_coordinators_only(vw: VolunteeringWorld) -> None:
    shift = past_shift(vw)
    signup = signed_up(shift, vw.volunteer)
    url = reverse("volunteering:attendance", kwargs={"org_slug": vw.club.slug, "pk": shift.pk})
    for user in (vw.volunteer, vw.other_coordinator):
        assert as_user(user).post(url, {f"attendance-{signup.pk}": "attended"}).status_code == 404
    # A shift of another organisation under one's own slug.
    foreign = make_shift(make_opportunity(vw.other_club), days=-1)
    foreign_url = reverse("volunteering:attendance", kwargs={"org_slug": vw.club.slug, "pk": foreign.pk})
    assert as_user(vw.coordinator).get(foreign_url).status_code == 404
    assert not HoursEntry.objects.exists()


def test_attendance_refuses_a_signup_of_another_shift(vw: VolunteeringWorld) -> None:
    shift = past_shift(vw)
    other_signup = signed_up(past_shift(vw), vw.volunteer)
    with pytest.raises(ShiftSignup.DoesNotExist):
        hours_service.record_attendance(shift=shift, marks={other_signup.pk: "attended"}, actor=vw.coordinator)
    assert not HoursEntry.objects.exists()


# --- own hours ---------------------------------------------------------------------------------------------------


def own_hours_post(client: Client, organisation: Any, day: date, hours: str, description: str = "Kuchenverkauf"
                   ) -> Any:  # fmt: skip
    return client.post(reverse("volunteering:my_hours"), {"organisation": organisation.pk, "day": day.isoformat(),
                                                          "hours": hours, "description": description})  # fmt: skip


def test_a_volunteer_adds_hours_for_an_organisation_they_are_engaged_at(vw: VolunteeringWorld) -> None:
    accepted(vw.opportunity, vw.volunteer)
    client = as_user(vw.volunteer)
    response = own_hours_post(client, vw.club, timezone.localdate() - timedelta(days=1), "1,5")
    assert response.status_code == 302
    entry = HoursEntry.objects.get()
    assert (entry.hours, entry.status, entry.organisation) == (Decimal("1.5"), HoursStatus.PENDING, vw.club)
    page = client.get(reverse("volunteering:my_hours")).content.decode()
    assert "Wartet auf Bestätigung" in page and "Kuchenverkauf" in page


@pytest.mark.parametrize(
    ("days_ago", "hours", "message"),
    [
        (-1, "2", "Stunden in der Zukunft können nicht eingetragen werden."),
        (None, "2", "Bitte geben Sie einen Tag ab dem 01.01.2000 an."),
        (1, "0,1", "0,25"),
        (1, "25", "24"),
    ],
)
def test_bad_own_hours_get_a_german_message_and_nothing_is_saved(vw: VolunteeringWorld, days_ago: int | None,
                                                                 hours: str, message: str) -> None:  # fmt: skip
    accepted(vw.opportunity, vw.volunteer)
    day = date(1999, 12, 31) if days_ago is None else timezone.localdate() - timedelta(days=days_ago)
    response = own_hours_post(as_user(vw.volunteer), vw.club, day, hours)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not HoursEntry.objects.exists()


def test_more_than_24_hours_on_one_day_in_total_are_refused(vw: VolunteeringWorld) -> None:
    accepted(vw.opportunity, vw.volunteer)
    day = timezone.localdate() - timedelta(days=3)
    confirmed_hours(vw, vw.volunteer, day, "20")
    response = own_hours_post(as_user(vw.volunteer), vw.club, day, "4,5")
    assert response.status_code == 400
    assert "höchstens 24 Stunden" in response.content.decode()
    assert HoursEntry.objects.count() == 1
    # Rejected hours do not take up the day.
    HoursEntry.objects.update(status=HoursStatus.REJECTED)
    assert own_hours_post(as_user(vw.volunteer), vw.club, day, "4,5").status_code == 302


def test_hours_for_an_organisation_without_engagement_are_refused(vw: VolunteeringWorld) -> None:
    Application.objects.create(opportunity=vw.opportunity, volunteer=vw.volunteer, status=ApplicationStatus.OPEN)
    with pytest.raises(ValidationError) as refusal:
        hours_service.add_own_hours(volunteer=vw.volunteer, organisation=vw.other_club, day=timezone.localdate(),
                                    hours=Decimal(2), description="x")  # fmt: skip
    assert "organisation" in refusal.value.message_dict
    # The form offers only the organisations where the person is engaged: a forged choice gets a German message.
    signed_up(vw.shift, vw.volunteer)
    response = own_hours_post(as_user(vw.volunteer), vw.other_club, timezone.localdate(), "2")
    assert response.status_code == 400
    assert "Bitte wählen Sie eine Organisation aus der Liste." in response.content.decode()
    assert not HoursEntry.objects.exists()


def test_the_coordinator_confirms_and_rejects_pending_hours(vw: VolunteeringWorld) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    first = confirmed_hours(vw, vw.volunteer, yesterday, "2", status=HoursStatus.PENDING)
    second = confirmed_hours(vw, vw.volunteer, yesterday, "3", status=HoursStatus.PENDING)
    client = as_user(vw.coordinator)
    url = reverse("volunteering:coordinator_hours", kwargs={"org_slug": vw.club.slug})
    assert "2 Einträge warten auf Bestätigung" in client.get(url).content.decode()
    client.post(url, {"entry": first.pk, "action": "confirm"})
    client.post(url, {"entry": second.pk, "action": "reject", "note": "Doppelt eingetragen"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.note) == (HoursStatus.CONFIRMED, HoursStatus.REJECTED,
                                                          "Doppelt eingetragen")  # fmt: skip
    assert first.decided_by == vw.coordinator
    # Another organisation's coordinator cannot decide (404), even under their own slug.
    third = confirmed_hours(vw, vw.volunteer, yesterday, "1", status=HoursStatus.PENDING)
    other_url = reverse("volunteering:coordinator_hours", kwargs={"org_slug": vw.other_club.slug})
    assert as_user(vw.other_coordinator).post(other_url, {"entry": third.pk, "action": "confirm"}).status_code == 404
    assert as_user(vw.other_coordinator).post(url, {"entry": third.pk, "action": "confirm"}).status_code == 404
    third.refresh_from_db()
    assert third.status == HoursStatus.PENDING


def test_totals_per_organisation_and_year_and_the_export(vw: VolunteeringWorld) -> None:
    confirmed_hours(vw, vw.volunteer, date(2025, 3, 1), "4")
    confirmed_hours(vw, vw.volunteer, date(2025, 7, 1), "6")
    confirmed_hours(vw, vw.volunteer, date(2026, 1, 5), "2,5".replace(",", "."))
    confirmed_hours(vw, vw.volunteer, date(2026, 1, 6), "9", status=HoursStatus.REJECTED)
    page = as_user(vw.volunteer).get(reverse("volunteering:my_hours")).content.decode()
    assert ">10<" in page and ">2,5<" in page
    client = as_user(vw.coordinator)
    coordinator_page = client.get(reverse("volunteering:coordinator_hours", kwargs={"org_slug": vw.club.slug}))
    assert ">10<" in coordinator_page.content.decode()
    export = client.get(reverse("volunteering:coordinator_hours_export", kwargs={"org_slug": vw.club.slug}))
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4  # header and the three confirmed entries
    assert sum(row[4] for row in rows[1:]) == 12.5


def query_counts(client: Client, url: str, fill: Callable[[int], None], sizes: tuple[int, ...] = (10, 200)
                 ) -> list[int]:  # fmt: skip
    """The queries of one page view after ``fill(size)`` for each size (a first view warms sessions and caches)."""
    counts = []
    for size in sizes:
        fill(size)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return counts


def test_own_hours_page_keeps_its_query_count(vw: VolunteeringWorld) -> None:
    def fill(total: int) -> None:
        HoursEntry.objects.all().delete()
        HoursEntry.objects.bulk_create(
            HoursEntry(volunteer=vw.volunteer, organisation=vw.club if n % 2 else vw.other_club,
                       day=date(2020 + n % 6, 1 + n % 12, 1), hours=Decimal("1.5"), status=HoursStatus.CONFIRMED)
            for n in range(total)
        )  # fmt: skip

    counts = query_counts(as_user(vw.volunteer), reverse("volunteering:my_hours"), fill)
    assert counts[0] == counts[1], counts


def test_coordinator_hours_page_keeps_its_query_count(vw: VolunteeringWorld) -> None:
    def fill(total: int) -> None:
        HoursEntry.objects.all().delete()
        people = [UserFactory(email=f"p{total}-{n}@example.org") for n in range(5)]
        HoursEntry.objects.bulk_create(
            HoursEntry(volunteer=people[n % 5], organisation=vw.club, day=date(2024 + n % 3, 5, 1),
                       hours=Decimal(2), status=HoursStatus.PENDING if n % 3 else HoursStatus.CONFIRMED)
            for n in range(total)
        )  # fmt: skip

    url = reverse("volunteering:coordinator_hours", kwargs={"org_slug": vw.club.slug})
    counts = query_counts(as_user(vw.coordinator), url, fill)
    assert counts[0] == counts[1], counts


# --- certificates ------------------------------------------------------------------------------------------------


def issue_form(vw: VolunteeringWorld, **data: Any) -> dict[str, Any]:
    return {"volunteer_name": "Erika Mustermann", "period_start": "2026-01-01", "period_end": "2026-06-30",
            "activity": "Training der Bambini", "competences": "Verantwortung für eine Gruppe", **data}  # fmt: skip


def test_a_coordinator_issues_a_certificate_with_the_hours_computed_on_the_server(vw: VolunteeringWorld) -> None:
    vw.volunteer.real_name = "Erika Mustermann"
    vw.volunteer.save()
    confirmed_hours(vw, vw.volunteer, date(2026, 2, 1), "10")
    confirmed_hours(vw, vw.volunteer, date(2026, 6, 30), "5")
    confirmed_hours(vw, vw.volunteer, date(2026, 7, 1), "99")  # after the period
    confirmed_hours(vw, vw.volunteer, date(2026, 3, 1), "7", status=HoursStatus.PENDING)
    client = as_user(vw.coordinator)
    url = reverse("volunteering:certificate_new", kwargs={"org_slug": vw.club.slug}) + f"?person={vw.volunteer.pk}"
    form = client.get(url).content.decode()
    assert "Erika Mustermann" in form and "Trainer für die Bambini" in form
    response = client.post(url, issue_form(vw, hours="1000"))
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.hours == Decimal(15)
    assert (certificate.signed_by, certificate.organisation_name) == (vw.coordinator, vw.club.name)


def test_certificate_refusals(vw: VolunteeringWorld) -> None:
    confirmed_hours(vw, vw.volunteer, date(2026, 2, 1), "10")
    client = as_user(vw.coordinator)
    url = reverse("volunteering:certificate_new", kwargs={"org_slug": vw.club.slug}) + f"?person={vw.volunteer.pk}"
    response = client.post(url, issue_form(vw, period_start="2026-06-01", period_end="2026-01-01"))
    assert "Das Ende des Zeitraums liegt vor seinem Beginn." in response.content.decode()
    response = client.post(url, issue_form(vw, period_start="2025-01-01", period_end="2025-12-31"))
    assert "keine bestätigten Stunden" in response.content.decode()
    assert not Certificate.objects.exists()
    # A person without hours at the organisation, and another organisation's coordinator: 404.
    stranger = reverse("volunteering:certificate_new", kwargs={"org_slug": vw.club.slug}) + (
        f"?person={vw.other_volunteer.pk}"
    )
    assert client.get(stranger).status_code == 404
    assert as_user(vw.other_coordinator).get(url).status_code == 404


def certificate(vw: VolunteeringWorld) -> Certificate:
    confirmed_hours(vw, vw.volunteer, date(2026, 2, 1), "12")
    return certificate_service.issue(organisation=vw.club, volunteer=vw.volunteer, actor=vw.coordinator,
                                     period_start=date(2026, 1, 1), period_end=date(2026, 3, 31),
                                     activity="Training", volunteer_name="Erika Mustermann",
                                     today=date(2026, 4, 1))  # fmt: skip


def test_only_the_volunteer_and_the_coordinators_download_the_pdf(vw: VolunteeringWorld, world: Any) -> None:
    issued = certificate(vw)
    url = reverse("volunteering:certificate_pdf", kwargs={"pk": issued.pk})
    for user in (vw.volunteer, vw.coordinator):
        response = as_user(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    for user in (vw.other_volunteer, vw.other_coordinator, world.personas["case_worker"],
                 world.personas["portal_admin"]):  # fmt: skip
        assert as_user(user).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login
    listing = as_user(vw.volunteer).get(reverse("volunteering:my_certificates")).content.decode()
    assert issued.printed_code in listing


def test_the_pdf_carries_the_code_and_the_verification_address(vw: VolunteeringWorld) -> None:
    issued = certificate(vw)
    response = as_user(vw.volunteer).get(reverse("volunteering:certificate_pdf", kwargs={"pk": issued.pk}))
    assert f"/Title (Ehrenamtsnachweis {issued.printed_code})".encode() in response.content
    # What the PDF prints (fpdf2 writes glyph ids, so the text is read from the rows it prints).
    printed = "\n".join([certificate_pdf.statement(issued), *(f"{label}: {value}" for label, value in
                          certificate_pdf.facts(issued)), *certificate_pdf.verification_lines(issued)])  # fmt: skip
    assert f"Prüfcode: {issued.printed_code}" in printed
    assert "/ehrenamt/nachweis-pruefen/" in printed
    assert "Name: Erika Mustermann" in printed and "Umfang: 12 bestätigte Stunden" in printed
    assert "Zeitraum: 01.01.2026 bis 31.03.2026" in printed and "Unterzeichnet: Trainerin" in printed


def test_the_verification_page_accepts_the_code_in_any_form(vw: VolunteeringWorld) -> None:
    issued = certificate(vw)
    url = reverse("volunteering:verify_certificate")
    for typed in (issued.printed_code, issued.code.lower(), f" {issued.printed_code.lower()} "):
        page = Client().get(url, {"code": typed}).content.decode()
        assert "Gültiger Ehrenamtsnachweis" in page and "Erika Mustermann" in page and vw.club.name in page
    page = Client().get(url, {"code": "ABCD-EFGH-JKMN"}).content.decode()
    assert "Kein gültiger Nachweis" in page
    certificate_service.revoke(certificate=issued, actor=vw.coordinator)
    page = Client().get(url, {"code": issued.printed_code}).content.decode()
    assert "Kein gültiger Nachweis" in page and "widerrufen" in page and "Erika Mustermann" not in page


def test_the_verification_page_is_rate_limited(vw: VolunteeringWorld, clock_stands_still: None) -> None:
    url = reverse("volunteering:verify_certificate")
    client = Client()
    statuses = [client.get(url, {"code": "ABCD-EFGH-JKMN"}).status_code for _ in range(25)]
    assert statuses[:20] == [200] * 20
    assert statuses[-1] == 429


# --- statistics --------------------------------------------------------------------------------------------------


def test_statistics_of_the_boerse(vw: VolunteeringWorld, world: Any) -> None:
    make_opportunity(vw.club, "Müll sammeln", field=Field.ENVIRONMENT, status=OpportunityStatus.DRAFT)
    confirmed_hours(vw, vw.volunteer, date(2025, 5, 1), "4")
    confirmed_hours(vw, vw.volunteer, date(2026, 5, 1), "6")
    confirmed_hours(vw, vw.other_volunteer, date(2026, 5, 1), "3", opportunity=None)
    confirmed_hours(vw, vw.other_volunteer, date(2026, 5, 2), "50", status=HoursStatus.REJECTED)
    signed_up(vw.shift, UserFactory(email="helfer@example.org"))
    signed_up(vw.shift, vw.volunteer)
    figures = for_exchange(vw.exchange)
    assert figures.volunteers == 3
    assert dict(figures.hours_by_year) == {2025: Decimal(4), 2026: Decimal(9)}
    assert dict(figures.hours_by_field) == {"Sport": Decimal(10), "Ohne Angebot": Decimal(3)}
    assert dict(figures.opportunities_by_field) == {"Sport": 1, "Umwelt und Naturschutz": 1}
    assert dict(figures.organisations)["Bestätigt"] == 1
    client = world.client("case_worker")
    url = reverse("backoffice:volunteering_statistics", kwargs={"org_slug": world.organisation.slug})
    assert "Bestätigte Stunden nach Jahr" in client.get(url).content.decode()
    export = client.get(reverse("backoffice:volunteering_statistics_export",
                                kwargs={"org_slug": world.organisation.slug}))  # fmt: skip
    rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True))
    assert ("Bestätigte Stunden nach Jahr", "2026", 9) in rows
    # Another tenant's staff and coordinators: 404.
    assert world.client("other_org_admin").get(url).status_code == 404
    assert as_user(vw.coordinator).get(url).status_code == 404


def test_statistics_keep_their_query_count(vw: VolunteeringWorld, world: Any) -> None:
    def fill(total: int) -> None:
        for n in range(total):
            make_opportunity(vw.club, f"Angebot {total}-{n}", field=Field.values[n % len(Field.values)])

    url = reverse("backoffice:volunteering_statistics", kwargs={"org_slug": world.organisation.slug})
    counts = query_counts(world.client("case_worker"), url, fill, (5, 100))
    assert counts[0] == counts[1], counts


def test_mein_bereich_lists_the_certificates(vw: VolunteeringWorld) -> None:
    issued = certificate(vw)
    page = as_user(vw.volunteer).get(reverse("accounts:overview")).content.decode()
    assert "Meine Engagement-Stunden und Nachweise" in page and issued.printed_code in page
    assert issued.printed_code not in as_user(vw.other_volunteer).get(reverse("accounts:overview")).content.decode()


def fill_certificates_and_cards(vw: VolunteeringWorld, total: int) -> None:
    from mitwirken.volunteering.models import CardApplication, CardConfirmation, CardStatus

    Certificate.objects.all().delete()
    CardApplication.objects.all().delete()
    for n in range(total):
        person = UserFactory(email=f"c{total}-{n}@example.org")
        Certificate.objects.create(volunteer=vw.volunteer if n % 2 else person, organisation=vw.club,
                                   volunteer_name=f"Person {n}", organisation_name=vw.club.name,
                                   period_start=date(2026, 1, 1), period_end=date(2026, 2, 1), activity="Training",
                                   hours=Decimal(5), signed_by=vw.coordinator, signed_by_name="Trainerin")  # fmt: skip
        card = CardApplication.objects.create(volunteer=person, recognition="ehrenamtskarte", exchange=vw.exchange,
                                              period_start=date(2025, 1, 1), period_end=date(2026, 1, 1),
                                              hours=Decimal(500), status=CardStatus.ORGANISATIONS_CONFIRMED)  # fmt: skip
        CardConfirmation.objects.create(application=card, organisation=vw.club, hours=Decimal(300))
        CardConfirmation.objects.create(application=card, organisation=vw.other_club, hours=Decimal(200))


@pytest.mark.parametrize("page", ["coordinator_certificates", "coordinator_cards", "my_certificates",
                                  "backoffice_cards"])  # fmt: skip
def test_certificate_and_card_lists_keep_their_query_count(vw: VolunteeringWorld, world: Any, page: str) -> None:
    if page == "backoffice_cards":
        client = world.client("case_worker")
        url = reverse("backoffice:volunteering_cards", kwargs={"org_slug": world.organisation.slug})
    elif page == "my_certificates":
        client, url = as_user(vw.volunteer), reverse("volunteering:my_certificates")
    else:
        client = as_user(vw.coordinator)
        url = reverse(f"volunteering:{page}", kwargs={"org_slug": vw.club.slug})
    counts = query_counts(client, url, lambda total: fill_certificates_and_cards(vw, total), (3, 30))
    assert counts[0] == counts[1], counts


def test_forged_posts_for_other_organisations_are_404(vw: VolunteeringWorld) -> None:
    fill_certificates_and_cards(vw, 1)
    certificate = Certificate.objects.get()
    from mitwirken.volunteering.models import CardConfirmation

    foreign = CardConfirmation.objects.get(organisation=vw.club)
    client = as_user(vw.other_coordinator)
    own = {"org_slug": vw.other_club.slug}
    assert client.post(reverse("volunteering:coordinator_certificates", kwargs=own),
                       {"certificate": certificate.pk}).status_code == 404  # fmt: skip
    assert client.post(reverse("volunteering:coordinator_cards", kwargs=own),
                       {"confirmation": foreign.pk}).status_code == 404  # fmt: skip
    assert client.post(reverse("volunteering:coordinator_hours", kwargs=own), {"entry": "x"}).status_code == 404
    certificate.refresh_from_db()
    foreign.refresh_from_db()
    assert certificate.revoked_at is None and foreign.confirmed_at is None
