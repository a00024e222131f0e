"""Setting the Mängelmelder up: which categories an organisation handles, its extra questions, its settings."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action
from mitwirken.core.permissions import require
from mitwirken.organisations.models import Organisation

from ..models import CategoryTemplate, OrganisationCategory, ReportSettings


@transaction.atomic
def category_set(
    *, actor: Any, organisation: Organisation, template: CategoryTemplate, enabled: bool, forward_email: str = ""
) -> OrganisationCategory | None:
    """Take on or give up a category. Extra questions are kept when only the forwarding address changes."""
    require(actor, "reports.manage_categories", organisation)
    handler = OrganisationCategory.objects.filter(organisation=organisation, template=template).first()
    if not enabled:
        if handler is not None:
            handler.delete()
            log_action(actor=actor, action="report_category.disable", obj=template, organisation=organisation)
        return None
    forward_email = forward_email.strip()
    if forward_email:
        try:
            validate_email(forward_email)
        except ValidationError:
            raise ValidationError(_("Bitte geben Sie eine gültige E-Mail-Adresse für die Weiterleitung an.")) from None
    if handler is None:
        handler = OrganisationCategory(organisation=organisation, template=template)
    handler.forward_email = forward_email
    handler.save()
    log_action(actor=actor, action="report_category.enable", obj=template, organisation=organisation,
               changes={"forward_email": forward_email})  # fmt: skip
    return handler


def questions_as_text(questions: list[dict[str, Any]]) -> str:
    """The extra questions in the editable line format: ``Frage | Pflicht oder optional | Antwort A, Antwort B``."""
    lines = []
    for question in questions:
        answers = ", ".join(value.get("name", "") for value in question.get("values", []))
        lines.append(
            " | ".join(
                part
                for part in (question.get("label", ""), "Pflicht" if question.get("required") else "optional", answers)
                if part
            )
        )
    return "\n".join(lines)


def questions_from_text(text: str, existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parse the line format into Open311 attributes; a question keeps its code, so stored answers stay valid."""
    codes = {question.get("label"): question.get("code") for question in existing}
    questions: list[dict[str, Any]] = []
    for number, line in enumerate((line for line in (text or "").splitlines() if line.strip()), start=1):
        parts = [part.strip() for part in line.split("|")]
        label = parts[0][:200]
        if not label:
            raise ValidationError({"questions": _("Zeile %(number)d: Die Frage fehlt.") % {"number": number}})
        required = len(parts) > 1 and parts[1].casefold() in ("pflicht", "ja", "required")
        answers = [answer.strip()[:100] for answer in (parts[2] if len(parts) > 2 else "").split(",") if answer.strip()]
        code = codes.get(label) or slugify(label)[:40] or f"frage-{number}"
        if any(question["code"] == code for question in questions):
            code = f"{code[:35]}-{number}"
        questions.append({
            "code": code, "label": label, "required": required,
            "datatype": "singlevaluelist" if answers else "string",
            "values": [{"key": slugify(answer)[:40] or str(index), "name": answer} for index, answer in enumerate(answers, start=1)],
        })  # fmt: skip
    if len(questions) > 10:
        raise ValidationError({"questions": _("Höchstens 10 Zusatzfragen je Kategorie.")})
    return questions


def category_questions_set(*, actor: Any, handler: OrganisationCategory, text: str) -> OrganisationCategory:
    require(actor, "reports.manage_categories", handler.organisation)
    handler.questions = questions_from_text(text, handler.questions)
    handler.save(update_fields=["questions"])
    log_action(actor=actor, action="report_category.questions", obj=handler.template, organisation=handler.organisation,
               changes={"questions": [question["label"] for question in handler.questions]})  # fmt: skip
    return handler


@transaction.atomic
def report_settings_set(*, actor: Any, organisation: Organisation, response_days: Any) -> ReportSettings:
    """Change the organisation's response time: after so many days an unanswered report counts as overdue."""
    require(actor, "reports.manage_settings", organisation)
    report_settings = ReportSettings.objects.select_for_update().filter(organisation=organisation).first()
    report_settings = report_settings or ReportSettings(organisation=organisation)
    old = report_settings.response_days
    try:
        report_settings.response_days = int(response_days)
    except (TypeError, ValueError):
        raise ValidationError(
            {"response_days": _("Bitte geben Sie die Antwortfrist als ganze Zahl von Tagen an.")}
        ) from None
    try:
        report_settings.full_clean()
    except ValidationError as error:
        if "response_days" in error.message_dict:
            raise ValidationError(
                {"response_days": _("Die Antwortfrist muss zwischen 1 und 90 Tagen liegen.")}
            ) from None
        raise
    report_settings.save()
    log_action(actor=actor, action="report_settings.change", obj=report_settings, organisation=organisation,
               changes={"response_days": [old, report_settings.response_days]})  # fmt: skip
    return report_settings
