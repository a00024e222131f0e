"""The questionnaire as respondents meet it, read in a constant number of queries: pages, questions, options,
matrix rows; which of them are shown for a set of answers; the order of options for one respondent."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property
from typing import Any

from django.db.models import Prefetch

from . import conditions, questions
from .models import Option, Page, Question, QuestionType, Survey


@dataclass(frozen=True)
class Progress:
    position: int  # 1-based among the pages this respondent sees or may still see
    total: int
    is_first: bool
    is_last: bool  # nothing can follow: the page's button sends the answers
    previous_number: int | None  # the page "Zurück" leads to (1-based)


GROUPED = (
    QuestionType.MULTIPLE,
    QuestionType.YES_NO,
    QuestionType.SCALE,
    QuestionType.MATRIX,
    QuestionType.RANKING,
    QuestionType.LOCATION,
)


@dataclass
class Item:
    """A question with what a form needs: its field and, for this respondent, the order of its options."""

    question: Question
    field: questions.Field
    error: str = ""
    value: Any = None
    extra: dict[str, Any] = dataclass_field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.question.code

    @property
    def grouped(self) -> bool:
        """Shown as a fieldset with a legend (several inputs), not as one labelled input."""
        if self.question.type == QuestionType.SINGLE:
            return self.question.config.get("display") != "select"
        return self.question.type in GROUPED


class Questionnaire:
    def __init__(self, survey: Survey) -> None:
        self.survey = survey
        options = Option.objects.order_by("position", "id")
        self.pages: list[Page] = list(
            Page.objects.filter(survey=survey).prefetch_related(
                Prefetch("questions", queryset=Question.objects.select_related("answer_set").prefetch_related(
                    Prefetch("options", queryset=options), Prefetch("answer_set__options", queryset=options), "rows",
                ).order_by("position", "id"))
            ).order_by("position", "id")
        )  # fmt: skip

    @cached_property
    def questions(self) -> list[Question]:
        return [question for page in self.pages for question in page.questions.all()]

    @cached_property
    def by_code(self) -> dict[str, Question]:
        return {question.code: question for question in self.questions}

    def page_of(self, question: Question) -> int:
        return next(index for index, page in enumerate(self.pages) if page.pk == question.page_id)

    # --- visibility -------------------------------------------------------------------------------------------

    def shown(self, answers: Mapping[str, Any]) -> set[str]:
        """Codes of the questions a respondent with ``answers`` is shown, page by page in order."""
        visible: set[str] = set()

        def value_of(code: str) -> Any:
            question = self.by_code.get(code)
            if question is None or code not in visible:
                return None
            return questions.comparable(question.type, answers.get(code))

        for page in self.pages:
            if not conditions.evaluate(page.condition, value_of):
                continue
            # Conditions name earlier pages only, so a page's own answers never decide its questions.
            page_visible = [q.code for q in page.questions.all() if conditions.evaluate(q.condition, value_of)]
            visible.update(page_visible)
        return visible

    def page_shown(self, index: int, answers: Mapping[str, Any]) -> bool:
        shown = self.shown(answers)
        return any(question.code in shown for question in self.pages[index].questions.all())

    def shown_pages(self, answers: Mapping[str, Any]) -> list[int]:
        shown = self.shown(answers)
        return [index for index, page in enumerate(self.pages)
                if any(question.code in shown for question in page.questions.all())]  # fmt: skip

    def progress(self, index: int, answers: Mapping[str, Any]) -> Progress:
        """Where page ``index`` stands for this respondent. A later page still hidden counts as coming when its
        conditions name a question of this page or a later one: the answers that decide it are not given yet."""
        shown = self.shown_pages(answers)
        open_codes = {question.code for page in self.pages[index:] for question in page.questions.all()}
        undecided = {
            later for later in range(index + 1, len(self.pages))
            if later not in shown and self._deciding_codes(later) & open_codes
        }  # fmt: skip
        pages = sorted(set(shown) | undecided | {index})
        position = pages.index(index)
        earlier = [page for page in shown if page < index]
        return Progress(position=position + 1, total=len(pages), is_first=not earlier,
                        is_last=position == len(pages) - 1,
                        previous_number=earlier[-1] + 1 if earlier else None)  # fmt: skip

    def _deciding_codes(self, index: int) -> set[str]:
        page = self.pages[index]
        codes = conditions.referenced(page.condition)
        for question in page.questions.all():
            codes |= conditions.referenced(question.condition)
        return codes

    def kept(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """Only the answers to questions that are shown: what a response stores."""
        shown = self.shown(answers)
        return {code: value for code, value in answers.items()
                if code in shown and code in self.by_code and value is not None}  # fmt: skip

    # --- fields -----------------------------------------------------------------------------------------------

    def item(self, question: Question, orders: Mapping[str, list[str]] | None = None) -> Item:
        options = list(question.answer_set.options.all() if question.answer_set else question.options.all())
        choices = [questions.Choice(option.code, option.label) for option in options]
        if question.type == QuestionType.SCALE:
            choices = questions.scale_choices(question.config)
        elif question.type == QuestionType.YES_NO:
            choices = questions.yes_no_choices()
        order = (orders or {}).get(question.code)
        if order and sorted(order) == sorted(choice.code for choice in choices):
            position = {code: index for index, code in enumerate(order)}
            choices.sort(key=lambda choice: position[choice.code])
        rows = [questions.Choice(row.code, row.label) for row in question.rows.all()]
        config = question.config
        if question.type == QuestionType.LOCATION and self.area_bounds:
            config = {**config, "bounds": self.area_bounds}
        return Item(question, questions.Field(question.code, question.type, question.required, config, choices, rows))

    @cached_property
    def area(self) -> dict[str, Any] | None:
        """Where location answers may lie: the project's area, else its organisation's."""
        project = self.survey.module.project
        return project.location or project.organisation.boundary

    @cached_property
    def area_bounds(self) -> list[float] | None:
        from mitwirken.core.geo import bounding_box

        return list(bounding_box(self.area)) if self.area else None

    def random_orders(self, seed: int | None = None) -> dict[str, list[str]]:
        """A per-respondent order of options for every question that randomises them."""
        generator = random.Random(seed)  # noqa: S311 - an order of options, not a secret
        orders = {}
        for question in self.questions:
            if question.config.get("randomise"):
                codes = [choice.code for choice in self.item(question).field.choices]
                generator.shuffle(codes)
                orders[question.code] = codes
        return orders
