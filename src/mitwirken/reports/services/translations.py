"""English texts an organisation writes for its categories and answer templates (shown in the English interface)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from mitwirken.core.audit import diff_fields, log_action, snapshot
from mitwirken.core.permissions import require

from ..models import OrganisationCategory, ResponseTemplate


@transaction.atomic
def category_translate(
    *, actor: Any, handler: OrganisationCategory, name_en: str, description_en: str = ""
) -> OrganisationCategory:
    """The organisation's English name and description of a category it handles; empty means "use German"."""
    require(actor, "reports.manage_categories", handler.organisation)
    fields = ["name_en", "description_en"]
    before = snapshot(handler, fields)
    handler.name_en, handler.description_en = name_en.strip(), description_en.strip()
    handler.full_clean()
    handler.save(update_fields=fields)
    log_action(actor=actor, action="report_category.translate", obj=handler.template,
               organisation=handler.organisation, changes=diff_fields(handler, before, fields))  # fmt: skip
    return handler


@transaction.atomic
def response_template_translate(
    *, actor: Any, template: ResponseTemplate, title_en: str, text_en: str
) -> ResponseTemplate:
    require(actor, "reports.handle_reports", template.organisation)
    fields = ["title_en", "text_en"]
    before = snapshot(template, fields)
    template.title_en, template.text_en = title_en.strip(), text_en.strip()
    template.full_clean()
    template.save(update_fields=fields)
    log_action(actor=actor, action="report_template.translate", obj=template, organisation=template.organisation,
               changes=diff_fields(template, before, fields))  # fmt: skip
    return template
