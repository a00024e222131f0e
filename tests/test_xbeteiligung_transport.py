"""XBeteiligung transport: the back office's inbox and outbox, parked messages, the push of 0701 statements to a
partner's endpoint (against a real local HTTP server) and the outbox API for partners that pull."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from mitwirken.formal import exchange, transport, xbeteiligung
from mitwirken.formal.models import ExchangeMessage, ExchangeStatus, ImportedPlan, PartnerEndpoint, Procedure

from .conftest import PERSONAS
from .formal_fixtures import make_procedure
from .test_xbeteiligung import submit
from .xbeteiligung_messages import kommunal

pytestmark = pytest.mark.django_db

G2G = xbeteiligung.G2G


class Partner(BaseHTTPRequestHandler):
    """A partner system's endpoint: records every request and answers with the status the test sets."""

    answers: list[int] = []
    requests: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        Partner.requests.append({"path": self.path, "headers": dict(self.headers.items()),
                                 "body": self.rfile.read(length)})  # fmt: skip
        status = Partner.answers.pop(0) if Partner.answers else 201
        self.send_response(status)
        body = b"kaputt" if status >= 400 else b"ok"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def partner() -> Iterator[tuple[type[Partner], str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Partner)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Partner.answers, Partner.requests = [], []
    yield Partner, f"http://127.0.0.1:{server.server_port}/xbeteiligung/eingang"
    server.shutdown()
    server.server_close()


def closed_port_url() -> str:
    """An address where nothing listens: the partner is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/down"


@pytest.fixture
def procedure(world):
    return make_procedure(world.personas["case_worker"], world.public)


@pytest.fixture
def track(procedure):
    return procedure.rounds.get().tracks.get()


@pytest.fixture
def endpoint(world, partner):
    return PartnerEndpoint.objects.create(organisation=world.organisation, url=partner[1], token="geheim-123")


def submitted(world, track, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return submit(world.personas["citizen"], track, **data)


def outbox_0701():
    return ExchangeMessage.objects.outgoing().filter(message_type="allgemein.stellungnahme.Neuabgegeben.0701")


# Push


def test_a_received_statement_is_pushed_with_token_and_idempotency_key(
    world, track, endpoint, partner, django_capture_on_commit_callbacks
):
    statement = submitted(world, track, django_capture_on_commit_callbacks)
    (message,) = outbox_0701()
    assert message.statement == statement and message.status == ExchangeStatus.SENT
    assert message.delivered_at is not None and message.attempts == 1
    (request,) = partner[0].requests
    assert request["path"] == "/xbeteiligung/eingang"
    assert request["headers"]["Content-Type"].startswith("application/xml")
    assert request["headers"]["Authorization"] == "Bearer geheim-123"
    tree = etree.fromstring(request["body"])
    uuid = tree.findtext(f".//{{{G2G}}}nachrichtenUUID")
    assert request["headers"]["Idempotency-Key"] == uuid == message.message_id
    assert request["body"].decode() == message.payload
    assert statement.reference in message.payload
    xbeteiligung.validate(request["body"])


def test_a_recorded_letter_is_pushed_too(world, track, endpoint, partner, django_capture_on_commit_callbacks):
    from mitwirken.formal import services

    with django_capture_on_commit_callbacks(execute=True):
        statement = services.statement_record(actor=world.personas["case_worker"], track=track,
                                              received_at=timezone.now(), channel="letter", text="Per Brief")  # fmt: skip
    assert outbox_0701().get().statement == statement
    assert len(partner[0].requests) == 1


def test_the_0701_of_an_imported_procedure_goes_to_the_0401s_sender(world, partner, django_capture_on_commit_callbacks):
    from mitwirken.formal import services

    world.organisation.ags = "07111000"
    world.organisation.save()
    PartnerEndpoint.objects.create(organisation=world.organisation, url=partner[1])
    outcome = exchange.receive(kommunal("0401", plan_id="BP-RT"), actor=world.personas["case_worker"],
                               organisation=world.organisation)  # fmt: skip
    assert outcome.accepted
    track = outcome.procedure.rounds.get().tracks.get(audience="public")
    with django_capture_on_commit_callbacks(execute=True):
        services.statement_record(actor=world.personas["case_worker"], track=track, received_at=timezone.now(),
                                  channel="letter", text="Per Brief")  # fmt: skip
    message = outbox_0701().get()
    assert (message.reader_id, message.reader_name) == ("07111042", "Ortsgemeinde Musterdorf")
    assert message.status == ExchangeStatus.SENT
    assert b"BP-RT" in partner[0].requests[0]["body"]


def test_no_endpoint_or_an_inactive_one_pushes_nothing(world, track, partner, django_capture_on_commit_callbacks):
    submitted(world, track, django_capture_on_commit_callbacks)
    PartnerEndpoint.objects.create(organisation=world.organisation, url=partner[1], active=False)
    submitted(world, track, django_capture_on_commit_callbacks, text="Noch einmal")
    assert not outbox_0701().exists() and partner[0].requests == []


def test_a_server_error_is_retried_with_back_off_and_a_later_success_marks_it_sent(
    world, track, endpoint, partner, django_capture_on_commit_callbacks
):
    partner[0].answers = [500, 503]
    submitted(world, track, django_capture_on_commit_callbacks)
    message = outbox_0701().get()
    assert message.status == ExchangeStatus.PENDING and message.attempts == 1
    assert "HTTP 500" in message.reason
    assert message.next_attempt_at - timezone.now() == pytest.approx(timedelta(minutes=1), abs=timedelta(seconds=5))
    # Not yet due: the sweep leaves it alone.
    assert transport.retry_due() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert transport.retry_due() == 1
    message.refresh_from_db()
    assert message.attempts == 2 and "HTTP 503" in message.reason
    assert message.next_attempt_at - message.created_at > timedelta(minutes=6)  # the second wait is 5 minutes
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        transport.retry_due()
    message.refresh_from_db()
    assert message.status == ExchangeStatus.SENT and message.attempts == 3 and message.delivered_at
    keys = {request["headers"]["Idempotency-Key"] for request in partner[0].requests}
    assert keys == {message.message_id} and len(partner[0].requests) == 3


def test_after_six_attempts_the_push_gives_up_and_can_be_sent_again(
    world, track, endpoint, partner, django_capture_on_commit_callbacks
):
    partner[0].answers = [500] * 6
    submitted(world, track, django_capture_on_commit_callbacks)
    message = outbox_0701().get()
    moment = timezone.now()
    for _attempt in range(5):
        moment += timedelta(hours=13)
        with time_machine.travel(moment):
            transport.retry_due()
    message.refresh_from_db()
    assert message.status == ExchangeStatus.UNDELIVERED and message.attempts == transport.MAX_ATTEMPTS == 6
    assert message.next_attempt_at is None and "Versuch 6" in message.reason
    # The back office shows the button; pressing it sends again at once.
    client = world.client("case_worker")
    url = f"/verwaltung/{world.organisation.slug}/xbeteiligung/{message.pk}/"
    page = client.get(url).content.decode()
    assert "Erneut senden" in page and "Versand gescheitert" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "resend"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == ExchangeStatus.SENT and message.attempts == 1
    assert len(partner[0].requests) == 7
    assert "Erneut senden" not in client.get(url).content.decode()


def test_the_submission_succeeds_when_the_partner_is_down(world, track, django_capture_on_commit_callbacks):
    PartnerEndpoint.objects.create(organisation=world.organisation, url=closed_port_url())
    statement = submitted(world, track, django_capture_on_commit_callbacks)
    assert statement.pk and statement.reference
    message = outbox_0701().get()
    assert message.status == ExchangeStatus.PENDING and "nicht erreichbar" in message.reason


def test_the_submission_succeeds_when_the_0701_cannot_be_written(
    world, track, endpoint, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(statement):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(xbeteiligung, "statement_message", broken)
    statement = submitted(world, track, django_capture_on_commit_callbacks)
    assert statement.pk and not outbox_0701().exists()


def test_only_undelivered_messages_can_be_sent_again(world, track, endpoint, django_capture_on_commit_callbacks):
    submitted(world, track, django_capture_on_commit_callbacks)
    message = outbox_0701().get()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        transport.resend(actor=world.personas["case_worker"], message=message)


def test_the_deferred_retry_uses_run_after_where_the_backend_supports_it(
    world, track, endpoint, partner, monkeypatch, django_capture_on_commit_callbacks
):
    """The database backend defers (run_after); the tests' immediate backend cannot, so a stand-in records it."""
    from types import SimpleNamespace

    real = transport.push_message
    deferred, enqueued = [], []

    class Deferring:
        def get_backend(self):
            return SimpleNamespace(supports_defer=True)

        def using(self, *, run_after):
            deferred.append(run_after)
            return self

        def enqueue(self, *args):
            enqueued.append(args)

    monkeypatch.setattr(transport, "push_message", Deferring())
    partner[0].answers = [500]
    submitted(world, track, django_capture_on_commit_callbacks)
    message = outbox_0701().get()
    assert enqueued == [(message.pk,)] and message.attempts == 0  # queued, not yet run
    real.call(message.pk)
    message.refresh_from_db()
    assert message.attempts == 1 and deferred == [message.next_attempt_at]


# Back office pages


@pytest.fixture
def messages_of(world, procedure):
    """An incoming 0401 with its reply, and a 0701 waiting, for the world's organisation."""
    incoming = ExchangeMessage.objects.create(
        organisation=world.organisation, direction="in", message_type="kommunal.Initiieren.0401", message_id="in-1",
        status=ExchangeStatus.FAILED, payload="<x/>", procedure=procedure, author_name="Ortsgemeinde Musterdorf",
        reason="Die Frist ist zu kurz.\nZweite Zeile mit Details.",
    )  # fmt: skip
    reply = ExchangeMessage.objects.create(
        organisation=world.organisation, direction="out", message_type="kommunal.Initiieren.NOK.0421",
        message_id="out-1", status=ExchangeStatus.SENT, payload="<antwort/>", reply_to=incoming,
        reader_name="Ortsgemeinde Musterdorf",
    )  # fmt: skip
    return incoming, reply


PAGE_ALLOWED = {"case_worker", "org_admin", "portal_admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_the_inbox_and_outbox(world, messages_of, persona):
    incoming, _reply = messages_of
    client = world.client(persona)
    base = f"/verwaltung/{world.organisation.slug}/xbeteiligung/"
    for url in (base, f"{base}{incoming.pk}/", f"{base}{incoming.pk}/nachricht.xml"):
        response = client.get(url)
        if persona == "anonymous":
            assert response.status_code == 302 and "/login" in response["Location"], url
        elif persona in PAGE_ALLOWED:
            assert response.status_code == 200, url
        else:
            assert response.status_code == 404, url
    endpoint_status = client.get(f"{base}gegenstelle/").status_code
    assert endpoint_status == (
        200 if persona in {"org_admin", "portal_admin"} else 302 if persona == "anonymous" else 404
    )
    parked_status = client.get("/verwaltung/xbeteiligung/zuordnen/").status_code
    assert parked_status == (200 if persona == "portal_admin" else 302 if persona == "anonymous" else 404)


def test_the_list_shows_german_labels_short_names_badges_and_links(world, messages_of, procedure):
    client = world.client("case_worker")
    page = client.get(f"/verwaltung/{world.organisation.slug}/xbeteiligung/").content.decode()
    for text in ("XBeteiligung-Nachrichten", "Eingang", "Ausgang", "0401 Initiieren (kommunal)",
                 "0421 Initiieren abgelehnt (kommunal)", "abgelehnt", "versandt", "Die Frist ist zu kurz.",
                 "Ortsgemeinde Musterdorf", "kern-badge--danger", "Nachrichten-ID"):  # fmt: skip
        assert text in page, text
    assert "Zweite Zeile" not in page  # the list shows the reason's first line
    setup = f"/verwaltung/{world.organisation.slug}/projekte/{world.public.pk}/verfahren/{procedure.module.pk}/"
    assert setup in page
    # The back office navigation links the page.
    assert f'href="/verwaltung/{world.organisation.slug}/xbeteiligung/"' in page
    # Filters: direction and status.
    only_out = client.get(f"/verwaltung/{world.organisation.slug}/xbeteiligung/?richtung=out").content.decode()
    assert "0421 Initiieren abgelehnt" in only_out and "0401 Initiieren (kommunal)" not in only_out
    failed = client.get(f"/verwaltung/{world.organisation.slug}/xbeteiligung/?status=failed").content.decode()
    assert "0401 Initiieren (kommunal)" in failed and "0421" not in failed


def test_the_detail_shows_the_whole_reason_the_reply_and_downloads_the_xml(world, messages_of):
    incoming, reply = messages_of
    client = world.client("case_worker")
    base = f"/verwaltung/{world.organisation.slug}/xbeteiligung/"
    page = client.get(f"{base}{incoming.pk}/").content.decode()
    assert "Zweite Zeile mit Details." in page and "Antwort" in page and f"{base}{reply.pk}/" in page
    assert "Erneut senden" not in page
    answer = client.get(f"{base}{reply.pk}/").content.decode()
    assert "Antwort auf" in answer and f"{base}{incoming.pk}/" in answer
    download = client.get(f"{base}{reply.pk}/nachricht.xml")
    assert download["Content-Type"].startswith("application/xml")
    assert (
        download["Content-Disposition"].startswith("attachment") and "0421-out-1.xml" in download["Content-Disposition"]
    )
    assert download.content == b"<antwort/>"


def test_another_organisations_message_is_404(world, messages_of):
    incoming, _reply = messages_of
    client = world.client("other_org_admin")
    assert client.get(f"/verwaltung/{world.other_organisation.slug}/xbeteiligung/{incoming.pk}/").status_code == 404
    listed = client.get(f"/verwaltung/{world.other_organisation.slug}/xbeteiligung/").content.decode()
    assert "in-1" not in listed


def test_the_list_needs_the_same_queries_for_many_messages(world, procedure):
    client = world.client("case_worker")
    url = f"/verwaltung/{world.organisation.slug}/xbeteiligung/"

    def add(count: int) -> None:
        for number in range(count):
            ExchangeMessage.objects.create(
                organisation=world.organisation, direction="out", message_type="allgemein.stellungnahme.Neuabgegeben.0701",
                message_id=f"m-{number}-{count}", status=ExchangeStatus.SENT, payload="<x/>", procedure=procedure,
                created_by=world.personas["case_worker"],
            )  # fmt: skip

    add(2)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(20)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_the_partner_endpoint_form(world):
    client = world.client("org_admin")
    url = f"/verwaltung/{world.organisation.slug}/xbeteiligung/gegenstelle/"
    page = client.get(url).content.decode()
    assert "Gegenstelle für XBeteiligung" in page and "Adresse der Gegenstelle" in page
    refused = client.post(url, {"url": "http://partner.example/in", "token": "t", "active": "on"})
    assert "https://" in refused.content.decode() and not PartnerEndpoint.objects.exists()
    client.post(url, {"url": "https://partner.example/in", "token": "geheim", "active": "on"})
    endpoint = PartnerEndpoint.objects.get(organisation=world.organisation)
    assert endpoint.token == "geheim" and endpoint.active
    assert "geheim" not in client.get(url).content.decode()  # never shown again
    client.post(url, {"url": "https://partner.example/neu", "token": "", "active": "on"})  # empty keeps the token
    endpoint.refresh_from_db()
    assert endpoint.url == "https://partner.example/neu" and endpoint.token == "geheim"
    client.post(url, {"url": "https://partner.example/neu", "token": "", "remove_token": "on"})
    endpoint.refresh_from_db()
    assert endpoint.token == "" and not endpoint.active
    client.post(url, {"action": "delete"})
    assert not PartnerEndpoint.objects.exists()


# Parked messages


@pytest.fixture
def parked(world):
    world.organisation.ags = "07111000"
    world.organisation.save()
    xml = kommunal("0401", reader_id="09999999", reader_name="Gemeinde Unbekannt", plan_id="BP-PARK")
    outcome = exchange.receive(xml, actor=world.personas["case_worker"])
    assert outcome.problem == "parked"
    return outcome.message


def test_a_parked_message_is_listed_for_portal_admins_and_assigned(world, parked, django_capture_on_commit_callbacks):
    client = world.client("portal_admin")
    url = "/verwaltung/xbeteiligung/zuordnen/"
    page = client.get(url).content.decode()
    for text in ("XBeteiligung-Nachrichten ohne bekannten Empfänger", "0401 Initiieren (kommunal)", "09999999",
                 "Gemeinde Unbekannt", "Zuordnen und verarbeiten", world.organisation.name):  # fmt: skip
        assert text in page, text
    assert client.get(f"/verwaltung/xbeteiligung/zuordnen/{parked.pk}.xml").content == parked.payload.encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"message": parked.pk, "organisation": world.organisation.pk})
    assert response.status_code == 200
    assert "Das Verfahren wurde angelegt." in response.content.decode()
    parked.refresh_from_db()
    assert parked.status == ExchangeStatus.PROCESSED and parked.organisation == world.organisation
    procedure = Procedure.objects.get(imported_plan__plan_id="BP-PARK")
    assert procedure.module.project.organisation == world.organisation
    assert ImportedPlan.objects.filter(plan_id="BP-PARK").count() == 1
    # Twice: refused, nothing new.
    again = client.post(url, {"message": parked.pk, "organisation": world.organisation.pk}, follow=True)
    assert "wartet nicht auf eine Zuordnung" in again.content.decode()
    assert Procedure.objects.filter(imported_plan__plan_id="BP-PARK").count() == 1
    # The organisation's inbox now shows it.
    inbox = world.client("case_worker").get(f"/verwaltung/{world.organisation.slug}/xbeteiligung/").content.decode()
    assert parked.message_id in inbox


def test_portal_admins_see_parked_messages_in_the_work_overview(world, parked):
    page = world.client("portal_admin").get(f"/verwaltung/{world.organisation.slug}/").content.decode()
    assert "ohne bekannten Empfänger" in page and "/verwaltung/xbeteiligung/zuordnen/" in page
    staff_page = world.client("case_worker").get(f"/verwaltung/{world.organisation.slug}/").content.decode()
    assert "ohne bekannten Empfänger" not in staff_page


def test_only_portal_admins_may_assign(world, parked):
    for persona in ("case_worker", "org_admin", "citizen"):
        response = world.client(persona).post("/verwaltung/xbeteiligung/zuordnen/",
                                              {"message": parked.pk, "organisation": world.organisation.pk})  # fmt: skip
        assert response.status_code == 404
    parked.refresh_from_db()
    assert parked.status == ExchangeStatus.PARKED


# Outbox API


@pytest.fixture
def outbox(world, track, django_capture_on_commit_callbacks):
    """Two 0701 in the outbox of the world's organisation (pushed to nowhere), one in another organisation's."""
    PartnerEndpoint.objects.create(organisation=world.organisation, url=closed_port_url())
    first = submitted(world, track, django_capture_on_commit_callbacks)
    second = submitted(world, track, django_capture_on_commit_callbacks, text="Zweiter Einwand")
    foreign = ExchangeMessage.objects.create(organisation=world.other_organisation, direction="out",
                                             message_type="allgemein.stellungnahme.Neuabgegeben.0701",
                                             message_id="fremd", status=ExchangeStatus.SENT, payload="<fremd/>")  # fmt: skip
    return first, second, foreign


def test_the_outbox_api_lists_the_own_organisations_messages(world, outbox, procedure):
    first, second, foreign = outbox
    client = world.client("case_worker")
    response = client.get("/api/v1/xbeteiligung/outbox")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["statement"] for item in items] == [first.reference, second.reference]
    item = items[0]
    assert item["type"] == "allgemein.stellungnahme.Neuabgegeben.0701" and item["status"] == "pending"
    assert item["procedure"] == procedure.module.pk and item["message_id"]
    assert item["url"].endswith(f"/api/v1/xbeteiligung/messages/{item['id']}.xml")
    xml = client.get(item["url"])
    assert xml.status_code == 200 and xml["Content-Type"].startswith("application/xml")
    assert first.reference.encode() in xml.content
    assert client.get(f"/api/v1/xbeteiligung/messages/{foreign.pk}.xml").status_code == 404
    # Filters
    later = ExchangeMessage.objects.get(statement=second).created_at
    since = client.get("/api/v1/xbeteiligung/outbox", {"since": later.isoformat()}).json()["items"]
    assert [item["statement"] for item in since] == [second.reference]
    naive = timezone.localtime(later).replace(tzinfo=None).isoformat()  # German time without the zone
    assert [
        item["statement"] for item in client.get("/api/v1/xbeteiligung/outbox", {"since": naive}).json()["items"]
    ] == [second.reference]
    assert client.get("/api/v1/xbeteiligung/outbox", {"status": "sent"}).json()["items"] == []
    assert client.get("/api/v1/xbeteiligung/outbox", {"status": "kaputt"}).status_code == 400
    assert client.get("/api/v1/xbeteiligung/outbox", {"page": 5}).status_code == 404


@pytest.mark.parametrize("persona", ["anonymous", "citizen", "other_org_admin"])
def test_the_outbox_api_shows_nothing_of_another_organisation(world, outbox, persona):
    client = world.client(persona)
    response = client.get("/api/v1/xbeteiligung/outbox")
    if persona == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    ids = {item["message_id"] for item in response.json()["items"]}
    assert ids == ({"fremd"} if persona == "other_org_admin" else set())
    own = ExchangeMessage.objects.filter(organisation=world.organisation).first()
    assert client.get(f"/api/v1/xbeteiligung/messages/{own.pk}.xml").status_code == 404


def test_the_short_names_of_message_types():
    from mitwirken.formal.backoffice_exchange import short_name

    assert short_name("kommunal.Initiieren.0401") == "0401 Initiieren (kommunal)"
    assert short_name("raumordnung.Aktualisieren.OK.0312") == "0312 Aktualisieren bestätigt (Raumordnung)"
    assert short_name("allgemein.stellungnahme.Neuabgegeben.0701") == "0701 Stellungnahme neu abgegeben"
    assert short_name("unbekannt") == "unbekannt"


def test_retention_empties_the_statement_messages_and_stops_their_push(
    world, procedure, track, django_capture_on_commit_callbacks
):
    """The 0701 copies in the outbox name the same people as the statements: they go with the retention period."""
    from datetime import timedelta

    import time_machine

    from mitwirken.formal.notices import anonymise_expired

    PartnerEndpoint.objects.create(organisation=world.organisation, url=closed_port_url())
    statement = submitted(world, track, django_capture_on_commit_callbacks)
    message = outbox_0701().get()
    assert message.status == ExchangeStatus.PENDING and statement.author_name.split()[-1] in message.payload
    procedure.retention_days = 30
    procedure.save()
    with time_machine.travel(track.end + timedelta(days=31)):
        assert anonymise_expired.call() == 1
    message.refresh_from_db()
    assert message.payload == "" and message.redacted_at is not None
    assert message.status == ExchangeStatus.UNDELIVERED and "Aufbewahrungsfrist" in message.reason
    base = f"/verwaltung/{world.organisation.slug}/xbeteiligung/{message.pk}/"
    client = world.client("case_worker")
    assert "Aufbewahrungsfrist" in client.get(base).content.decode()
    assert client.get(f"{base}nachricht.xml").status_code == 404


def test_the_parked_list_needs_the_same_queries_for_many_messages(world):
    client = world.client("portal_admin")
    url = "/verwaltung/xbeteiligung/zuordnen/"

    def add(count: int) -> None:
        for number in range(count):
            ExchangeMessage.objects.create(
                organisation=None, direction="in", message_type="kommunal.Initiieren.0401",
                message_id=f"p-{number}-{count}", status=ExchangeStatus.PARKED, payload="<x/>",
                reader_id="09999999", author_name="Ortsgemeinde Irgendwo",
            )  # fmt: skip

    add(2)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(20)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200 and "p-19-20" in response.content.decode()
    assert len(many) == len(few)
