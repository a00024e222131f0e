"""Writes owned by the core app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import AccessibilityFeedback
from .notifications import send_templated_email

if TYPE_CHECKING:
    from mitwirken.organisations.models import Organisation


def feedback_recipients(organisation: Organisation | None) -> list[str]:
    """The organisation's contact address, else its admins; portal feedback goes to the portal admins."""
    if organisation is None:
        return list(get_user_model().objects.filter(is_superuser=True, is_active=True).values_list("email", flat=True))
    if organisation.contact_email:
        return [organisation.contact_email]
    return list(organisation.memberships.admins().values_list("user__email", flat=True))


@transaction.atomic
def accessibility_feedback_submit(*, organisation: Organisation | None, **data: Any) -> AccessibilityFeedback:
    """Store a barrier report and tell the people who must answer it (BITV: within six weeks)."""
    feedback = AccessibilityFeedback(organisation=organisation, **data)
    feedback.full_clean()
    feedback.save()
    recipients = feedback_recipients(organisation)
    if recipients:
        send_templated_email(to=recipients, template="accessibility_feedback", context={"feedback": feedback})
    return feedback
