"""Members join an organisation by e-mail invitation; the back office never tells whether an address has an account.

The probe's finding: the member-add form answered "kein Konto" for unknown addresses and added known ones at
once. Now adding always sends an invitation to the typed address, and only an account that has verified
that address can accept it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mitwirken.core.models import AuditEntry
from mitwirken.organisations import services
from mitwirken.organisations.models import OrganisationInvitation, OrganisationMembership, OrganisationRole

from .factories import UserFactory

pytestmark = pytest.mark.django_db

MEMBERS = "/verwaltung/musterkreis/mitglieder/"


def invite(world, email="neu@example.org", role=OrganisationRole.STAFF):
    return services.member_invite(
        actor=world.personas["org_admin"], organisation=world.organisation, email=email, role=role
    )


def accept_url(invitation):
    return f"/verwaltung/einladung/{invitation.token}/"


def answer(client, email):
    """Status, redirect and messages of one add; each call on a fresh session so messages do not pile up."""
    response = client.post(MEMBERS, {"email": email, "role": "staff"})
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    return response.status_code, response.get("Location"), [text.replace(email, "<adresse>") for text in texts]


def test_the_same_answer_and_a_mail_whether_or_not_the_address_has_an_account(world):
    known, unknown = world.personas["citizen"].email, "niemand@example.org"
    mail.outbox.clear()
    with time_machine.travel(timezone.now(), tick=False):
        for_known = answer(world.client("org_admin"), known)
        for_unknown = answer(world.client("org_admin"), unknown)
    client = world.client("org_admin")
    assert for_known == for_unknown
    status, location, texts = for_known
    assert status == 302 and location == MEMBERS
    assert texts == ["Die Einladung an <adresse> ist verschickt. Sie gilt 14 Tage."]
    # Nobody was added directly: the known account is not a member until it accepts.
    assert not OrganisationMembership.objects.filter(user=world.personas["citizen"]).exists()
    assert sorted(message.to[0] for message in mail.outbox) == sorted([known, unknown])
    bodies = {message.to[0]: message.body for message in mail.outbox}
    tokens = {invitation.email: invitation.token for invitation in OrganisationInvitation.objects.all()}
    assert bodies[known].replace(tokens[known], "T") == bodies[unknown].replace(tokens[unknown], "T")
    for message in mail.outbox:
        # No user-chosen text (display names) at the top of a mail to someone else's address.
        assert message.body.startswith("Guten Tag,")
        assert accept_url(OrganisationInvitation.objects.get(email=message.to[0])) in message.body
        assert "Landkreis Musterkreis" in message.subject
    page = client.get(MEMBERS).content.decode()
    assert known in page and unknown in page and "Widerrufen" in page
    assert "Zu dieser E-Mail-Adresse gibt es kein Konto" not in page
    assert AuditEntry.objects.filter(action="membership.invite", organisation=world.organisation).count() == 2


def test_invalid_address_is_a_form_error(world):
    response = world.client("org_admin").post(MEMBERS, {"email": "keine-adresse", "role": "staff"})
    assert response.status_code == 200
    assert not OrganisationInvitation.objects.exists()


def test_a_second_pending_invitation_to_the_same_address_is_refused(world):
    invite(world)
    response = world.client("org_admin").post(MEMBERS, {"email": "NEU@example.org", "role": "admin"})
    assert response.status_code == 200 and "bereits eine offene Einladung" in response.content.decode()
    assert OrganisationInvitation.objects.count() == 1


def test_the_invited_verified_account_accepts_and_becomes_a_member(world):
    invitation = invite(world, role=OrganisationRole.ADMIN)
    newcomer = UserFactory(email="neu@example.org")
    client = world.client("anonymous")
    page = client.get(accept_url(invitation))
    assert page.status_code == 200 and "/konto/login/?next=" in page.content.decode()
    client.force_login(newcomer)
    page = client.get(accept_url(invitation))
    assert page.status_code == 200 and "Landkreis Musterkreis" in page.content.decode()
    response = client.post(accept_url(invitation))
    assert response.status_code == 302 and response["Location"] == "/verwaltung/musterkreis/"
    membership = OrganisationMembership.objects.get(organisation=world.organisation, user=newcomer)
    assert membership.role == OrganisationRole.ADMIN
    invitation.refresh_from_db()
    assert invitation.accepted_by == newcomer and invitation.accepted_at is not None
    assert AuditEntry.objects.filter(action="membership.invitation_accept", actor=newcomer).exists()
    assert AuditEntry.objects.filter(action="membership.add", actor=newcomer).exists()
    # Accepted invitations leave the list of pending ones.
    assert (
        "neu@example.org" not in world.client("org_admin").get(MEMBERS).content.decode().split("Offene Einladungen")[1]
    )


def test_a_verified_second_address_counts(world):
    invitation = invite(world, email="dienst@example.org")
    person = world.personas["citizen"]
    EmailAddress.objects.create(user=person, email="Dienst@example.org", verified=True, primary=False)
    world.client("citizen").post(accept_url(invitation))
    assert OrganisationMembership.objects.filter(organisation=world.organisation, user=person).exists()


def test_an_existing_member_gets_the_invited_role(world):
    invitation = invite(world, email="staff@example.org", role=OrganisationRole.ADMIN)
    response = world.client("case_worker").post(accept_url(invitation))
    assert response.status_code == 302
    membership = OrganisationMembership.objects.get(organisation=world.organisation, user=world.personas["case_worker"])
    assert membership.role == OrganisationRole.ADMIN
    assert OrganisationMembership.objects.filter(user=world.personas["case_worker"]).count() == 1


def test_another_account_cannot_accept(world):
    invitation = invite(world)
    client = world.client("citizen")
    response = client.post(accept_url(invitation))
    assert response.status_code == 410
    assert "andere E-Mail-Adresse" in response.content.decode()
    assert not OrganisationMembership.objects.filter(user=world.personas["citizen"]).exists()
    assert OrganisationInvitation.objects.get(pk=invitation.pk).accepted_at is None


def test_an_unverified_invited_address_cannot_accept(world):
    invitation = invite(world)
    newcomer = UserFactory(email="neu@example.org")
    EmailAddress.objects.filter(user=newcomer).update(verified=False)
    client = world.client("anonymous")
    client.force_login(newcomer)
    assert client.post(accept_url(invitation)).status_code == 410
    assert not OrganisationMembership.objects.filter(user=newcomer).exists()


def test_anonymous_post_adds_no_one(world):
    invitation = invite(world)
    assert world.client("anonymous").post(accept_url(invitation)).status_code == 200
    assert OrganisationInvitation.objects.get(pk=invitation.pk).accepted_at is None


def test_expired_invitation_is_refused(world):
    invitation = invite(world)
    newcomer = UserFactory(email="neu@example.org")
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        client = world.client("anonymous")
        client.force_login(newcomer)
        response = client.post(accept_url(invitation))
        assert response.status_code == 410 and "abgelaufen" in response.content.decode()
    assert not OrganisationMembership.objects.filter(user=newcomer).exists()


def test_revoked_invitation_is_refused(world):
    invitation = invite(world)
    client = world.client("org_admin")
    response = client.post(f"{MEMBERS}einladungen/{invitation.pk}/widerrufen/")
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="membership.invitation_revoke").exists()
    newcomer = UserFactory(email="neu@example.org")
    other = world.client("anonymous")
    other.force_login(newcomer)
    assert "widerrufen" in other.get(accept_url(invitation)).content.decode()
    response = other.post(accept_url(invitation))
    assert response.status_code == 410 and "widerrufen" in response.content.decode()
    assert not OrganisationMembership.objects.filter(user=newcomer).exists()


def test_used_invitation_is_refused_for_anyone_else(world):
    invitation = invite(world)
    first = UserFactory(email="neu@example.org")
    client = world.client("anonymous")
    client.force_login(first)
    assert client.post(accept_url(invitation)).status_code == 302
    # The link is used up: nobody else gets in with it.
    second = world.personas["citizen"]
    response = world.client("citizen").post(accept_url(invitation))
    assert response.status_code == 410 and "bereits angenommen" in response.content.decode()
    assert not OrganisationMembership.objects.filter(user=second).exists()


def test_unknown_token_is_404(world):
    assert world.client("citizen").get("/verwaltung/einladung/gibt-es-nicht/").status_code == 404
    assert world.client("citizen").post("/verwaltung/einladung/gibt-es-nicht/").status_code == 404


@pytest.mark.parametrize("persona", ["case_worker", "other_org_admin", "citizen"])
def test_only_the_organisations_admins_invite_and_revoke(world, persona):
    invitation = invite(world)
    mail.outbox.clear()
    client = world.client(persona)
    assert client.get(MEMBERS).status_code == 404
    assert client.post(MEMBERS, {"email": "x@example.org", "role": "admin"}).status_code == 404
    assert client.post(f"{MEMBERS}einladungen/{invitation.pk}/widerrufen/").status_code == 404
    assert OrganisationInvitation.objects.get(pk=invitation.pk).revoked_at is None
    assert OrganisationInvitation.objects.count() == 1 and not mail.outbox
    with pytest.raises(PermissionDenied):
        services.member_invite(actor=world.personas[persona], organisation=world.organisation,
                               email="x@example.org", role="admin")  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.member_invitation_revoke(actor=world.personas[persona], invitation=invitation)


def test_another_organisations_invitation_is_404_under_the_own_slug(world):
    foreign = services.member_invite(actor=world.personas["other_org_admin"], organisation=world.other_organisation,
                                     email="fremd@example.org", role="staff")  # fmt: skip
    response = world.client("org_admin").post(f"{MEMBERS}einladungen/{foreign.pk}/widerrufen/")
    assert response.status_code == 404
    assert OrganisationInvitation.objects.get(pk=foreign.pk).revoked_at is None


def add_invitations(world, count):
    start = OrganisationInvitation.objects.count()
    OrganisationInvitation.objects.bulk_create(
        OrganisationInvitation(organisation=world.organisation, email=f"offen{start + i}@example.org", role="staff",
                               token=f"m-{start + i}", expires_at=timezone.now() + timedelta(days=3))
        for i in range(count)
    )  # fmt: skip


def count_queries(client):
    with CaptureQueriesContext(connection) as context:
        response = client.get(MEMBERS)
    assert response.status_code == 200
    return len(context.captured_queries), response.content.decode()


def test_members_page_query_count_does_not_grow_with_pending_invitations(world):
    client = world.client("org_admin")
    add_invitations(world, 10)
    small, page = count_queries(client)
    assert len(set(re.findall(r"offen\d+@example\.org", page))) == 10
    add_invitations(world, 90)
    large, page = count_queries(client)
    assert large == small
    assert "einladungen=2" in page  # the list is paginated
