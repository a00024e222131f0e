"""Writes of the questionnaire's structure and settings: survey settings, pages, questions, options, quotas.

Checks that keep responses valid live here: conditions may name only earlier questions, anonymity may only
grow stronger once responses exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action
from mitwirken.core.permissions import require
from mitwirken.projects.models import Module

from .. import conditions
from ..models import ANONYMITY_STRENGTH, MatrixRow, Option, Page, Question, QuestionType, Quota, Survey

SETTINGS_FIELDS = ("access", "anonymity", "intro", "completion_text", "link_results")


def survey_for(module: Module) -> Survey:
    """The module's survey; created with the defaults the first time staff open it."""
    survey, _created = Survey.objects.get_or_create(module=module)
    survey.module = module
    return survey


def settings_update(*, actor: Any, survey: Survey, **changes: Any) -> Survey:
    require(actor, "surveys.manage", survey.module)
    new_anonymity = changes.get("anonymity", survey.anonymity)
    if (
        survey.responses.exists() and ANONYMITY_STRENGTH[new_anonymity] < ANONYMITY_STRENGTH[survey.anonymity]  # type: ignore[index]
    ):
        raise ValidationError({"anonymity": _(
            "Es gibt bereits Antworten. Die Anonymität kann jetzt nur noch verstärkt, nicht mehr abgeschwächt werden."
        )})  # fmt: skip
    if "access" in changes and changes["access"] != survey.access and survey.responses.exists():
        raise ValidationError({"access": _("Es gibt bereits Antworten. Der Zugang kann nicht mehr geändert werden.")})
    old = {field: getattr(survey, field) for field in SETTINGS_FIELDS}
    for field, value in changes.items():
        if field not in SETTINGS_FIELDS:
            raise ValueError(field)
        setattr(survey, field, value)
    survey.full_clean(exclude=["module"])
    survey.save()
    diff = {
        field: [old[field], getattr(survey, field)] for field in SETTINGS_FIELDS if old[field] != getattr(survey, field)
    }
    if diff:
        log_action(actor=actor, action="survey.settings", obj=survey, organisation=survey.module.project.organisation,
                   changes=diff)  # fmt: skip
    return survey


def page_add(*, actor: Any, survey: Survey, title: str = "", description: str = "",
             condition: Mapping[str, Any] | None = None) -> Page:  # fmt: skip
    require(actor, "surveys.manage", survey.module)
    position = (survey.pages.aggregate(last=Max("position"))["last"] or 0) + 1 if survey.pages.exists() else 0
    page = Page(survey=survey, position=position, title=title.strip(), description=description.strip())
    page.condition = conditions.check(condition, earlier=earlier_codes(survey, page))
    page.save()
    return page


def earlier_codes(survey: Survey, page: Page) -> list[str]:
    """Codes of the questions on pages before ``page``: what its conditions and its questions' may name."""
    pages = list(survey.pages.order_by("position", "id").values_list("pk", "position"))
    if page.pk is None:
        before = [pk for pk, _position in pages]
    else:
        index = [pk for pk, _position in pages].index(page.pk)
        before = [pk for pk, _position in pages[:index]]
    return list(Question.objects.filter(page_id__in=before).values_list("code", flat=True))


def unique_code(survey: Survey, text: str) -> str:
    base = slugify(text)[:30].replace("-", "_").strip("_") or "frage"
    if base[0].isdigit():
        base = f"f_{base}"
    taken = set(survey.questions.values_list("code", flat=True))
    code, number = base, 1
    while code in taken:
        number += 1
        code = f"{base}_{number}"
    return code


@transaction.atomic
def question_add(
    *, actor: Any, page: Page, type: str, text: str, code: str = "", required: bool = False,
    help_text: str = "", config: Mapping[str, Any] | None = None, options: Iterable[tuple[str, str]] = (),
    rows: Iterable[tuple[str, str]] = (), condition: Mapping[str, Any] | None = None, publish: bool = True,
) -> Question:  # fmt: skip
    survey = page.survey
    require(actor, "surveys.manage", survey.module)
    if type not in QuestionType.values:
        raise ValidationError({"type": _("Unbekannter Fragetyp.")})
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Bitte geben Sie den Text der Frage an.")})
    code = code.strip() or unique_code(survey, text)
    if survey.questions.filter(code=code).exists():
        raise ValidationError(
            {"code": _("Das Kürzel „%(code)s“ ist in dieser Umfrage schon vergeben.") % {"code": code}}
        )
    position = (page.questions.aggregate(last=Max("position"))["last"] or 0) + 1 if page.questions.exists() else 0
    question = Question(survey=survey, page=page, position=position, code=code, type=type, text=text,
                        required=required and type != QuestionType.INFO, help_text=help_text.strip(),
                        config=dict(config or {}), publish=publish)  # fmt: skip
    question.condition = conditions.check(condition, earlier=earlier_codes(survey, page), own=code)
    question.full_clean(exclude=["survey", "page", "answer_set"])
    question.save()
    _set_choices(question, options, rows)
    return question


def _set_choices(question: Question, options: Iterable[tuple[str, str]], rows: Iterable[tuple[str, str]]) -> None:
    options, rows = list(options), list(rows)
    needs_options = question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.MATRIX,
                                      QuestionType.RANKING)  # fmt: skip
    if needs_options and not options and not question.answer_set_id:
        raise ValidationError({"options": _("Bitte geben Sie mindestens zwei Antwortmöglichkeiten an.")})
    if len({code for code, _label in options}) != len(options):
        raise ValidationError({"options": _("Jede Antwortmöglichkeit braucht einen eigenen Code.")})
    if question.type == QuestionType.MATRIX and not rows:
        raise ValidationError({"rows": _("Bitte geben Sie die Zeilen der Matrix an.")})
    Option.objects.bulk_create(Option(question=question, position=index, code=code, label=label)
                               for index, (code, label) in enumerate(options))  # fmt: skip
    MatrixRow.objects.bulk_create(MatrixRow(question=question, position=index, code=code, label=label)
                                  for index, (code, label) in enumerate(rows))  # fmt: skip


def quota_set(
    *, actor: Any, survey: Survey, limit: int, question: Question | None = None, option_code: str = ""
) -> Quota:
    require(actor, "surveys.manage", survey.module)
    if question is not None and question.type != QuestionType.SINGLE:
        raise ValidationError(_("Quoten gibt es für Einfachauswahl-Fragen."))
    quota, _created = Quota.objects.get_or_create(survey=survey, question=question, option_code=option_code,
                                                  defaults={"limit": limit})  # fmt: skip
    if quota.filled > limit:
        raise ValidationError(_("Die Quote ist schon mit %(filled)d Antworten gefüllt; sie kann nicht kleiner werden.")
                              % {"filled": quota.filled})  # fmt: skip
    quota.limit = limit
    quota.save(update_fields=["limit"])
    return quota
