"""Volunteering for tests.

``volunteering_world`` builds two Ehrenamtsbörsen (the world's two tenants), a verified Verein with a coordinator
in the first, a Verein in the second, a published opportunity with a shift a week ahead, and two volunteers.
``make_opportunity`` and ``make_shift`` add more; ``make_volunteer`` a person with a profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from mitwirken.volunteering.models import (
    Commitment,
    Coordinator,
    EngagementOrganisation,
    Exchange,
    Field,
    LegalForm,
    Opportunity,
    OpportunityStatus,
    Shift,
    VerificationStatus,
    VolunteerProfile,
)
from tests.factories import UserFactory

# Beispielhausen in the demo area (the Mängelmelder's demo gazetteer uses the same region).
HOME = (50.0598, 7.6003)


def make_engagement_organisation(exchange: Exchange, name: str = "Sportverein Beispielhausen", *,
                                 coordinator: Any = None, **fields: Any) -> EngagementOrganisation:  # fmt: skip
    organisation = EngagementOrganisation.objects.create(
        exchange=exchange, name=name, slug=fields.pop("slug", slugify(name)),
        legal_form=fields.pop("legal_form", LegalForm.REGISTERED_CLUB), street="Hauptstraße 1",
        postal_code=fields.pop("postal_code", "56789"), city="Beispielhausen", lat=HOME[0], lon=HOME[1],
        contact_name="Karl Kassenwart", contact_email=f"kontakt@{slugify(name)}.example",
        fields=fields.pop("fields", [Field.SPORT]), status=fields.pop("status", VerificationStatus.VERIFIED),
        **fields,
    )  # fmt: skip
    if coordinator is not None:
        Coordinator.objects.create(organisation=organisation, user=coordinator)
    return organisation


def make_opportunity(organisation: EngagementOrganisation, title: str = "Trainer für die Bambini", **fields: Any
                     ) -> Opportunity:  # fmt: skip
    status = fields.pop("status", OpportunityStatus.PUBLISHED)
    return Opportunity.objects.create(
        organisation=organisation, title=title, description=fields.pop("description", "Training am Samstag."),
        field=fields.pop("field", Field.SPORT), status=status,
        commitment=fields.pop("commitment", Commitment.REGULAR), lat=fields.pop("lat", HOME[0]),
        lon=fields.pop("lon", HOME[1]), postal_code=fields.pop("postal_code", "56789"),
        city=fields.pop("city", "Beispielhausen"),
        published_at=fields.pop("published_at", timezone.now() if status == OpportunityStatus.PUBLISHED else None),
        **fields,
    )  # fmt: skip


def make_shift(opportunity: Opportunity, *, days: float = 7, hours: float = 3, max_helpers: int = 3, **fields: Any
               ) -> Shift:  # fmt: skip
    start = fields.pop("start", timezone.now() + timedelta(days=days))
    return Shift.objects.create(
        opportunity=opportunity, start=start, end=fields.pop("end", start + timedelta(hours=hours)),
        min_helpers=fields.pop("min_helpers", 1), max_helpers=max_helpers, place=fields.pop("place", "Sportplatz"),
        **fields,
    )  # fmt: skip


def make_volunteer(email: str, *, birth_date: date | None = date(1980, 5, 1), **profile: Any) -> Any:
    user = UserFactory(email=email, display_name=email.split("@")[0].title())
    VolunteerProfile.objects.create(
        user=user, birth_date=birth_date, postal_code=profile.pop("postal_code", "56789"),
        lat=profile.pop("lat", HOME[0]), lon=profile.pop("lon", HOME[1]), **profile,
    )  # fmt: skip
    return user


@dataclass
class VolunteeringWorld:
    exchange: Exchange
    other_exchange: Exchange
    club: EngagementOrganisation  # verified, in ``exchange``, coordinated by ``coordinator``
    other_club: EngagementOrganisation  # verified, in ``other_exchange``, coordinated by ``other_coordinator``
    opportunity: Opportunity  # published, of ``club``
    shift: Shift  # of ``opportunity``, a week ahead, 3 places
    coordinator: Any
    other_coordinator: Any
    volunteer: Any
    other_volunteer: Any


def volunteering_world(world: Any) -> VolunteeringWorld:
    """Built on the ``world`` fixture: its organisation and other organisation each run an Ehrenamtsbörse, so
    ``world.personas["case_worker"]`` is staff of the first Börse and ``other_org_admin`` of the second."""
    exchange = Exchange.objects.create(organisation=world.organisation)
    other_exchange = Exchange.objects.create(organisation=world.other_organisation)
    coordinator = UserFactory(email="trainer@sv.example", display_name="Trainerin")
    other_coordinator = UserFactory(email="wehrfuehrer@ff.example", display_name="Wehrführer")
    club = make_engagement_organisation(exchange, coordinator=coordinator)
    other_club = make_engagement_organisation(other_exchange, "Freiwillige Feuerwehr Anderswo",
                                              coordinator=other_coordinator, fields=[Field.FIRE])  # fmt: skip
    opportunity = make_opportunity(club)
    return VolunteeringWorld(
        exchange=exchange, other_exchange=other_exchange, club=club, other_club=other_club,
        opportunity=opportunity, shift=make_shift(opportunity), coordinator=coordinator,
        other_coordinator=other_coordinator, volunteer=make_volunteer("ehrenamt@example.org"),
        other_volunteer=make_volunteer("andere@example.org"),
    )  # fmt: skip


def volunteering_values(organisation: Any) -> dict[str, Any]:
    """For the tests that walk every URL: the tenant runs an Ehrenamtsbörse and has an own body whose slug is the
    tenant's, so ``org_slug`` reaches real pages in the back office and in the coordinator area alike."""
    exchange, _ = Exchange.objects.get_or_create(organisation=organisation)
    body = make_engagement_organisation(exchange, f"Seniorenbeirat {organisation.name}", slug=organisation.slug,
                                        tenant=organisation)  # fmt: skip
    opportunity = make_opportunity(body, "Digital-Botschafter")
    shift = make_shift(opportunity)
    volunteer = make_volunteer(f"helfer@{organisation.slug}.example")
    from mitwirken.volunteering.models import ShiftSignup

    signup = ShiftSignup.objects.create(shift=shift, volunteer=volunteer, status="confirmed")
    Shift.objects.filter(pk=shift.pk).update(taken=1)
    return {"signup_pk": signup.pk, "opportunity_pk": opportunity.pk, "shift_pk": shift.pk, "engagement_pk": body.pk,
            "series_pk": 1}  # fmt: skip
