"""Answering a survey: drafts page by page, save and resume, and the submission with its quotas.

Every check that matters is made here, on the server: whether the survey is open (the module's phase, in
Europe/Berlin), whether this respondent may answer (access mode, token, account, the project's protected mode),
which questions are shown (conditions), and whether each answer is valid. Answers to questions a respondent
is not shown are dropped, whatever a form sends.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.accounts import assurance
from mitwirken.core.uploads import check_attachment

from .. import questions
from ..models import (
    Access,
    Anonymity,
    Answer,
    Completion,
    Draft,
    Quota,
    Response,
    ResponseIdentity,
    Survey,
    Token,
    new_results_key,
)
from ..questionnaire import Item, Questionnaire


class SurveyClosed(ValidationError):
    pass


class AlreadyAnswered(ValidationError):
    pass


class QuotaFull(ValidationError):
    pass


class LoginTooWeak(PermissionDenied):
    """All that stops this respondent is the trust level of their login: the page offers the step-up login."""


@dataclass
class Respondent:
    """Who is answering: an account, a personal code, or a browser (public surveys), or several of them."""

    user: Any
    token: Token | None = None
    browser_key: str = ""  # the secret of a public respondent's draft, from a cookie or a resume link

    @property
    def has_account(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))


def new_browser_key() -> str:
    return secrets.token_urlsafe(24)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# --- who may answer -------------------------------------------------------------------------------------------


def token_for(survey: Survey, code: str) -> Token | None:
    """The survey's code as typed: e-mailed codes exactly, paper codes also in lower case or without hyphens."""
    code = (code or "").strip()
    if not code or len(code) > 40:
        return None
    candidates = {code, _paper_form(code)}
    return Token.objects.filter(survey=survey, code__in=candidates).first()


def _paper_form(code: str) -> str:
    """A code from a letter as printed (XXXX-XXXX-XXXX), however it was typed."""
    plain = "".join(character for character in code.upper() if character.isalnum())
    return "-".join(plain[index : index + 4] for index in range(0, len(plain), 4)) if len(plain) == 12 else code


def refusal(survey: Survey, respondent: Respondent) -> str:
    """Why this respondent cannot answer now, in words for them; empty when they can."""
    module = survey.module
    if not module.allows("respond"):
        return closed_reason(module)
    # ``rules.has_perm``, not ``user.has_perm``: answering is taking part in person, which a superuser's blanket
    # pass must not stretch to surveys of projects they are not invited to (as reviewing one's own report).
    if needs_step_up(survey, respondent):
        return login_too_weak_message(survey.min_assurance_level)
    if not rules.has_perm("surveys.respond", respondent.user, module):
        if not respondent.has_account:
            return _("Bitte melden Sie sich an, um an dieser Umfrage teilzunehmen.")
        return _("Diese Umfrage ist nur für eingeladene Personen.")
    if survey.access == Access.TOKEN:
        if respondent.token is None:
            return _("Für diese Umfrage brauchen Sie Ihren persönlichen Zugangscode.")
        if respondent.token.used:
            return _("Mit diesem Zugangscode wurde die Umfrage bereits beantwortet. Jeder Code gilt einmal.")
    if survey.access == Access.ACCOUNT and Completion.objects.filter(survey=survey, user=respondent.user).exists():
        return _("Sie haben diese Umfrage bereits beantwortet. Vielen Dank!")
    return ""


def needs_step_up(survey: Survey, respondent: Respondent) -> bool:
    """Only the login's trust level is missing (a BundID login, which also signs in someone without an account)."""
    if assurance.meets(respondent.user, survey.min_assurance_level):
        return False
    if not respondent.has_account:
        return True
    return rules.has_perm("surveys.respond_any_login", respondent.user, survey.module)


def login_too_weak_message(required: int) -> str:
    return _(
        "Für diese Umfrage ist eine Anmeldung mit BundID mit dem Vertrauensniveau „%(level)s“ oder höher nötig; "
        "Ihre aktuelle Anmeldung reicht dafür nicht aus. Bereits gespeicherte Antworten bleiben erhalten."
    ) % {"level": assurance.AssuranceLevel(required).label}


def closed_reason(module: Any) -> str:
    """When the survey opens or when it closed, in Europe/Berlin time."""
    now = timezone.now()
    phases = [phase for phase in module.phases.all() if "respond" in phase.features]
    upcoming = min((phase for phase in phases if phase.start > now), key=lambda phase: phase.start, default=None)
    if upcoming is not None:
        return _("Die Umfrage beginnt am %(start)s Uhr.") % {"start": _when(upcoming.start)}
    ended = max((phase for phase in phases if phase.end <= now), key=lambda phase: phase.end, default=None)
    if ended is not None:
        return _("Die Umfrage wurde am %(end)s Uhr geschlossen. Antworten sind nicht mehr möglich.") % {
            "end": _when(ended.end)}  # fmt: skip
    return _("Diese Umfrage ist derzeit nicht geöffnet.")


def _when(moment: Any) -> str:
    from django.utils.formats import date_format

    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _require_may_answer(survey: Survey, respondent: Respondent) -> None:
    reason = refusal(survey, respondent)
    if not reason:
        return
    if not survey.module.allows("respond"):
        raise SurveyClosed(reason)
    if needs_step_up(survey, respondent):
        raise LoginTooWeak(reason)
    answered_token = survey.access == Access.TOKEN and respondent.token is not None and respondent.token.used
    answered_account = survey.access == Access.ACCOUNT and rules.has_perm(
        "surveys.respond", respondent.user, survey.module
    )
    if answered_token or answered_account:
        raise AlreadyAnswered(reason)
    raise PermissionDenied(reason)


# --- drafts ---------------------------------------------------------------------------------------------------


def draft_for(survey: Survey, respondent: Respondent) -> Draft | None:
    """The respondent's saved answers: by code in token surveys, by account, else by the browser's key."""
    drafts = Draft.objects.filter(survey=survey)
    if survey.access == Access.TOKEN:
        return drafts.filter(token=respondent.token).first() if respondent.token else None
    if respondent.has_account and survey.access == Access.ACCOUNT:
        return drafts.filter(user=respondent.user).first()
    if respondent.browser_key:
        return drafts.filter(key_hash=key_hash(respondent.browser_key)).first()
    return None


def new_draft(survey: Survey, respondent: Respondent, questionnaire: Questionnaire) -> Draft:
    draft = Draft(survey=survey, orders=questionnaire.random_orders())
    if survey.access == Access.TOKEN:
        draft.token = respondent.token
    elif respondent.has_account and survey.access == Access.ACCOUNT:
        draft.user = respondent.user
    else:
        draft.key_hash = key_hash(respondent.browser_key)
    return draft


@dataclass
class PageResult:
    """What happened to a posted page: the items with their errors and values, and where to go next."""

    items: list[Item]
    errors: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # answers sent for questions not shown on this page
    next_page: int | None = None  # None: this was the last page shown
    quota_full: bool = False
    dropped_files: list[Any] = field(default_factory=list)  # uploads the draft no longer holds (replaced or hidden)

    @property
    def ok(self) -> bool:
        return not self.errors


def page_items(questionnaire: Questionnaire, draft: Draft, index: int) -> list[Item]:
    """The questions of page ``index`` that this respondent is shown, with their saved answers."""
    shown = questionnaire.shown(draft.answers)
    items = []
    for question in questionnaire.pages[index].questions.all():
        if question.code in shown:
            item = questionnaire.item(question, draft.orders)
            item.value = draft.answers.get(question.code)
            items.append(item)
    return items


def read_page(
    questionnaire: Questionnaire, draft: Draft, index: int, data: Mapping[str, Any], files: Mapping[str, Any],
    *, enforce_required: bool = True,
) -> PageResult:  # fmt: skip
    """Check the answers sent for page ``index``; on success they are in ``draft.answers`` (not yet saved)."""
    items = page_items(questionnaire, draft, index)
    result = PageResult(items)
    shown_here = {item.code for item in items}
    result.ignored = sorted(_sent_codes(questionnaire, [*data, *files]) - shown_here)
    values = {}
    uploaded = []  # stored while reading this page: to be removed again if the page is refused
    for item in items:
        if not questions.has_answer(item.question.type):
            continue
        try:
            if item.question.type == "file" and item.field.name not in files and draft.answers.get(item.code):
                values[item.code] = draft.answers[item.code]  # uploaded on an earlier visit of this page
                continue
            value = questions.read(item.field, data, files, enforce_required=enforce_required)
            if value is not None and item.question.type == "file" and not isinstance(value, dict):
                value = _store_upload(questionnaire.survey, value)
                uploaded.append(value)
        except ValidationError as error:
            item.error = " ".join(error.messages)
            result.errors[item.code] = item.error
            continue
        item.value = value
        values[item.code] = value
    if result.errors:
        # The page is refused as a whole, its valid uploads too: nothing would ever point to them.
        _remove_files({str(number): value for number, value in enumerate(uploaded)})
        for item in items:
            if item.question.type == "file":
                item.value = draft.answers.get(item.code)
        return result
    before = dict(draft.answers)
    for code in shown_here:
        draft.answers.pop(code, None)
    draft.answers.update({code: value for code, value in values.items() if value is not None})
    # An answer changed here can hide later questions: their answers go at once, so nothing hidden is kept.
    draft.answers = questionnaire.kept(draft.answers)
    result.dropped_files = [value for code, value in before.items()
                            if _is_file(value) and draft.answers.get(code) != value]  # fmt: skip
    draft.page = index
    shown_pages = questionnaire.shown_pages(draft.answers)
    later = [page for page in shown_pages if page > index]
    result.next_page = later[0] if later else None
    result.quota_full = bool(full_quotas(questionnaire.survey, draft.answers))
    return result


def _sent_codes(questionnaire: Questionnaire, keys: list[str]) -> set[str]:
    """The questions a form sent answers for: ``q-<code>`` and ``q-<code>-<part>`` (codes may contain hyphens)."""
    return {
        code for code in questionnaire.by_code for key in keys if key == f"q-{code}" or key.startswith(f"q-{code}-")
    }


def _store_upload(survey: Survey, upload: Any) -> dict[str, str]:
    checked = check_attachment(upload)
    name = default_storage.save(f"surveys/files/{survey.pk}/{secrets.token_hex(12)}-{checked.content.name}",
                                checked.content)  # fmt: skip
    return {"path": name, "name": str(upload.name or "")[:200]}


def save_page(
    survey: Survey, respondent: Respondent, questionnaire: Questionnaire, draft: Draft, index: int,
    data: Mapping[str, Any], files: Mapping[str, Any], *, enforce_required: bool = True,
) -> PageResult:  # fmt: skip
    """Check and keep one page's answers. A survey that closed meanwhile refuses, with the answers unsaved."""
    _require_may_answer(survey, respondent)
    result = read_page(questionnaire, draft, index, data, files, enforce_required=enforce_required)
    if result.ok:
        draft.save()
        _remove_files({str(number): value for number, value in enumerate(result.dropped_files)})
    return result


def discard(draft: Draft | None) -> None:
    if draft is not None and draft.pk:
        _remove_files(draft.answers)
        draft.delete()


def _is_file(value: Any) -> bool:
    return isinstance(value, dict) and "path" in value


def _remove_files(answers: Mapping[str, Any]) -> None:
    for value in answers.values():
        if _is_file(value):
            default_storage.delete(value["path"])


# --- quotas ---------------------------------------------------------------------------------------------------


def applicable_quotas(survey: Survey, answers: Mapping[str, Any]) -> list[Quota]:
    """The quotas a response with these answers counts against: the total and those of its chosen options."""
    quotas = []
    for quota in Quota.objects.filter(survey=survey).select_related("question").order_by("pk"):
        if quota.question is None:
            quotas.append(quota)
            continue
        value = questions.comparable(quota.question.type, answers.get(quota.question.code))
        if value is not None and str(value) == quota.option_code:
            quotas.append(quota)
    return quotas


def full_quotas(survey: Survey, answers: Mapping[str, Any]) -> list[Quota]:
    return [quota for quota in applicable_quotas(survey, answers) if quota.is_full]


# --- submission -----------------------------------------------------------------------------------------------


def pseudonym(survey: Survey, respondent: Respondent) -> str:
    """The same opaque name for the same respondent in this survey, without their account or code in it."""
    if respondent.token is not None:
        who = f"token:{respondent.token.pk}"
    elif respondent.has_account:
        who = f"user:{respondent.user.pk}"
    else:
        who = f"browser:{respondent.browser_key}"
    message = f"survey:{survey.pk}:{who}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def submit(survey: Survey, respondent: Respondent, questionnaire: Questionnaire, draft: Draft) -> Response:
    """Store the response with its answers, count it against its quotas and mark the respondent as done.

    All of it happens in one transaction or not at all. Quotas are raised by a conditional UPDATE
    (``filled < limit``), which the database applies one at a time per row, so a quota of 100 takes exactly
    100 responses however many arrive at once.
    """
    _require_may_answer(survey, respondent)
    answers = {code: value for code, value in questionnaire.kept(draft.answers).items()
               if questions.still_valid(questionnaire.item(questionnaire.by_code[code]).field, value)}  # fmt: skip
    missing = [question.code for question in questionnaire.questions
               if question.required and question.code in questionnaire.shown(answers) and question.code not in answers
               and questions.has_answer(question.type)]  # fmt: skip
    if missing:
        raise ValidationError({code: _("Bitte beantworten Sie diese Frage.") for code in missing})
    try:
        with transaction.atomic():
            _claim(survey, respondent)
            for quota in applicable_quotas(survey, answers):
                if not Quota.objects.filter(pk=quota.pk, filled__lt=F("limit")).update(filled=F("filled") + 1):
                    raise QuotaFull(_("Für diese Umfrage werden keine weiteren Antworten dieser Gruppe benötigt."))
            # The login's trust level says how sure the portal is that a distinct real person answered, not who.
            login = assurance.current(respondent.user)
            response = Response.objects.create(survey=survey, submitted_on=timezone.localdate(),
                                               assurance_level=login.level,
                                               identity_provider=login.provider if login.level else "")  # fmt: skip
            Answer.objects.bulk_create(
                Answer(response=response, question=questionnaire.by_code[code], **row)
                for code, value in answers.items()
                for row in questions.answer_rows(questionnaire.by_code[code].type, value)
            )  # fmt: skip
            if survey.anonymity != Anonymity.ANONYMOUS:
                identified = survey.anonymity == Anonymity.IDENTIFIED
                ResponseIdentity.objects.create(
                    response=response, pseudonym=pseudonym(survey, respondent),
                    user=respondent.user if identified and respondent.has_account else None,
                    token=respondent.token if identified else None,
                    submitted_at=timezone.now() if identified else None,
                    # Mein Unternehmenskonto: whom the person answered for, kept only where names are kept.
                    on_behalf_of_name=login.acting_for_name[:200] if identified else "",
                    on_behalf_of_id=login.acting_for_id[:100] if identified else "",
                )  # fmt: skip
            # A new results key retires the cached results (``results.changed``), in the same UPDATE.
            Survey.objects.filter(pk=survey.pk).update(response_count=F("response_count") + 1,
                                                       results_key=new_results_key())  # fmt: skip
            if draft.pk:
                # Files of answers that were dropped (hidden questions) go; the kept ones now belong to the response.
                _remove_files({code: value for code, value in draft.answers.items() if code not in answers})
                draft.delete()
    except QuotaFull:
        discard(draft)
        raise
    return response


def unordered_id() -> int:
    """A primary key that says nothing about when the row was written (63 bits, positive in every database)."""
    return secrets.randbelow(2**62) + 1


def _claim(survey: Survey, respondent: Respondent) -> None:
    """Mark the code or the account as done, exactly once even when the same person submits twice at once."""
    if survey.access == Access.TOKEN:
        token = respondent.token
        if token is None or not Token.objects.filter(pk=token.pk, used=False).update(used=True):
            raise AlreadyAnswered(_("Mit diesem Zugangscode wurde die Umfrage bereits beantwortet."))
        token.used = True
    elif survey.access == Access.ACCOUNT:
        try:
            with transaction.atomic():
                # A random id, not the next number: responses are numbered in the order they arrive, so
                # completions numbered the same way would pair the n-th account with the n-th response.
                Completion.objects.create(pk=unordered_id(), survey=survey, user=respondent.user)
        except IntegrityError:
            raise AlreadyAnswered(_("Sie haben diese Umfrage bereits beantwortet.")) from None
