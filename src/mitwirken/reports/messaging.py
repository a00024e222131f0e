"""Who hears about a report: the reporter, the supporters, the responsible organisation.

Called from the services after commit (``transaction.on_commit``), so a rolled back change sends nothing.
Imports only the models, so every service module and the area alerts can use it without an import cycle.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from mitwirken.core.notifications import notify, send_templated_email

from .models import OrganisationCategory, Report, Supporter


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def backoffice_url(report: Report) -> str:
    return reverse("backoffice:report_detail", kwargs={"org_slug": report.organisation.slug, "report_pk": report.pk})


def attribute_answers(report: Report) -> list[tuple[str, str]]:
    """The answers to the extra questions with their labels (the stored answers carry only codes)."""
    labels = {
        question.get("code"): question.get("label") or question.get("code")
        for handler in OrganisationCategory.objects.filter(template_id=report.category_id)
        for question in handler.questions
    }
    return [(labels.get(code, code), ", ".join(value) if isinstance(value, list) else str(value))
            for code, value in report.attributes.items()]  # fmt: skip


def _handler(report: Report) -> OrganisationCategory | None:
    return OrganisationCategory.objects.filter(organisation=report.organisation, template=report.category).first()


def send_to_forwarding_address(report: Report, url: str) -> None:
    handler = _handler(report)
    if handler and handler.forward_email:
        send_templated_email(to=[handler.forward_email], template="report_forward",
                             context={"report": report, "url": url, "backoffice_url": absolute(backoffice_url(report)),
                                      "answers": attribute_answers(report)})  # fmt: skip


def tell_followers(report_pk: int, message: str) -> None:
    """The reporter (by account or e-mail) and every supporter hear of a change."""
    report = Report.objects.select_related("category", "organisation", "reporter").get(pk=report_pk)
    title = _("Meldung #%(number)d: %(status)s") % {"number": report.pk, "status": report.get_status_display()}
    url = absolute(report.get_absolute_url())
    if report.reporter is not None:
        notify(recipient=report.reporter, title=title, body=message, url=report.get_absolute_url())
    elif report.email:
        send_templated_email(to=[report.email], template="report_status_anonymous",
                             context={"report": report, "message": message, "url": url, "title": title})  # fmt: skip
    for supporter in Supporter.objects.filter(report=report).select_related("user"):
        notify(recipient=supporter.user, title=title, body=message, url=report.get_absolute_url())


def tell_organisation(report_pk: int, title: str, message: str = "") -> None:
    """The responsible organisation hears what the reporter said: the person handling the report if there is
    one, otherwise the category's forwarding address or, failing that, the organisation's contact address."""
    report = Report.objects.select_related("category", "organisation", "assignee").get(pk=report_pk)
    if report.assignee is not None:
        notify(recipient=report.assignee, title=title, body=message, url=backoffice_url(report))
        return
    handler = _handler(report)
    address = (handler.forward_email if handler else "") or report.organisation.contact_email
    if address:
        context: dict[str, Any] = {"report": report, "title": title, "message": message,
                                   "backoffice_url": absolute(backoffice_url(report))}  # fmt: skip
        send_templated_email(to=[address], template="report_reviewed", context=context)
