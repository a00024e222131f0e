from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django_tasks import task

from .observability import EMAILS


@task(queue_name="email")
def deliver_email(message: dict[str, Any]) -> int:
    """Send one serialised message through the real delivery backend, once.

    A worker that dies while sending leaves its task behind; ``requeue_orphaned_tasks`` runs it again. If the
    message went out before the worker died, its Message-ID is recorded and the re-run sends nothing. (The gap
    between the mail server's acceptance and the record is a few milliseconds; the receiving mail client also
    drops a second copy with the same Message-ID.)
    """
    from .models import DeliveredEmail

    sent_as = (message.get("headers") or {}).get("Message-ID", "")
    if sent_as and DeliveredEmail.objects.filter(message_id=sent_as).exists():
        return 0
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message["from_email"],
        to=message["to"],
        cc=message.get("cc") or [],
        bcc=message.get("bcc") or [],
        reply_to=message.get("reply_to") or [],
        headers=message.get("headers") or {},
        connection=get_connection(settings.MITWIRKEN_EMAIL_DELIVERY_BACKEND),
    )
    for content, mimetype in message.get("alternatives") or []:
        email.attach_alternative(content, mimetype)
    for filename, content, mimetype in message.get("attachments") or []:
        data = base64.b64decode(content)
        # Text parts go back as text, so Django keeps their parameters ("text/calendar; method=REQUEST").
        email.attach(filename, data.decode() if mimetype.startswith("text/") else data, mimetype)
    # Counted here, where every message of the portal is actually sent (mail.TaskQueueEmailBackend only queues).
    try:
        sent = email.send()
    except Exception:
        EMAILS.labels(result="failed").inc()
        raise  # the task is marked FAILED, with the traceback in its result
    if sent_as:
        DeliveredEmail.objects.get_or_create(message_id=sent_as)
    EMAILS.labels(result="sent").inc(sent)
    return sent
