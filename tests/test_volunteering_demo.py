"""The demo volunteering: seed_demo builds the Börsen, the three engagement organisations, the pending registration
and the Seniorenbeirat with opportunities, shifts and applications, a volunteer just under the Ehrenamtskarte
threshold (by the settings' rule, computed here from the hours), seeding twice adds nothing, and ``--scale`` adds
opportunities and volunteers.

Most tests run only the two seeders this one needs (the demo tenants, then volunteering), which is fast; one test
goes through ``manage.py seed_demo`` as a whole."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Q, Sum
from django.utils import timezone

from mitwirken.organisations import demo as organisation_demo
from mitwirken.volunteering import demo
from mitwirken.volunteering.models import (
    Application,
    ApplicationStatus,
    Certificate,
    Commitment,
    Coordinator,
    EngagementOrganisation,
    Exchange,
    Field,
    HoursEntry,
    HoursStatus,
    Message,
    Opportunity,
    OpportunityStatus,
    PoliceCertificateRecord,
    Shift,
    ShiftSignup,
    SignupStatus,
    VerificationStatus,
    VolunteerProfile,
)

pytestmark = pytest.mark.django_db

NEAR_THRESHOLD = "helga.helferin@mitwirken.example"


def seed_volunteering(scale: int = 0) -> str:
    out = io.StringIO()
    organisation_demo.seed(out, 0)
    demo.seed(out, scale)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return seed_volunteering()


def card_rule() -> dict:
    return next(rule for rule in settings.MITWIRKEN_VOLUNTEER_RECOGNITIONS if rule["key"] == "ehrenamtskarte")


def eligible(volunteer, statuses=(HoursStatus.CONFIRMED,)) -> bool:
    """The Ehrenamtskarte's rule from the settings, over the last ``years`` years ending today: at least
    ``hours_per_year`` in each of those years, or ``hours_per_week`` on average over the whole period; unpaid
    hours of every organisation added up; the minimum age."""
    rule = card_rule()
    today = timezone.localdate()
    entries = HoursEntry.objects.filter(volunteer=volunteer, status__in=statuses, paid=False)
    per_year = []
    for year in range(rule["years"]):
        end = today - timedelta(days=365 * year)
        total = entries.filter(day__gt=end - timedelta(days=365), day__lte=end).aggregate(s=Sum("hours"))["s"]
        per_year.append(total or Decimal(0))
    weeks = Decimal(365 * rule["years"]) / 7
    profile = volunteer.volunteer_profile
    age = (today - profile.birth_date).days // 365
    by_year = all(total >= rule["hours_per_year"] for total in per_year)
    by_week = rule["hours_per_week"] and sum(per_year) / weeks >= rule["hours_per_week"]
    return age >= rule["minimum_age"] and (by_year or bool(by_week))


def test_seeding_builds_the_boersen_and_the_engagement_organisations(seeded):
    assert set(Exchange.objects.values_list("organisation__slug", flat=True)) == {"vg-nord", "musterkreis"}
    organisations = {o.name: o for o in EngagementOrganisation.objects.select_related("exchange__organisation")}
    for name in ("SV Beispielhausen 1921 e. V.", "Freiwillige Feuerwehr Beispielhausen",
                 "Tafel Nordheim-Beispielhausen e. V."):  # fmt: skip
        assert organisations[name].status == VerificationStatus.VERIFIED, name
        assert organisations[name].exchange.organisation.slug == "vg-nord"
        assert Coordinator.objects.filter(organisation=organisations[name]).exists()
        assert 2 <= organisations[name].opportunities.count() <= 4
    assert organisations["Nachbarschaftshilfe Musterdorf"].status == VerificationStatus.PENDING
    assert set(organisations["Nachbarschaftshilfe Musterdorf"].opportunities.values_list("status", flat=True)) == {
        OpportunityStatus.REVIEW
    }
    council = organisations["Seniorenbeirat der Verbandsgemeinde Musterkreis-Nord"]
    assert council.tenant.slug == "vg-nord" and council.is_verified
    assert council.opportunities.filter(title__startswith="Digital-Botschafter", field=Field.SENIORS).exists()
    # The Börse's staff have a second factor like the other demo staff.
    staff = get_user_model().objects.get(email="ehrenamt@vg-nord.example")
    assert staff.organisation_memberships.filter(organisation__slug="vg-nord").exists()
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert "ehrenamt@vg-nord.example" in seeded and "helga.helferin@mitwirken.example" in seeded


def test_the_opportunities_cover_what_the_issue_names(seeded):
    opportunities = Opportunity.objects.all()
    youth = opportunities.get(title__startswith="Übungsleitung Kinderturnen")
    assert youth.minimum_age == 16 and youth.police_certificate and youth.field == Field.YOUTH
    assert opportunities.filter(remote=True, status=OpportunityStatus.PUBLISHED).exists()
    assert opportunities.filter(status=OpportunityStatus.FILLED).exists()
    assert opportunities.filter(status=OpportunityStatus.ENDED).exists()
    assert opportunities.values("field").distinct().count() >= 7

    saturdays = opportunities.get(title="Arbeitseinsätze am Sportgelände")
    assert saturdays.commitment == Commitment.ONE_OFF and not saturdays.application_required
    shifts = list(saturdays.shifts.select_related("series"))
    assert len(shifts) == 5 and {shift.series_id for shift in shifts} != {None}
    assert {timezone.localtime(shift.start).weekday() for shift in shifts} == {5}
    assert all(shift.start > timezone.now() for shift in shifts)
    first = shifts[0]
    assert first.taken == first.max_helpers == 6
    assert first.signups.filter(status=SignupStatus.WAITING).count() == 2

    # Places are counted as the sign-up service counts them, and never above the maximum.
    for shift in Shift.objects.annotate(n=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED))):
        assert shift.taken == shift.n <= shift.max_helpers, shift


def test_applications_in_several_statuses_with_messages_and_a_police_record(seeded):
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses >= {ApplicationStatus.OPEN, ApplicationStatus.QUESTION, ApplicationStatus.ACCEPTED,
                        ApplicationStatus.DECLINED, ApplicationStatus.WITHDRAWN}  # fmt: skip
    question = Application.objects.get(volunteer__email="jonas.neumann@mitwirken.example",
                                       status=ApplicationStatus.QUESTION)  # fmt: skip
    assert question.messages.filter(from_organisation=True).exists()
    declined = Application.objects.get(status=ApplicationStatus.DECLINED)
    assert declined.messages.filter(from_organisation=True).count() == 1
    assert Message.objects.filter(from_organisation=False).exists()
    record = PoliceCertificateRecord.objects.get()
    assert record.application.opportunity.police_certificate and not record.relevant_entry
    assert record.volunteer.email == "tobias.turner@mitwirken.example"
    # Synthetic helpers on shifts that need an application were accepted first.
    needs_application = ShiftSignup.objects.filter(shift__opportunity__application_required=True)
    for signup in needs_application.select_related("shift__opportunity"):
        assert Application.objects.filter(opportunity=signup.shift.opportunity, volunteer=signup.volunteer_id,
                                          status=ApplicationStatus.ACCEPTED).exists()  # fmt: skip
    assert not HoursEntry.objects.filter(day__gt=timezone.localdate()).exists()


def test_the_volunteer_near_the_threshold_is_not_yet_eligible_but_would_be_with_the_pending_entry(seeded):
    helga = VolunteerProfile.objects.select_related("user").get(user__email=NEAR_THRESHOLD).user
    hours = HoursEntry.objects.filter(volunteer=helga)
    confirmed = hours.filter(status=HoursStatus.CONFIRMED)
    assert confirmed.values("organisation").distinct().count() == 2
    assert confirmed.filter(signup__isnull=False).count() == 8  # attended Tuesday shifts at the Tafel
    last_year = confirmed.filter(day__gt=timezone.localdate() - timedelta(days=365)).aggregate(s=Sum("hours"))["s"]
    rule = card_rule()
    assert rule["hours_per_year"] - 15 < last_year < rule["hours_per_year"]
    assert hours.filter(status=HoursStatus.REJECTED).exists()
    pending = hours.get(status=HoursStatus.PENDING)

    assert not eligible(helga)
    assert not eligible(helga, (HoursStatus.CONFIRMED, HoursStatus.REJECTED))  # rejected hours would not do it
    assert eligible(helga, (HoursStatus.CONFIRMED, HoursStatus.PENDING))
    HoursEntry.objects.filter(pk=pending.pk).update(status=HoursStatus.CONFIRMED)
    assert eligible(helga)

    certificate = Certificate.objects.get(volunteer=helga)
    assert certificate.organisation.slug == "tafel-nordheim-beispielhausen" and certificate.hours > 0
    assert (
        certificate.hours
        == confirmed.filter(
            organisation=certificate.organisation, day__range=(certificate.period_start, certificate.period_end)
        ).aggregate(s=Sum("hours"))["s"]
    )


def test_seed_demo_twice_adds_nothing_and_scale_adds_opportunities_and_volunteers(db):
    call_command("seed_demo", stdout=io.StringIO())
    tables = (EngagementOrganisation, Opportunity, Shift, ShiftSignup, Application, Message, HoursEntry,
              Certificate, VolunteerProfile, Exchange)  # fmt: skip
    counts = [model.objects.count() for model in tables]
    call_command("seed_demo", stdout=io.StringIO())
    assert [model.objects.count() for model in tables] == counts

    call_command("seed_demo", "--scale", "50", stdout=io.StringIO())
    scaled = Opportunity.objects.filter(organisation__slug__startswith=demo.SCALE_PREFIX)
    assert scaled.count() == 50
    assert VolunteerProfile.objects.count() == counts[tables.index(VolunteerProfile)] + 250
    assert scaled.searchable().count() == 50 and scaled.values("field").distinct().count() == len(Field.values)
    assert 0 < scaled.filter(remote=True).count() < 50
    west, south, east, north = 7.40, 49.85, 7.80, 50.15  # the Landkreis
    for lat, lon in scaled.filter(remote=False).values_list("lat", "lon"):
        assert south <= lat <= north and west <= lon <= east
    assert EngagementOrganisation.objects.filter(slug__startswith=demo.SCALE_PREFIX).count() == 2  # about 50/20
