"""Registration, verification, login protection, profile and GDPR rights."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core import mail

from mitwirken.accounts.models import ExternalIdentity, User
from mitwirken.core.models import AuditEntry, Notification
from mitwirken.organisations.models import OrganisationMembership
from mitwirken.projects.models import ProjectMembership

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_signup_requires_email_verification_before_login(client):
    response = client.post("/konto/signup/", {"email": "neu@example.org", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/konto/confirm-email/[^\s]+", mail.outbox[0].body).group(0)
    client.logout()
    assert client.post("/konto/login/", {"login": "neu@example.org", "password": PASSWORD}).status_code == 302
    assert "_auth_user_id" not in client.session  # unverified: no session yet
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.post("/" + path).status_code == 302
    assert client.session.get("_auth_user_id")  # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION


def test_signup_errors_are_german_and_next_to_the_field(client):
    response = client.post("/konto/signup/", {"email": "kaputt", "password1": "123", "password2": "456"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_email_error"' in html
    assert "gültige E-Mail-Adresse" in html
    assert not User.objects.exists()


def test_login_is_rate_limited_after_repeated_failures(client):
    user = UserFactory(email="ziel@example.org")
    for _attempt in range(5):
        client.post("/konto/login/", {"login": user.email, "password": "falsch"})
    response = client.post("/konto/login/", {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session  # even the right password is refused for now
    assert "Zu viele gescheiterte Anmeldeversuche" in response.content.decode()


def test_profile_keeps_real_name_and_address_private(world):
    client = world.client("citizen")
    response = client.post(
        "/konto/profil/",
        {"display_name": "Berta", "real_name": "Berta Beispiel", "street": "Hauptstraße 1", "postal_code": "55555",
         "city": "Musterstadt", "language": "de"},
    )  # fmt: skip
    assert response.status_code == 302
    user = User.objects.get(pk=world.personas["citizen"].pk)
    assert user.has_postal_address
    assert str(user) == "Berta"


def test_assurance_level_is_the_highest_linked_identity(world):
    user = world.personas["citizen"]
    assert user.assurance_level == 0
    ExternalIdentity.objects.create(user=user, provider="bundid", subject="abc", assurance_level=3)
    ExternalIdentity.objects.create(user=user, provider="muk", subject="xyz", assurance_level=2)
    assert User.objects.get(pk=user.pk).assurance_level == 3


def test_data_export_contains_everything_and_is_audited(world):
    user = world.personas["invited"]
    Notification.objects.create(recipient=user, title="Neue Phase")
    response = world.client("invited").post("/konto/daten/export/")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("daten.json"))
    assert data["account"]["email"] == user.email
    assert data["account"]["notifications"][0]["title"] == "Neue Phase"
    titles = {membership["project__title"] for membership in data["project_memberships"]}
    assert titles == {world.semipublic.title, world.protected.title}
    assert AuditEntry.objects.filter(action="gdpr.export", actor=user).exists()


def test_account_deletion_needs_the_password(world):
    response = world.client("citizen").post("/konto/loeschen/", {"confirm": "on", "password": "falsch"})
    assert response.status_code == 400
    assert "Das Passwort ist nicht richtig." in response.content.decode()
    assert User.objects.filter(pk=world.personas["citizen"].pk).exists()


def test_account_deletion_removes_personal_data_and_keeps_the_audit_trail(world):
    user = world.personas["case_worker"]
    AuditEntry.objects.create(actor=user, organisation=world.organisation, action="project.update")
    response = world.client("case_worker").post("/konto/loeschen/", {"confirm": "on", "password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert not OrganisationMembership.objects.filter(user_id=user.pk).exists()
    assert not ProjectMembership.objects.filter(user_id=user.pk).exists()
    kept = AuditEntry.objects.get(action="project.update")
    assert kept.actor is None  # the record stays, the link to the person goes
    assert AuditEntry.objects.filter(action="account.delete").exists()
