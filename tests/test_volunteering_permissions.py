"""Who may do what in volunteering: a matrix over personas and an opportunity's statuses.

Personas: anonymous, volunteer (the applicant), other volunteer, coordinator, coordinator of another
organisation, the Ehrenamtsbörse's staff (the tenant's case worker), another tenant's staff (other_org_admin).
Private data (profiles, police-certificate records, hours) must never reach the Börse's staff.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from mitwirken.volunteering.models import (
    Application,
    ApplicationStatus,
    EngagementOrganisation,
    HoursEntry,
    HoursStatus,
    Opportunity,
    OpportunityStatus,
    PoliceCertificateRecord,
    VerificationStatus,
    VolunteerProfile,
)
from tests.volunteering_fixtures import VolunteeringWorld, volunteering_world

PERSONAS = ["anonymous", "volunteer", "other_volunteer", "coordinator", "other_coordinator", "exchange_staff",
            "other_exchange_staff"]  # fmt: skip


def person(world: Any, v: VolunteeringWorld, persona: str) -> Any:
    from django.contrib.auth.models import AnonymousUser

    return {
        "anonymous": AnonymousUser(),
        "volunteer": v.volunteer,
        "other_volunteer": v.other_volunteer,
        "coordinator": v.coordinator,
        "other_coordinator": v.other_coordinator,
        "exchange_staff": world.personas["case_worker"],
        "other_exchange_staff": world.personas["other_org_admin"],
    }[persona]


# Who sees an opportunity in each status (the organisation verified).
VIEW = {
    OpportunityStatus.DRAFT: {"coordinator", "exchange_staff"},
    OpportunityStatus.REVIEW: {"coordinator", "exchange_staff"},
    OpportunityStatus.PUBLISHED: set(PERSONAS),
    OpportunityStatus.FILLED: set(PERSONAS),
    OpportunityStatus.ENDED: set(PERSONAS),
}
SIGNED_IN = set(PERSONAS) - {"anonymous"}


@pytest.fixture
def v(world: Any) -> VolunteeringWorld:
    return volunteering_world(world)


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(VIEW))
def test_opportunity_by_status(world: Any, v: VolunteeringWorld, status: str) -> None:
    Opportunity.objects.filter(pk=v.opportunity.pk).update(status=status)
    opportunity = Opportunity.objects.select_related("organisation").get(pk=v.opportunity.pk)
    for persona in PERSONAS:
        user = person(world, v, persona)
        assert user.has_perm("volunteering.view_opportunity", opportunity) == (persona in VIEW[status]), persona
        assert user.has_perm("volunteering.manage_opportunity", opportunity) == (persona == "coordinator"), persona
        may_apply = status == OpportunityStatus.PUBLISHED and persona in SIGNED_IN
        assert user.has_perm("volunteering.apply", opportunity) == may_apply, persona


@pytest.mark.django_db
@pytest.mark.parametrize("verification", [VerificationStatus.PENDING, VerificationStatus.REJECTED])
def test_unverified_organisations_publish_nothing(world: Any, v: VolunteeringWorld, verification: str) -> None:
    EngagementOrganisation.objects.filter(pk=v.club.pk).update(status=verification)
    opportunity = Opportunity.objects.select_related("organisation").get(pk=v.opportunity.pk)
    for persona in PERSONAS:
        user = person(world, v, persona)
        seen = persona in {"coordinator", "exchange_staff"}
        assert user.has_perm("volunteering.view_opportunity", opportunity) == seen, persona
        assert not user.has_perm("volunteering.apply", opportunity), persona
        assert user.has_perm("volunteering.verify_organisation", opportunity.organisation) == (
            persona == "exchange_staff"
        ), persona
    assert not Opportunity.objects.searchable().filter(pk=opportunity.pk).exists()


@pytest.mark.django_db
def test_private_data_of_a_volunteer(world: Any, v: VolunteeringWorld) -> None:
    profile = VolunteerProfile.objects.get(user=v.volunteer)
    # Before applying, no organisation sees the profile.
    for persona in PERSONAS:
        assert not person(world, v, persona).has_perm("volunteering.view_profile", profile), persona
    application = Application.objects.create(opportunity=v.opportunity, volunteer=v.volunteer,
                                             status=ApplicationStatus.ACCEPTED)  # fmt: skip
    record = PoliceCertificateRecord.objects.create(
        organisation=v.club, volunteer=v.volunteer, application=application, certificate_date=date(2026, 10, 1),
        inspected_on=date(2026, 11, 2), relevant_entry=False,
    )  # fmt: skip
    hours = HoursEntry.objects.create(volunteer=v.volunteer, organisation=v.club, day=date(2026, 11, 3), hours=3,
                                      status=HoursStatus.CONFIRMED)  # fmt: skip
    for persona in PERSONAS:
        user = person(world, v, persona)
        assert user.has_perm("volunteering.view_profile", profile) == (persona == "coordinator"), persona
        for permission, obj in (("view_police_record", record), ("view_application", application),
                                ("view_hours", hours)):  # fmt: skip
            expected = persona in {"volunteer", "coordinator"}
            assert user.has_perm(f"volunteering.{permission}", obj) == expected, (persona, permission)
        for permission, obj in (("decide_application", application), ("decide_hours", hours)):
            assert user.has_perm(f"volunteering.{permission}", obj) == (persona == "coordinator"), persona


@pytest.mark.django_db
def test_a_tenants_own_body_is_coordinated_by_its_staff(world: Any, v: VolunteeringWorld) -> None:
    body = EngagementOrganisation.objects.get(pk=v.club.pk)
    body.tenant = world.organisation
    body.save()
    for persona in PERSONAS:
        user = person(world, v, persona)
        expected = persona in {"coordinator", "exchange_staff"}
        assert user.has_perm("volunteering.manage_organisation", body) == expected, persona


@pytest.mark.django_db
def test_exchange_management(world: Any, v: VolunteeringWorld) -> None:
    for persona in PERSONAS:
        user = person(world, v, persona)
        assert user.has_perm("volunteering.manage_exchange", v.exchange) == (persona == "exchange_staff"), persona
        assert user.has_perm("volunteering.manage_exchange", v.other_exchange) == (persona == "other_exchange_staff"), (
            persona
        )


@pytest.mark.django_db
def test_a_portal_admin_is_no_coordinator(world: Any, v: VolunteeringWorld, client: Any) -> None:
    """The superuser shortcut of ``user.has_perm`` must not open a Verein's area or volunteers' data."""
    import rules

    from tests.conftest import login

    admin = world.personas["portal_admin"]
    application = Application.objects.create(opportunity=v.opportunity, volunteer=v.volunteer)
    profile = VolunteerProfile.objects.get(user=v.volunteer)
    assert not rules.has_perm("volunteering.manage_organisation", admin, v.club)
    assert not rules.has_perm("volunteering.view_profile", admin, profile)
    assert not rules.has_perm("volunteering.decide_application", admin, application)
    login(client, admin)
    assert client.get(f"/ehrenamt/verein/{v.club.slug}/bewerbungen/{application.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_coordinators_overview_says_what_waits(world: Any, v: VolunteeringWorld, client: Any) -> None:
    from django.utils import timezone

    from mitwirken.volunteering.models import Shift
    from tests.conftest import login
    from tests.volunteering_fixtures import make_shift

    login(client, v.coordinator)
    overview = f"/ehrenamt/verein/{v.club.slug}/"
    Shift.objects.filter(pk=v.shift.pk).update(taken=1)  # one of one needed: staffed
    assert "Zurzeit wartet nichts auf Sie." in client.get(overview).content.decode()
    Application.objects.create(opportunity=v.opportunity, volunteer=v.volunteer)
    HoursEntry.objects.create(volunteer=v.volunteer, organisation=v.club, day=timezone.localdate(), hours=2)
    make_shift(v.opportunity, days=3, min_helpers=2)
    make_shift(v.opportunity, days=30, min_helpers=2)  # understaffed, but not within 14 days
    make_shift(v.other_club.opportunities.create(title="x", description="x", field="feuerwehr", commitment="flexible"),
               days=3, min_helpers=2)  # another organisation's  # fmt: skip
    page = client.get(overview).content.decode()
    assert "1 neue Bewerbung" in page
    assert "1 Stunden-Eintrag wartet auf Bestätigung" in page
    assert "1 Schicht in den nächsten 14 Tagen ist unterbesetzt" in page
