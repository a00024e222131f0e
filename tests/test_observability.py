"""Monitoring (issue 19): /healthz, /readyz, Prometheus metrics at /metrics, request ids in the logs.

Failures are real where the test process can produce them (an unreachable Redis, a missing media directory, an
SMTP server that refuses); only the database outage is simulated, by a connection whose cursor raises.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.mail import EmailMessage
from django.db import OperationalError, connections
from django.test import Client
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from mitwirken.core.logging import JsonFormatter, RequestIdFilter
from mitwirken.core.mail import serialise
from mitwirken.core.tasks import deliver_email
from mitwirken.organisations.validators import reserved_slugs

from .conftest import login, with_second_factor
from .factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "geheim-geheim-geheim"

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def health_token(settings: Any) -> str:
    settings.MITWIRKEN_HEALTHZ_TOKEN = TOKEN
    return TOKEN


def database_down() -> Any:
    """Every new cursor fails as with a dead server; the code under test handles it as it would a real outage."""
    return mock.patch.object(connections["default"], "cursor", side_effect=OperationalError("server closed"))


def stuck_task(age: timedelta = timedelta(hours=1), **fields: Any) -> Any:
    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.create(
        task_path="mitwirken.core.tasks.deliver_email", args_kwargs={"args": [], "kwargs": {}}, queue_name="email",
        backend_name="default", status="READY", priority=0, **fields,
    )  # fmt: skip
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - age)
    return task


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# --- liveness and readiness -----------------------------------------------------------------------------------------


def test_healthz_answers_while_the_database_is_down(client: Client, health_token: str) -> None:
    """A liveness probe that failed with the database would have every web process restarted for nothing."""
    with database_down():
        public = client.get("/healthz")
        detailed = client.get(f"/healthz?token={health_token}")
    assert public.status_code == 200 and public.json() == {"status": "degraded"}
    assert detailed.json()["database"] == {"status": "error"}


def test_readyz_is_ok_and_shows_details_only_with_the_token(client: Client, media: Path, health_token: str) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert client.get("/readyz?token=falsch").json() == {"status": "ok"}
    body = client.get(f"/readyz?token={health_token}").json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["cache"] == {"status": "ok", "backend": "LocMemCache"}
    assert body["storage"] == {"status": "ok", "backend": "FileSystemStorage"}
    assert body["tasks"] == {"status": "ok", "pending": 0, "oldest_pending_seconds": 0.0}


def test_readyz_shows_details_to_a_portal_administrator(media: Path) -> None:
    admin = with_second_factor(UserFactory(is_superuser=True))
    body = login(Client(), admin).get("/readyz").json()
    assert set(body) == {"status", "database", "cache", "storage", "tasks"}


def test_readyz_fails_when_redis_does_not_answer(client: Client, media: Path, settings: Any, health_token: str) -> None:
    # Nothing listens on port 1: the connection is refused, as with a Redis that is down.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json() == {"status": "error"}
    body = client.get(f"/readyz?token={health_token}").json()
    assert body["cache"] == {"status": "error"}
    assert body["database"]["status"] == body["storage"]["status"] == "ok"


def test_readyz_is_degraded_not_failing_when_redis_is_down_behind_the_resilient_cache(
    client: Client, media: Path, settings: Any, health_token: str
) -> None:
    # Every instance shares the one Redis: taking them all out of the balancer would stop pages that still work.
    settings.CACHES = {
        "default": {"BACKEND": "mitwirken.core.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get(f"/readyz?token={health_token}")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded" and response.json()["cache"] == {"status": "degraded"}
    assert client.get("/").status_code == 200


def test_readyz_fails_when_the_media_directory_is_missing(
    client: Client, settings: Any, tmp_path: Path, health_token: str, caplog: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "nicht-eingehaengt"
    response = client.get(f"/readyz?token={health_token}")
    assert response.status_code == 503
    assert response.json()["storage"] == {"status": "error"}  # the path is for the log only
    assert "nicht-eingehaengt" not in response.content.decode()
    assert "storage check failed" in caplog.text and "nicht-eingehaengt" in caplog.text


def test_readyz_fails_when_the_database_is_down(client: Client, media: Path, health_token: str) -> None:
    with database_down():
        public = client.get("/readyz")
        body = client.get(f"/readyz?token={health_token}").json()
    assert public.status_code == 503 and public.json() == {"status": "error"}
    assert body["database"] == body["tasks"] == {"status": "error"}
    assert body["cache"]["status"] == body["storage"]["status"] == "ok"


def test_readyz_stays_ready_but_degraded_with_a_stuck_task_queue(client: Client, media: Path) -> None:
    """Late mail must not take every page off the load balancer."""
    stuck_task()
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json() == {"status": "degraded"}


def test_a_deferred_retry_is_no_backlog(client: Client, media: Path) -> None:
    """XBeteiligung retries wait in the queue with ``run_after`` in the future; they are not overdue work."""
    stuck_task(run_after=timezone.now() + timedelta(hours=2))
    assert client.get("/readyz").json() == {"status": "ok"}
    assert client.get("/healthz").json() == {"status": "ok"}


def test_new_top_level_paths_are_reserved_slugs() -> None:
    assert {"healthz", "readyz", "metrics"} <= reserved_slugs()


# --- metrics --------------------------------------------------------------------------------------------------------


def test_requests_are_counted_by_view_name_and_status_class(client: Client) -> None:
    ok_before = sample("mitwirken_http_requests_total", view="robots_txt", status="2xx")
    refused_before = sample("mitwirken_http_requests_total", view="robots_txt", status="4xx")
    timed_before = sample("mitwirken_http_request_duration_seconds_count", view="robots_txt")
    unresolved_before = sample("mitwirken_http_requests_total", view="<unresolved>", status="4xx")

    client.get("/robots.txt")
    client.get("/robots.txt")
    client.post("/robots.txt")  # 405
    client.get("/zz-scanner-rät-123/a/b/c/d/")  # matches no pattern

    assert sample("mitwirken_http_requests_total", view="robots_txt", status="2xx") == ok_before + 2
    assert sample("mitwirken_http_requests_total", view="robots_txt", status="4xx") == refused_before + 1
    assert sample("mitwirken_http_request_duration_seconds_count", view="robots_txt") == timed_before + 3
    assert sample("mitwirken_http_requests_total", view="<unresolved>", status="4xx") == unresolved_before + 1

    text = client.get("/metrics").content.decode()
    assert 'mitwirken_http_requests_total{status="2xx",view="robots_txt"}' in text
    assert 'mitwirken_http_request_duration_seconds_bucket{le="0.05",view="robots_txt"}' in text
    assert "zz-scanner" not in text  # the raw path never becomes a label


def test_namespaced_views_are_labelled_with_their_namespace(client: Client) -> None:
    before = sample("mitwirken_http_requests_total", view="organisations:detail", status="4xx")
    client.get("/keine-solche-organisation/")
    assert sample("mitwirken_http_requests_total", view="organisations:detail", status="4xx") == before + 1


def test_a_failure_to_record_metrics_never_costs_the_page(client: Client, caplog: Any) -> None:
    with mock.patch("mitwirken.core.observability.view_label", side_effect=OSError("No space left on device")):
        response = client.get("/robots.txt", HTTP_X_REQUEST_ID="voll-1")
    assert response.status_code == 200 and response["X-Request-ID"] == "voll-1"
    assert "recording the request failed" in caplog.text


def test_task_queue_is_measured_when_scraped(client: Client) -> None:
    stuck_task()
    text = client.get("/metrics").content.decode()
    lines = dict(line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))
    assert lines["mitwirken_task_queue_up"] == "1.0"
    assert lines['mitwirken_task_queue_length{queue="email"}'] == "1.0"
    assert lines['mitwirken_task_queue_length{queue="default"}'] == "0.0"
    assert 3600 <= float(lines['mitwirken_task_queue_oldest_age_seconds{queue="email"}']) < 3700


def test_task_queue_scrape_survives_a_database_outage(client: Client) -> None:
    with database_down():
        response = client.get("/metrics")
    assert response.status_code == 200
    assert "mitwirken_task_queue_up 0.0" in response.content.decode()


def test_emails_are_counted_where_the_worker_sends_them(settings: Any) -> None:
    sent, failed = sample("mitwirken_emails_total", result="sent"), sample("mitwirken_emails_total", result="failed")
    message = serialise(EmailMessage("Betreff", "Text", to=["a@example.org"]))
    deliver_email.call(message)
    assert sample("mitwirken_emails_total", result="sent") == sent + 1

    # An SMTP server that refuses the connection (nothing listens on port 1).
    settings.MITWIRKEN_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with pytest.raises(OSError):  # another message: the first one was delivered, and would not be sent again
        deliver_email.call(serialise(EmailMessage("Betreff", "Text", to=["b@example.org"])))
    assert sample("mitwirken_emails_total", result="failed") == failed + 1
    assert sample("mitwirken_emails_total", result="sent") == sent + 1


@pytest.mark.parametrize(
    ("remote_addr", "headers", "allowed"),
    [
        ("127.0.0.1", {}, True),  # the default: loopback
        ("::1", {}, True),
        ("::ffff:127.0.0.1", {}, True),  # gunicorn on a dual-stack socket
        ("203.0.113.9", {}, False),
        # nginx on the same host connects from 127.0.0.1 for every visitor: proxied requests need the token.
        ("127.0.0.1", {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}, False),
        ("127.0.0.1", {"HTTP_X_REQUEST_ID": "0123456789abcdef"}, False),
        ("203.0.113.9", {"HTTP_AUTHORIZATION": "Bearer falsch"}, False),
        ("203.0.113.9", {"HTTP_AUTHORIZATION": "Basic bWV0cmljczp4"}, False),
        ("203.0.113.9", {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}, True),
        ("127.0.0.1", {"HTTP_X_FORWARDED_FOR": "203.0.113.9", "HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}, True),
    ],
)
def test_metrics_only_for_the_monitoring_network_or_the_token(
    settings: Any, remote_addr: str, headers: dict[str, str], allowed: bool
) -> None:
    settings.MITWIRKEN_METRICS_TOKEN = TOKEN
    response = Client(REMOTE_ADDR=remote_addr).get("/metrics", **headers)
    if allowed:
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain; version=")
        assert b"mitwirken_http_requests_total" in response.content
    else:
        assert response.status_code == 404
        assert b"mitwirken_" not in response.content


def test_metrics_networks_and_no_token(settings: Any) -> None:
    import ipaddress

    settings.MITWIRKEN_METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.20.0.0/16")]
    assert Client(REMOTE_ADDR="10.20.3.4").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 404
    # Without a configured token, no Authorization header opens it.
    assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


MULTIPROCESS_SCRIPT = """
import django
django.setup()
from django.test import Client
for _ in range(3):
    assert Client().get("/robots.txt").status_code == 200
"""


def test_multiprocess_mode_keeps_the_numbers_in_the_directory(tmp_path: Path) -> None:
    """Two gunicorn workers stand for two processes: each writes its files, the scrape adds them up."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(
        MITWIRKEN_ENV="test", DJANGO_SETTINGS_MODULE="mitwirken.settings", PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
        PYTHONPATH=str(ROOT / "src"),
    )  # fmt: skip
    for _worker in range(2):
        result = subprocess.run(
            [sys.executable, "-c", MULTIPROCESS_SCRIPT], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr[-2000:]
    assert len(list(tmp_path.glob("counter_*.db"))) == 2 and len(list(tmp_path.glob("histogram_*.db"))) == 2
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(tmp_path))
    assert registry.get_sample_value("mitwirken_http_requests_total", {"view": "robots_txt", "status": "2xx"}) == 6


# --- request id -----------------------------------------------------------------------------------------------------


def test_a_sane_request_id_from_the_proxy_is_kept(client: Client) -> None:
    for given in ("5f2b8c0e9a7d4c1b8e3f6a2d9c0b1e4f", "req-2027.01_x", "a" * 64):
        assert client.get("/robots.txt", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given


@pytest.mark.parametrize("given", [None, "", "a" * 65, "zwei wörter", "x\r\nSet-Cookie: a=b", "ä", "id;drop"])
def test_a_missing_or_odd_request_id_is_replaced(client: Client, given: str | None) -> None:
    headers = {} if given is None else {"HTTP_X_REQUEST_ID": given}
    request_id = client.get("/robots.txt", **headers)["X-Request-ID"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0 and request_id != given


def test_every_request_gets_its_own_id(client: Client) -> None:
    assert client.get("/robots.txt")["X-Request-ID"] != client.get("/robots.txt")["X-Request-ID"]


def test_log_lines_of_a_request_carry_its_id(client: Client) -> None:
    # The configured console handler has the filter (a filter on a logger would miss the child loggers' records).
    console = [handler for handler in logging.getLogger().handlers if handler.get_name() == "console"]
    assert console and any(isinstance(f, RequestIdFilter) for f in console[0].filters)

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    django_request = logging.getLogger("django.request")
    django_request.addHandler(handler)
    try:
        client.get("/zz-nicht-da/a/b/c/d/", HTTP_X_REQUEST_ID="trace-42")  # Django logs "Not Found" at WARNING
        logging.getLogger("django.request").warning("nach der Anfrage")
    finally:
        django_request.removeHandler(handler)
    during, after = (json.loads(line) for line in stream.getvalue().splitlines())
    assert during["message"].startswith("Not Found") and during["request_id"] == "trace-42"
    assert "request_id" not in after


# --- production settings ---------------------------------------------------------------------------------------------

PRODUCTION_SETTINGS = """
import json
from mitwirken import settings
print(json.dumps({"exempt": settings.SECURE_REDIRECT_EXEMPT, "middleware": settings.MIDDLEWARE}))
"""


def production_settings(code: str, **extra: str) -> subprocess.CompletedProcess[str]:
    dropped = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR", "METRICS_ALLOWED_IPS")
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(
        MITWIRKEN_ENV="production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="beteiligung.example",
        SITE_URL="https://beteiligung.example", PYTHONPATH=str(ROOT / "src"), **extra,
    )  # fmt: skip
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_probes_and_metrics_are_exempt_from_the_https_redirect(settings: Any, media: Path) -> None:
    result = production_settings(PRODUCTION_SETTINGS)
    assert result.returncode == 0, result.stderr[-2000:]
    production = json.loads(result.stdout)
    middleware = production["middleware"]
    assert middleware[0] == "mitwirken.core.observability.ObservabilityMiddleware"
    assert middleware[1:3] == ["django.middleware.security.SecurityMiddleware",
                               "whitenoise.middleware.WhiteNoiseMiddleware"]  # fmt: skip

    settings.SECURE_SSL_REDIRECT, settings.SECURE_REDIRECT_EXEMPT = True, production["exempt"]
    client = Client()
    for path in ("/healthz", "/readyz", "/metrics"):
        assert client.get(path).status_code == 200, path
    assert client.get("/robots.txt").status_code == 301


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [("METRICS_ALLOWED_IPS", "10.0.0.0/8,intranet", "METRICS_ALLOWED_IPS"),
     ("PROMETHEUS_MULTIPROC_DIR", "/nicht/vorhanden", "PROMETHEUS_MULTIPROC_DIR")],
)  # fmt: skip
def test_a_wrong_monitoring_setting_stops_the_start(variable: str, value: str, message: str) -> None:
    result = production_settings("import mitwirken.settings", **{variable: value})
    assert result.returncode != 0 and message in result.stderr


def test_with_the_database_down_a_signed_in_citizen_gets_the_german_error_page_not_a_bare_server_error(
    media: Path,
) -> None:
    # The error page must not need what failed: its context (the user, the session) would ask the database again.
    citizen = login(Client(raise_request_exception=False), UserFactory())
    with database_down():
        response = citizen.get("/konto/")
    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="de">' in page and "Bitte versuchen Sie es in einigen Minuten erneut" in page
    assert "Traceback" not in page
