"""Engagement organisations: a Verein registers (bad input, the Börse found from the address), the Börse's staff
verify or reject it (publishing its opportunities under review; another tenant's staff get 404; nobody verifies
an organisation they coordinate), a tenant's own body, the Börse's settings, and coordinators (invite, accept,
wrong account, once only, leave, the last one stays, two leaving at once)."""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from django.core import mail
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from PIL import Image

from mitwirken.core.audit import AuditEntry
from mitwirken.reports.models import Place
from mitwirken.volunteering import contrib
from mitwirken.volunteering.models import (
    Coordinator,
    CoordinatorInvitation,
    EngagementOrganisation,
    Exchange,
    OpportunityStatus,
    VerificationStatus,
)
from mitwirken.volunteering.services import organisations as service

from .factories import UserFactory
from .volunteering_fixtures import HOME, make_engagement_organisation, make_opportunity, volunteering_world

pytestmark = pytest.mark.django_db

REGISTER = "/ehrenamt/mitmachen/"


def square(lat: float, lon: float, size: float = 0.2) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[lon - size, lat - size], [lon + size, lat - size],
                                                [lon + size, lat + size], [lon - size, lat + size],
                                                [lon - size, lat - size]]]}  # fmt: skip


@pytest.fixture
def vw(world: Any) -> Any:
    """The volunteering world; the first tenant's area covers Beispielhausen, whose postcode the gazetteer knows."""
    world.organisation.boundary = square(*HOME)
    world.organisation.save()
    world.other_organisation.boundary = square(52.5, 13.4)
    world.other_organisation.save()
    Place.objects.create(name="Hauptstraße", municipality="Beispielhausen", postal_code="56789", lat=HOME[0],
                         lon=HOME[1])  # fmt: skip
    return volunteering_world(world)


@pytest.fixture
def mails(django_capture_on_commit_callbacks: Any) -> Any:
    """``with mails(execute=True):`` sends what the services queue for after the commit."""
    return django_capture_on_commit_callbacks


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def registration(**changes: Any) -> dict[str, Any]:
    data = {"name": "Tafel Beispielhausen", "legal_form": "ev", "street": "Marktplatz 3", "postal_code": "56789",
            "city": "Beispielhausen", "contact_name": "Gisela Grün", "contact_email": "tafel@example.org",
            "contact_phone": "", "website": "", "fields": ["soziales"], "description": "Wir verteilen Lebensmittel.",
            "exchange": "", "confirm": "on"}  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def png_file(name: str = "logo.png") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "green").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def errors_of(response: Any) -> dict[str, list[str]]:
    return {key: list(value) for key, value in response.context["form"].errors.items()}


# --- registration ------------------------------------------------------------------------------------------------


def test_registration_needs_an_account(vw: Any) -> None:
    response = Client().get(REGISTER)
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


def test_registration_finds_the_boerse_from_the_postcode(vw: Any, world: Any, mails: Any) -> None:
    person = UserFactory(email="gisela@example.org")
    with mails(execute=True):
        response = signed_in(person).post(REGISTER, registration())
    organisation = EngagementOrganisation.objects.get(name="Tafel Beispielhausen")
    assert response.status_code == 302
    assert response["Location"] == reverse("volunteering:coordinator_overview", kwargs={"org_slug": organisation.slug})
    assert organisation.exchange == vw.exchange
    assert organisation.status == VerificationStatus.PENDING
    assert (organisation.lat, organisation.lon) == pytest.approx(HOME)
    assert list(organisation.coordinators.values_list("user", flat=True)) == [person.pk]
    staff_mail = [message for message in mail.outbox if message.to == ["staff@example.org"]]
    assert staff_mail and "Tafel Beispielhausen" in staff_mail[0].subject
    assert f"/verwaltung/{world.organisation.slug}/ehrenamt/organisationen/{organisation.pk}/" in staff_mail[0].body
    page = signed_in(person).get(response["Location"])
    assert "Ihre Organisation wird geprüft" in page.content.decode()


def test_the_slug_is_unique_and_an_explicit_choice_wins(vw: Any) -> None:
    person = UserFactory()
    signed_in(person).post(REGISTER, registration(name="Sportverein Beispielhausen", exchange=vw.other_exchange.pk))
    organisation = EngagementOrganisation.objects.exclude(pk=vw.club.pk).get(name="Sportverein Beispielhausen")
    assert organisation.slug == "sportverein-beispielhausen-2"
    assert organisation.exchange == vw.other_exchange


def test_an_unknown_place_needs_a_chosen_boerse(vw: Any) -> None:
    client = signed_in(UserFactory())
    response = client.post(REGISTER, registration(postal_code="99999", city="Nirgendwo"))
    assert response.status_code == 200
    assert "keine Ehrenamtsbörse gefunden" in errors_of(response)["exchange"][0]
    assert not EngagementOrganisation.objects.filter(name="Tafel Beispielhausen").exists()
    response = client.post(REGISTER, registration(postal_code="99999", city="Nirgendwo", exchange=vw.exchange.pk))
    organisation = EngagementOrganisation.objects.get(name="Tafel Beispielhausen")
    assert response.status_code == 302 and organisation.lat is None and organisation.lon is None


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "Dieses Feld ist zwingend erforderlich."),
    ({"postal_code": "567"}, "postal_code", "Bitte geben Sie eine Postleitzahl mit fünf Ziffern an."),
    ({"contact_email": "keine-adresse"}, "contact_email", "Bitte gültige E-Mail-Adresse eingeben."),
    ({"fields": None}, "fields", "Dieses Feld ist zwingend erforderlich."),
    ({"fields": ["astrologie"]}, "fields", "Bitte eine gültige Auswahl treffen."),
    ({"legal_form": "gmbh"}, "legal_form", "Bitte eine gültige Auswahl treffen."),
    ({"confirm": None}, "confirm", "Dieses Feld ist zwingend erforderlich."),
    ({"exchange": "123456789012345678901234"}, "exchange", "Bitte eine gültige Auswahl treffen."),
])  # fmt: skip
def test_registration_bad_input(vw: Any, changes: dict[str, Any], field: str, message: str) -> None:
    response = signed_in(UserFactory()).post(REGISTER, registration(**changes))
    assert response.status_code == 200
    assert errors_of(response)[field][0].startswith(message)
    assert not EngagementOrganisation.objects.filter(name="Tafel Beispielhausen").exists()
    assert not Coordinator.objects.filter(organisation__name="Tafel Beispielhausen").exists()


def test_the_logo_is_checked_by_content_and_reencoded(vw: Any) -> None:
    client = signed_in(UserFactory())
    fake = io.BytesIO(b"not an image at all")
    fake.name = "logo.png"
    response = client.post(REGISTER, {**registration(), "logo": fake})
    assert response.status_code == 200 and "logo" in errors_of(response)
    assert not EngagementOrganisation.objects.filter(name="Tafel Beispielhausen").exists()
    response = client.post(REGISTER, {**registration(), "logo": png_file()})
    assert response.status_code == 302
    organisation = EngagementOrganisation.objects.get(name="Tafel Beispielhausen")
    assert organisation.logo and Image.open(organisation.logo).size == (40, 20)


def test_a_switched_off_boerse_takes_no_registrations(vw: Any) -> None:
    Exchange.objects.filter(pk=vw.exchange.pk).update(active=False)
    response = signed_in(UserFactory()).post(REGISTER, registration(exchange=vw.exchange.pk))
    assert "exchange" in errors_of(response)
    response = signed_in(UserFactory()).post(REGISTER, registration())  # not found by the address either
    assert "keine Ehrenamtsbörse gefunden" in errors_of(response)["exchange"][0]


# --- verification ------------------------------------------------------------------------------------------------


@pytest.fixture
def pending(vw: Any) -> Any:
    coordinator = UserFactory(email="neu@verein.example")
    organisation = make_engagement_organisation(vw.exchange, "Tafel Beispielhausen", coordinator=coordinator,
                                                status=VerificationStatus.PENDING)  # fmt: skip
    make_opportunity(organisation, "Lebensmittel sortieren", status=OpportunityStatus.REVIEW)
    make_opportunity(organisation, "Noch ein Entwurf", status=OpportunityStatus.DRAFT)
    return organisation


def review_url(world: Any, organisation: EngagementOrganisation, tenant: Any = None) -> str:
    return reverse("backoffice:volunteering_review",
                   kwargs={"org_slug": (tenant or world.organisation).slug, "engagement_pk": organisation.pk})  # fmt: skip


def test_staff_verify_and_the_waiting_opportunities_are_published(vw: Any, world: Any, pending: Any, mails: Any
                                                                  ) -> None:  # fmt: skip
    client = world.client("case_worker")
    queue = client.get(reverse("backoffice:volunteering_queue", kwargs={"org_slug": world.organisation.slug}))
    assert "Tafel Beispielhausen" in queue.content.decode()
    assert "Sportverein" not in queue.content.decode()  # verified ones are not in the queue
    with mails(execute=True):
        response = client.post(review_url(world, pending), {"decision": "verify"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == VerificationStatus.VERIFIED
    assert pending.verified_by == world.personas["case_worker"] and pending.verified_at is not None
    published = pending.opportunities.get(title="Lebensmittel sortieren")
    assert published.status == OpportunityStatus.PUBLISHED and published.published_at is not None
    assert pending.opportunities.get(title="Noch ein Entwurf").status == OpportunityStatus.DRAFT
    (message,) = [m for m in mail.outbox if m.to == ["neu@verein.example"]]
    assert "bestätigt" in message.subject and "1 Angebot" in message.body
    assert AuditEntry.objects.filter(action="volunteering.organisation_verified").exists()
    again = client.post(review_url(world, pending), {"decision": "verify"}, follow=True)
    assert "bereits geprüft" in again.content.decode()


def test_staff_read_what_verifying_would_publish(vw: Any, world: Any, pending: Any) -> None:
    client = world.client("case_worker")
    page = client.get(review_url(world, pending)).content.decode()
    waiting = pending.opportunities.get(title="Lebensmittel sortieren")
    assert "Angebote, die auf die Prüfung warten" in page and waiting.get_absolute_url() in page
    assert "Noch ein Entwurf" not in page  # drafts are the Verein's own business
    assert client.get(waiting.get_absolute_url()).status_code == 200
    assert Client().get(waiting.get_absolute_url()).status_code == 404


def test_a_rejection_needs_a_reason(vw: Any, world: Any, pending: Any, mails: Any) -> None:
    client = world.client("org_admin")
    response = client.post(review_url(world, pending), {"decision": "reject", "reason": "  "})
    assert response.status_code == 200
    assert response.context["reject_form"].errors["reason"]
    pending.refresh_from_db()
    assert pending.status == VerificationStatus.PENDING
    with mails(execute=True):
        client.post(review_url(world, pending), {"decision": "reject", "reason": "Kein Sitz im Gebiet."})
    pending.refresh_from_db()
    assert pending.status == VerificationStatus.REJECTED and pending.status_note == "Kein Sitz im Gebiet."
    (message,) = [m for m in mail.outbox if m.to == ["neu@verein.example"]]
    assert "Kein Sitz im Gebiet." in message.body
    assert pending.opportunities.get(title="Lebensmittel sortieren").status == OpportunityStatus.REVIEW


@pytest.mark.parametrize("persona", ["other_org_admin", "citizen"])
def test_staff_of_another_tenant_get_404(vw: Any, world: Any, pending: Any, persona: str) -> None:
    client = world.client(persona)
    assert client.get(review_url(world, pending)).status_code == 404
    assert client.post(review_url(world, pending), {"decision": "verify"}).status_code == 404
    # Under their own tenant's slug the organisation does not exist either.
    if persona == "other_org_admin":
        own = review_url(world, pending, tenant=world.other_organisation)
        assert client.post(own, {"decision": "verify"}).status_code == 404
    pending.refresh_from_db()
    assert pending.status == VerificationStatus.PENDING


def test_a_coordinator_cannot_verify_their_own_organisation(vw: Any, world: Any, pending: Any) -> None:
    Coordinator.objects.create(organisation=pending, user=world.personas["case_worker"])
    response = world.client("case_worker").post(review_url(world, pending), {"decision": "verify"}, follow=True)
    assert "Sie koordinieren diese Organisation selbst" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == VerificationStatus.PENDING
    world.client("org_admin").post(review_url(world, pending), {"decision": "verify"})
    pending.refresh_from_db()
    assert pending.status == VerificationStatus.VERIFIED


def test_staff_work_and_statistics(vw: Any, world: Any, pending: Any, django_assert_num_queries: Any) -> None:
    staff = world.personas["case_worker"]
    with django_assert_num_queries(2):  # the staff check (the person's memberships), the count
        (item,) = contrib.staff_work(staff, world.organisation)
    assert item.count == 1 and item.url.endswith("/ehrenamt/pruefung/")
    assert contrib.staff_work(world.personas["citizen"], world.organisation) == []
    assert contrib.staff_work(world.personas["other_org_admin"], world.other_organisation) == []
    with django_assert_num_queries(2):
        figures = {str(stat.label): stat.value for stat in contrib.statistics(world.organisation)}
    assert figures["Engagement-Organisationen (bestätigt)"] == 1
    assert figures["Engagement-Organisationen (in Prüfung)"] == 1
    assert figures["Veröffentlichte Engagement-Angebote"] == 1  # the club's; the Tafel's waits for review


def test_the_organisation_list_queries_do_not_grow(vw: Any, world: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.client("case_worker")
    url = reverse("backoffice:volunteering_organisations", kwargs={"org_slug": world.organisation.slug})

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for number in range(15):
        organisation = make_engagement_organisation(vw.exchange, f"Verein {number}", status="pending")
        make_opportunity(organisation, status=OpportunityStatus.REVIEW)
    assert count() == few


def test_the_boerse_settings_and_an_own_body(vw: Any, world: Any) -> None:
    client = world.client("case_worker")
    home = reverse("backoffice:volunteering", kwargs={"org_slug": world.organisation.slug})
    response = client.post(home, {"introduction": "Willkommen", "contact_email": "ehrenamt@kreis.example"})  # all off
    assert response.status_code == 302
    vw.exchange.refresh_from_db()
    assert not vw.exchange.active and vw.exchange.introduction == "Willkommen"
    response = client.post(home, {"active": "on", "contact_email": "keine"})
    assert "contact_email" in response.context["form"].errors
    own = reverse("backoffice:volunteering_own_body", kwargs={"org_slug": world.organisation.slug})
    response = client.post(own, {**registration(name="Seniorenbeirat Musterkreis", legal_form="oeffentlich")})
    body = EngagementOrganisation.objects.get(name="Seniorenbeirat Musterkreis")
    assert response.status_code == 302
    assert body.tenant == world.organisation and body.status == VerificationStatus.VERIFIED
    assert not body.coordinators.exists()
    # Any of the tenant's staff coordinate it; staff of another tenant do not.
    area = reverse("volunteering:coordinator_overview", kwargs={"org_slug": body.slug})
    assert world.client("org_admin").get(area).status_code == 200
    assert world.client("other_org_admin").get(area).status_code == 404


def test_a_tenant_without_a_boerse_sets_one_up(world: Any) -> None:
    client = world.client("case_worker")
    home = reverse("backoffice:volunteering", kwargs={"org_slug": world.organisation.slug})
    assert "Ehrenamtsbörse einrichten" in client.get(home).content.decode()
    client.post(home, {"active": "on", "contact_email": ""})
    assert Exchange.objects.filter(organisation=world.organisation, active=True).exists()


# --- coordinators ------------------------------------------------------------------------------------------------


def team_url(organisation: EngagementOrganisation) -> str:
    return reverse("volunteering:coordinator_team", kwargs={"org_slug": organisation.slug})


def invitation_link(address: str) -> str:
    (message,) = [m for m in mail.outbox if m.to == [address]]
    (line,) = [line for line in message.body.splitlines() if "/ehrenamt/einladung/" in line]
    return line.strip().split("127.0.0.1:8000", 1)[-1] if "127.0.0.1:8000" in line else line.strip()


def test_invite_and_accept_once(vw: Any, mails: Any) -> None:
    client = signed_in(vw.coordinator)
    with mails(execute=True):
        response = client.post(team_url(vw.club), {"email": "kassenwart@example.org"})
    assert response.status_code == 302
    invitation = CoordinatorInvitation.objects.get(email="kassenwart@example.org")
    link = reverse("volunteering:accept_invitation", kwargs={"token": invitation.token})
    assert link in mail.outbox[-1].body
    again = client.post(team_url(vw.club), {"email": "KASSENWART@example.org"})
    assert "bereits eine Einladung" in errors_of(again)["email"][0]
    invited = UserFactory(email="kassenwart@example.org")
    assert "Einladung annehmen" in signed_in(invited).get(link).content.decode()
    response = signed_in(invited).post(link)
    assert response.status_code == 302
    assert Coordinator.objects.filter(organisation=vw.club, user=invited).exists()
    second = signed_in(invited).post(link)
    assert second.status_code == 409 and "bereits angenommen" in second.content.decode()
    assert signed_in(invited).get(reverse("volunteering:coordinator_overview",
                                          kwargs={"org_slug": vw.club.slug})).status_code == 200  # fmt: skip


def test_an_invitation_needs_the_invited_account(vw: Any) -> None:
    invitation = service.invite_coordinator(actor=vw.coordinator, organisation=vw.club, email="eva@example.org")
    link = reverse("volunteering:accept_invitation", kwargs={"token": invitation.token})
    intruder = signed_in(vw.volunteer)
    page = intruder.get(link)
    assert "Diese Einladung ging an eva@example.org" in page.content.decode()
    assert intruder.post(link).status_code == 409
    assert not Coordinator.objects.filter(organisation=vw.club, user=vw.volunteer).exists()
    assert Client().get(link).status_code == 302  # sign in first
    assert signed_in(vw.volunteer).get("/ehrenamt/einladung/unbekannt/").status_code == 404


def test_inviting_an_existing_coordinator_and_bad_addresses(vw: Any) -> None:
    client = signed_in(vw.coordinator)
    response = client.post(team_url(vw.club), {"email": vw.coordinator.email})
    assert "koordiniert die Organisation bereits" in errors_of(response)["email"][0]
    response = client.post(team_url(vw.club), {"email": "nix"})
    assert errors_of(response)["email"]
    assert not CoordinatorInvitation.objects.exists()


def test_outsiders_do_not_see_the_coordinator_area(vw: Any, world: Any) -> None:
    for client in (signed_in(vw.other_coordinator), signed_in(vw.volunteer), world.client("other_org_admin")):
        assert client.get(team_url(vw.club)).status_code == 404
        assert client.post(team_url(vw.club), {"email": "x@example.org"}).status_code == 404
    assert Client().get(team_url(vw.club)).status_code == 302


def remove_url(membership: Coordinator) -> str:
    return reverse("volunteering:coordinator_remove",
                   kwargs={"org_slug": membership.organisation.slug, "pk": membership.pk})  # fmt: skip


def test_the_last_coordinator_cannot_leave(vw: Any) -> None:
    membership = Coordinator.objects.get(organisation=vw.club, user=vw.coordinator)
    response = signed_in(vw.coordinator).post(remove_url(membership), follow=True)
    assert "Die letzte Person in der Koordination kann die Organisation nicht verlassen" in response.content.decode()
    assert Coordinator.objects.filter(organisation=vw.club).count() == 1
    partner = UserFactory(email="partner@example.org")
    Coordinator.objects.create(organisation=vw.club, user=partner)
    response = signed_in(vw.coordinator).post(remove_url(membership))
    assert response.status_code == 302
    assert list(Coordinator.objects.filter(organisation=vw.club).values_list("user", flat=True)) == [partner.pk]
    # The other club's coordinator cannot remove anybody here.
    other = Coordinator.objects.get(organisation=vw.club)
    assert signed_in(vw.other_coordinator).post(remove_url(other)).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_leaving_at_once_leave_one(world: Any) -> None:
    world.organisation.boundary = square(*HOME)
    world.organisation.save()
    vw = volunteering_world(world)
    partner = UserFactory(email="partner@example.org")
    Coordinator.objects.create(organisation=vw.club, user=partner)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def leave(user: Any) -> None:
        try:
            barrier.wait()
            service.remove_coordinator(actor=user, organisation=vw.club, user=user)
            outcomes.append("left")
        except Exception as error:
            outcomes.append(type(error).__name__)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=leave, args=(user,)) for user in (vw.coordinator, partner)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ValidationError", "left"]
    assert Coordinator.objects.filter(organisation=vw.club).count() == 1


def test_my_area_lists_the_organisations_i_coordinate(vw: Any) -> None:
    page = signed_in(vw.coordinator).get(reverse("accounts:overview")).content.decode()
    assert "Meine Engagement-Organisationen" in page
    assert reverse("volunteering:coordinator_overview", kwargs={"org_slug": vw.club.slug}) in page
    assert vw.other_club.name not in page


def test_coordinators_edit_their_organisation(vw: Any) -> None:
    edit = reverse("volunteering:coordinator_organisation", kwargs={"org_slug": vw.club.slug})
    data = registration(name="SV Beispielhausen 1920", exchange=None, confirm=None, postal_code="99999",
                        city="Nirgendwo")  # fmt: skip
    response = signed_in(vw.coordinator).post(edit, {**data, "postal_code": "9999"})
    assert "postal_code" in errors_of(response)
    vw.club.refresh_from_db()
    assert vw.club.name == "Sportverein Beispielhausen"
    assert signed_in(vw.coordinator).post(edit, data).status_code == 302
    vw.club.refresh_from_db()
    assert vw.club.name == "SV Beispielhausen 1920" and vw.club.lat is None  # moved somewhere nobody knows
    assert vw.club.status == VerificationStatus.VERIFIED and vw.club.slug == "sportverein-beispielhausen"
    assert signed_in(vw.other_coordinator).post(edit, data).status_code == 404
