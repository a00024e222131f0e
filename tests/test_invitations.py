"""Invitations by e-mail link and by printed access code; expiry and revocation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from mitwirken.core.models import AuditEntry
from mitwirken.projects import services
from mitwirken.projects.models import AccessCode, Invitation, ProjectMembership

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def invite(world, email="neu@example.org"):
    return services.invitation_create(actor=world.personas["case_worker"], project=world.protected, email=email)


def test_invitation_mail_link_admits_a_new_account(world):
    invitation = invite(world)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["neu@example.org"]
    assert "Einladung" in message.subject
    assert f"/einladung/{invitation.token}/" in message.body
    newcomer = UserFactory(email="neu@example.org")
    client = world.client("anonymous")
    client.force_login(newcomer)
    assert client.get(world.protected.get_absolute_url()).status_code == 404
    page = client.get(f"/einladung/{invitation.token}/")
    assert page.status_code == 200 and world.protected.title in page.content.decode()
    response = client.post(f"/einladung/{invitation.token}/")
    assert response.status_code == 302
    assert client.get(world.protected.get_absolute_url()).status_code == 200
    assert AuditEntry.objects.filter(action="invitation.create", organisation=world.organisation).exists()


def test_anonymous_visitor_is_asked_to_log_in_first(world):
    invitation = invite(world)
    page = world.client("anonymous").get(f"/einladung/{invitation.token}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "/konto/login/?next=" in html and "/konto/signup/?next=" in html


def test_expired_invitation_is_refused_with_a_clear_message(world):
    invitation = invite(world)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        client = world.client("citizen")
        response = client.post(f"/einladung/{invitation.token}/")
        assert response.status_code == 410
        assert "abgelaufen" in response.content.decode()
    assert not ProjectMembership.objects.filter(project=world.protected, user=world.personas["citizen"]).exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_revoked_invitation_is_refused_with_a_clear_message(world):
    invitation = invite(world)
    services.invitation_revoke(actor=world.personas["case_worker"], invitation=invitation)
    client = world.client("citizen")
    assert "zurückgezogen" in client.get(f"/einladung/{invitation.token}/").content.decode()
    response = client.post(f"/einladung/{invitation.token}/")
    assert "zurückgezogen" in response.content.decode()
    assert not ProjectMembership.objects.filter(project=world.protected, user=world.personas["citizen"]).exists()
    assert AuditEntry.objects.filter(action="invitation.revoke").exists()


def test_unknown_invitation_is_404(world):
    assert world.client("citizen").get("/einladung/gibt-es-nicht/").status_code == 404


def test_invitation_can_be_used_once(world):
    invitation = invite(world)
    services.invitation_accept(user=UserFactory(email="neu@example.org"), token=invitation.token)
    other = world.client("anonymous")
    other.force_login(UserFactory())
    assert "bereits angenommen" in other.post(f"/einladung/{invitation.token}/").content.decode()


@pytest.mark.parametrize("role", ["participant", "moderator", "agency"])
def test_invitation_is_no_bearer_token(world, role):
    """Only the account with the invited address may accept; a forwarded link lets nobody else in."""
    invitation = services.invitation_create(
        actor=world.personas["case_worker"], project=world.protected, email="Neu@Example.org", role=role,
        agency=world.agency_organisation if role == "agency" else None,
    )  # fmt: skip
    client = world.client("citizen")
    page = client.get(f"/einladung/{invitation.token}/")
    assert page.status_code == 410 and "an eine andere E-Mail-Adresse gerichtet" in page.content.decode()
    response = client.post(f"/einladung/{invitation.token}/")
    assert "mit der eingeladenen Adresse an" in response.content.decode()
    assert not ProjectMembership.objects.filter(project=world.protected, user=world.personas["citizen"]).exists()
    # an unconfirmed second address does not count either
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=world.personas["citizen"], email="neu@example.org", verified=False)
    client.post(f"/einladung/{invitation.token}/")
    assert not ProjectMembership.objects.filter(project=world.protected, user=world.personas["citizen"]).exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
    invited = UserFactory(email="neu@example.org")
    assert world.client("anonymous").get("/").status_code == 200
    from .conftest import login

    assert login(world.client("anonymous"), invited).post(f"/einladung/{invitation.token}/").status_code == 302
    assert ProjectMembership.objects.get(project=world.protected, user=invited).role == role


def test_duplicate_open_invitation_is_refused(world):
    invite(world)
    response = world.client("case_worker").post(
        f"/verwaltung/{world.organisation.slug}/projekte/{world.protected.pk}/teilnehmende/",
        {"action": "invite", "email": "NEU@example.org", "role": "participant"},
    )
    assert "bereits eine offene Einladung" in response.content.decode()
    assert Invitation.objects.filter(project=world.protected).count() == 1


def test_agency_invitation_needs_the_agency(world):
    response = world.client("case_worker").post(
        f"/verwaltung/{world.organisation.slug}/projekte/{world.protected.pk}/teilnehmende/",
        {"action": "invite", "email": "toeb@example.org", "role": "agency"},
    )
    assert "Bitte wählen Sie die Behörde oder Stelle" in response.content.decode()
    assert not Invitation.objects.filter(email="toeb@example.org").exists()


def test_access_codes_letters_and_redemption(world):
    client = world.client("case_worker")
    url = f"/verwaltung/{world.organisation.slug}/projekte/{world.protected.pk}/teilnehmende/"
    assert client.post(url, {"action": "codes", "codes-count": "3"}).status_code == 302
    codes = list(AccessCode.objects.filter(project=world.protected))
    assert len(codes) == 3
    pdf = client.get(f"/verwaltung/{world.organisation.slug}/projekte/{world.protected.pk}/zugangscodes.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page(?!s)", pdf.content)) == 3  # one letter per code

    citizen = world.client("citizen")
    typed = codes[0].code.lower().replace("-", " ")  # people type codes loosely
    response = citizen.post("/zugangscode/", {"code": typed})
    assert response.status_code == 302
    assert citizen.get(world.protected.get_absolute_url()).status_code == 200

    stranger = world.client("anonymous")
    stranger.force_login(UserFactory())
    response = stranger.post("/zugangscode/", {"code": codes[0].code})
    assert "bereits verwendet" in response.content.decode()


def test_revoked_and_unknown_access_codes_are_refused(world):
    code = services.access_codes_create(actor=world.personas["org_admin"], project=world.protected, count=1)[0]
    services.access_code_revoke(actor=world.personas["org_admin"], access_code=code)
    client = world.client("citizen")
    assert "zurückgezogen" in client.post("/zugangscode/", {"code": code.code}).content.decode()
    response = client.post("/zugangscode/", {"code": "AAAA-BBBB-CCCC"})
    html = response.content.decode()
    assert "nicht gültig" in html and 'id="id_code_error"' in html
    assert not ProjectMembership.objects.filter(project=world.protected, user=world.personas["citizen"]).exists()


def test_access_code_batch_size_is_limited(world):
    response = world.client("case_worker").post(
        f"/verwaltung/{world.organisation.slug}/projekte/{world.protected.pk}/teilnehmende/",
        {"action": "codes", "codes-count": "5000"},
    )
    assert response.status_code == 200
    assert not AccessCode.objects.filter(project=world.protected).exists()


def test_redeeming_needs_login(world):
    response = world.client("anonymous").get("/zugangscode/")
    assert response.status_code == 302 and "/konto/login/" in response["Location"]
