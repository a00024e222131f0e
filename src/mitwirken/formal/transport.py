"""Push of 0701 statements to a partner system's endpoint, through the task queue.

An organisation may name an endpoint (``PartnerEndpoint``). Every statement received in one of its procedures
is then written as a 0701, recorded in the outbox as "wartet auf Versand" and POSTed by a task:

- The outbox row is the unit of delivery. The HTTP request carries the message's ``nachrichtenUUID`` as
  ``Idempotency-Key``, so a partner drops a repeat (a retry after a lost answer, a second worker).
- A 2xx marks the message "versandt"; anything else counts an attempt, keeps the reason and tries again
  after ``RETRY_DELAYS``; after ``MAX_ATTEMPTS`` the message is "Versand gescheitert" and waits for a person
  to press "Erneut senden".
- The database task backend runs a retry at its time (``run_after``); ``retry_due`` (the daily job) sends
  what a lost or impossible deferral left waiting.
- Nothing here can fail the citizen's submission: the outbox row is written after the statement's
  transaction committed, and every error is logged and recorded on the row instead of raised.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from mitwirken.core.audit import log_action

from .models import ExchangeMessage, ExchangeStatus, PartnerEndpoint, Statement

logger = logging.getLogger(__name__)

# Waiting time after the 1st, 2nd, … failed attempt; the 6th failure gives up.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                timedelta(hours=12))  # fmt: skip
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
TIMEOUT = 20  # seconds
REASON_LENGTH = 500


def active_endpoint(organisation_id: int | None) -> PartnerEndpoint | None:
    if organisation_id is None:
        return None
    return PartnerEndpoint.objects.filter(organisation_id=organisation_id, active=True).first()


def statement_received(statement: Statement) -> None:
    """Called where a statement comes into being: queue its 0701 once the transaction has committed."""
    transaction.on_commit(partial(queue_statement, statement.pk), robust=True)


def record_statement_message(
    *, actor: Any, statement: Statement, xml: bytes, status: str = ExchangeStatus.SENT
) -> ExchangeMessage:
    """Record a 0701 queued for a partner, so the outbox shows every one.

    Author, reader and message id are read from the message itself: the outbox shows what was sent.
    """
    from lxml import etree

    from .xbeteiligung import read_header

    header = read_header(etree.fromstring(xml))
    procedure = statement.track.round.procedure
    return ExchangeMessage.objects.create(
        organisation=procedure.module.project.organisation, direction=ExchangeMessage.Direction.OUT,
        message_type=header.message_type or "allgemein.stellungnahme.Neuabgegeben.0701",
        message_id=header.message_id, status=status, payload=xml.decode(), procedure=procedure, statement=statement,
        author_id=header.author.kennung, author_name=header.author.name, reader_id=header.reader.kennung,
        reader_name=header.reader.name, created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=timezone.now(),
    )  # fmt: skip


def queue_statement(statement_pk: int) -> ExchangeMessage | None:
    """Write the 0701 into the outbox and enqueue its push, if the organisation has an active endpoint."""
    from . import xbeteiligung

    try:
        statement = Statement.objects.select_related(
            "track__phase", "track__round__procedure__module__project__organisation",
            "track__round__procedure__imported_plan", "section__document",
        ).get(pk=statement_pk)  # fmt: skip
        procedure = statement.track.round.procedure
        statement.procedure = procedure
        if active_endpoint(procedure.module.project.organisation_id) is None:
            return None
        xml = xbeteiligung.statement_message(statement)
        message = record_statement_message(actor=None, statement=statement, xml=xml, status=ExchangeStatus.PENDING)
    except Exception:
        # The statement is received and confirmed; the outbox must never undo that. Staff still have the
        # 0701 download and the outbox API.
        logger.exception("0701 for statement %s could not be queued for the partner endpoint", statement_pk)
        return None
    _enqueue(message.pk)
    return message


def _enqueue(message_pk: int, run_after: datetime | None = None) -> None:
    try:
        if run_after is None:
            push_message.enqueue(message_pk)
        elif push_message.get_backend().supports_defer:
            push_message.using(run_after=run_after).enqueue(message_pk)
        # A backend without deferral (the tests' immediate one) leaves the retry to ``retry_due``.
    except Exception:
        logger.exception("push of exchange message %s could not be enqueued", message_pk)


def resend(*, actor: Any, message: ExchangeMessage) -> ExchangeMessage:
    """ "Erneut senden": a failed push starts over with fresh attempts (the idempotency key stays the same)."""
    from django.core.exceptions import PermissionDenied, ValidationError

    if message.organisation is None or not actor.has_perm("formal.view_exchange", message.organisation):
        raise PermissionDenied
    if message.direction != ExchangeMessage.Direction.OUT or message.status != ExchangeStatus.UNDELIVERED:
        raise ValidationError("Nur Nachrichten, deren Versand gescheitert ist, können erneut gesendet werden.")
    if active_endpoint(message.organisation_id) is None:
        raise ValidationError("Für diese Organisation ist keine aktive Gegenstelle eingerichtet.")
    ExchangeMessage.objects.filter(pk=message.pk).update(status=ExchangeStatus.PENDING, attempts=0,
                                                         next_attempt_at=None)  # fmt: skip
    message.refresh_from_db()
    log_action(actor=actor, action="xbeteiligung.resend", obj=message, organisation=message.organisation)
    transaction.on_commit(partial(_enqueue, message.pk), robust=True)
    return message


def retry_due(now: datetime | None = None) -> int:
    """Enqueue the pushes that are due and not queued (a lost deferral, a backend without one)."""
    now = now or timezone.now()
    due = ExchangeMessage.objects.outgoing().filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=now - timedelta(minutes=10)),
        status=ExchangeStatus.PENDING,
    )  # fmt: skip
    ids = list(due.values_list("pk", flat=True)[:1000])
    for pk in ids:
        _enqueue(pk)
    return len(ids)


@task()
def push_message(message_pk: int) -> str:
    """One delivery attempt; returns the message's status afterwards."""
    message = ExchangeMessage.objects.filter(pk=message_pk).first()
    if message is None or message.status != ExchangeStatus.PENDING:
        return message.status if message else "gone"
    now = timezone.now()
    if message.next_attempt_at is not None and message.next_attempt_at > now + timedelta(seconds=5):
        return message.status  # queued twice (the sweep and a deferral): the later one is the one
    # Claim this attempt: of two workers holding the same message, only one gets past this update.
    claimed = ExchangeMessage.objects.filter(pk=message.pk, status=ExchangeStatus.PENDING,
                                             attempts=message.attempts).update(attempts=F("attempts") + 1)  # fmt: skip
    if not claimed:
        return message.status
    attempts = message.attempts + 1
    endpoint = active_endpoint(message.organisation_id)
    problem = "Für diese Organisation ist keine aktive Gegenstelle eingerichtet." if endpoint is None else ""
    if endpoint is not None:
        problem = deliver(message, endpoint)
    if not problem:
        ExchangeMessage.objects.filter(pk=message.pk).update(status=ExchangeStatus.SENT, delivered_at=timezone.now(),
                                                             next_attempt_at=None, reason="")  # fmt: skip
        return ExchangeStatus.SENT
    reason = f"Versuch {attempts}: {problem}"[:REASON_LENGTH]
    if endpoint is None or attempts >= MAX_ATTEMPTS:
        ExchangeMessage.objects.filter(pk=message.pk).update(status=ExchangeStatus.UNDELIVERED, reason=reason,
                                                             next_attempt_at=None)  # fmt: skip
        logger.warning("exchange message %s undelivered after %s attempts: %s", message.pk, attempts, problem)
        return ExchangeStatus.UNDELIVERED
    next_attempt = timezone.now() + RETRY_DELAYS[attempts - 1]
    ExchangeMessage.objects.filter(pk=message.pk).update(reason=reason, next_attempt_at=next_attempt)
    _enqueue(message.pk, run_after=next_attempt)
    return ExchangeStatus.PENDING


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would drop the body (or carry the token elsewhere): it counts as a failure."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def deliver(message: ExchangeMessage, endpoint: PartnerEndpoint) -> str:
    """POST the message; "" on a 2xx answer, otherwise what went wrong, in German, for the outbox."""
    headers = {"Content-Type": "application/xml; charset=utf-8", "Accept": "*/*",
               "Idempotency-Key": message.message_id or f"mitwirken-{message.pk}",
               "User-Agent": "mitwirken-xbeteiligung"}  # fmt: skip
    if endpoint.token:
        headers["Authorization"] = f"Bearer {endpoint.token}"
    if not endpoint.url.lower().startswith(("https://", "http://")):
        return "Die Adresse der Gegenstelle ist keine HTTP(S)-Adresse."
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        endpoint.url, data=message.payload.encode("utf-8"), headers=headers, method="POST"
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        body = error.read(300).decode("utf-8", errors="replace").strip()
        return f"Die Gegenstelle antwortete mit HTTP {error.code}{f': {body}' if body else ''}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        cause = getattr(error, "reason", error)
        return f"Die Gegenstelle ist nicht erreichbar ({cause})."
    if not 200 <= status < 300:
        return f"Die Gegenstelle antwortete mit HTTP {status}."
    return ""
