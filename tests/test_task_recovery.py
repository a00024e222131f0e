"""A worker that dies mid-task: the task runs again, and its e-mail still reaches everyone once (issue 19)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from mitwirken.core.mail import forget_delivered_emails, serialise
from mitwirken.core.models import DeliveredEmail
from mitwirken.core.tasks import deliver_email

pytestmark = pytest.mark.django_db


def queued_with_the_database_backend(settings: Any, *recipients: str) -> list[DBTaskResult]:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}
    with override_settings(EMAIL_BACKEND="mitwirken.core.mail.TaskQueueEmailBackend"):
        for recipient in recipients:
            EmailMessage("Eingangsbestätigung", "Ihre Stellungnahme ist eingegangen.", to=[recipient]).send()
    return list(DBTaskResult.objects.order_by("enqueued_at"))


def run(task: DBTaskResult) -> int:
    return int(deliver_email.call(*task.args_kwargs["args"], **task.args_kwargs["kwargs"]))


def test_a_message_gets_its_message_id_when_it_is_queued_and_keeps_one_given() -> None:
    first = serialise(EmailMessage("A", "B", to=["a@example.org"]))
    second = serialise(EmailMessage("A", "B", to=["a@example.org"]))
    assert first["headers"]["Message-ID"].startswith("<") and first["headers"]["Message-ID"].endswith(">")
    assert first["headers"]["Message-ID"] != second["headers"]["Message-ID"]
    given = serialise(EmailMessage("A", "B", to=["a@example.org"], headers={"message-id": "<eins@example.org>"}))
    assert given["headers"] == {"Message-ID": "<eins@example.org>"}


def test_a_task_run_again_after_its_worker_died_sends_nothing_twice(settings: Any) -> None:
    tasks = queued_with_the_database_backend(settings, "a@example.org", "b@example.org")
    assert run(tasks[0]) == 1  # the worker sent it, then died before it could mark the task finished
    assert run(tasks[0]) == 0  # the re-run sees the delivery
    assert run(tasks[1]) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert mail.outbox[0].extra_headers["Message-ID"] == tasks[0].args_kwargs["args"][0]["headers"]["Message-ID"]


def test_a_failed_delivery_is_not_recorded_so_the_retry_sends_it(settings: Any) -> None:
    (task,) = queued_with_the_database_backend(settings, "a@example.org")
    settings.MITWIRKEN_EMAIL_DELIVERY_BACKEND = "tests.test_task_recovery.RefusingBackend"
    with pytest.raises(ConnectionRefusedError):
        run(task)
    settings.MITWIRKEN_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run(task) == 1
    assert len(mail.outbox) == 1


class RefusingBackend:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("mail server down")


def test_tasks_left_running_by_a_dead_worker_are_queued_again_and_running_ones_are_left_alone(settings: Any) -> None:
    orphan, running, done = queued_with_the_database_backend(settings, "a@example.org", "b@example.org", "c@x.org")
    now = timezone.now()
    DBTaskResult.objects.filter(pk=orphan.pk).update(
        status=TaskResultStatus.RUNNING, started_at=now - timedelta(hours=1)
    )
    DBTaskResult.objects.filter(pk=running.pk).update(status=TaskResultStatus.RUNNING, started_at=now)
    DBTaskResult.objects.filter(pk=done.pk).update(
        status=TaskResultStatus.SUCCESSFUL, started_at=now - timedelta(hours=1)
    )
    out = StringIO()
    call_command("requeue_orphaned_tasks", "--older-than", "900", stdout=out)
    assert "1 Aufgabe(n) erneut eingereiht" in out.getvalue()
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses == {orphan.pk: "READY", running.pk: "RUNNING", done.pk: "SUCCESSFUL"}
    assert DBTaskResult.objects.ready().filter(pk=orphan.pk).exists()  # a worker takes it again


def test_delivery_records_are_kept_for_thirty_days() -> None:
    DeliveredEmail.objects.create(message_id="<alt@example.org>", delivered_at=timezone.now() - timedelta(days=31))
    DeliveredEmail.objects.create(message_id="<neu@example.org>", delivered_at=timezone.now() - timedelta(days=29))
    assert forget_delivered_emails() == 1
    assert list(DeliveredEmail.objects.values_list("message_id", flat=True)) == ["<neu@example.org>"]


def test_a_queue_of_short_tasks_can_have_a_shorter_lease(settings: Any) -> None:
    (mail_task,) = queued_with_the_database_backend(settings, "a@example.org")
    other = DBTaskResult.objects.create(
        task_path="mitwirken.formal.grouping.regroup", args_kwargs={"args": [], "kwargs": {}}, queue_name="default",
        backend_name="default", status=TaskResultStatus.RUNNING, priority=0, run_after=timezone.now(),
        started_at=timezone.now() - timedelta(minutes=2),
    )  # fmt: skip
    DBTaskResult.objects.filter(pk=mail_task.pk).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=2)
    )
    call_command("requeue_orphaned_tasks", "--older-than", "60", "--queue-name", "email", stdout=StringIO())
    assert dict(DBTaskResult.objects.values_list("pk", "status")) == {mail_task.pk: "READY", other.pk: "RUNNING"}
