"""Conditions: a matrix of operator × question type × answered or not, for questions and for pages, checked in
``conditions.evaluate`` / ``Questionnaire.shown`` and through the views (what is shown, what is stored); forged
answers to hidden questions are never stored; ``conditions.check`` refuses what a builder must not save."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.test import Client

from mitwirken.surveys import conditions, questions
from mitwirken.surveys.models import Answer, Draft, Page, Question, Response
from mitwirken.surveys.questionnaire import Questionnaire
from mitwirken.surveys.services import building

from .conftest import login
from .dialogue_helpers import established, flash_messages
from .factories import ProjectFactory, UserFactory
from .survey_helpers import build_survey, page_url, staff, text_of

pytestmark = pytest.mark.django_db

ABC = [("a", "Antwort A"), ("b", "Antwort B"), ("c", "Antwort C")]
SOURCES = [
    {"type": "single", "code": "wahl", "text": "Einfachauswahl", "options": ABC},
    {"type": "multiple", "code": "mehr", "text": "Mehrfachauswahl", "options": ABC},
    {"type": "number", "code": "zahl", "text": "Zahl", "config": {"min": -100, "max": 100}},
    {"type": "scale", "code": "skala", "text": "Skala", "config": {"scale": "1-5"}},
    {"type": "date", "code": "datum", "text": "Datum"},
    {"type": "short_text", "code": "text", "text": "Text"},
    {"type": "yes_no", "code": "jane", "text": "Ja oder nein"},
]
# What the respondent types on page 1 for each source question (form values as a browser sends them).
FORM = {"wahl": "b", "mehr": ["a", "c"], "zahl": "12,5", "skala": "4", "datum": "24.12.2026",
        "text": "Mehr Radwege bitte", "jane": "ja"}  # fmt: skip


def questionnaire_pages(rule: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Page 1: the sources. Page 2 (always shown): ``folge`` with the rule. Page 3: shown by the rule. Page 4: end."""
    return [
        {"title": "Quellen", "questions": SOURCES},
        {"title": "Folgefragen", "questions": [
            {"type": "short_text", "code": "immer", "text": "Immer gefragt"},
            {"type": "short_text", "code": "folge", "text": "Nur unter der Bedingung", "condition": rule},
        ]},
        {"title": "Bedingte Seite", "condition": rule, "questions": [
            {"type": "short_text", "code": "seite3", "text": "Frage der bedingten Seite"},
        ]},
        {"title": "Schluss", "questions": [{"type": "short_text", "code": "ende", "text": "Zum Schluss"}]},
    ]  # fmt: skip


@dataclass(frozen=True)
class Case:
    rule: dict[str, Any]
    answered: tuple[str, ...]  # which sources the respondent answers (with ``FORM``)
    shown: bool

    @property
    def id(self) -> str:
        return f"{_words(self.rule)}|{'+'.join(self.answered) or 'nichts'}"


def _words(rule: dict[str, Any]) -> str:
    for group in ("all", "any"):
        if group in rule:
            return f"{group}(" + ",".join(_words(part) for part in rule[group]) + ")"
    return f"{rule['question']} {rule['op']} {rule.get('value', '')}".strip()


def rule(code: str, op: str, value: Any = None) -> dict[str, Any]:
    return {"question": code, "op": op} | ({} if value is None else {"value": value})


def single_cases(code: str, op: str, value: Any, shown: bool) -> list[Case]:
    """The rule with the source answered, and with it unanswered (where only ``not_answered`` holds)."""
    return [Case(rule(code, op, value), (code,), shown), Case(rule(code, op, value), (), op == "not_answered")]


MATRIX: list[Case] = []
for _code, _op, _value, _shown in [
    # single choice: the chosen option's code
    ("wahl", "equals", "b", True), ("wahl", "equals", "a", False),
    ("wahl", "one_of", ["a", "b"], True), ("wahl", "one_of", ["a", "c"], False),
    ("wahl", "contains", "b", True), ("wahl", "contains", "c", False),
    ("wahl", "answered", None, True), ("wahl", "not_answered", None, False),
    # multiple choice: the list of chosen codes
    ("mehr", "equals", ["c", "a"], True), ("mehr", "equals", ["a"], False),
    ("mehr", "one_of", ["b", "c"], True), ("mehr", "one_of", ["b"], False),
    ("mehr", "contains", "a", True), ("mehr", "contains", "b", False),
    ("mehr", "answered", None, True), ("mehr", "not_answered", None, False),
    # number (answered 12,5)
    ("zahl", "equals", "12.5", True), ("zahl", "equals", 12, False), ("zahl", "one_of", ["12.5", "3"], True),
    ("zahl", "gt", 10, True), ("zahl", "gt", "12,5", False), ("zahl", "gt", 100, False),
    ("zahl", "lt", 13, True), ("zahl", "lt", -1, False), ("zahl", "lt", "12.5", False),
    ("zahl", "answered", None, True), ("zahl", "not_answered", None, False),
    # scale (answered 4)
    ("skala", "equals", 4, True), ("skala", "equals", "3", False), ("skala", "one_of", [4, 5], True),
    ("skala", "one_of", [1, 2], False), ("skala", "gt", 3, True), ("skala", "gt", 4, False),
    ("skala", "lt", 5, True), ("skala", "lt", 4, False), ("skala", "answered", None, True),
    # date (answered 24.12.2026, kept as 2026-12-24)
    ("datum", "equals", "2026-12-24", True), ("datum", "equals", "2026-12-25", False),
    ("datum", "gt", "2026-12-01", True), ("datum", "gt", "2027-01-01", False),
    ("datum", "lt", "2027-01-01", True), ("datum", "lt", "2026-12-24", False),
    ("datum", "gt", 5, False),  # a number is no date: never true
    ("datum", "not_answered", None, False),
    # text (answered "Mehr Radwege bitte")
    ("text", "contains", "radwege", True), ("text", "contains", "Bus", False),
    ("text", "equals", "Mehr Radwege bitte", True), ("text", "equals", "Mehr", False),
    ("text", "gt", 5, False),  # text is no number
    ("text", "answered", None, True), ("text", "not_answered", None, False),
    # yes/no (answered "ja")
    ("jane", "equals", "ja", True), ("jane", "equals", "nein", False), ("jane", "one_of", ["ja"], True),
    ("jane", "one_of", ["nein"], False), ("jane", "answered", None, True), ("jane", "not_answered", None, False),
]:  # fmt: skip
    MATRIX += single_cases(_code, _op, _value, _shown)

ALL_SOURCES = tuple(FORM)
GROUPS = [
    Case({"all": [rule("wahl", "equals", "b"), rule("zahl", "gt", 10)]}, ALL_SOURCES, True),
    Case({"all": [rule("wahl", "equals", "b"), rule("zahl", "gt", 20)]}, ALL_SOURCES, False),
    Case({"any": [rule("wahl", "equals", "a"), rule("zahl", "gt", 10)]}, ALL_SOURCES, True),
    Case({"any": [rule("wahl", "equals", "a"), rule("zahl", "lt", 10)]}, ALL_SOURCES, False),
    Case({"all": [rule("jane", "equals", "ja"), {"any": [rule("mehr", "contains", "b"), rule("skala", "gt", 3)]}]},
         ALL_SOURCES, True),
    Case({"all": [rule("jane", "equals", "ja"), {"any": [rule("mehr", "contains", "b"), rule("skala", "gt", 4)]}]},
         ALL_SOURCES, False),
    Case({"any": [{"all": [rule("datum", "lt", "2026-01-01"), rule("text", "answered")]},
                  {"all": [rule("datum", "gt", "2026-01-01"), rule("text", "contains", "RADWEGE")]}]},
         ALL_SOURCES, True),
    Case({"any": [rule("wahl", "not_answered"), {"all": [rule("zahl", "answered"), rule("mehr", "equals", ["a"])]}]},
         ALL_SOURCES, False),
    Case({"any": [rule("wahl", "not_answered"), {"all": [rule("zahl", "answered"), rule("mehr", "equals", ["a"])]}]},
         ("zahl", "mehr"), True),  # wahl left out
    Case({"all": [rule("wahl", "equals", "b"), {"any": [rule("zahl", "not_answered"), rule("zahl", "lt", 0)]}]},
         ("wahl",), True),
    Case({"all": [rule("wahl", "equals", "b"), {"any": [rule("zahl", "not_answered"), rule("zahl", "lt", 0)]}]},
         ("wahl", "zahl"), False),
]  # fmt: skip
CASES = MATRIX + GROUPS


def test_matrix_covers_every_operator_and_source_type() -> None:
    def operators(case_rule: dict[str, Any]) -> set[str]:
        for group in ("all", "any"):
            if group in case_rule:
                return set().union(*(operators(part) for part in case_rule[group]))
        return {case_rule["op"]}

    assert set().union(*(operators(case.rule) for case in CASES)) == set(conditions.OPERATORS)
    assert {case.rule["question"] for case in MATRIX} == set(FORM)
    assert {True, False} <= {case.shown for case in MATRIX} and {"all", "any"} <= {next(iter(c.rule)) for c in GROUPS}


def form_for(answered: tuple[str, ...]) -> QueryDict:
    data = QueryDict(mutable=True)
    for code in answered:
        value = FORM[code]
        data.setlist(f"q-{code}", value if isinstance(value, list) else [value])
    return data


def respondent() -> Client:
    user = UserFactory()
    established(user)
    return login(Client(), user)


def stored_codes() -> set[str]:
    return set(Answer.objects.values_list("question__code", flat=True))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_condition_in_the_questionnaire(case: Case) -> None:
    survey = build_survey(ProjectFactory(), questionnaire_pages(case.rule))
    questionnaire = Questionnaire(survey)
    # The answers as the page reads them from the form, so the comparison sees what a draft keeps.
    data = form_for(case.answered)
    answers = {}
    for question in questionnaire.pages[0].questions.all():
        value = questions.read(questionnaire.item(question).field, data)
        if value is not None:
            answers[question.code] = value
    assert set(answers) == set(case.answered)

    def value_of(code: str) -> Any:
        return questions.comparable(questionnaire.by_code[code].type, answers.get(code))

    assert conditions.evaluate(case.rule, value_of) is case.shown
    shown = questionnaire.shown(answers)
    assert ("folge" in shown) is case.shown
    assert ("seite3" in shown) is case.shown
    assert {"immer", "ende"} <= shown
    assert questionnaire.shown_pages(answers) == ([0, 1, 2, 3] if case.shown else [0, 1, 3])
    # Whatever the dict holds for hidden questions, ``kept`` drops it.
    forged = {**answers, "folge": "x", "seite3": "y", "immer": "z"}
    assert {"folge", "seite3"} & set(questionnaire.kept(forged)) == ({"folge", "seite3"} if case.shown else set())


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_condition_through_the_views(case: Case) -> None:
    survey = build_survey(ProjectFactory(), questionnaire_pages(case.rule))
    client = respondent()
    response = client.post(page_url(survey, 1), dict(form_for(case.answered).lists()))
    assert response.status_code == 302 and response["Location"] == page_url(survey, 2)
    page_2 = text_of(client.get(page_url(survey, 2)))
    assert ('id="frage-folge"' in page_2) is case.shown
    assert 'id="frage-immer"' in page_2
    assert (f"Seite 2 von {4 if case.shown else 3}") in page_2
    # Answer "folge" whether shown or not (a forged post when hidden).
    response = client.post(page_url(survey, 2), {"q-immer": "immer", "q-folge": "folge"})
    assert response["Location"] == page_url(survey, 3 if case.shown else 4)
    assert ("folge" in Draft.objects.get().answers) is case.shown
    # Post the conditional page directly, shown or not: when hidden the server redirects and stores nothing.
    response = client.post(page_url(survey, 3), {"q-seite3": "dritte Seite"})
    assert response["Location"] == page_url(survey, 4)
    assert ("seite3" in Draft.objects.get().answers) is case.shown
    response = client.post(page_url(survey, 4), {"q-ende": "Ende"})
    assert response.status_code == 302 and response["Location"].endswith("/danke/")
    assert Response.objects.count() == 1
    expected = set(case.answered) | {"immer", "ende"} | ({"folge", "seite3"} if case.shown else set())
    assert stored_codes() == expected


# --- forged and outdated answers to hidden questions ----------------------------------------------------------

EQUALS_B = rule("wahl", "equals", "b")


def test_answers_for_a_later_page_posted_with_page_1_are_ignored_with_a_notice() -> None:
    survey = build_survey(ProjectFactory(), questionnaire_pages(EQUALS_B))
    client = respondent()
    response = client.post(page_url(survey, 1), {"q-wahl": "b", "q-folge": "zu früh", "q-seite3": "zu früh",
                                                  "q-ende": "zu früh"})  # fmt: skip
    assert response["Location"] == page_url(survey, 2)
    assert "nicht gespeichert" in " ".join(flash_messages(response))
    assert Draft.objects.get().answers == {"wahl": {"choice": "b", "other": ""}}


def test_a_post_to_a_hidden_page_redirects_and_stores_nothing() -> None:
    survey = build_survey(ProjectFactory(), questionnaire_pages(EQUALS_B))
    client = respondent()
    client.post(page_url(survey, 1), {"q-wahl": "a"})
    before = Draft.objects.get().answers
    response = client.post(page_url(survey, 3), {"q-seite3": "versteckt"})
    assert response.status_code == 302 and response["Location"] == page_url(survey, 4)
    assert Draft.objects.get().answers == before
    # And a GET of it too: the respondent never sees the hidden page.
    response = client.get(page_url(survey, 3))
    assert response["Location"] == page_url(survey, 4)


def test_going_back_and_changing_an_answer_drops_what_became_hidden() -> None:
    survey = build_survey(ProjectFactory(), questionnaire_pages(EQUALS_B))
    client = respondent()
    client.post(page_url(survey, 1), {"q-wahl": "b", "q-zahl": "3"})
    client.post(page_url(survey, 2), {"q-immer": "immer", "q-folge": "nur bei B"})
    client.post(page_url(survey, 3), {"q-seite3": "nur bei B"})
    assert {"folge", "seite3"} <= set(Draft.objects.get().answers)
    # Back to page 1 (the "Zurück" button from page 2, then again), and change the answer the rule reads.
    response = client.post(page_url(survey, 2), {"q-immer": "immer", "q-folge": "nur bei B", "aktion": "zurueck"})
    assert response["Location"] == page_url(survey, 1)
    page_1 = text_of(client.get(page_url(survey, 1)))
    assert 'value="b" id="q-wahl-2" checked' in page_1  # the saved answer is shown again
    response = client.post(page_url(survey, 1), {"q-wahl": "a", "q-zahl": "3"})
    assert response["Location"] == page_url(survey, 2)
    answers = Draft.objects.get().answers
    assert "folge" not in answers and "seite3" not in answers
    assert answers["immer"] == "immer"  # not hidden, so kept
    page_2 = text_of(client.get(page_url(survey, 2)))
    assert 'id="frage-folge"' not in page_2 and "nur bei B" not in page_2
    client.post(page_url(survey, 2), {"q-immer": "immer", "q-folge": "nur bei B"})  # a stale form, resent
    response = client.post(page_url(survey, 4), {"q-ende": "Ende"})
    assert response["Location"].endswith("/danke/")
    assert stored_codes() == {"wahl", "zahl", "immer", "ende"}
    assert not Answer.objects.filter(text="nur bei B").exists()


def test_a_hidden_question_counts_as_unanswered_for_later_conditions() -> None:
    """A chain: page 3 depends on ``folge``, which depends on page 1. A stored but hidden ``folge`` opens nothing."""
    pages = questionnaire_pages(EQUALS_B)
    pages[2]["condition"] = rule("folge", "answered")
    survey = build_survey(ProjectFactory(), pages)
    questionnaire = Questionnaire(survey)
    forged = {"wahl": {"choice": "a", "other": ""}, "folge": "versteckt gespeichert"}
    assert "seite3" not in questionnaire.shown(forged)
    assert "seite3" in questionnaire.shown({**forged, "wahl": {"choice": "b", "other": ""}})
    # Even in a draft row written behind the server's back, the hidden answer is neither used nor stored.
    client = respondent()
    client.post(page_url(survey, 1), {"q-wahl": "a"})
    Draft.objects.update(answers=forged)
    response = client.post(page_url(survey, 2), {"q-immer": "immer"})
    assert response["Location"] == page_url(survey, 4)
    client.post(page_url(survey, 4), {"q-ende": "Ende"})
    assert stored_codes() == {"wahl", "immer", "ende"}


def test_a_numeric_condition_on_a_text_answer_like_nan_does_not_break_the_page() -> None:
    """Decimal reads "NaN"/"sNaN" as numbers that refuse to be ordered; a respondent's text must not cause a 500."""
    pages = questionnaire_pages({"any": [rule("text", "gt", 5), rule("text", "equals", 5)]})
    survey = build_survey(ProjectFactory(), pages)
    for typed in ("NaN", "sNaN", "-Infinity"):
        value = questions.comparable("short_text", typed)
        assert conditions.evaluate(rule("text", "gt", 5), lambda code, value=value: value) is False
        assert conditions.evaluate(rule("text", "equals", 5), lambda code, value=value: value) is False
    client = respondent()
    response = client.post(page_url(survey, 1), {"q-text": "sNaN"})
    assert response.status_code == 302
    assert 'id="frage-folge"' not in text_of(client.get(page_url(survey, 2)))


# --- checking conditions when they are saved ------------------------------------------------------------------

EARLIER = ["wahl", "zahl"]


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (rule("spaeter", "answered"), "Bedingungen dürfen sich nur auf Fragen früherer Seiten beziehen."),
        (rule("gibtsnicht", "equals", "x"), "„gibtsnicht“"),
        ({"all": [rule("wahl", "answered"), rule("unbekannt", "answered")]}, "„unbekannt“"),
        (rule("selbst", "answered"), "Eine Frage kann nicht von ihrer eigenen Antwort abhängen."),
        ({"any": [rule("selbst", "equals", "a")]}, "Eine Frage kann nicht von ihrer eigenen Antwort abhängen."),
        ([rule("wahl", "answered")], "Eine Bedingung muss ein Objekt sein."),
        ("wahl == a", "Eine Bedingung muss ein Objekt sein."),
        ({"all": ["wahl"]}, "Eine Bedingung muss ein Objekt sein."),
        ({"all": []}, "Eine Gruppe braucht „all“ (und) oder „any“ (oder) mit mindestens einer Regel."),
        ({"any": rule("wahl", "answered")}, "Eine Gruppe braucht"),
        ({"all": [rule("wahl", "answered")], "any": [rule("zahl", "answered")]}, "Eine Gruppe braucht"),
        ({"question": "wahl", "op": "like", "value": "a"}, "Unbekannter Vergleich „like“."),
        ({"question": "wahl"}, "Unbekannter Vergleich"),
        ({"op": "answered"}, "Bedingungen dürfen sich nur auf Fragen früherer Seiten beziehen."),
        (rule("wahl", "equals"), "Bitte geben Sie den Vergleichswert an."),
        (rule("wahl", "equals", ""), "Bitte geben Sie den Vergleichswert an."),
        (rule("wahl", "one_of", []), "Bitte geben Sie den Vergleichswert an."),
        (rule("wahl", "one_of", "a"), "„ist eines von“ braucht eine Liste von Werten."),
        (rule("zahl", "gt", "viel"), "„größer“ und „kleiner“ vergleichen nur Zahlen oder Datumsangaben"),
        (rule("zahl", "lt", ["1"]), "„größer“ und „kleiner“ vergleichen nur Zahlen"),
        (rule("zahl", "gt", "NaN"), "„größer“ und „kleiner“ vergleichen nur Zahlen"),
        ({"all": [{"all": [{"all": [{"all": [{"all": [{"all": [rule("wahl", "answered")]}]}]}]}]}]},
         "höchstens 5 Ebenen"),
    ],
)  # fmt: skip
def test_check_refuses_with_a_german_message(condition: Any, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        conditions.check(condition, earlier=EARLIER, own="selbst")
    assert message in " ".join(raised.value.messages)


@pytest.mark.parametrize(
    "condition",
    [
        rule("wahl", "equals", "a"),
        rule("zahl", "gt", "3,5"),
        rule("zahl", "lt", "2026-01-01"),
        {"any": [rule("wahl", "one_of", ["a", "b"]), {"all": [rule("zahl", "answered"), rule("zahl", "lt", 9)]}]},
        {"all": [{"all": [{"all": [{"all": [{"all": [rule("wahl", "answered")]}]}]}]}]},  # five levels: allowed
    ],
)
def test_check_accepts_well_formed_conditions(condition: dict[str, Any]) -> None:
    assert conditions.check(condition, earlier=EARLIER, own="selbst") == condition
    assert conditions.check({}, earlier=EARLIER) == {} and conditions.check(None, earlier=EARLIER) == {}


def test_the_builder_refuses_conditions_on_the_same_or_a_later_page_and_on_itself() -> None:
    survey = build_survey(ProjectFactory(), questionnaire_pages())
    actor = staff()
    page_2 = Page.objects.get(survey=survey, title="Folgefragen")
    with pytest.raises(ValidationError) as same_page:
        building.question_add(actor=actor, page=page_2, type="short_text", code="neu", text="Neu",
                              condition=rule("immer", "answered"))  # fmt: skip
    assert "früherer Seiten" in " ".join(same_page.value.messages)
    with pytest.raises(ValidationError) as later:
        building.question_add(actor=actor, page=page_2, type="short_text", code="neu", text="Neu",
                              condition=rule("ende", "answered"))  # fmt: skip
    assert "„ende“" in " ".join(later.value.messages)
    with pytest.raises(ValidationError) as itself:
        building.question_add(actor=actor, page=page_2, type="short_text", code="neu", text="Neu",
                              condition=rule("neu", "answered"))  # fmt: skip
    assert "eigenen Antwort" in " ".join(itself.value.messages)
    with pytest.raises(ValidationError):
        building.page_add(actor=actor, survey=survey, condition={"any": "kaputt"})
    assert not Question.objects.filter(code="neu").exists()
    assert Page.objects.filter(survey=survey).count() == 4
