"""What operators watch: request ids, Prometheus metrics and the readiness checks (docs/operations.md#monitoring).

- ``ObservabilityMiddleware`` gives every request an id (nginx's ``X-Request-ID`` or a new one) that every log line
  of the request carries (``core.logging.RequestIdFilter``) and the response returns; and it counts requests by
  view and status class and times them. Labels are the resolved view name, never the path, so the number of
  series stays bounded by the URL configuration.
- The task queue is measured when Prometheus scrapes (``TaskQueueCollector``), not per request.
- With ``PROMETHEUS_MULTIPROC_DIR`` set, prometheus-client keeps the numbers in files there, so ``/metrics`` of any
  gunicorn worker reports the sum over all workers (and task workers on the same host sharing the directory).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from .cache import ResilientRedisCache
from .logging import REQUEST_ID

logger = logging.getLogger(__name__)

# --- every request: its id, counted and timed -----------------------------------------------------------------------

# What nginx's $request_id looks like (32 hex digits) and what other proxies send (UUIDs, ULIDs). Anything else
# (too long, spaces, line breaks) is replaced: the id goes into every log line and must not forge one.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# Without this, every counter and histogram has a second series with its creation time, which nobody here reads.
disable_created_metrics()

# Pages should answer within 20-50 ms (docs/performance.md); exports and uploads take seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "mitwirken_http_requests",
    "Requests answered, by view name and status class (2xx, 3xx, 4xx, 5xx)",
    ["view", "status"],
)
LATENCY = Histogram(
    "mitwirken_http_request_duration_seconds",
    "Time from the request entering Django until the response leaves it (a streamed body is not included), by view",
    ["view"],
    buckets=LATENCY_BUCKETS,
)
STATUS_CLASSES = {1: "1xx", 2: "2xx", 3: "3xx", 4: "4xx", 5: "5xx"}


def view_label(request: HttpRequest) -> str:
    """The resolved view name (``namespace:url_name``, or the view's dotted path where a pattern has no name).

    A request that never reached the URL resolver (a static file from WhiteNoise, an HTTPS redirect) or matched
    no pattern gets one fixed label each; the raw path would give every scanner's guess a series of its own.
    """
    match = request.resolver_match
    if match is not None:
        return match.view_name
    return "<static>" if request.path_info.startswith(settings.STATIC_URL or "/static/") else "<unresolved>"


class ObservabilityMiddleware:
    """Gives each request its id and counts and times it. First in MIDDLEWARE: the time covers the whole stack.

    One middleware rather than two saves a layer of Django's middleware chain; the whole costs about 20 µs a
    request (docs/operations.md#metrics-metrics).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # (view, status class) -> the two series it updates; prometheus-client's labels() costs more than the
        # update itself. Bounded like the labels: views × five classes.
        self.series: dict[tuple[str, int], tuple[Counter, Histogram]] = {}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]  # for records logged after the response
        token = REQUEST_ID.set(request_id)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            self.record(request, response.status_code, time.perf_counter() - started)
        finally:
            REQUEST_ID.reset(token)
        return response

    def record(self, request: HttpRequest, status_code: int, elapsed: float) -> None:
        try:
            key = (view_label(request), status_code // 100)
            series = self.series.get(key)
            if series is None:
                view, status_class = key[0], STATUS_CLASSES.get(key[1], "other")
                series = self.series[key] = (REQUESTS.labels(view, status_class), LATENCY.labels(view))
            series[0].inc()
            series[1].observe(elapsed)
        except Exception:  # a full metrics directory must not cost a visitor the page
            logger.exception("metrics: recording the request failed")


# --- what Prometheus reads: e-mails, the task queue ----------------------------------------------------------------

EMAILS = Counter("mitwirken_emails", "E-mails handed to the delivery backend (SMTP) by the task worker", ["result"])
for _result in ("sent", "failed"):
    EMAILS.labels(result=_result)  # both series exist from the start, so rate() and alerts see a 0, not nothing


def _due_tasks_filter() -> Q:
    """READY tasks that may run now: a deferred retry (``run_after`` in the future) is not a backlog yet."""
    from django_tasks_db.models import get_date_max

    now = timezone.now()
    return Q(status="READY") & (Q(run_after__isnull=True) | Q(run_after=get_date_max()) | Q(run_after__lte=now))


def task_backlog() -> dict[str, tuple[int, float]]:
    """``{queue: (waiting tasks, seconds the oldest has waited)}`` for every queue with waiting tasks; one query."""
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    rows = (
        DBTaskResult.objects.filter(_due_tasks_filter())
        .values("queue_name")
        .annotate(waiting=Count("pk"), oldest=Min("enqueued_at"))
        .order_by()
    )
    return {row["queue_name"]: (row["waiting"], (now - row["oldest"]).total_seconds()) for row in rows}


class TaskQueueCollector(Collector):
    """Queue length and age of the oldest waiting task per queue, read from the task table at scrape time."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("mitwirken_task_queue_up", "1 if the task table could be read at this scrape")
        try:
            backlog = task_backlog()
        except Exception as error:  # the database is down: say so in a metric, the reason goes to the log
            logger.error("metrics: reading the task queue failed: %s", error)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        length = GaugeMetricFamily("mitwirken_task_queue_length", "Tasks waiting to run now", labels=["queue"])
        age = GaugeMetricFamily(
            "mitwirken_task_queue_oldest_age_seconds", "Seconds the oldest waiting task has waited", labels=["queue"]
        )
        for queue in sorted({*settings.TASK_QUEUES, *backlog}):
            waiting, oldest = backlog.get(queue, (0, 0.0))
            length.add_metric([queue], waiting)
            age.add_metric([queue], oldest)
        yield length
        yield age


class _Registered(Collector):
    """Forwards another registry (the process's default one, with the process and GC metrics) into a scrape."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()


def render_metrics() -> tuple[bytes, str]:
    """The text exposition for one scrape: this process's metrics, or every process's in multiprocess mode."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # read by prometheus-client itself, see settings.py
        MultiProcessCollector(registry)
    else:
        registry.register(_Registered(REGISTRY))
    registry.register(TaskQueueCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


# Headers a reverse proxy adds. Behind nginx on the same host every request comes from 127.0.0.1, so a request
# carrying one of them is not trusted by its address, only with the token. X-Request-ID is in the list because
# the documented nginx configuration sets it on every request it passes on.
PROXY_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_REQUEST_ID",
)


def may_scrape(request: HttpRequest) -> bool:
    """``Authorization: Bearer <METRICS_TOKEN>``, or a direct connection from one of ``METRICS_ALLOWED_IPS``."""
    token = settings.MITWIRKEN_METRICS_TOKEN
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    if any(header in request.META for header in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # a dual-stack socket reports 127.0.0.1 as ::ffff:127.0.0.1
    return any(address in network for network in settings.MITWIRKEN_METRICS_ALLOWED_NETWORKS)


# --- readiness ----------------------------------------------------------------------------------------------------

TASK_BACKLOG_WARNING = timedelta(minutes=15)

Check = dict[str, Any]


def _failed(name: str, error: Exception) -> Check:
    # The reason is for the operator's log; the client sees only "error" (it may name hosts or paths).
    logger.error("health: %s check failed: %s", name, error)
    return {"status": "error"}


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any driver error means "down"
        return _failed("database", error)
    return {"status": "ok", "vendor": connection.vendor}


def check_cache() -> Check:
    """A real round trip to Redis (set, read back, delete); the in-process cache of development always passes."""
    key = f"mitwirken:readyz:{uuid.uuid4().hex}"  # unique, so concurrent probes of several processes never clash
    try:
        cache.set(key, key, timeout=10)
        if cache.get(key) != key:
            raise RuntimeError("the value written was not read back")
        cache.delete(key)
    except Exception as error:
        failed = _failed("cache", error)
        if isinstance(caches["default"], ResilientRedisCache):  # pages work without it, only slower
            failed["status"] = "degraded"
        return failed
    return {"status": "ok", "backend": type(caches["default"]).__name__}


def check_storage() -> Check:
    """Lists the top of the media storage: the directory must exist (local) or the bucket answer (S3).

    One call to the storage API, so it works for FileSystemStorage and django-storages' S3Storage alike; uploads
    sit in a few top-level folders (``projects/``, ``reports/`` …), so the listing is short.
    """
    try:
        storage = storages["default"]
        storage.listdir("")
    except Exception as error:
        failed = _failed("storage", error)
        if not isinstance(storage, FileSystemStorage):
            # A shared object storage that is down is down for every instance: taking them all out of the balancer
            # would stop the pages too, which work without it (only up- and downloads fail). A local directory that
            # is missing is this host's fault, and another host may serve.
            failed["status"] = "degraded"
        return failed
    return {"status": "ok", "backend": type(storage).__name__}


def check_tasks() -> Check:
    """Waiting tasks and the oldest one's age; ``degraded`` when it waited too long (no worker, or too few)."""
    try:
        backlog = task_backlog()
    except Exception as error:
        return _failed("task queue", error)
    pending = sum(waiting for waiting, _age in backlog.values())
    oldest = max((age for _waiting, age in backlog.values()), default=0.0)
    status = "ok" if oldest < TASK_BACKLOG_WARNING.total_seconds() else "degraded"
    return {"status": status, "pending": pending, "oldest_pending_seconds": round(oldest, 1)}


def overall(checks: dict[str, Check]) -> str:
    statuses = {check["status"] for check in checks.values()}
    return "error" if "error" in statuses else "degraded" if "degraded" in statuses else "ok"


def readiness() -> tuple[str, dict[str, Check]]:
    """Everything a request may need. "degraded" (still 200) where pages work on: a waiting task queue (mail is
    late), Redis down behind the resilient cache (slower), the shared object storage down (no up- and downloads)."""
    checks = {"database": check_database(), "cache": check_cache(), "storage": check_storage(), "tasks": check_tasks()}
    return overall(checks), checks
