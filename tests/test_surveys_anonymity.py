"""Anonymity, checked with the database in hand: after respondents answer in a known order, no column of any
table of the surveys app, of the audit log or of the task queue links a response to an account, a personal code,
an invitation address or a time finer than the day; the schema has no place for such a link; and anonymity can
only grow stronger once responses exist."""

from __future__ import annotations

import json
import random
import re
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test import Client

from mitwirken.core.models import AuditEntry
from mitwirken.surveys.models import (
    Answer,
    Completion,
    Draft,
    Response,
    ResponseIdentity,
    Survey,
    Token,
)
from mitwirken.surveys.services import building

from .conftest import login
from .dialogue_helpers import established
from .factories import ProjectFactory, UserFactory
from .survey_fixtures import make_survey
from .survey_helpers import code_url, staff

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}
# The three respondents' answers on page 1 (their order of answering is the order of this list).
ANSWERS = [("auto", "1"), ("oepnv", "4"), ("fuss", "7")]
TIME_OF_DAY = re.compile(r"\d{2}:\d{2}")
RESPONSE_TABLES = {Response._meta.db_table, Answer._meta.db_table, ResponseIdentity._meta.db_table}
USER_TABLE = get_user_model()._meta.db_table


def survey_tables() -> list[str]:
    tables = {model._meta.db_table for model in apps.get_app_config("surveys").get_models(include_auto_created=True)}
    present = set(connection.introspection.table_names())
    assert tables <= present
    return sorted(tables)


def task_tables() -> list[str]:
    return sorted(table for table in connection.introspection.table_names() if table.startswith("django_tasks_db"))


def rows(table: str) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from introspection
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def relations(table: str) -> dict[str, str]:
    """{column: referenced table} of the table's foreign keys, as the database declares them."""
    with connection.cursor() as cursor:
        return {column: target for column, (_column, target) in connection.introspection.get_relations(cursor, table).items()}  # fmt: skip


def column_types(table: str) -> dict[str, str]:
    """{column: Django field type} as read back from the database."""
    with connection.cursor() as cursor:
        return {
            column.name: str(connection.introspection.get_field_type(column.type_code, column))
            for column in connection.introspection.get_table_description(cursor, table)
        }


def respond(client: Client, survey: Survey, choice: str, persons: str) -> None:
    page_1 = {"q-verkehrsmittel": choice, "q-personen": persons}
    assert client.post(_url(survey, 1), page_1)["Location"].endswith("/seite/3/")
    last = {"q-prioritaeten": ["kosten", "tempo", "sicherheit"], "q-prioritaeten-ranked": "1",
            "q-anmerkungen": f"Antwort mit {persons} Personen"}  # fmt: skip
    assert client.post(_url(survey, 3), last)["Location"].endswith("/danke/")


def _url(survey: Survey, number: int) -> str:
    from .survey_helpers import page_url

    return page_url(survey, number)


def assert_nothing_links(survey: Survey, *, identifiers: list[str], user_pks: set[int], audit_before: int) -> None:
    """Every column of every surveys table, the audit log and the task queue, read raw from the database."""
    problems: list[str] = []
    for table in survey_tables():
        links = relations(table)
        types = column_types(table)
        refers_to_response = Response._meta.db_table in links.values() or table == Response._meta.db_table
        refers_to_person = {USER_TABLE, Token._meta.db_table} & set(links.values())
        table_rows = rows(table)
        if refers_to_response and refers_to_person and table_rows:
            problems.append(f"{table} joins responses and people in {len(table_rows)} rows")
        if table in RESPONSE_TABLES - {ResponseIdentity._meta.db_table}:
            if refers_to_person:
                problems.append(f"{table} has a column for an account or a code: {links}")
            timed = [column for column, kind in types.items() if kind in ("DateTimeField", "TimeField")]
            if timed:
                problems.append(f"{table} has time columns {timed}")
        for row in table_rows:
            text = json.dumps(row, default=str)
            if table in RESPONSE_TABLES:
                found = [identifier for identifier in identifiers if identifier in text]
                if found or TIME_OF_DAY.search(text):
                    problems.append(f"{table} row {row} holds {found or 'a time of day'}")
    if ResponseIdentity.objects.exists():
        problems.append("an anonymous survey wrote ResponseIdentity rows")
    if Draft.objects.filter(survey=survey).exists():
        problems.append("drafts (with their time) outlived the submission")
    # The audit log and the task queue got nothing that names a respondent or a response.
    for entry in AuditEntry.objects.order_by("pk")[audit_before:]:
        text = json.dumps({"actor": entry.actor_id, "type": entry.object_type, "changes": entry.changes}, default=str)
        if entry.actor_id in user_pks or "response" in entry.object_type.lower() or any(i in text for i in identifiers):
            problems.append(f"audit entry {entry.action} {text}")
    for table in task_tables():
        for row in rows(table):
            text = json.dumps(row, default=str)
            if any(identifier in text for identifier in identifiers) or "Response" in text:
                problems.append(f"task {text[:200]}")
    assert not problems, "\n".join(problems)


@pytest.fixture
def db_task_queue(settings: Any) -> None:
    """Tasks are stored in the queue's tables (as in production), so what they carry can be read."""
    settings.TASKS = DB_TASKS


def test_anonymous_token_survey_keeps_no_link(db_task_queue: None) -> None:
    survey = make_survey(ProjectFactory(), access="token")
    tokens = [Token.objects.create(survey=survey, email=f"eingeladen{i}@example.org", name=f"Person {i}",
                                   invited=True) for i in range(3)]  # fmt: skip
    before = {token.pk: {k: v for k, v in rows_of(Token, token.pk).items() if k != "used"} for token in tokens}
    audit_before = AuditEntry.objects.count()
    order = [tokens[2], tokens[0], tokens[1]]  # not the order the codes were made in
    for token, (choice, persons) in zip(order, ANSWERS, strict=True):
        client = Client()
        client.post(code_url(survey, token.code))
        respond(client, survey, choice, persons)
    assert Response.objects.filter(survey=survey).count() == 3
    assert Token.objects.filter(survey=survey, used=True).count() == 3
    # Using a code changed nothing on it but the flag.
    for token in tokens:
        after = rows_of(Token, token.pk)
        assert after.pop("used") in (True, 1)
        assert after == before[token.pk]
    identifiers = [t.code for t in tokens] + [t.email for t in tokens] + [t.name for t in tokens]
    assert_nothing_links(survey, identifiers=identifiers, user_pks=set(), audit_before=audit_before)
    # No session still holds a code, so no cookie leads back to one.
    from django.contrib.sessions.models import Session

    assert not [s for s in Session.objects.all() if any(k.startswith("surveys:token") for k in s.get_decoded())]


def test_anonymous_account_survey_keeps_no_link(db_task_queue: None) -> None:
    survey = make_survey(ProjectFactory(), access="account")
    users = [UserFactory(email=f"konto{i}@example.org", display_name=f"Konto {i}") for i in range(3)]
    established(*users)
    clients = [login(Client(), user) for user in users]
    accounts_before = {user.pk: rows_of(get_user_model(), user.pk) for user in users}
    audit_before = AuditEntry.objects.count()
    order = [2, 0, 1]
    for index, (choice, persons) in zip(order, ANSWERS, strict=True):
        respond(clients[index], survey, choice, persons)
    assert Response.objects.filter(survey=survey).count() == 3
    assert set(Completion.objects.values_list("user_id", flat=True)) == {user.pk for user in users}
    for user in users:  # answering leaves no trace on the account either
        assert rows_of(get_user_model(), user.pk) == accounts_before[user.pk]
    identifiers = [u.email for u in users] + [u.display_name for u in users]
    assert_nothing_links(survey, identifiers=identifiers, user_pks={u.pk for u in users}, audit_before=audit_before)


def rows_of(model: type[models.Model], pk: int) -> dict[str, Any]:
    table = model._meta.db_table
    return next(row for row in rows(table) if row["id"] == pk)


def test_the_order_of_completions_does_not_give_away_the_order_of_responses() -> None:
    """Responses are numbered in the order they arrive. If "has answered" rows were numbered the same way, the
    n-th completion would name the account of the n-th response: their ids must not follow the answering order."""
    survey = make_survey(ProjectFactory(), access="account")
    users = [UserFactory() for _ in range(10)]
    established(*users)
    order = list(range(10))
    random.Random(3).shuffle(order)
    for index in order:
        respond(login(Client(), users[index]), survey, "fuss", str(index + 1))
    by_response = [int(value) for value in Answer.objects.filter(question__code="personen")
                   .order_by("response_id").values_list("number", flat=True)]  # fmt: skip
    assert by_response == [index + 1 for index in order]  # responses do keep their order (that is harmless)
    completions = list(Completion.objects.filter(survey=survey).order_by("pk").values_list("user_id", flat=True))
    answering = [users[index].pk for index in order]
    assert completions != answering, "completion ids follow the answering order: they link accounts to responses"
    ids = sorted(Completion.objects.values_list("pk", flat=True))
    assert ids != list(range(ids[0], ids[0] + len(ids)))  # not a running number


# --- the schema -----------------------------------------------------------------------------------------------

PEOPLE = (get_user_model(), Token, Completion, Draft)


def related_models(model: type[models.Model]) -> set[Any]:
    return {field.related_model for field in model._meta.get_fields() if field.is_relation and field.concrete}


def test_the_schema_has_no_place_for_a_link() -> None:
    for model in (Response, Answer):
        assert not related_models(model) & set(PEOPLE), model
        kinds = {type(field) for field in model._meta.get_fields() if field.concrete}
        assert not kinds & {models.DateTimeField, models.TimeField}, model
        names = {field.name for field in model._meta.get_fields()}
        assert not names & {"user", "token", "email", "ip", "ip_address", "created_at", "submitted_at", "key_hash"}
    assert isinstance(Response._meta.get_field("submitted_on"), models.DateField)
    assert not isinstance(Response._meta.get_field("submitted_on"), models.DateTimeField)
    for model in (Completion, Token):
        assert Response not in related_models(model) and ResponseIdentity not in related_models(model)
        assert not [f for f in model._meta.get_fields() if isinstance(f, models.DateTimeField | models.TimeField)]
    assert Response not in related_models(Draft)
    # Only ResponseIdentity joins a response to a person, and only non-anonymous surveys write it.
    assert {get_user_model(), Token, Response} <= related_models(ResponseIdentity)
    for table in (Response._meta.db_table, Answer._meta.db_table):
        assert not {USER_TABLE, Token._meta.db_table} & set(relations(table).values())
        assert not {"DateTimeField", "TimeField"} & set(column_types(table).values())


# --- anonymity only grows stronger ----------------------------------------------------------------------------


def answered(survey: Survey) -> None:
    user = UserFactory()
    established(user)
    respond(login(Client(), user), survey, "auto", "2")


def test_anonymity_cannot_be_weakened_once_a_response_exists() -> None:
    survey = make_survey(ProjectFactory(), access="account", anonymity="anonymous")
    actor = staff()
    answered(survey)
    for weaker in ("pseudonymous", "identified"):
        with pytest.raises(ValidationError) as refused:
            building.settings_update(actor=actor, survey=Survey.objects.get(pk=survey.pk), anonymity=weaker)
        assert "nur noch verstärkt" in " ".join(refused.value.messages)
    assert Survey.objects.get(pk=survey.pk).anonymity == "anonymous"
    answered(survey)
    assert not ResponseIdentity.objects.exists()


def test_anonymity_can_be_strengthened_once_a_response_exists() -> None:
    survey = make_survey(ProjectFactory(), access="account", anonymity="identified")
    actor = staff()
    answered(survey)
    assert ResponseIdentity.objects.filter(user__isnull=False, submitted_at__isnull=False).count() == 1
    survey = building.settings_update(actor=actor, survey=Survey.objects.get(pk=survey.pk), anonymity="pseudonymous")
    with pytest.raises(ValidationError):
        building.settings_update(actor=actor, survey=Survey.objects.get(pk=survey.pk), anonymity="identified")
    # The identified response given before keeps only what pseudonymity keeps: its pseudonym.
    assert ResponseIdentity.objects.filter(user__isnull=False).count() == 0
    assert ResponseIdentity.objects.filter(submitted_at__isnull=False).count() == 0
    assert ResponseIdentity.objects.exclude(pseudonym="").count() == 1
    answered(survey)
    newest = ResponseIdentity.objects.order_by("-pk").first()
    assert newest.pseudonym and newest.user_id is None and newest.submitted_at is None and newest.token_id is None
    building.settings_update(actor=actor, survey=Survey.objects.get(pk=survey.pk), anonymity="anonymous")
    answered(survey)
    # Anonymous now: the earlier responses lose their pseudonyms too, and the new one never had any.
    assert not ResponseIdentity.objects.exists()
    assert Response.objects.count() == 3


def test_before_any_response_anonymity_may_be_changed_freely() -> None:
    survey = make_survey(ProjectFactory(), access="account", anonymity="anonymous")
    survey = building.settings_update(actor=staff(), survey=survey, anonymity="identified")
    assert Survey.objects.get(pk=survey.pk).anonymity == "identified"
