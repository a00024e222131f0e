from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Tasks left 'running' by a worker that died (kill -9, a lost host) are queued again (cron, every 5 minutes). "
        "A task counts as orphaned when it has been running longer than --older-than seconds; set it above the "
        "longest task (the analysis of a large procedure: a few minutes)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=float, default=900, help="seconds a task may run (default 900)")
        parser.add_argument("--queue-name", default="*", help="one queue (e.g. email, with a shorter lease), or *")

    def handle(self, *args: Any, **options: Any) -> None:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        cutoff = timezone.now() - timedelta(seconds=options["older_than"])
        orphans = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
        if options["queue_name"] != "*":
            orphans = orphans.filter(queue_name=options["queue_name"])
        requeued = orphans.update(status=TaskResultStatus.READY, started_at=None)
        self.stdout.write(f"{requeued} Aufgabe(n) erneut eingereiht")
