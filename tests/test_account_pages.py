"""Every account page renders in the portal layout (allauth templates are themed, not replaced)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

pytestmark = pytest.mark.django_db

ACCOUNT_PAGES = [
    "/konto/profil/", "/konto/identitaeten/", "/konto/projekte/", "/konto/daten/", "/konto/email/",
    "/konto/password/change/", "/konto/2fa/", "/konto/2fa/totp/activate/", "/benachrichtigungen/",
]  # fmt: skip


@pytest.mark.parametrize("url", ACCOUNT_PAGES)
def test_account_pages_render_for_a_citizen(world, url):
    # Security-relevant pages first ask for the password again (allauth reauthentication).
    response = world.client("citizen").get(url, follow=True)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert 'id="main"' in html and "Mein Bereich" in html


@pytest.mark.parametrize("url", ["/konto/login/", "/konto/signup/", "/konto/password/reset/"])
def test_entrance_pages_render_anonymously(client, url):
    html = client.get(url).content.decode()
    assert 'id="main"' in html and "<label" in html


def test_email_change_needs_reverification(world):
    client = world.client("citizen")
    response = client.post("/konto/email/", {"action_add": "", "email": "neu-adresse@example.org"})
    assert response.status_code in (200, 302)
    assert EmailAddress.objects.filter(email="neu-adresse@example.org", verified=False).exists()
    assert any("neu-adresse@example.org" in message.to for message in mail.outbox)
    user = world.personas["citizen"]
    user.refresh_from_db()
    assert user.email == "citizen@example.org"  # unchanged until the new address is confirmed
