"""GDPR: every row of the volunteering app that points at a person is in their export, and their own data is
gone after erasure. The test walks the app's models for user fields, so a new model cannot be forgotten: it
fails until the model is in ``gdpr.SECTIONS`` and the world below holds a row of it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from mitwirken.accounts import gdpr as account_gdpr
from mitwirken.volunteering import gdpr
from mitwirken.volunteering.models import (
    Application,
    ApplicationStatus,
    Bookmark,
    CardApplication,
    CardConfirmation,
    Certificate,
    Coordinator,
    CoordinatorInvitation,
    EngagementOrganisation,
    Frequency,
    HoursEntry,
    HoursStatus,
    Message,
    PoliceCertificateRecord,
    SavedSearch,
    Shift,
    ShiftSignup,
    SignupStatus,
)

from .volunteering_fixtures import VolunteeringWorld, make_opportunity, make_shift, volunteering_world

pytestmark = pytest.mark.django_db


def user_fields() -> list[tuple[type[models.Model], models.Field[Any, Any]]]:
    user_model = get_user_model()
    return [
        (model, field)
        for model in apps.get_app_config("volunteering").get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey | models.OneToOneField) and field.related_model is user_model
    ]


def everything_of(vw: VolunteeringWorld) -> Any:
    """The volunteer has one of everything, and also coordinates the other Verein (so rows they decided exist)."""
    person, other = vw.volunteer, vw.other_volunteer
    Coordinator.objects.create(organisation=vw.other_club, user=person)
    EngagementOrganisation.objects.filter(pk=vw.other_club.pk).update(verified_by=person)
    CoordinatorInvitation.objects.create(organisation=vw.other_club, email="neu@example.org", invited_by=person)
    vw.opportunity.police_certificate = True
    vw.opportunity.save()
    application = Application.objects.create(opportunity=vw.opportunity, volunteer=person,
                                             status=ApplicationStatus.ACCEPTED, message="Ich helfe gern")  # fmt: skip
    Message.objects.create(application=application, sender=person, body="Wann geht es los?")
    Message.objects.create(application=application, sender=vw.coordinator, from_organisation=True, body="Samstag")
    foreign_opportunity = make_opportunity(vw.other_club, "Jugendfeuerwehr")
    decided = Application.objects.create(opportunity=foreign_opportunity, volunteer=other, decided_by=person,
                                         status=ApplicationStatus.ACCEPTED)  # fmt: skip
    vw.shift.taken = 1
    vw.shift.save()
    ShiftSignup.objects.create(shift=vw.shift, volunteer=person, status=SignupStatus.CONFIRMED)
    past = make_shift(vw.opportunity, days=-3)
    ShiftSignup.objects.create(shift=past, volunteer=person, status=SignupStatus.CONFIRMED, attendance="attended")
    day = timezone.localdate() - timedelta(days=3)
    HoursEntry.objects.create(volunteer=person, organisation=vw.club, day=day, hours=Decimal(3),
                              status=HoursStatus.CONFIRMED, decided_by=vw.coordinator)  # fmt: skip
    HoursEntry.objects.create(volunteer=other, organisation=vw.other_club, day=day, hours=Decimal(2),
                              status=HoursStatus.CONFIRMED, decided_by=person)  # fmt: skip
    Certificate.objects.create(volunteer=person, organisation=vw.club, volunteer_name="Erika", organisation_name="SV",
                               period_start=day, period_end=day, activity="Training", hours=Decimal(3),
                               signed_by=vw.coordinator, signed_by_name="Trainerin")  # fmt: skip
    Certificate.objects.create(volunteer=other, organisation=vw.other_club, volunteer_name="Andere",
                               organisation_name="FF", period_start=day, period_end=day, activity="Übung",
                               hours=Decimal(2), signed_by=person, signed_by_name="Erika")  # fmt: skip
    PoliceCertificateRecord.objects.create(organisation=vw.club, volunteer=person, application=application,
                                           certificate_date=date(2026, 1, 1), inspected_on=date(2026, 1, 5),
                                           relevant_entry=False, recorded_by=vw.coordinator)  # fmt: skip
    PoliceCertificateRecord.objects.create(organisation=vw.other_club, volunteer=other, application=decided,
                                           certificate_date=date(2026, 1, 1), inspected_on=date(2026, 1, 5),
                                           relevant_entry=False, recorded_by=person)  # fmt: skip
    card = CardApplication.objects.create(volunteer=person, recognition="ehrenamtskarte", exchange=vw.exchange,
                                          period_start=day, period_end=day, hours=Decimal(3))  # fmt: skip
    CardConfirmation.objects.create(application=card, organisation=vw.club, hours=Decimal(3))
    others_card = CardApplication.objects.create(volunteer=other, recognition="ehrenamtskarte",
                                                 exchange=vw.other_exchange, period_start=day, period_end=day,
                                                 hours=Decimal(2), decided_by=person)  # fmt: skip
    CardConfirmation.objects.create(application=others_card, organisation=vw.other_club, hours=Decimal(2),
                                    confirmed_by=person, confirmed_at=timezone.now())  # fmt: skip
    Bookmark.objects.create(user=person, opportunity=vw.opportunity)
    SavedSearch.objects.create(user=person, name="Sport", query="field=sport", frequency=Frequency.DAILY,
                               notified_until=timezone.now())  # fmt: skip
    return person


def test_every_row_pointing_at_the_person_is_in_the_export(world: Any) -> None:
    vw = volunteering_world(world)
    person = everything_of(vw)
    exported = gdpr.export(person)
    for model, field in user_fields():
        label = model._meta.label_lower
        assert label in gdpr.SECTIONS, f"{label} has a user field ({field.name}) but no section in the export"
        rows = set(model._default_manager.filter(**{field.name: person}).values_list("pk", flat=True))
        assert rows, f"the test world holds no {label} with {field.name} = the person: add one"
        ids = {row["id"] for row in exported[gdpr.SECTIONS[label]]}
        assert rows <= ids, f"{label}.{field.name}: {rows - ids} missing from the export"
    assert any(message["text"] == "Samstag" for message in exported["nachrichten"])  # received too
    # The whole account export carries the section.
    assert "volunteering" in account_gdpr.collect(person)


def test_erasure_deletes_the_persons_own_data(world: Any) -> None:
    vw = volunteering_world(world)
    person = everything_of(vw)
    gdpr.erase(person)
    for model, field in user_fields():
        if field.remote_field.on_delete is models.CASCADE:  # the person's own rows (others' are kept, see below)
            assert not model._default_manager.filter(**{field.name: person}).exists(), model._meta.label
    assert not Message.objects.filter(application__volunteer=person).exists()
    assert not CardConfirmation.objects.filter(application__volunteer=person).exists()
    # The place in the upcoming shift is given back.
    assert Shift.objects.get(pk=vw.shift.pk).taken == 0
    # Rows the person decided for others stay; deleting the account only removes the name from them.
    assert HoursEntry.objects.filter(decided_by=person).exists()
    account_gdpr.delete_account(person)
    assert HoursEntry.objects.filter(volunteer=vw.other_volunteer, decided_by=None).exists()
    assert Certificate.objects.filter(volunteer=vw.other_volunteer).exists()


def test_the_last_coordinator_is_removed_and_the_contact_stays(world: Any) -> None:
    vw = volunteering_world(world)
    gdpr.erase(vw.coordinator)
    assert not Coordinator.objects.filter(organisation=vw.club).exists()
    vw.club.refresh_from_db()
    assert vw.club.contact_email == "kontakt@sportverein-beispielhausen.example"
