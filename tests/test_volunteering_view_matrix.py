"""The pages of volunteering as a specification: who gets what, over HTTP, for each status of an opportunity.

Personas: anonymous; the volunteer who applied (accepted, with a § 72a record and a certificate); another
volunteer; the opportunity's coordinator; the coordinator of a Verein in another Börse; the Börse's staff (the
tenant's case worker, second factor confirmed); another tenant's staff; the portal admin. Statuses: draft, under
review (the Verein not yet verified, as it is in that status), published, filled, ended.

A cell is 200 (the page), 302 (to the login) or 404 (nothing to say). ``EXPECTED`` holds one dict per page; a
persona's entry is one code for every status or a dict by status. Besides the codes, the volunteer's birth date,
unshared e-mail address and the police certificate's dates must not appear in anything another persona gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mitwirken.volunteering.models import (
    Application,
    ApplicationStatus,
    Certificate,
    EngagementOrganisation,
    HoursEntry,
    Opportunity,
    OpportunityStatus,
    PoliceCertificateRecord,
    Shift,
    ShiftSignup,
    SignupStatus,
    VerificationStatus,
)

from .conftest import login
from .volunteering_fixtures import VolunteeringWorld, make_shift, volunteering_world

pytestmark = pytest.mark.django_db

OK, LOGIN, GONE = 200, 302, 404

PERSONAS = ("anonymous", "volunteer", "other_volunteer", "coordinator", "other_coordinator", "exchange_staff",
            "other_exchange_staff", "portal_admin")  # fmt: skip
STATUSES = (OpportunityStatus.DRAFT, OpportunityStatus.REVIEW, OpportunityStatus.PUBLISHED, OpportunityStatus.FILLED,
            OpportunityStatus.ENDED)  # fmt: skip
PUBLIC = {OpportunityStatus.PUBLISHED, OpportunityStatus.FILLED, OpportunityStatus.ENDED}


def public_or(hidden: int) -> dict[str, int]:
    """200 while the opportunity is public (published, filled, ended), ``hidden`` while it is a draft or in
    review."""
    return {status: OK if status in PUBLIC else hidden for status in STATUSES}


def only(*personas: str, anonymous: int = LOGIN) -> dict[str, int]:
    """A page for ``personas`` alone, whatever the opportunity's status: the rest get 404, anonymous the login."""
    return {persona: OK if persona in personas else GONE for persona in PERSONAS} | {"anonymous": anonymous}


# The opportunity's public pages: everyone while it is public; in draft and review only the organisation's
# coordinators and the Börse that reviews it (and the portal admin, who is staff of every Börse).
OPPORTUNITY_PAGE = {
    "anonymous": public_or(GONE),
    "volunteer": public_or(GONE),
    "other_volunteer": public_or(GONE),
    "coordinator": OK,
    "other_coordinator": public_or(GONE),
    "exchange_staff": OK,
    "other_exchange_staff": public_or(GONE),
    "portal_admin": OK,
}
EXPECTED: dict[str, dict[str, int | dict[str, int]]] = {
    "opportunity": OPPORTUNITY_PAGE,
    # Applying asks for an account first; where the page shows, it explains why someone cannot apply.
    "apply": OPPORTUNITY_PAGE | {"anonymous": LOGIN},
    # The shifts are listed to anyone who may see the opportunity; signing up asks for the account.
    "shifts": OPPORTUNITY_PAGE,
    # The coordinator area: the organisation's coordinators only. Neither the Börse's staff nor the portal admin
    # act for a Verein (a tenant's own body is another matter, see test_volunteering_permissions).
    "opportunity_edit": only("coordinator"),
    "shift_planning": only("coordinator"),
    "coordinator_application": only("coordinator"),
    "police_record": only("coordinator"),
    # The volunteer's own application: theirs alone, whatever became of the opportunity.
    "my_application": only("volunteer"),
    # The certificate: the volunteer and the issuing organisation's coordinators.
    "certificate_pdf": only("volunteer", "coordinator"),
    # The Börse's back office: its tenant's staff and the portal admin.
    "verification_queue": only("exchange_staff", "portal_admin"),
    "statistics": only("exchange_staff", "portal_admin"),
}

# The volunteer's private data and who may read it. The birth date is shown to nobody on these pages (the
# coordinator sees the age), the e-mail address is not shared, the § 72a dates are the coordinator's record.
BIRTH_DATE = date(1961, 7, 23)
CERTIFICATE_DATE = date(2025, 1, 14)
INSPECTED_ON = date(2025, 2, 27)
MONTHS = {1: "Januar", 2: "Februar", 7: "Juli"}


def spellings(day: date) -> list[str]:
    return [day.isoformat(), day.strftime("%d.%m.%Y"), f"{day.day}.{day.month}.{day.year}",
            f"{day.day}. {MONTHS[day.month]} {day.year}"]  # fmt: skip


@dataclass
class Secret:
    what: str
    texts: list[str]
    entitled: set[str]


def secrets_of(vw: VolunteeringWorld) -> list[Secret]:
    return [
        Secret("birth date", spellings(BIRTH_DATE), {"volunteer"}),
        Secret("e-mail address", [vw.volunteer.email], {"volunteer"}),
        Secret("police certificate's dates", spellings(CERTIFICATE_DATE) + spellings(INSPECTED_ON),
               {"volunteer", "coordinator"}),
    ]  # fmt: skip


@dataclass
class Scene:
    vw: VolunteeringWorld
    application: Application
    certificate: Certificate
    users: dict[str, Any]
    urls: dict[str, str]


def scene(world: Any, status: str) -> Scene:
    vw = volunteering_world(world)
    opportunity = vw.opportunity
    opportunity.police_certificate = True
    opportunity.status = status
    opportunity.save()
    if status == OpportunityStatus.REVIEW:  # an opportunity waits for review while its Verein does
        EngagementOrganisation.objects.filter(pk=vw.club.pk).update(status=VerificationStatus.PENDING)
    vw.volunteer.volunteer_profile.birth_date = BIRTH_DATE
    vw.volunteer.volunteer_profile.save()
    application = Application.objects.create(opportunity=opportunity, volunteer=vw.volunteer,
                                             status=ApplicationStatus.ACCEPTED, message="Ich helfe gern.")  # fmt: skip
    PoliceCertificateRecord.objects.create(organisation=vw.club, volunteer=vw.volunteer, application=application,
                                           certificate_date=CERTIFICATE_DATE, inspected_on=INSPECTED_ON,
                                           relevant_entry=False, recorded_by=vw.coordinator)  # fmt: skip
    certificate = Certificate.objects.create(
        volunteer=vw.volunteer, organisation=vw.club, volunteer_name="Ehrenamt Muster",
        organisation_name=vw.club.name, period_start=date(2026, 1, 1), period_end=date(2026, 11, 30),
        activity="Training der Bambini", hours=Decimal("42.5"), signed_by=vw.coordinator, signed_by_name="Trainerin",
    )  # fmt: skip
    org = {"org_slug": vw.club.slug}
    tenant = {"org_slug": world.organisation.slug}
    urls = {
        "opportunity": reverse("volunteering:opportunity", kwargs={"pk": opportunity.pk}),
        "apply": reverse("volunteering:apply", kwargs={"pk": opportunity.pk}),
        "shifts": reverse("volunteering:shifts", kwargs={"pk": opportunity.pk}),
        "opportunity_edit": reverse("volunteering:opportunity_edit", kwargs=org | {"opportunity_pk": opportunity.pk}),
        "shift_planning": reverse("volunteering:shift_planning", kwargs=org | {"opportunity_pk": opportunity.pk}),
        "coordinator_application": reverse("volunteering:coordinator_application", kwargs=org | {"pk": application.pk}),
        "police_record": reverse("volunteering:police_record", kwargs=org | {"pk": application.pk}),
        "my_application": reverse("volunteering:my_application", kwargs={"pk": application.pk}),
        "certificate_pdf": reverse("volunteering:certificate_pdf", kwargs={"pk": certificate.pk}),
        "verification_queue": reverse("backoffice:volunteering_queue", kwargs=tenant),
        "statistics": reverse("backoffice:volunteering_statistics", kwargs=tenant),
    }
    users = {
        "anonymous": None, "volunteer": vw.volunteer, "other_volunteer": vw.other_volunteer,
        "coordinator": vw.coordinator, "other_coordinator": vw.other_coordinator,
        "exchange_staff": world.personas["case_worker"], "other_exchange_staff": world.personas["other_org_admin"],
        "portal_admin": world.personas["portal_admin"],
    }  # fmt: skip
    return Scene(vw, application, certificate, users, urls)


def expected(page: str, persona: str, status: str) -> int:
    cell = EXPECTED[page][persona]
    return cell if isinstance(cell, int) else cell[status]


def client_for(user: Any) -> Client:
    # Everyone signs in with the second factor confirmed, so staff rights count where they exist.
    return login(Client(), user) if user is not None else Client()


def test_the_table_covers_every_page_and_persona() -> None:
    for page, row in EXPECTED.items():
        assert set(row) == set(PERSONAS), page
        for cell in row.values():
            assert isinstance(cell, int) or set(cell) == set(STATUSES), page


@pytest.mark.parametrize("status", STATUSES)
def test_every_page_for_every_persona(world: Any, status: str) -> None:
    s = scene(world, status)
    secrets = secrets_of(s.vw)
    wrong: list[str] = []
    for persona in PERSONAS:
        client = client_for(s.users[persona])
        for page, url in s.urls.items():
            response = client.get(url)
            want = expected(page, persona, status)
            if response.status_code != want:
                wrong.append(f"{page} as {persona}: {response.status_code}, expected {want}")
                continue
            if response.status_code == LOGIN:
                assert response["Location"].startswith(reverse("account_login") + "?next="), (page, persona)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue  # the PDF is the volunteer's and the coordinator's only
            text = response.content.decode()
            for secret in secrets:
                if persona in secret.entitled:
                    continue
                leaked = [t for t in secret.texts if t in text]
                assert not leaked, f"{page} shows the volunteer's {secret.what} to {persona}: {leaked}"
    assert not wrong, f"status {status}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("shared", [False, True])
def test_the_coordinator_sees_the_address_only_when_shared(world: Any, shared: bool) -> None:
    s = scene(world, OpportunityStatus.PUBLISHED)
    Application.objects.filter(pk=s.application.pk).update(volunteer_shares_email=shared)
    page = client_for(s.vw.coordinator).get(s.urls["coordinator_application"]).content.decode()
    assert (s.vw.volunteer.email in page) == shared
    assert not any(text in page for text in spellings(BIRTH_DATE))
    # Staff of the Börse see neither the application nor, through it, the address.
    assert client_for(s.users["exchange_staff"]).get(s.urls["coordinator_application"]).status_code == GONE


def test_the_certificate_is_a_pdf_for_those_who_may_have_it(world: Any) -> None:
    s = scene(world, OpportunityStatus.ENDED)
    for persona in ("volunteer", "coordinator"):
        response = client_for(s.users[persona]).get(s.urls["certificate_pdf"])
        assert response["Content-Type"] == "application/pdf", persona
        assert response.content.startswith(b"%PDF"), persona
        assert response["Cache-Control"] == "private, no-store", persona


def test_reading_the_pages_changes_nothing(world: Any) -> None:
    """The walk above only reads: no page moves the opportunity or the application, or drops the record."""
    s = scene(world, OpportunityStatus.PUBLISHED)
    for persona in PERSONAS:
        client = client_for(s.users[persona])
        for url in s.urls.values():
            client.get(url)
    assert Opportunity.objects.get(pk=s.vw.opportunity.pk).status == OpportunityStatus.PUBLISHED
    assert Application.objects.get(pk=s.application.pk).status == ApplicationStatus.ACCEPTED
    assert PoliceCertificateRecord.objects.filter(application=s.application).exists()


def test_the_secrets_are_where_they_belong(world: Any) -> None:
    """The checks above look for the right spellings: the entitled see them where they should."""
    s = scene(world, OpportunityStatus.PUBLISHED)
    record_page = client_for(s.vw.coordinator).get(s.urls["police_record"]).content.decode()
    assert CERTIFICATE_DATE.isoformat() in record_page and INSPECTED_ON.isoformat() in record_page
    own_hours = client_for(s.vw.volunteer).get(reverse("volunteering:my_hours")).content.decode()
    assert INSPECTED_ON.strftime("%d.%m.%Y") in own_hours
    profile = client_for(s.vw.volunteer).get(reverse("volunteering:profile")).content.decode()
    assert BIRTH_DATE.isoformat() in profile


def test_private_data_stays_off_the_organisations_and_the_boersens_other_pages(world: Any) -> None:
    """The volunteer helped at a shift yesterday, is down for next week's and entered hours: the pages that list
    helpers, attendance and hours show the name, never the birth date, the unshared address or the § 72a dates."""
    s = scene(world, OpportunityStatus.PUBLISHED)
    vw = s.vw
    yesterday = make_shift(vw.opportunity, start=timezone.now() - timedelta(days=1))
    for shift in (yesterday, vw.shift):
        ShiftSignup.objects.create(shift=shift, volunteer=vw.volunteer, status=SignupStatus.CONFIRMED)
        Shift.objects.filter(pk=shift.pk).update(taken=1)
    HoursEntry.objects.create(volunteer=vw.volunteer, organisation=vw.club, opportunity=vw.opportunity,
                              day=timezone.localdate() - timedelta(days=2), hours=Decimal(2), description="Aufbau")  # fmt: skip
    org = {"org_slug": vw.club.slug}
    tenant = {"org_slug": world.organisation.slug}
    pages = {
        "coordinator_applications": reverse("volunteering:coordinator_applications", kwargs=org),
        "coordinator_shifts": reverse("volunteering:coordinator_shifts", kwargs=org),
        "coordinator_shift": reverse("volunteering:coordinator_shift", kwargs=org | {"pk": vw.shift.pk}),
        "attendance": reverse("volunteering:attendance", kwargs=org | {"pk": yesterday.pk}),
        "coordinator_hours": reverse("volunteering:coordinator_hours", kwargs=org),
        "coordinator_certificates": reverse("volunteering:coordinator_certificates", kwargs=org),
        "organisation": reverse("volunteering:organisation", kwargs=org),
        "search": reverse("volunteering:search"),
        "boerse_review": reverse("backoffice:volunteering_review", kwargs=tenant | {"engagement_pk": vw.club.pk}),
        "boerse_organisations": reverse("backoffice:volunteering_organisations", kwargs=tenant),
        "boerse_cards": reverse("backoffice:volunteering_cards", kwargs=tenant),
    }
    secrets = secrets_of(vw)
    seen_by_coordinator = set()
    for persona in PERSONAS:
        client = client_for(s.users[persona])
        for page, url in pages.items():
            response = client.get(url)
            assert response.status_code in (OK, LOGIN, GONE), (page, persona, response.status_code)
            text = response.content.decode()
            if persona == "coordinator" and response.status_code == OK and vw.volunteer.public_name in text:
                seen_by_coordinator.add(page)
            for secret in secrets:
                if persona not in secret.entitled:
                    leaked = [t for t in secret.texts if t in text]
                    assert not leaked, f"{page} shows the volunteer's {secret.what} to {persona}: {leaked}"
    # The coordinator does see who helps: the checks above looked at pages with the volunteer on them.
    assert {"coordinator_applications", "coordinator_shift", "attendance", "coordinator_hours"} <= seen_by_coordinator


@pytest.mark.parametrize("persona", ["exchange_staff", "portal_admin"])
def test_staff_rights_wait_for_the_second_factor(world: Any, persona: str) -> None:
    """Signed in with the password only, the Börse's staff and the portal admin are ordinary accounts: a draft is
    404 to them, and the back office asks for the second factor first."""
    s = scene(world, OpportunityStatus.DRAFT)
    client = Client()
    client.force_login(s.users[persona])
    for page, url in s.urls.items():
        response = client.get(url)
        if page in ("verification_queue", "statistics"):
            assert response.status_code == LOGIN, page
            assert response["Location"].startswith(reverse("mfa_reauthenticate") + "?next="), page
        else:
            assert response.status_code == GONE, (page, response.status_code)
