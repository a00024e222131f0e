"""E-mail goes through the task queue, so a slow mail server never slows a request.

Because every sender (allauth, notifications, receipts) uses Django's mail API,
this backend is the single place where mail is queued.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class TaskQueueEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from .tasks import deliver_email

        for message in email_messages:
            deliver_email.enqueue(serialise(message))
        return len(email_messages)


# Small generated files only (a calendar invitation is a few KB); documents are linked, never attached.
MAX_ATTACHMENT_BYTES = 64 * 1024


def serialise_attachments(message: EmailMessage) -> list[list[str]]:
    """``[filename, base64 content, mimetype]`` for each (filename, content, mimetype) attachment.

    Attachments would bloat the queue table, so only small ones are carried; prebuilt MIME parts are refused.
    """
    result, total = [], 0
    for attachment in message.attachments:
        if not isinstance(attachment, tuple) or len(attachment) != 3:
            raise ValueError("Queued e-mails carry only (filename, content, mimetype) attachments.")
        filename, content, mimetype = attachment
        data = content.encode() if isinstance(content, str) else bytes(content)
        total += len(data)
        if total > MAX_ATTACHMENT_BYTES:
            raise ValueError("Queued e-mails cannot carry large attachments; link to a download instead.")
        result.append([str(filename), base64.b64encode(data).decode("ascii"), str(mimetype)])
    return result


def message_id(message: EmailMessage) -> str:
    """Fixed when the message is queued, not when it is sent: a re-run of its task is recognised by it."""
    from email.utils import make_msgid

    from django.conf import settings

    given = next((value for name, value in message.extra_headers.items() if name.lower() == "message-id"), "")
    domain = str(settings.DEFAULT_FROM_EMAIL).rsplit("@", 1)[-1].strip("> ") or "mitwirken.invalid"
    return str(given) or make_msgid(domain=domain)


def serialise(message: EmailMessage) -> dict[str, Any]:
    headers = {name: value for name, value in message.extra_headers.items() if name.lower() != "message-id"}
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": {**headers, "Message-ID": message_id(message)},
        "alternatives": [[str(c), m] for c, m in getattr(message, "alternatives", [])],
        "attachments": serialise_attachments(message),
    }


DELIVERY_RECORDS_KEPT_DAYS = 30  # far longer than any task waits in the queue


def forget_delivered_emails() -> int:
    from datetime import timedelta

    from django.utils import timezone

    from .models import DeliveredEmail

    cutoff = timezone.now() - timedelta(days=DELIVERY_RECORDS_KEPT_DAYS)
    return DeliveredEmail.objects.filter(delivered_at__lt=cutoff).delete()[0]
