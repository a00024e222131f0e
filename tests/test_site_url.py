"""Links in e-mails and letters use the portal's real address, also with another port in development (#14)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail

from mitwirken.core.notifications import notify

from .factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent


def site_url_in(environment: dict[str, str]) -> str:
    env = {"PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "mitwirken.settings", "PATH": "/usr/bin:/bin",
           **environment}  # fmt: skip
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    return result.stdout.strip()


def test_the_development_address_follows_the_port():
    """`make run PORT=8001` exports PORT to the server and the worker; the links must say 8001 too."""
    assert site_url_in({"MITWIRKEN_ENV": "development", "PORT": "8001"}) == "http://127.0.0.1:8001"
    assert site_url_in({"MITWIRKEN_ENV": "development"}) == "http://127.0.0.1:8000"
    explicit = {"MITWIRKEN_ENV": "development", "PORT": "8001", "SITE_URL": "https://beteiligung.example.de/"}
    assert site_url_in(explicit) == "https://beteiligung.example.de"


@pytest.mark.django_db
def test_notification_mail_links_use_the_configured_address_and_port(settings):
    settings.SITE_URL = "http://127.0.0.1:8001"
    notify(recipient=UserFactory(email="citizen@example.org"), title="Neue Antwort", url="/p/radweg/")
    body = mail.outbox[-1].body
    assert "http://127.0.0.1:8001/p/radweg/" in body
    assert "http://127.0.0.1:8001/benachrichtigungen/" in body
    assert "127.0.0.1:8000" not in body


@pytest.mark.django_db
def test_allauth_mails_use_the_configured_address_not_the_host_header(client, settings):
    settings.SITE_URL = "http://127.0.0.1:8001"
    settings.ALLOWED_HOSTS = ["evil.example"]  # a proxy that passes any Host header on
    UserFactory(email="citizen@example.org")
    client.post("/konto/password/reset/", {"email": "citizen@example.org"}, HTTP_HOST="evil.example")
    body = mail.outbox[-1].body
    assert "http://127.0.0.1:8001/konto/password/reset/key/" in body and "evil.example" not in body
