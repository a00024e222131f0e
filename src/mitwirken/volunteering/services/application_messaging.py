"""E-mails about applications: the coordinators hear of a new application, a message, a withdrawal; the
volunteer of a decision, a question, a message, the end of the engagement.

Neither side learns the other's e-mail address from them unless that side chose to share it: the mail comes
from the portal's address, and only a shared address appears (in the text and as Reply-To). Each coordinator
gets a mail of their own, so coordinators' addresses never stand side by side either. Called after commit with
the application's pk, so the mail shows what was saved.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from mitwirken.core.notifications import send_templated_email

from ..models import Application

TO_ORGANISATION = "application_to_organisation"
TO_VOLUNTEER = "application_to_volunteer"


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def volunteer_url(application: Application) -> str:
    return absolute(reverse("volunteering:my_application", kwargs={"pk": application.pk}))


def coordinator_url(application: Application) -> str:
    return absolute(reverse("volunteering:coordinator_application",
                            kwargs={"org_slug": application.opportunity.organisation.slug, "pk": application.pk}))  # fmt: skip


def volunteer_name(user: Any) -> str:
    """How the organisation sees the volunteer: the real name if given, else the public name (never the
    address)."""
    return str(getattr(user, "real_name", "") or user.public_name)


def _send(to: str, template: str, context: dict[str, Any], reply_to: str = "") -> None:
    if not to:
        return
    headers = {"Auto-Submitted": "auto-generated"}
    if reply_to:
        headers["Reply-To"] = reply_to
    send_templated_email(to=[to], template=f"volunteering/{template}", context=context, headers=headers)


def _application(pk: int) -> Application | None:
    return Application.objects.select_related("opportunity__organisation", "volunteer").filter(pk=pk).first()


def coordinator_addresses(application: Application) -> list[str]:
    """Every coordinator's address; an organisation without coordinators (a tenant's own body): its contact."""
    organisation = application.opportunity.organisation
    addresses = sorted({email for email in organisation.coordinators.values_list("user__email", flat=True) if email})
    return addresses or ([organisation.contact_email] if organisation.contact_email else [])


def _base(application: Application, kind: str, text: str) -> dict[str, Any]:
    return {"application": application, "opportunity": application.opportunity,
            "organisation": application.opportunity.organisation, "kind": kind, "text": text,
            "volunteer_name": volunteer_name(application.volunteer)}  # fmt: skip


def applied(pk: int) -> None:
    to_organisation(pk, "applied", "")


def to_organisation(pk: int, kind: str, text: str) -> None:
    """``kind``: "applied" (the application's message is the text), "message", "withdrawn"."""
    application = _application(pk)
    if application is None:
        return
    if kind == "applied":
        text = application.message
    shared = application.volunteer.email if application.volunteer_shares_email else ""
    context = {**_base(application, kind, text), "url": coordinator_url(application), "shared_email": shared}
    for address in coordinator_addresses(application):
        _send(address, TO_ORGANISATION, context, reply_to=shared)


def to_volunteer(pk: int, kind: str, text: str) -> None:
    """``kind``: "accepted", "declined", "question", "message", "ended"."""
    application = _application(pk)
    if application is None:
        return
    organisation = application.opportunity.organisation
    shared = organisation.contact_email if application.organisation_shares_email else ""
    context = {**_base(application, kind, text), "url": volunteer_url(application), "shared_email": shared}
    _send(application.volunteer.email, TO_VOLUNTEER, context, reply_to=shared)
