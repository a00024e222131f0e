"""In-app notifications and templated e-mails, the one place both are sent from."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.text import Truncator

from .models import Notification


def send_templated_email(
    *,
    to: list[str],
    template: str,
    context: dict[str, Any],
    language: str = "de",
    headers: dict[str, str] | None = None,
) -> None:
    """Render ``emails/<template>_subject.txt`` and ``_body.txt`` and queue the message."""
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    with translation.override(language):
        # Plain text: autoescaping would turn "A & B" into "A &amp; B" in the subject line.
        raw_subject = get_template(f"emails/{template}_subject.txt").template  # type: ignore[attr-defined]
        subject = " ".join(raw_subject.render(Context(context, autoescape=False)).split())
        body = render_to_string(f"emails/{template}_body.txt", context)
    EmailMultiAlternatives(subject=subject, body=body, to=to, headers=headers).send()


def notify(
    *, recipient: Any, title: str, body: str = "", url: str = "", email_template: str = "notification"
) -> Notification:
    """Store an in-app notification and e-mail it to the recipient."""
    # Titles quote user-chosen names (projects, ideas); the column has a limit, the text must not break it.
    notification = Notification.objects.create(
        recipient=recipient, title=Truncator(title).chars(200), body=body, url=url
    )
    if recipient.email:
        send_templated_email(
            to=[recipient.email],
            template=email_template,
            context={"notification": notification, "recipient": recipient},
        )
    return notification
