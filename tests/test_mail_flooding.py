"""No mail flood without an account: every form that mails an address typed in by someone else (or the
portal's staff) is limited per target address and per IP (one shared helper, core/spam.py), and the
anonymous ones need a proof of work."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from mitwirken.core.models import AccessibilityFeedback
from mitwirken.reports.models import AreaAlert

from .dialogue_helpers import page_text, post_with_proof_of_work, solved_altcha_from
from .factories import UserFactory

pytestmark = pytest.mark.django_db

REFUSED = "zu viele E-Mails"


@pytest.fixture(autouse=True)
def low_limits(settings: Any) -> None:
    settings.MITWIRKEN_TYPED_MAIL_LIMITS = {"address": "2/h", "ip": "3/h"}


def feedback(client: Client, *, solve: bool = True) -> Any:
    data = {"page_url": "/", "message": "Kontrast zu gering", "email": ""}
    if solve:
        data["altcha"] = solved_altcha_from(client.get("/barrierefreiheit/"))
    return client.post("/barrierefreiheit/", data)


def test_feedback_needs_a_proof_of_work(db: Any) -> None:
    UserFactory(is_superuser=True, email="portal@example.org")
    response = feedback(Client(), solve=False)
    assert response.status_code == 200 and "Sicherheitsprüfung" in page_text(response)
    assert not AccessibilityFeedback.objects.exists() and not mail.outbox
    assert feedback(Client()).status_code == 302
    assert len(mail.outbox) == 1


def test_feedback_is_limited_per_ip(db: Any) -> None:
    UserFactory(is_superuser=True, email="portal@example.org")
    client = Client(REMOTE_ADDR="203.0.113.5")
    assert [feedback(client).status_code for _ in range(3)] == [302, 302, 302]
    response = feedback(client)
    assert response.status_code == 200 and REFUSED in page_text(response)
    assert AccessibilityFeedback.objects.count() == 3 and len(mail.outbox) == 3
    assert feedback(Client(REMOTE_ADDR="198.51.100.1")).status_code == 302  # other people are not affected


def alert(client: Client, email: str, *, solve: bool = True) -> Any:
    from mitwirken.organisations.models import Organisation

    organisation = Organisation.objects.filter(bbox_min_lon__isnull=False).first()
    data = {"email": email, "area": "organisation", "organisation": organisation.pk, "frequency": "daily"}
    if solve:
        data["altcha"] = solved_altcha_from(client.get("/maengelmelder/benachrichtigung/"))
    return client.post("/maengelmelder/benachrichtigung/", data)


@pytest.fixture
def area(db: Any) -> Any:
    from .factories import OrganisationFactory
    from .reports_fixtures import box

    return OrganisationFactory(boundary=box(7.5, 49.9, 7.7, 50.1))


def test_alert_subscription_needs_a_proof_of_work(area: Any) -> None:
    response = alert(Client(), "opfer@example.org", solve=False)
    assert response.status_code == 200 and not AreaAlert.objects.exists() and not mail.outbox


def test_alert_confirmations_are_limited_per_address_across_ips(area: Any) -> None:
    for number in range(2):
        assert alert(Client(REMOTE_ADDR=f"203.0.113.{number + 1}"), "opfer@example.org").status_code == 200
    response = alert(Client(REMOTE_ADDR="203.0.113.99"), "OPFER@example.org")
    assert REFUSED in page_text(response)
    assert len([m for m in mail.outbox if m.to == ["opfer@example.org"]]) == 2
    assert AreaAlert.objects.count() == 2


def test_alert_confirmations_are_limited_per_ip(area: Any) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for number in range(3):
        alert(client, f"person{number}@example.org")
    assert REFUSED in page_text(alert(client, "person9@example.org"))
    assert len(mail.outbox) == 3


def test_anonymous_report_confirmations_are_limited_per_address(db: Any) -> None:
    from mitwirken.reports.models import CategoryTemplate, OrganisationCategory, Report

    from .factories import OrganisationFactory
    from .reports_fixtures import box

    town = OrganisationFactory(boundary=box(7.5, 49.9, 7.7, 50.1))
    category = CategoryTemplate.objects.create(code="licht", name="Licht")
    OrganisationCategory.objects.create(organisation=town, template=category)
    url = "/maengelmelder/melden/angaben/?category=licht&lon=7.6&lat=50.0"
    data = {"report-description": "Dunkel", "report-email": "opfer@example.org"}
    for number in range(2):
        client = Client(REMOTE_ADDR=f"203.0.113.{number + 1}")
        assert post_with_proof_of_work(client, url, data, field="report-altcha").status_code == 302
    response = post_with_proof_of_work(Client(REMOTE_ADDR="203.0.113.50"), url, data, field="report-altcha")
    assert response.status_code == 200 and REFUSED in page_text(response)
    assert Report.objects.count() == 2


def test_statement_without_account_confirmations_are_limited_per_address(world: Any) -> None:
    from .formal_fixtures import make_procedure

    procedure = make_procedure(world.personas["case_worker"], world.public)
    procedure.allow_unregistered = True
    procedure.save()
    track = procedure.rounds.get().tracks.get()
    base = f"/{world.organisation.slug}/projekte/{world.public.slug}/{procedure.module.slug}"
    url = f"{base}/frist/{track.pk}/ohne-konto/"
    data = {"email": "opfer@example.org", "text": "Einwand", "author_name": "A", "street": "S 1",
            "postal_code": "55555", "city": "X"}  # fmt: skip
    statuses = [post_with_proof_of_work(Client(REMOTE_ADDR=f"203.0.113.{n}"), url, data) for n in range(1, 4)]
    assert REFUSED in page_text(statuses[-1])
    assert len([m for m in mail.outbox if m.to == ["opfer@example.org"]]) == 2
    confirm = next(m for m in mail.outbox if m.to == ["opfer@example.org"])
    assert "http://testserver" not in confirm.body  # the configured site address, not the Host header


def test_anonymous_report_and_statement_forms_ask_for_the_proof_of_work(world: Any) -> None:
    """Both mail a confirmation to a typed-in address: without the solved proof of work nothing is sent."""
    from mitwirken.reports.models import CategoryTemplate, OrganisationCategory, Report

    from .factories import OrganisationFactory
    from .formal_fixtures import make_procedure
    from .reports_fixtures import box

    town = OrganisationFactory(boundary=box(7.5, 49.9, 7.7, 50.1))
    category = CategoryTemplate.objects.create(code="licht", name="Licht")
    OrganisationCategory.objects.create(organisation=town, template=category)
    report_url = "/maengelmelder/melden/angaben/?category=licht&lon=7.6&lat=50.0"
    unsolved = Client().post(report_url, {"report-description": "Dunkel", "report-email": "opfer@example.org"})
    assert unsolved.status_code == 200 and "Sicherheitsprüfung" in page_text(unsolved)
    honeypot = post_with_proof_of_work(Client(), report_url, {"report-description": "Dunkel", "report-website": "x",
                                       "report-email": "opfer@example.org"}, field="report-altcha")  # fmt: skip
    assert honeypot.status_code == 200 and "automatisiert" in page_text(honeypot)
    assert not Report.objects.exists() and not mail.outbox

    procedure = make_procedure(world.personas["case_worker"], world.public)
    procedure.allow_unregistered = True
    procedure.save()
    track = procedure.rounds.get().tracks.get()
    url = (
        f"/{world.organisation.slug}/projekte/{world.public.slug}/{procedure.module.slug}/frist/{track.pk}/ohne-konto/"
    )
    data = {"email": "opfer@example.org", "text": "Einwand", "author_name": "A", "street": "S 1",
            "postal_code": "55555", "city": "X"}  # fmt: skip
    assert "Sicherheitsprüfung" in page_text(Client().post(url, data)) and not mail.outbox
    assert post_with_proof_of_work(Client(), url, data).status_code == 200 and len(mail.outbox) == 1
