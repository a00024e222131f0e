"""The session key changes when a login completes: after the password, or after the second factor where one
is needed (until then the session holds only allauth's pending login stage, no user). No session fixation."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from mitwirken.core.demo import DEMO_TOTP_SECRET

from .browser import totp_code
from .conftest import with_second_factor
from .factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db


def test_session_key_changes_at_login_and_at_the_second_factor() -> None:
    staff = with_second_factor(MembershipFactory(role="staff").user)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(user=staff, email=staff.email, defaults={"verified": True, "primary": True})
    client = Client()
    client.get("/konto/login/")
    client.session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.post("/konto/login/", {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302 and "/konto/2fa/authenticate/" in response["Location"]
    after_password = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert "_auth_user_id" not in client.session  # nobody is logged in before the second factor
    response = client.post("/konto/2fa/authenticate/", {"code": totp_code(DEMO_TOTP_SECRET)})
    assert response.status_code == 302
    after_second_factor = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after_second_factor not in (before, after_password)
    assert client.get("/verwaltung/").status_code in (200, 302)
    assert "_auth_user_id" in client.session


def test_a_fixed_session_id_is_useless_after_login(client: Any) -> None:
    """An attacker who planted a session id before the login cannot use it afterwards."""
    client.get("/konto/login/")
    client.session.save()
    planted = client.cookies[settings.SESSION_COOKIE_NAME].value
    staff = MembershipFactory(role="staff").user
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(user=staff, email=staff.email, defaults={"verified": True, "primary": True})
    client.post("/konto/login/", {"login": staff.email, "password": PASSWORD})
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert "_auth_user_id" not in attacker.session
