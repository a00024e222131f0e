"""Sign-up, login, password reset and e-mail change answer alike whether an account exists or not.

Both the answer (status, page text, where it redirects) and the time are compared. Timing is compared
as a ratio of medians over several runs with a tolerance, never against absolute values; the real
password hasher is used, because hashing is what made the paths differ (0.10 s against 0.34 s).
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from .conftest import login
from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

RUNS = 9
TOLERANCE = 0.35  # the faster path must take at least 1/1.35 of the slower one's median time …
JITTER = 0.025  # … unless they differ by less than network jitter (the probe measured 0.10 s against 0.34 s)
NEW_PASSWORD = "Ein-sehr-gutes-Passwort-42"


class FastPBKDF2(__import__("django.contrib.auth.hashers", fromlist=["PBKDF2PasswordHasher"]).PBKDF2PasswordHasher):
    """PBKDF2 with fewer rounds: still the dominant cost of the request, so differences show, but quicker."""

    iterations = 400_000


@pytest.fixture(autouse=True)
def real_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["tests.test_enumeration.FastPBKDF2"]


@pytest.fixture
def existing(db: Any) -> Any:
    return UserFactory(email="vorhanden@example.org")


def normalised(response: Any) -> tuple[int, str, str]:
    """Status, redirect target and page text with the typed-in address and tokens taken out."""
    body = response.content.decode() if response.status_code == 200 else ""
    body = re.sub(r"[\w.+-]+@example\.org", "ADDRESS", body)
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    body = re.sub(r'data-altcha-challenge="[^"]*"', "", body)
    return response.status_code, response.get("Location", ""), body


def compare(first: Callable[[int], Any], second: Callable[[int], Any]) -> None:
    """Run both paths alternately (so load on the machine hits both alike), then compare medians and answers."""
    times: tuple[list[float], list[float]] = ([], [])
    answers: list[Any] = [None, None]
    first(-1), second(-1)  # warm-up: templates, translations, hasher set-up
    for run in range(RUNS):
        for index, action in enumerate((first, second)):
            cache.clear()  # rate limits must not decide the answer
            start = time.perf_counter()
            answers[index] = action(run)
            times[index].append(time.perf_counter() - start)
    medians = statistics.median(times[0]), statistics.median(times[1])
    assert min(medians) >= max(medians) / (1 + TOLERANCE) or max(medians) - min(medians) < JITTER, medians
    assert normalised(answers[0]) == normalised(answers[1])


def test_signup(existing):
    def signup(email: Callable[[int], str]) -> Callable[[int], Any]:
        return lambda run: Client().post("/konto/signup/", {"email": email(run), "password1": NEW_PASSWORD,
                                                             "password2": NEW_PASSWORD})  # fmt: skip

    compare(signup(lambda run: existing.email), signup(lambda run: f"neu{run}@example.org"))
    # the owner of the existing address is told by mail, not the person at the form
    assert any("vorhanden@example.org" in message.to for message in mail.outbox)


def test_login(existing):
    def attempt(email: str) -> Callable[[int], Any]:
        return lambda run: Client().post("/konto/login/", {"login": email, "password": "falsch-falsch-falsch"})

    compare(attempt(existing.email), attempt("unbekannt@example.org"))


def test_password_reset(existing):
    def reset(email: str) -> Callable[[int], Any]:
        return lambda run: Client().post("/konto/password/reset/", {"email": email})

    compare(reset(existing.email), reset("unbekannt@example.org"))


def test_email_change(existing):
    person = UserFactory(email="person@example.org")

    def change(email: str) -> Callable[[int], Any]:
        def run(_run: int) -> Any:
            return login(Client(), person).post("/konto/email/", {"action_add": "", "email": email})

        return run

    compare(change(existing.email), change("frei@example.org"))
    followed_known = login(Client(), person).post("/konto/email/", {"action_add": "", "email": existing.email},
                                                  follow=True)  # fmt: skip
    followed_new = login(Client(), person).post("/konto/email/", {"action_add": "", "email": "frei2@example.org"},
                                                follow=True)  # fmt: skip
    assert normalised(followed_known)[0] == normalised(followed_new)[0] == 200
    assert normalised(followed_known)[2] == normalised(followed_new)[2]
    messages_known = [str(m) for m in followed_known.context["messages"]]
    messages_new = [str(m) for m in followed_new.context["messages"]]
    assert [re.sub(r"\S+@\S+", "X", m) for m in messages_known] == [re.sub(r"\S+@\S+", "X", m) for m in messages_new]
    assert messages_known


def test_owner_is_not_locked_out_by_strangers(existing):
    """Wrong passwords from one address lock that address out for this account, not the owner elsewhere."""
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _attempt in range(8):
        attacker.post("/konto/login/", {"login": existing.email, "password": "falsch-falsch-falsch"})
    refused = attacker.post("/konto/login/", {"login": existing.email, "password": PASSWORD})
    assert refused.status_code == 200 and "Zu viele gescheiterte Anmeldeversuche" in refused.content.decode()
    assert "Passwort vergessen" in refused.content.decode()
    owner = Client(REMOTE_ADDR="198.51.100.7")
    response = owner.post("/konto/login/", {"login": existing.email, "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in owner.session
    # and the owner can always reset the password, even from the attacker's address
    mail.outbox.clear()
    assert attacker.post("/konto/password/reset/", {"email": existing.email}).status_code == 302
    assert mail.outbox and mail.outbox[0].to == [existing.email]


def test_confirmation_mail_to_a_typed_in_address_carries_no_user_text_and_the_site_address(settings):
    """The display name was put into the e-mail-change confirmation sent to any address (phishing text)."""
    settings.SITE_URL = "https://beteiligung.example.de"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]  # even an accepted Host header must not make the link
    person = UserFactory(email="person@example.org", display_name="Konto gesperrt! Entsperren: https://evil.example")
    mail.outbox.clear()
    client = login(Client(), person)
    client.post("/konto/email/", {"action_add": "", "email": "opfer@example.org"}, HTTP_HOST="evil.example")
    message = next(message for message in mail.outbox if message.to == ["opfer@example.org"])
    assert "Konto gesperrt" not in message.body and "evil.example" not in message.body
    assert "https://beteiligung.example.de/konto/" in message.body
