"""English texts an organisation writes for its categories and answer templates (shown in the English interface)."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from mitwirken.core.audit import diff_fields, log_action, snapshot
from mitwirken.core.permissions import require

from ..models import OrganisationCategory, ResponseTemplate


def _set_english(
    *, actor: Any, obj: models.Model, organisation: Any, permission: str, action: str, logged: models.Model,
    values: dict[str, str],
) -> None:  # fmt: skip
    require(actor, permission, organisation)
    fields = list(values)
    before = snapshot(obj, fields)
    for name, value in values.items():
        setattr(obj, name, value.strip())
    obj.full_clean()
    obj.save(update_fields=fields)
    log_action(actor=actor, action=action, obj=logged, organisation=organisation,
               changes=diff_fields(obj, before, fields))  # fmt: skip


@transaction.atomic
def category_translate(
    *, actor: Any, handler: OrganisationCategory, name_en: str, description_en: str = ""
) -> OrganisationCategory:
    """The organisation's English name and description of a category it handles; empty means "use German"."""
    _set_english(actor=actor, obj=handler, organisation=handler.organisation, permission="reports.manage_categories",
                 action="report_category.translate", logged=handler.template,
                 values={"name_en": name_en, "description_en": description_en})  # fmt: skip
    return handler


@transaction.atomic
def response_template_translate(
    *, actor: Any, template: ResponseTemplate, title_en: str, text_en: str
) -> ResponseTemplate:
    """The English title and text of an answer template; staff using the English interface insert these."""
    _set_english(actor=actor, obj=template, organisation=template.organisation, permission="reports.handle_reports",
                 action="report_template.translate", logged=template,
                 values={"title_en": title_en, "text_en": text_en})  # fmt: skip
    return template
