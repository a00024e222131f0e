"""Smaller findings of the probe: escaped subjects, mail links, proxy header, access-code guessing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from mitwirken.projects import services

from .conftest import login
from .factories import UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_mail_subjects_are_not_html_escaped_and_links_use_the_site_address(world, settings):
    settings.SITE_URL = "https://beteiligung.example.de"
    world.protected.title = "Rad- & Fußweg <Nord>"
    world.protected.save()
    services.invitation_create(actor=world.personas["case_worker"], project=world.protected, email="neu@example.org")
    message = mail.outbox[-1]
    assert message.subject == "Einladung zur Beteiligung: Rad- & Fußweg <Nord>"
    assert "https://beteiligung.example.de/einladung/" in message.body


def test_password_reset_link_ignores_the_host_header(db, settings):
    settings.SITE_URL = "https://beteiligung.example.de"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    user = UserFactory(email="person@example.org")
    Client().post("/konto/password/reset/", {"email": user.email}, HTTP_HOST="evil.example")
    body = mail.outbox[-1].body
    assert "evil.example" not in body and "https://beteiligung.example.de/konto/password/reset/key/" in body


def settings_value(env: dict[str, str], expression: str) -> str:
    code = f"import mitwirken.settings as s; print({expression})"
    base = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src"), "MITWIRKEN_ENV": "production",
            "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "beteiligung.example.de",
            "SITE_URL": "https://beteiligung.example.de"}  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True,
                            check=True)  # fmt: skip
    return result.stdout.strip()


def test_proxy_ssl_header_is_trusted_only_when_configured():
    assert settings_value({}, "getattr(s, 'SECURE_PROXY_SSL_HEADER', None)") == "None"
    trusted = settings_value({"TRUSTED_PROXY_SSL_HEADER": "on"}, "s.SECURE_PROXY_SSL_HEADER")
    assert trusted == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert settings_value({}, "s.MITWIRKEN_STAFF_SESSION_MAX_AGE") == str(10 * 3600)


def test_access_code_redemption_is_rate_limited(world):
    client = login(Client(), world.personas["citizen"])
    answers = [client.post("/zugangscode/", {"code": f"AAAA-BBBB-CC{n:02d}"}).content.decode() for n in range(11)]
    assert "nicht gültig" in answers[0]
    assert "Zu viele Versuche" in answers[-1]
    code = services.access_codes_create(actor=world.personas["org_admin"], project=world.protected, count=1)[0]
    assert "Zu viele Versuche" in client.post("/zugangscode/", {"code": code.code}).content.decode()
    assert login(Client(), world.personas["invited"]).post("/zugangscode/", {"code": code.code}).status_code == 302
