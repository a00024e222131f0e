"""Publishing a survey's results: whether they are public, which questions, and which free texts one by one.

Free texts are never public by default: a text can name a person or say more than the respondent meant to
share publicly, so staff select each one after reading it (``Answer.text_published``).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import transaction

from mitwirken.core.audit import log_action
from mitwirken.core.permissions import require

from .. import results
from ..models import Answer, Question, Survey


@transaction.atomic
def results_publish(*, actor: Any, survey: Survey, published: bool, question_ids: Collection[int]) -> Survey:
    """Publish (or withdraw) the results, showing exactly the questions ``question_ids`` of this survey."""
    require(actor, "surveys.manage", survey.module)
    own = Question.objects.filter(survey=survey)
    before = sorted(own.filter(publish=True).values_list("pk", flat=True))
    chosen = sorted(own.filter(pk__in=list(question_ids)).values_list("pk", flat=True))
    own.filter(pk__in=chosen).update(publish=True)
    own.exclude(pk__in=chosen).update(publish=False)
    was = survey.results_published
    Survey.objects.filter(pk=survey.pk).update(results_published=published)
    survey.results_published = published
    changes: dict[str, Any] = {}
    if was != published:
        changes["results_published"] = [was, published]
    if before != chosen:
        changes["questions"] = [before, chosen]
    if changes:
        log_action(actor=actor, action="survey.results_publish", obj=survey,
                   organisation=survey.module.project.organisation, changes=changes)  # fmt: skip
    return survey


@transaction.atomic
def texts_select(
    *, actor: Any, survey: Survey, question: Question, shown: Collection[int], selected: Collection[int]
) -> int:
    """Of the free texts ``shown`` to staff (one page), publish those ``selected`` and withdraw the others.

    Only answers of ``question`` in ``survey`` change, whatever ids a form sends. Returns how many are public now.
    """
    require(actor, "surveys.manage", survey.module)
    if question.survey_id != survey.pk:
        raise Question.DoesNotExist
    on_page = Answer.objects.filter(question=question, pk__in=list(shown)).exclude(text="")
    chosen = set(selected) & set(shown)
    published = on_page.filter(pk__in=chosen, text_published=False).update(text_published=True)
    withdrawn = on_page.exclude(pk__in=chosen).filter(text_published=True).update(text_published=False)
    if published or withdrawn:
        results.changed(survey)  # the public page's count of texts is cached with the results
        log_action(actor=actor, action="survey.texts_publish", obj=question,
                   organisation=survey.module.project.organisation,
                   changes={"published": published, "withdrawn": withdrawn})  # fmt: skip
    return Answer.objects.filter(question=question, text_published=True).count()
