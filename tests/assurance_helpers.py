"""Logins with a trust level (Vertrauensniveau) for tests, without a SAML round trip.

The SAML login records what the identity provider vouched for in the session (``accounts.assurance.record``);
``with_level`` puts the same into a test client's session. ``login_at`` sets the request a rule or a service
sees outside the test client (``assurance.current``), for tests of rules and services.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from django.test import Client, RequestFactory

from mitwirken.accounts.assurance import SESSION_KEY, LoginAssurance
from mitwirken.accounts.second_factor import _current_request


def assurance(
    level: int, provider: str = "bundid", acting_for_name: str = "", acting_for_id: str = ""
) -> dict[str, Any]:
    return asdict(LoginAssurance(level=level, provider=provider if level else "", acting_for_name=acting_for_name,
                                 acting_for_id=acting_for_id))  # fmt: skip


def with_level(client: Client, level: int, **login: Any) -> Client:
    """The logged-in ``client``'s login now has ``level`` (0: a password login, the key is removed)."""
    session = client.session
    if level:
        session[SESSION_KEY] = assurance(level, **login)
    else:
        session.pop(SESSION_KEY, None)
    session.save()
    return client


@contextmanager
def login_at(user: Any, level: int, **login: Any) -> Iterator[Any]:
    """Within the block, ``user`` acts through a request whose login has ``level``."""
    request = RequestFactory().get("/")
    request.user = user
    request.session = {SESSION_KEY: assurance(level, **login)} if level else {}  # type: ignore[assignment]
    token = _current_request.set(request)
    try:
        yield request
    finally:
        _current_request.reset(token)
