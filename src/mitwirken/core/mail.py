"""E-mail goes through the task queue, so a slow mail server never slows a request.

Because every sender (allauth, notifications, receipts) uses Django's mail API,
this backend is the single place where mail is queued.
"""

from __future__ import annotations

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


def serialise(message: EmailMessage) -> dict[str, Any]:
    if message.attachments:
        # Attachments would bloat the queue table; senders link to downloads instead.
        raise ValueError("Queued e-mails cannot carry attachments.")
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [[str(c), m] for c, m in getattr(message, "alternatives", [])],
    }
