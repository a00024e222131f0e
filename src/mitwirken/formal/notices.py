"""Final notices (Schlussmitteilungen) and the retention period, run by the task worker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_tasks import task

from mitwirken.core.audit import log_action
from mitwirken.core.notifications import send_templated_email

from .evaluation import effective_segments
from .models import CoSigner, Procedure, Statement, StatementStatus, UnregisteredSubmission

BATCH = 500


def ready_for_notice(statement: Statement) -> bool:
    segments = effective_segments(statement)
    return bool(segments) and all(segment.status == StatementStatus.RELEASED for segment in segments)


@task()
def send_final_notices(procedure_id: int, after_id: int = 0) -> int:
    """Send one batch, then enqueue the next: 50,000 notices never occupy one task or flood the queue."""
    procedure = Procedure.objects.select_related("module__project__organisation").get(pk=procedure_id)
    batch = list(
        Statement.objects.filter(procedure=procedure, pk__gt=after_id, final_notice_sent_at__isnull=True)
        .exclude(email="").select_related("lead").prefetch_related("segments").order_by("pk")[:BATCH]
    )  # fmt: skip
    sent = 0
    for statement in batch:
        if not ready_for_notice(statement):
            continue
        with transaction.atomic():
            send_templated_email(
                to=[statement.email], template="final_notice",
                context={"statement": statement, "segments": effective_segments(statement), "project": procedure.module.project},
            )  # fmt: skip
            Statement.objects.filter(pk=statement.pk).update(final_notice_sent_at=timezone.now())
            for cosigner in statement.cosigners.filter(final_notice_sent_at__isnull=True).exclude(email=""):
                send_templated_email(
                    to=[cosigner.email], template="final_notice",
                    context={"statement": statement, "segments": effective_segments(statement), "project": procedure.module.project},
                )  # fmt: skip
                CoSigner.objects.filter(pk=cosigner.pk).update(final_notice_sent_at=timezone.now())
        sent += 1
    if len(batch) == BATCH:
        send_final_notices.enqueue(procedure_id, batch[-1].pk)
    return sent


def start_final_notices(*, actor: Any, procedure: Procedure) -> None:
    from mitwirken.core.permissions import require

    require(actor, "formal.manage_procedure", procedure.module)
    log_action(
        actor=actor, action="final_notices.start", obj=procedure, organisation=procedure.module.project.organisation
    )
    send_final_notices.enqueue(procedure.pk)


PERSONAL_FIELDS = {"author_name": "", "street": "", "postal_code": "", "city": "", "email": "", "author": None}


@task()
def anonymise_expired() -> int:
    """Blank the personal data of statements whose procedure ended longer ago than its retention period."""
    now = timezone.now()
    count = 0
    procedures = Procedure.objects.annotate(last_end=Max("rounds__tracks__phase__end")).filter(last_end__isnull=False)
    for procedure in procedures:
        if procedure.last_end + timedelta(days=procedure.retention_days) > now:  # type: ignore[attr-defined]
            continue
        updated = Statement.objects.filter(procedure=procedure, anonymised_at__isnull=True).update(
            **PERSONAL_FIELDS, anonymised_at=now
        )
        # Co-signers' addresses and unconfirmed no-account submissions are personal data too.
        CoSigner.objects.filter(statement__procedure=procedure).exclude(name="").update(
            name="", street="", postal_code="", city="", email="", user=None
        )
        UnregisteredSubmission.objects.filter(track__round__procedure=procedure).delete()
        # The 0701 copies in the outbox name the same people: their content goes, the record of the exchange stays.
        redacted = _redact_statement_messages(procedure, now)
        if updated or redacted:
            log_action(actor=None, action="statements.anonymise", obj=procedure,
                       organisation=procedure.module.project.organisation,
                       changes={"count": updated, "messages": redacted})  # fmt: skip
        count += updated
    return count


def _redact_statement_messages(procedure: Procedure, now: Any) -> int:
    """Empty the XML of the procedure's statement messages; one still waiting for its push is not sent any more."""
    from .models import ExchangeMessage, ExchangeStatus

    messages = ExchangeMessage.objects.filter(procedure=procedure, statement__isnull=False).exclude(payload="")
    messages.filter(status=ExchangeStatus.PENDING).update(
        status=ExchangeStatus.UNDELIVERED, next_attempt_at=None,
        reason="Nicht zugestellt: Die Aufbewahrungsfrist der Stellungnahmen ist abgelaufen.",
    )  # fmt: skip
    return messages.update(payload="", redacted_at=now)
