"""'Ist es behoben?': the reporter confirms a report marked "erledigt" or reopens it with a reason.

From Mein Bereich and the report page (with an account) and from the follow-up mail's link (token); both go
through the same services, so each writes one public history line, one audit entry and tells the organisation.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from mitwirken.core.models import AuditEntry, Notification
from mitwirken.reports import services
from mitwirken.reports.models import Report, ReportStatus, ReportUpdate

from .conftest import login
from .reports_fixtures import KREIS_FORWARD, Region, build_region, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def region(db: Any) -> Region:
    return build_region()


def fixed_report(region: Region, **fields: Any) -> Report:
    """A road report (Landkreis) by the citizen, marked "erledigt" by staff."""
    fields.setdefault("reporter", region.people["citizen"])
    report = make_report(region, status=ReportStatus.IN_PROGRESS, **fields)
    services.report_change_status(actor=region.people["kreis_staff"], report=report, status=ReportStatus.FIXED,
                                  message="Repariert.")  # fmt: skip
    mail.outbox.clear()
    return Report.objects.get(pk=report.pk)


def state(report: Report) -> tuple[Any, ...]:
    report.refresh_from_db()
    return (report.status, report.fixed_at, report.fix_confirmed_at, report.updates.count(),
            AuditEntry.objects.filter(action__in=["report.confirm_fixed", "report.reopen"]).count())  # fmt: skip


# --- services -------------------------------------------------------------------------------------------------


def test_the_reporter_confirms_the_fix_once(region, django_capture_on_commit_callbacks):
    report = fixed_report(region)
    citizen = region.people["citizen"]
    with django_capture_on_commit_callbacks(execute=True):
        services.report_confirm_fixed(user=citizen, report=report)
    report.refresh_from_db()
    assert (report.status, report.fix_confirmed_at is not None) == (ReportStatus.FIXED, True)
    latest = report.updates.order_by("-pk").first()
    assert (latest.status, latest.author, latest.organisation) == (ReportStatus.FIXED, citizen, region.kreis)
    assert latest.message == "Die meldende Person bestätigt, dass das Problem behoben ist."
    assert AuditEntry.objects.filter(action="report.confirm_fixed", object_id=str(report.pk)).count() == 1
    # Nobody handles it: the category's forwarding address of the Landkreis hears of it.
    (message,) = mail.outbox
    assert message.to == [KREIS_FORWARD]
    assert "bestätigt" in message.subject
    # Answered: no follow-up question four weeks later; a second click records nothing.
    assert report.followup_sent_at is not None
    before = state(report)
    services.report_confirm_fixed(user=citizen, report=report)
    assert state(report) == before


def test_the_reporter_reopens_with_a_reason_and_the_assignee_is_told(region, django_capture_on_commit_callbacks):
    staff = region.people["kreis_staff"]
    report = fixed_report(region, assignee=staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reopen(user=region.people["citizen"], report=report, reason="  Das Loch ist wieder da.  ")
    report.refresh_from_db()
    assert (report.status, report.fixed_at, report.assignee) == (ReportStatus.OPEN, None, staff)
    latest = report.updates.order_by("-pk").first()
    assert latest.status == ReportStatus.OPEN
    assert latest.message == "Die meldende Person gibt an, dass das Problem noch besteht: Das Loch ist wieder da."
    audit = AuditEntry.objects.get(action="report.reopen", object_id=str(report.pk))
    assert audit.changes == {"status": ["fixed", "open"]}
    (notification,) = Notification.objects.filter(recipient=staff)
    assert "wieder offen" in notification.title
    assert notification.body == "Das Loch ist wieder da."
    assert notification.url == f"/verwaltung/kreis/meldungen/{report.pk}/"


@pytest.mark.parametrize("persona", ["neighbour", "kreis_staff", "kreis_admin", "portal_admin"])
def test_only_the_reporter_may_confirm_or_reopen(region, persona):
    report = fixed_report(region)
    before = state(report)
    user = region.people[persona]
    with pytest.raises(PermissionDenied):
        services.report_confirm_fixed(user=user, report=report)
    with pytest.raises(PermissionDenied):
        services.report_reopen(user=user, report=report, reason="Nicht behoben.")
    assert state(report) == before


def test_an_anonymous_report_is_answered_through_its_link_only(region):
    from django.contrib.auth.models import AnonymousUser

    report = fixed_report(region, reporter=None, email="melder@example.org")
    with pytest.raises(PermissionDenied):
        services.report_confirm_fixed(user=AnonymousUser(), report=report)
    services.followup_answer(token=str(report.confirm_token), fixed=False, reason="Noch da.")
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN
    assert report.updates.order_by("-pk").first().message.endswith("Noch da.")


@pytest.mark.parametrize("status", [ReportStatus.OPEN, ReportStatus.IN_PROGRESS, ReportStatus.REJECTED,
                                    ReportStatus.DUPLICATE])  # fmt: skip
def test_only_a_fixed_report_can_be_confirmed_or_reopened(region, status):
    """Rejected and duplicate reports stay closed: the organisation has said publicly why it will not act."""
    report = make_report(region, status=status, reporter=region.people["citizen"])
    before = state(report)
    for call in (
        lambda: services.report_confirm_fixed(user=region.people["citizen"], report=report),
        lambda: services.report_reopen(user=region.people["citizen"], report=report, reason="Besteht noch."),
    ):
        with pytest.raises(ValidationError) as error:
            call()
        assert "nicht als „erledigt“ gekennzeichnet" in error.value.messages[0]
        assert "Bestätigen oder wieder öffnen können Sie nur eine erledigte Meldung." in error.value.messages[0]
    assert state(report) == before


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Bitte beschreiben Sie kurz, was noch nicht behoben ist."),
        ("   ", "Bitte beschreiben Sie kurz, was noch nicht behoben ist."),
        ("x" * 1001, "Bitte fassen Sie sich kürzer: höchstens 1000 Zeichen."),
        ("Loch\x00", "Der Text enthält unzulässige Steuerzeichen."),
    ],
)
def test_reopening_needs_a_short_reason(region, reason, message):
    report = fixed_report(region)
    before = state(report)
    with pytest.raises(ValidationError) as error:
        services.report_reopen(user=region.people["citizen"], report=report, reason=reason)
    assert error.value.message_dict == {"reason": [message]}
    assert state(report) == before


def test_a_failure_while_reopening_leaves_nothing_half_saved(region, monkeypatch):
    report = fixed_report(region)
    before = state(report)

    def lost_connection(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("connection lost")

    monkeypatch.setattr(ReportUpdate.objects, "create", lost_connection)
    with pytest.raises(RuntimeError):
        services.report_reopen(user=region.people["citizen"], report=report, reason="Noch da.")
    assert state(report) == before


def test_marking_it_fixed_again_asks_the_reporter_again(region):
    report = fixed_report(region)
    citizen, staff = region.people["citizen"], region.people["kreis_staff"]
    services.report_confirm_fixed(user=citizen, report=report)
    services.report_change_status(actor=staff, report=report, status=ReportStatus.IN_PROGRESS)
    services.report_change_status(actor=staff, report=report, status=ReportStatus.FIXED)
    report.refresh_from_db()
    assert (report.fix_confirmed_at, report.followup_sent_at) == (None, None)
    services.report_confirm_fixed(user=citizen, report=report)
    assert report.updates.filter(message__contains="bestätigt").count() == 2


# --- pages ----------------------------------------------------------------------------------------------------


def client_of(user: Any) -> Client:
    return login(Client(), user)


def test_confirm_from_mein_bereich_returns_there_with_a_german_message(region):
    report = fixed_report(region)
    response = client_of(region.people["citizen"]).post(
        f"/maengelmelder/{report.pk}/behoben/", {"next": "/konto/"}, follow=True
    )
    assert response.redirect_chain[0] == ("/konto/", 302)
    assert "Danke! Sie haben bestätigt, dass das Problem behoben ist." in response.content.decode()
    assert Report.objects.get(pk=report.pk).fix_confirmed_at is not None


def test_a_foreign_next_address_is_ignored(region):
    report = fixed_report(region)
    response = client_of(region.people["citizen"]).post(
        f"/maengelmelder/{report.pk}/behoben/", {"next": "https://boese.example/"}
    )
    assert response["Location"] == f"/maengelmelder/{report.pk}/"


def test_others_get_403_unknown_or_unconfirmed_reports_404_and_anonymous_the_login(region):
    report = fixed_report(region)
    unconfirmed = make_report(region, status=ReportStatus.UNCONFIRMED, reporter=region.people["citizen"])
    before = state(report)
    for persona in ("neighbour", "kreis_staff", "portal_admin"):
        other = client_of(region.people[persona])
        assert other.post(f"/maengelmelder/{report.pk}/behoben/").status_code == 403
        assert other.get(f"/maengelmelder/{report.pk}/wieder-oeffnen/").status_code == 403
        assert other.post(f"/maengelmelder/{report.pk}/wieder-oeffnen/", {"reason": "x"}).status_code == 403
    citizen = client_of(region.people["citizen"])
    assert citizen.post("/maengelmelder/999999/behoben/").status_code == 404
    assert citizen.post(f"/maengelmelder/{unconfirmed.pk}/behoben/").status_code == 404
    assert citizen.get(f"/maengelmelder/{report.pk}/behoben/").status_code == 405
    anonymous = Client().post(f"/maengelmelder/{report.pk}/behoben/")
    assert anonymous.status_code == 302 and "/konto/login/" in anonymous["Location"]
    assert state(report) == before


def test_the_reopen_form_shows_errors_at_the_field_and_then_reopens(region):
    report = fixed_report(region)
    citizen = client_of(region.people["citizen"])
    page = citizen.get(f"/maengelmelder/{report.pk}/wieder-oeffnen/?next=/konto/")
    assert page.status_code == 200
    assert 'name="next" value="/konto/"' in page.content.decode()
    empty = citizen.post(f"/maengelmelder/{report.pk}/wieder-oeffnen/", {"reason": " ", "next": "/konto/"})
    assert empty.status_code == 200
    assert empty.context["form"].errors["reason"] == ["Bitte beschreiben Sie kurz, was noch nicht behoben ist."]
    assert Report.objects.get(pk=report.pk).status == ReportStatus.FIXED
    done = citizen.post(
        f"/maengelmelder/{report.pk}/wieder-oeffnen/", {"reason": "Loch ist zurück.", "next": "/konto/"}
    )
    assert done["Location"] == "/konto/"
    assert Report.objects.get(pk=report.pk).status == ReportStatus.OPEN


def test_a_wrong_status_is_refused_on_the_page_with_a_german_message(region):
    report = make_report(region, status=ReportStatus.IN_PROGRESS, reporter=region.people["citizen"])
    response = client_of(region.people["citizen"]).post(f"/maengelmelder/{report.pk}/behoben/", follow=True)
    assert "Bestätigen oder wieder öffnen können Sie nur eine erledigte Meldung." in response.content.decode()
    assert Report.objects.get(pk=report.pk).fix_confirmed_at is None


def test_the_report_page_asks_its_reporter_only(region):
    report = fixed_report(region)
    url = f"/maengelmelder/{report.pk}/"
    assert "Ist das Problem behoben?" in client_of(region.people["citizen"]).get(url).content.decode()
    for user in (region.people["neighbour"], region.people["portal_admin"]):
        assert "Ist das Problem behoben?" not in client_of(user).get(url).content.decode()
    assert "Ist das Problem behoben?" not in Client().get(url).content.decode()


def test_the_follow_up_link_reopens_with_an_optional_reason(region):
    report = fixed_report(region, reporter=None, email="melder@example.org")
    url = f"/maengelmelder/nachfrage/{report.confirm_token}/"
    assert Client().get(url).status_code == 200
    too_long = Client().post(url, {"fixed": "no", "reason": "x" * 1001})
    assert too_long.status_code == 200 and too_long.context["form"].errors["reason"]
    assert Report.objects.get(pk=report.pk).status == ReportStatus.FIXED
    Client().post(url, {"fixed": "no", "reason": "Immer noch kaputt."})
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN
    assert report.updates.order_by("-pk").first().message.endswith("Immer noch kaputt.")
