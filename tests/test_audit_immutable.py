"""The audit log cannot be changed: not through the ORM, not in the admin, not with raw SQL.

The database trigger comes from a migration (core/audit_triggers.py) on PostgreSQL and SQLite, so this
test runs on both. Deleting an account (GDPR) may only null the actor of its entries.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from mitwirken.accounts import gdpr
from mitwirken.core.audit import log_action
from mitwirken.core.models import AuditEntry

from .conftest import login
from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(world):
    return log_action(actor=world.personas["org_admin"], action="test.action", obj=world.public,
                      organisation=world.organisation, changes={"title": ["alt", "neu"]})  # fmt: skip


def raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_orm_refuses_updates_and_deletes(entry):
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE core_auditentry SET action = %s WHERE id = %s", ["faked"]),
        ("UPDATE core_auditentry SET object_repr = %s WHERE id = %s", ["anders"]),
        ("UPDATE core_auditentry SET actor_id = NULL, action = %s WHERE id = %s", ["faked"]),
        ("DELETE FROM core_auditentry WHERE id = %s OR id = %s", [-1]),
    ],
)
def test_database_refuses_raw_updates_and_deletes(entry, sql, params):
    with pytest.raises(DatabaseError):
        raw(sql, [*params, entry.pk])
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.action, stored.actor_id) == ("test.action", entry.actor_id)


def test_account_deletion_keeps_the_entries_without_the_actor(world, entry):
    user = world.personas["org_admin"]
    world.organisation.memberships.filter(user=user).delete()
    gdpr.delete_account(user)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor_id is None and stored.action == "test.action"
    assert AuditEntry.objects.filter(action="account.delete").exists()


def test_admin_offers_no_change_or_delete(world, entry):
    client = login(Client(), world.personas["portal_admin"])
    page = client.get(f"/admin/core/auditentry/{entry.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post("/admin/core/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk],
                                                   "post": "yes"}).status_code in (200, 302)  # fmt: skip
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_stranger_deletion_of_a_user_with_entries_still_works():
    user = UserFactory()
    log_action(actor=user, action="x.y", obj=None)
    gdpr.delete_account(user)
    assert AuditEntry.objects.filter(action="x.y", actor=None).exists()


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_whole_database_on_purpose_and_keeps_the_triggers():
    """The test runner flushes between transactional tests; afterwards the log is protected again."""
    from django.core.management import call_command

    log_action(actor=None, action="vor.flush", obj=None)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    entry = log_action(actor=None, action="nach.flush", obj=None)
    with pytest.raises(DatabaseError):
        raw("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
