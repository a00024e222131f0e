"""Writes of the questionnaire's structure and settings: survey settings, pages, questions, options, quotas.

Checks that keep responses valid live here: conditions may name only earlier questions, anonymity may only
grow stronger once responses exist.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action
from mitwirken.core.permissions import require
from mitwirken.core.uploads import reencode_image
from mitwirken.projects.models import Module

from .. import conditions, questions, results
from ..models import (
    ANONYMITY_STRENGTH,
    CHOICE_TYPES,
    Anonymity,
    Answer,
    AnswerSet,
    MatrixRow,
    Option,
    Page,
    Question,
    QuestionType,
    Quota,
    ResponseIdentity,
    Survey,
)

SETTINGS_FIELDS = ("access", "anonymity", "intro", "completion_text", "link_results", "min_assurance_level")


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
    with transaction.atomic():
        survey.save()
        _forget_identities(survey)
    diff = {
        field: [old[field], getattr(survey, field)] for field in SETTINGS_FIELDS if old[field] != getattr(survey, field)
    }
    if diff:
        log_action(actor=actor, action="survey.settings", obj=survey, organisation=survey.module.project.organisation,
                   changes=diff)  # fmt: skip
    return survey


def _forget_identities(survey: Survey) -> None:
    """Stronger anonymity applies to the responses already given too: what the new level does not keep goes."""
    identities = ResponseIdentity.objects.filter(response__survey=survey)
    if survey.anonymity == Anonymity.ANONYMOUS:
        identities.delete()
    elif survey.anonymity == Anonymity.PSEUDONYMOUS:
        identities.update(user=None, token=None, submitted_at=None, on_behalf_of_name="", on_behalf_of_id="")


def page_add(*, actor: Any, survey: Survey, title: str = "", description: str = "",
             condition: Mapping[str, Any] | None = None) -> Page:  # fmt: skip
    require(actor, "surveys.manage", survey.module)
    position = (survey.pages.aggregate(last=Max("position"))["last"] or 0) + 1 if survey.pages.exists() else 0
    page = Page(survey=survey, position=position, title=title.strip(), description=description.strip())
    page.condition = _checked_condition(condition, earlier=earlier_codes(survey, page))
    page.save()
    return page


def _checked_condition(condition: Any, *, earlier: Iterable[str], own: str = "") -> dict[str, Any]:
    """``conditions.check``, with its refusal addressed to the condition field of the builder's forms."""
    try:
        return conditions.check(condition, earlier=earlier, own=own)
    except ValidationError as error:
        raise ValidationError({"condition": error.messages}) from None


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
    answer_set: AnswerSet | None = None, image: Any = None, image_alt: str = "",
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
    question.condition = _checked_condition(condition, earlier=earlier_codes(survey, page), own=code)
    if answer_set is not None and type in CHOICE_TYPES:
        _require_own_answer_set(survey, answer_set)
        question.answer_set = answer_set
    _set_image(question, image, image_alt, remove=False)
    question.full_clean(exclude=["survey", "page", "answer_set"])
    question.save()
    _set_choices(question, () if question.answer_set_id else options, rows)
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


def quota_remove(*, actor: Any, survey: Survey, question: Question | None = None, option_code: str = "") -> None:
    require(actor, "surveys.manage", survey.module)
    Quota.objects.filter(survey=survey, question=question, option_code=option_code).delete()


# --- options and matrix rows as lines of text -----------------------------------------------------------------

OPTION_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
MAX_LABEL = 300


def parse_lines(text: str, *, existing: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """Options or matrix rows from a text field, one per line: ``code = Beschriftung`` or just ``Beschriftung``.

    A line without a code keeps the code of an existing entry with the same label, so fixing a typo elsewhere in
    the list never changes what stored answers mean; a new label gets a code made from it.
    """
    known = {label: code for code, label in existing}
    entries: list[tuple[str | None, str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        code, sep, label = (part.strip() for part in line.partition("="))
        if not sep or not OPTION_CODE.match(code) or not label:
            code, label = "", line
        if len(label) > MAX_LABEL:
            raise ValidationError(_("Eine Beschriftung darf höchstens %(max)d Zeichen lang sein: „%(label)s …“")
                                  % {"max": MAX_LABEL, "label": label[:40]})  # fmt: skip
        entries.append((code or None, label))
    explicit = [code for code, _label in entries if code]
    twice = sorted({code for code in explicit if explicit.count(code) > 1})
    if twice:
        raise ValidationError(_("Jeder Code darf nur einmal vorkommen: %(codes)s.") % {"codes": ", ".join(twice)})
    used = set(explicit)
    result = []
    for explicit_code, label in entries:
        code = explicit_code or known.get(label, "")
        if not explicit_code and (not code or code in used):
            code = _free_code(label, used)
        used.add(code)
        result.append((code, label))
    return result


def _free_code(label: str, used: set[str]) -> str:
    base = slugify(label)[:34].replace("-", "_").strip("_") or "antwort"
    code, number = base, 1
    while code in used:
        number += 1
        code = f"{base}_{number}"
    return code


def format_lines(entries: Iterable[Any]) -> str:
    """Options or rows (objects with ``code`` and ``label``) as the text ``parse_lines`` reads back."""
    return "\n".join(f"{entry.code} = {entry.label}" for entry in entries)


# --- order: conditions may only name questions of earlier pages -----------------------------------------------


def _page_name(page: Page, number: int) -> str:
    if page.title:
        return _("Seite %(number)d „%(title)s“") % {"number": number, "title": page.title}
    return _("Seite %(number)d") % {"number": number}


def _question_name(question: Question, number: int) -> str:
    return _("Frage „%(code)s“ auf Seite %(number)d") % {"code": question.code, "number": number}


def _condition_owners(survey: Survey) -> list[tuple[str, Mapping[str, Any], set[str]]]:
    """Every condition of the survey in questionnaire order: (whose, condition, codes of the pages before)."""
    pages = list(Page.objects.filter(survey=survey).order_by("position", "id"))
    by_page: dict[int, list[Question]] = defaultdict(list)
    for question in Question.objects.filter(survey=survey).order_by("position", "id"):
        by_page[question.page_id].append(question)
    owners: list[tuple[str, Mapping[str, Any], set[str]]] = []
    earlier: set[str] = set()
    for number, page in enumerate(pages, start=1):
        owners.append((_page_name(page, number), page.condition, set(earlier)))
        owners.extend((_question_name(question, number), question.condition, set(earlier))
                      for question in by_page[page.pk])  # fmt: skip
        earlier.update(question.code for question in by_page[page.pk])
    return owners


def check_order(survey: Survey) -> None:
    """Refuse the current order when a condition names a question that is not on an earlier page (or is gone).

    Every reorder, move and delete calls this inside its transaction after the change, so a refusal rolls the
    change back and the reason names the page or question whose condition would break.
    """
    existing = set(Question.objects.filter(survey=survey).values_list("code", flat=True))
    for whose, condition, earlier in _condition_owners(survey):
        for code in sorted(conditions.referenced(condition) - earlier):
            if code in existing:
                message = _("Das geht nicht: Die Bedingung von %(whose)s bezieht sich auf „%(code)s“, das dann nicht "
                            "mehr auf einer früheren Seite stünde. Bedingungen dürfen sich nur auf Fragen früherer "
                            "Seiten beziehen.")  # fmt: skip
            else:
                message = _("Das geht nicht: Die Bedingung von %(whose)s bezieht sich auf „%(code)s“, das es dann "
                            "nicht mehr gäbe. Ändern Sie zuerst diese Bedingung.")  # fmt: skip
            raise ValidationError(message % {"whose": whose, "code": code})


def _users_of(survey: Survey, code: str) -> list[str]:
    return [
        whose for whose, condition, _earlier in _condition_owners(survey) if code in conditions.referenced(condition)
    ]


def _renumber(items: list[Any]) -> None:
    for index, item in enumerate(items):
        item.position = index
    if items:
        type(items[0]).objects.bulk_update(items, ["position"])


# --- pages ----------------------------------------------------------------------------------------------------


@transaction.atomic
def page_update(*, actor: Any, page: Page, title: str = "", description: str = "",
                condition: Mapping[str, Any] | None = None) -> Page:  # fmt: skip
    require(actor, "surveys.manage", page.survey.module)
    page.title, page.description = title.strip(), description.strip()
    page.condition = _checked_condition(condition, earlier=earlier_codes(page.survey, page))
    page.full_clean(exclude=["survey"])
    page.save()
    return page


def _pages(survey: Survey) -> list[Page]:
    return list(Page.objects.filter(survey=survey).order_by("position", "id"))


@transaction.atomic
def page_move(*, actor: Any, page: Page, direction: int) -> None:
    """Swap the page with its neighbour (``-1`` up, ``+1`` down); refused when a condition would break."""
    survey = page.survey
    require(actor, "surveys.manage", survey.module)
    pages = _pages(survey)
    index = [item.pk for item in pages].index(page.pk)
    target = index + direction
    if not 0 <= target < len(pages):
        return
    pages[index], pages[target] = pages[target], pages[index]
    _renumber(pages)
    check_order(survey)


@transaction.atomic
def page_duplicate(*, actor: Any, page: Page) -> Page:
    """A copy right after the page, with copies of its questions under new codes."""
    survey = page.survey
    require(actor, "surveys.manage", survey.module)
    pages = _pages(survey)
    title = (_("%(title)s (Kopie)") % {"title": page.title})[:200] if page.title else ""
    copy = Page.objects.create(survey=survey, title=title, description=page.description,
                               condition=dict(page.condition))  # fmt: skip
    pages.insert([item.pk for item in pages].index(page.pk) + 1, copy)
    _renumber(pages)
    for question in Question.objects.filter(page=page).order_by("position", "id"):
        _copy_question(question, copy, question.position)
    return copy


@transaction.atomic
def page_delete(*, actor: Any, page: Page, confirm: bool = False) -> None:
    """Delete a page with its questions. Answers given to them go too, and only with ``confirm``."""
    survey = page.survey
    require(actor, "surveys.manage", survey.module)
    answered = Answer.objects.filter(question__page=page).count()
    if answered and not confirm:
        raise ValidationError({"confirm": _(
            "Auf dieser Seite wurden schon %(count)d Antworten gegeben. Bitte bestätigen Sie, dass sie mit der Seite "
            "gelöscht werden."
        ) % {"count": answered}})  # fmt: skip
    name, codes = str(page), list(page.questions.values_list("code", flat=True))
    # Through the queryset, so a refusal below (rolled back) leaves the caller's instance intact.
    Page.objects.filter(pk=page.pk).delete()
    if answered:
        results.changed(survey)
    _renumber(_pages(survey))
    check_order(survey)
    organisation = survey.module.project.organisation
    if answered:
        log_action(actor=actor, action="survey.destructive_edit", obj=survey, organisation=organisation,
                   changes={"seite": name, "fragen": codes, "geloeschte_antworten": answered})  # fmt: skip
    log_action(actor=actor, action="survey.page_delete", obj=survey, organisation=organisation,
               changes={"seite": name, "fragen": codes})  # fmt: skip


# --- questions ------------------------------------------------------------------------------------------------


def _copy_question(question: Question, page: Page, position: int) -> Question:
    copy = Question.objects.create(
        survey=question.survey, page=page, position=position, code=unique_code(question.survey, question.code),
        type=question.type, text=question.text, help_text=question.help_text, required=question.required,
        config=dict(question.config), condition=dict(question.condition), answer_set_id=question.answer_set_id,
        image=question.image.name if question.image else "", image_alt=question.image_alt, publish=question.publish,
    )  # fmt: skip
    Option.objects.bulk_create(Option(question=copy, position=option.position, code=option.code, label=option.label)
                               for option in question.options.all())  # fmt: skip
    MatrixRow.objects.bulk_create(MatrixRow(question=copy, position=row.position, code=row.code, label=row.label)
                                  for row in question.rows.all())  # fmt: skip
    return copy


def _siblings(page: Page) -> list[Question]:
    return list(Question.objects.filter(page=page).order_by("position", "id"))


@transaction.atomic
def question_duplicate(*, actor: Any, question: Question) -> Question:
    """A copy right after the question, under a new code (the old one is the original's, never reused)."""
    require(actor, "surveys.manage", question.survey.module)
    siblings = _siblings(question.page)
    copy = _copy_question(question, question.page, question.position)
    siblings.insert([item.pk for item in siblings].index(question.pk) + 1, copy)
    _renumber(siblings)
    return copy


@transaction.atomic
def question_move(*, actor: Any, question: Question, direction: int) -> None:
    """One step up (``-1``) or down (``+1``); past the first or last question of its page onto the neighbour page.

    Refused when a condition would then name a question that is not on an earlier page.
    """
    survey = question.survey
    require(actor, "surveys.manage", survey.module)
    siblings = _siblings(question.page)
    index = [item.pk for item in siblings].index(question.pk)
    target = index + direction
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
        _renumber(siblings)
    else:
        pages = _pages(survey)
        neighbour = [page.pk for page in pages].index(question.page_id) + direction
        if not 0 <= neighbour < len(pages):
            return
        others = _siblings(pages[neighbour])
        siblings.remove(question)
        question.page = pages[neighbour]
        question.save(update_fields=["page"])
        _renumber(siblings)
        _renumber([*others, question] if direction < 0 else [question, *others])
    check_order(survey)


@transaction.atomic
def question_delete(*, actor: Any, question: Question, confirm: bool = False) -> None:
    """Delete a question; refused while a condition names it, and with answers only with ``confirm``."""
    survey = question.survey
    require(actor, "surveys.manage", survey.module)
    users = _users_of(survey, question.code)
    if users:
        raise ValidationError(_("Die Frage „%(code)s“ wird in der Bedingung von %(users)s verwendet. Ändern Sie zuerst "
                                "diese Bedingung.") % {"code": question.code, "users": ", ".join(users)})  # fmt: skip
    answered = question.answers.count()
    if answered and not confirm:
        raise ValidationError({"confirm": _(
            "Auf diese Frage wurden schon %(count)d Antworten gegeben. Bitte bestätigen Sie, dass sie mit der Frage "
            "gelöscht werden."
        ) % {"count": answered}})  # fmt: skip
    code, text, page = question.code, question.text, question.page
    Question.objects.filter(pk=question.pk).delete()
    if answered:
        results.changed(survey)
    _renumber(_siblings(page))
    check_order(survey)
    organisation = survey.module.project.organisation
    if answered:
        log_action(actor=actor, action="survey.destructive_edit", obj=survey, organisation=organisation,
                   changes={"frage": code, "text": text, "geloeschte_antworten": answered})  # fmt: skip
    log_action(actor=actor, action="survey.question_delete", obj=survey, organisation=organisation,
               changes={"frage": code, "text": text})  # fmt: skip


# Which ``config`` keys each type reads (see ``questions.py``); the others are dropped when a question is saved.
CONFIG_KEYS: dict[str, tuple[str, ...]] = {
    QuestionType.SINGLE: ("display", "other", "other_label", "randomise"),
    QuestionType.MULTIPLE: ("min", "max", "other", "other_label", "randomise"),
    QuestionType.SHORT_TEXT: ("max_length",),
    QuestionType.LONG_TEXT: ("max_length",),
    QuestionType.NUMBER: ("min", "max", "step", "unit"),
    QuestionType.DATE: ("min", "max"),
    QuestionType.SCALE: ("scale", "low_label", "high_label"),
}


def clean_config(question_type: str, config: Mapping[str, Any]) -> dict[str, Any]:
    keys = CONFIG_KEYS.get(question_type, ())
    return {key: value for key, value in config.items() if key in keys and value not in (None, "", False)}


def _valid_codes(question_type: str, config: Mapping[str, Any], codes: set[str]) -> set[str]:
    """The choice codes an answer of this type may hold after the edit."""
    if question_type == QuestionType.SCALE:
        return {choice.code for choice in questions.scale_choices(config)}
    if question_type == QuestionType.YES_NO:
        return {questions.YES, questions.NO}
    return codes | ({questions.OTHER} if config.get("other") else set())


def _losses(question: Question, new_type: str, config: Mapping[str, Any], codes: set[str],
            rows: set[str] | None) -> tuple[list[str], Q]:  # fmt: skip
    """What an edit would make invalid of the answers already given, in words, and those answers."""
    answers = Answer.objects.filter(question=question)
    if not answers.exists():
        return [], Q(pk__in=[])
    if new_type != question.type:
        return [_("Fragetyp von „%(old)s“ zu „%(new)s“ geändert") % {
            "old": QuestionType(question.type).label, "new": QuestionType(new_type).label}], Q()  # fmt: skip
    losses, invalid = [], Q(pk__in=[])
    if new_type in (*CHOICE_TYPES, QuestionType.SCALE):
        chosen = set(answers.exclude(choice="").values_list("choice", flat=True).distinct())
        gone = sorted(chosen - _valid_codes(new_type, config, codes))
        if gone:
            losses.append(_("Gewählte Antworten entfernt oder umbenannt: %(codes)s") % {"codes": ", ".join(gone)})
            invalid |= Q(choice__in=gone)
    if new_type == QuestionType.MATRIX and rows is not None:
        answered_rows = set(answers.exclude(row="").values_list("row", flat=True).distinct())
        gone = sorted(answered_rows - rows)
        if gone:
            losses.append(_("Beantwortete Zeilen entfernt oder umbenannt: %(codes)s") % {"codes": ", ".join(gone)})
            invalid |= Q(row__in=gone)
    return losses, invalid


def _require_own_answer_set(survey: Survey, answer_set: AnswerSet) -> None:
    if answer_set.organisation_id != survey.module.project.organisation_id:
        raise ValidationError({"answer_set": _("Diese Antwortliste gehört nicht zu Ihrer Organisation.")})


def _check_code_change(survey: Survey, question: Question, code: str) -> None:
    if Question.objects.filter(survey=survey, code=code).exclude(pk=question.pk).exists():
        raise ValidationError(
            {"code": _("Das Kürzel „%(code)s“ ist in dieser Umfrage schon vergeben.") % {"code": code}}
        )
    if survey.responses.exists() or survey.drafts.exists():
        raise ValidationError({"code": _("Das Kürzel kann nicht mehr geändert werden: Es gibt schon Antworten oder "
                                         "angefangene Antwortbögen, die es verwenden.")})  # fmt: skip
    users = _users_of(survey, question.code)
    if users:
        raise ValidationError({"code": _("Das Kürzel wird in der Bedingung von %(users)s verwendet. Ändern Sie zuerst "
                                         "diese Bedingung.") % {"users": ", ".join(users)}})  # fmt: skip


def _set_image(question: Question, image: Any, image_alt: str, *, remove: bool) -> None:
    """The picture of an information block: re-encoded (no EXIF, no payload) and never without a description."""
    if question.type != QuestionType.INFO:
        question.image, question.image_alt = "", ""  # type: ignore[assignment]
        return
    question.image_alt = image_alt.strip()
    if remove and not image:
        question.image = ""  # type: ignore[assignment]  # the file may be shared with a copy, so it stays
    if (image or question.image) and not question.image_alt:
        raise ValidationError({"image_alt": _("Bitte beschreiben Sie, was auf dem Bild zu sehen ist.")})
    if image:
        checked = reencode_image(image)
        question.image.save(checked.content.name, checked.content, save=False)


@transaction.atomic
def question_update(
    *, actor: Any, question: Question, text: str, type: str | None = None, code: str | None = None,
    required: bool = False, help_text: str = "", config: Mapping[str, Any] | None = None,
    options: Iterable[tuple[str, str]] | None = None, rows: Iterable[tuple[str, str]] | None = None,
    answer_set: AnswerSet | None = None, condition: Mapping[str, Any] | None = None, publish: bool = True,
    image: Any = None, image_alt: str = "", remove_image: bool = False, confirm: bool = False,
) -> Question:  # fmt: skip
    """Change a question. ``options``/``rows`` None keeps them.

    Once answers exist, an edit that makes some of them invalid (another type, a chosen option or an answered
    matrix row gone or renamed, a scale cut short) needs ``confirm``; the invalid answers are then removed and the
    edit goes to the audit log, so results never count answers to a question that no longer asks them.
    """
    survey = question.survey
    require(actor, "surveys.manage", survey.module)
    new_type = type or question.type
    if new_type not in QuestionType.values:
        raise ValidationError({"type": _("Unbekannter Fragetyp.")})
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Bitte geben Sie den Text der Frage an.")})
    code = (code or question.code).strip()
    if code != question.code:
        _check_code_change(survey, question, code)
    config = clean_config(new_type, config if config is not None else question.config)
    uses_options = new_type in CHOICE_TYPES
    if answer_set is not None and uses_options:
        _require_own_answer_set(survey, answer_set)
    else:
        answer_set = None
    option_list = list(options) if options is not None else [(o.code, o.label) for o in question.options.all()]
    row_list = list(rows) if rows is not None else [(r.code, r.label) for r in question.rows.all()]
    if answer_set is not None:
        codes = set(answer_set.options.values_list("code", flat=True))
    else:
        codes = {option_code for option_code, _label in option_list} if uses_options else set()
    row_codes = {row_code for row_code, _label in row_list} if new_type == QuestionType.MATRIX else set()
    losses, invalid = _losses(question, new_type, config, codes, row_codes)
    if losses and not confirm:
        raise ValidationError({"confirm": _(
            "Es gibt schon Antworten auf diese Frage, die durch diese Änderung ungültig würden (%(what)s). Bitte "
            "bestätigen Sie die Änderung ausdrücklich oder machen Sie sie rückgängig."
        ) % {"what": "; ".join(losses)}})  # fmt: skip
    question.type, question.text, question.code, question.config = new_type, text, code, config
    question.required = required and new_type != QuestionType.INFO
    question.help_text, question.publish, question.answer_set = help_text.strip(), publish, answer_set
    question.condition = _checked_condition(condition, earlier=earlier_codes(survey, question.page), own=code)
    _set_image(question, image, image_alt, remove=remove_image)
    question.full_clean(exclude=["survey", "page", "answer_set"])
    question.save()
    Option.objects.filter(question=question).delete()
    MatrixRow.objects.filter(question=question).delete()
    if uses_options:
        _set_choices(question, () if answer_set else option_list, row_list if new_type == QuestionType.MATRIX else ())
    if new_type == QuestionType.SINGLE:
        Quota.objects.filter(question=question).exclude(option_code__in=codes).delete()
    else:
        Quota.objects.filter(question=question).delete()
    if losses:
        removed, _by_model = Answer.objects.filter(Q(question=question) & invalid).delete()
        results.changed(survey)
        log_action(actor=actor, action="survey.destructive_edit", obj=question,
                   organisation=survey.module.project.organisation,
                   changes={"frage": question.code, "aenderungen": losses, "entfernte_antworten": removed})  # fmt: skip
    return question


# --- answer sets ----------------------------------------------------------------------------------------------


@transaction.atomic
def answer_set_save(*, actor: Any, module: Module, name: str, options: Iterable[tuple[str, str]],
                    answer_set: AnswerSet | None = None) -> AnswerSet:  # fmt: skip
    """Create or change one of the organisation's answer sets (reached from a survey of ``module``).

    Options that were chosen in any answer to a question using the set cannot be removed here: the set is shared,
    so one survey's edit must not invalidate another's answers.
    """
    require(actor, "surveys.manage", module)
    organisation = module.project.organisation
    name, options = name.strip(), list(options)
    if not name:
        raise ValidationError({"name": _("Bitte geben Sie der Antwortliste einen Namen.")})
    if len(options) < 2:
        raise ValidationError({"options": _("Bitte geben Sie mindestens zwei Antwortmöglichkeiten an.")})
    others = AnswerSet.objects.filter(organisation=organisation, name=name)
    if answer_set is None:
        answer_set = AnswerSet(organisation=organisation)
    elif answer_set.organisation_id != organisation.pk:
        raise PermissionDenied
    if others.exclude(pk=answer_set.pk).exists():
        raise ValidationError({"name": _("Eine Antwortliste mit diesem Namen gibt es schon.")})
    if answer_set.pk:
        gone = set(answer_set.options.values_list("code", flat=True)) - {code for code, _label in options}
        chosen = sorted(set(Answer.objects.filter(question__answer_set=answer_set, choice__in=gone)
                            .values_list("choice", flat=True)))  # fmt: skip
        if chosen:
            raise ValidationError({"options": _(
                "Diese Antworten wurden in Umfragen schon gewählt und können nicht entfernt oder umbenannt werden: "
                "%(codes)s."
            ) % {"codes": ", ".join(chosen)}})  # fmt: skip
    answer_set.name = name
    answer_set.full_clean(exclude=["organisation"])
    answer_set.save()
    answer_set.options.all().delete()
    Option.objects.bulk_create(Option(answer_set=answer_set, position=index, code=code, label=label)
                               for index, (code, label) in enumerate(options))  # fmt: skip
    log_action(actor=actor, action="survey.answer_set", obj=answer_set, organisation=organisation,
               changes={"name": name, "antworten": [code for code, _label in options]})  # fmt: skip
    return answer_set
