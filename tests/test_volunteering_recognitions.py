"""The Ehrenamtskarte rule at its edges, on a fixed day (``today`` is passed): just under and just over the
thresholds, the period's first and last day, hours across two organisations, rejected, pending and paid hours
not counted, too young; and the application: organisations confirm, the Börse approves, the volunteer is told."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from mitwirken.volunteering import recognitions
from mitwirken.volunteering.models import CardApplication, CardConfirmation, CardStatus, HoursEntry, HoursStatus
from mitwirken.volunteering.services import cards

from .conftest import login
from .volunteering_fixtures import VolunteeringWorld, make_volunteer, volunteering_world

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 6)
# The two rolling years ending on TODAY.
FIRST_DAY = date(2024, 12, 7)  # first day of the older year
OLDER_END = date(2025, 12, 6)
NEWER_START = date(2025, 12, 7)
CARD = recognitions.recognition("ehrenamtskarte")


@pytest.fixture
def vw(world: Any) -> VolunteeringWorld:
    return volunteering_world(world)


def add(vw: VolunteeringWorld, day: date, hours: str, *, organisation: Any = None, volunteer: Any = None,
        **fields: Any) -> HoursEntry:  # fmt: skip
    return HoursEntry.objects.create(volunteer=volunteer or vw.volunteer, organisation=organisation or vw.club,
                                     day=day, hours=Decimal(hours), status=fields.pop("status", HoursStatus.CONFIRMED),
                                     **fields)  # fmt: skip


def check(vw: VolunteeringWorld, recognition: dict[str, Any] = CARD, user: Any = None) -> recognitions.CheckResult:
    return recognitions.check(user or vw.volunteer, recognition, TODAY)


def test_250_hours_in_each_year_on_the_periods_edges_qualify(vw: VolunteeringWorld) -> None:
    add(vw, FIRST_DAY, "250")
    add(vw, TODAY, "250")
    result = check(vw)
    assert result.eligible, result.reasons
    assert (result.period_start, result.period_end) == (FIRST_DAY, TODAY)
    assert [window.hours for window in result.years] == [Decimal(250), Decimal(250)]


def test_a_quarter_hour_short_in_one_year_does_not_qualify_and_says_what_is_missing(vw: VolunteeringWorld) -> None:
    add(vw, OLDER_END, "250")
    add(vw, NEWER_START, "249.75")
    result = check(vw)
    assert not result.eligible
    assert "Im Jahr vom 07.12.2025 bis 06.12.2026 fehlen noch 0,25 Stunden." in result.reasons
    assert not any("06.12.2025" in reason for reason in result.reasons)


def test_hours_a_day_before_the_period_do_not_count(vw: VolunteeringWorld) -> None:
    add(vw, date(2024, 12, 6), "250")
    add(vw, TODAY, "250")
    result = check(vw)
    assert not result.eligible
    assert "Im Jahr vom 07.12.2024 bis 06.12.2025 fehlen noch 250 Stunden." in result.reasons


def test_hours_add_up_across_two_organisations(vw: VolunteeringWorld) -> None:
    for day in (FIRST_DAY, TODAY):
        add(vw, day, "150")
        add(vw, day, "100", organisation=vw.other_club)
    assert check(vw).eligible


@pytest.mark.parametrize("status", [HoursStatus.REJECTED, HoursStatus.PENDING])
def test_rejected_and_pending_hours_do_not_count(vw: VolunteeringWorld, status: str) -> None:
    add(vw, FIRST_DAY, "250")
    add(vw, TODAY, "249")
    add(vw, TODAY, "1", status=status)
    assert not check(vw).eligible


def test_paid_hours_do_not_count(vw: VolunteeringWorld) -> None:
    add(vw, FIRST_DAY, "250")
    add(vw, TODAY, "200")
    add(vw, TODAY, "50", paid=True)
    assert not check(vw).eligible
    add(vw, TODAY, "50")
    assert check(vw).eligible


def test_the_weekly_average_qualifies_when_one_year_is_short(vw: VolunteeringWorld) -> None:
    # 730 days are 104 2/7 weeks: 5 hours a week need 521 3/7 hours.
    add(vw, FIRST_DAY, "230")
    add(vw, TODAY, "291.5")
    result = check(vw)
    assert result.eligible, result.reasons
    assert result.weekly_average == Decimal("5.00")
    HoursEntry.objects.filter(day=TODAY).update(hours=Decimal("291.25"))
    result = check(vw)
    assert not result.eligible
    assert result.weekly_average == Decimal("4.99")
    assert any("4,99 Stunden pro Woche" in reason for reason in result.reasons)


@pytest.mark.parametrize(("birth_date", "eligible"), [(date(2010, 12, 7), False), (date(2010, 12, 6), True)])
def test_minimum_age_on_the_day(vw: VolunteeringWorld, birth_date: date, eligible: bool) -> None:
    young = make_volunteer("jung@example.org", birth_date=birth_date)
    add(vw, FIRST_DAY, "250", volunteer=young)
    add(vw, TODAY, "250", volunteer=young)
    result = check(vw, user=young)
    assert result.eligible is eligible
    if not eligible:
        assert "Sie müssen mindestens 16 Jahre alt sein." in result.reasons


def test_without_a_birth_date_the_age_is_asked_for(vw: VolunteeringWorld) -> None:
    vw.volunteer.volunteer_profile.birth_date = None
    vw.volunteer.volunteer_profile.save()
    add(vw, FIRST_DAY, "250")
    add(vw, TODAY, "250")
    result = check(vw)
    assert not result.eligible
    assert any("Geburtsdatum" in reason for reason in result.reasons)


def test_the_kompetenznachweis_needs_80_hours_in_one_year(vw: VolunteeringWorld) -> None:
    nachweis = recognitions.recognition("kompetenznachweis")
    add(vw, NEWER_START, "79.75")
    assert not check(vw, nachweis).eligible
    add(vw, TODAY, "0.25")
    assert check(vw, nachweis).eligible


def test_other_thresholds_come_from_the_settings(vw: VolunteeringWorld, settings: Any) -> None:
    settings.MITWIRKEN_VOLUNTEER_RECOGNITIONS = [
        {"key": "karte", "name": "Ehrenamtskarte Beispielland", "minimum_age": 18, "hours_per_week": 0,
         "hours_per_year": 100, "years": 3, "municipality_confirms": True},
    ]  # fmt: skip
    for day in (date(2023, 12, 7), OLDER_END, TODAY):
        add(vw, day, "100")
    (result,) = recognitions.check_all(vw.volunteer, TODAY)
    assert result.eligible and result.period_start == date(2023, 12, 7)


def test_the_hours_page_tells_the_volunteer(vw: VolunteeringWorld) -> None:
    add(vw, FIRST_DAY, "250")
    add(vw, TODAY, "238")
    client = login(Client(), vw.volunteer)
    with time_machine.travel("2026-12-06 12:00 +01:00", tick=False):
        page = client.get(reverse("volunteering:my_hours")).content.decode()
        assert "Im Jahr vom 07.12.2025 bis 06.12.2026 fehlen noch 12 Stunden." in page
        add(vw, TODAY, "12")
        page = client.get(reverse("volunteering:my_hours")).content.decode()
    assert "Sie erfüllen die Voraussetzungen für „Ehrenamtskarte Rheinland-Pfalz“." in page


# --- the application ---------------------------------------------------------------------------------------------


def qualifying(vw: VolunteeringWorld) -> None:
    for day in (FIRST_DAY, TODAY):
        add(vw, day, "200")
        add(vw, day, "60", organisation=vw.other_club)


def test_an_application_is_confirmed_by_each_organisation_then_by_the_boerse(
    vw: VolunteeringWorld, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    qualifying(vw)
    application = cards.prepare(volunteer=vw.volunteer, recognition_key="ehrenamtskarte", today=TODAY)
    assert application.exchange == vw.exchange  # most hours there
    assert application.hours == Decimal(520)
    confirmations = {c.organisation: c.hours for c in application.confirmations.all()}
    assert confirmations == {vw.club: Decimal(400), vw.other_club: Decimal(120)}
    # A second one while the first is open is refused.
    with pytest.raises(ValidationError):
        cards.prepare(volunteer=vw.volunteer, recognition_key="ehrenamtskarte", today=TODAY)

    club_page = reverse("volunteering:coordinator_cards", kwargs={"org_slug": vw.club.slug})
    club_confirmation = CardConfirmation.objects.get(organisation=vw.club)
    other_confirmation = CardConfirmation.objects.get(organisation=vw.other_club)
    coordinator = login(Client(), vw.coordinator)
    club_view = coordinator.get(club_page).content.decode()
    assert "400 Stunden" in club_view and "Ehrenamtskarte Rheinland-Pfalz" in club_view  # which recognition
    # A coordinator cannot confirm another organisation's part.
    assert coordinator.post(club_page, {"confirmation": other_confirmation.pk}).status_code == 404
    coordinator.post(club_page, {"confirmation": club_confirmation.pk})
    application.refresh_from_db()
    assert application.status == CardStatus.PREPARED
    other_page = reverse("volunteering:coordinator_cards", kwargs={"org_slug": vw.other_club.slug})
    login(Client(), vw.other_coordinator).post(other_page, {"confirmation": other_confirmation.pk})
    application.refresh_from_db()
    assert application.status == CardStatus.ORGANISATIONS_CONFIRMED

    url = reverse("backoffice:volunteering_cards", kwargs={"org_slug": world.organisation.slug})
    assert world.client("other_org_admin").get(url).status_code == 404
    assert login(Client(), vw.coordinator).get(url).status_code == 404
    staff = world.client("case_worker")
    assert "Ehrenamtskarte Rheinland-Pfalz" in staff.get(url).content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post(url, {"application": application.pk, "action": "approve"}).status_code == 302
    application.refresh_from_db()
    assert application.status == CardStatus.APPROVED
    (message,) = mail.outbox
    assert message.to == [vw.volunteer.email]
    assert message.subject == "Ihr Antrag ist bestätigt: Ehrenamtskarte Rheinland-Pfalz"
    assert "/ehrenamt/stunden/" in message.body


def test_the_volunteer_prepares_the_application_on_the_hours_page(vw: VolunteeringWorld) -> None:
    client = login(Client(), vw.volunteer)
    url = reverse("volunteering:prepare_card", kwargs={"key": "ehrenamtskarte"})
    with time_machine.travel("2026-12-06 12:00 +01:00", tick=False):
        client.post(url)
        assert not CardApplication.objects.exists()  # not yet eligible
        qualifying(vw)
        assert client.post(url).status_code == 302
    assert CardApplication.objects.get().status == CardStatus.PREPARED


def test_the_boerse_cannot_decide_before_the_organisations(vw: VolunteeringWorld, world: Any) -> None:
    qualifying(vw)
    application = cards.prepare(volunteer=vw.volunteer, recognition_key="ehrenamtskarte", today=TODAY)
    with pytest.raises(ValidationError):
        cards.decide(application=application, actor=world.personas["case_worker"], approve=True)
    with pytest.raises(CardApplication.DoesNotExist):
        cards.decide(application=application, actor=world.personas["other_org_admin"], approve=True)
