"""Cross-cutting behaviour: health, audit log, e-mail queue, security headers, settings, uploads, API schema."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage
from django.test import override_settings
from PIL import Image

from mitwirken.core.audit import log_action
from mitwirken.core.models import AuditEntry, Notification
from mitwirken.core.notifications import notify
from mitwirken.core.uploads import reencode_image

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_healthz_tells_the_public_only_ok(client, settings):
    """Database vendor and queue counts are for operators only (probe finding)."""
    settings.MITWIRKEN_HEALTHZ_TOKEN = "geheim-geheim-geheim"
    for url in ["/healthz", "/healthz?token=falsch"]:
        response = client.get(url)
        assert response.status_code == 200 and response.json() == {"status": "ok"}, url


def test_healthz_reports_database_and_task_queue(client, settings):
    settings.MITWIRKEN_HEALTHZ_TOKEN = "geheim-geheim-geheim"
    response = client.get("/healthz?token=geheim-geheim-geheim")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["tasks"]["status"] == "ok" and body["tasks"]["pending"] == 0


def test_healthz_reports_a_stuck_queue_as_degraded(client, settings):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.create(
        task_path="mitwirken.core.tasks.deliver_email", args_kwargs={"args": [], "kwargs": {}}, queue_name="email",
        backend_name="default", status="READY", priority=0,
    )  # fmt: skip
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - timedelta(hours=1))
    settings.MITWIRKEN_HEALTHZ_TOKEN = "geheim-geheim-geheim"
    assert client.get("/healthz").json() == {"status": "degraded"}
    body = client.get("/healthz?token=geheim-geheim-geheim").json()
    assert body["status"] == "degraded"
    assert body["tasks"]["pending"] == 1


def test_audit_log_is_append_only(world):
    entry = log_action(
        actor=world.personas["org_admin"], action="test", obj=world.public, organisation=world.organisation
    )
    entry.action = "manipuliert"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(action="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test"


def test_audit_log_is_readable_by_own_org_admin_only(world):
    log_action(
        actor=world.personas["org_admin"], action="project.update", obj=world.public, organisation=world.organisation
    )
    log_action(actor=world.personas["other_org_admin"], action="fremd.aktion", organisation=world.other_organisation)
    html = world.client("org_admin").get(f"/verwaltung/{world.organisation.slug}/protokoll/").content.decode()
    assert "project.update" in html and "fremd.aktion" not in html


def test_emails_go_through_the_task_queue(world):
    """The configured backend enqueues; the (immediate) test worker delivers to the outbox."""
    with override_settings(EMAIL_BACKEND="mitwirken.core.mail.TaskQueueEmailBackend"):
        EmailMessage("Betreff", "Text", to=["a@example.org"]).send()
    assert [m.subject for m in mail.outbox] == ["Betreff"]


def test_queued_email_survives_serialisation_with_the_database_backend(world, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}
    with override_settings(EMAIL_BACKEND="mitwirken.core.mail.TaskQueueEmailBackend"):
        EmailMessage("Über Umlaute", "Grüße", to=["b@example.org"]).send()
    queued = DBTaskResult.objects.get()
    assert queued.queue_name == "email"
    assert mail.outbox == []  # nothing sent until a worker runs the task
    # Run what a worker would run, from the stored JSON (the worker command itself closes DB connections).
    from mitwirken.core.tasks import deliver_email

    deliver_email.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
    assert [m.subject for m in mail.outbox] == ["Über Umlaute"]
    assert mail.outbox[0].body == "Grüße"


def test_notification_is_stored_and_emailed(world):
    notify(recipient=world.personas["citizen"], title="Neue Phase beginnt", body="Ab heute", url="/x/")
    assert Notification.objects.filter(recipient=world.personas["citizen"]).count() == 1
    assert mail.outbox[0].subject == "Neue Phase beginnt"
    html = world.client("citizen").get("/benachrichtigungen/").content.decode()
    assert "Neue Phase beginnt" in html


def test_pages_send_csp_without_inline_scripts(world, client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> found"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler found"
    assert response["X-Frame-Options"] == "DENY"


def test_uploaded_files_are_served_with_safe_headers(world):
    from .factories import AttachmentFactory

    attachment = AttachmentFactory(project=world.public)
    response = world.client("anonymous").get(
        f"/{world.organisation.slug}/projekte/{world.public.slug}/anhaenge/{attachment.pk}/"
    )
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"]


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "Kamerahersteller"
    exif[0x8825] = {1: "N", 2: (49.0, 59.0, 24.0), 3: "E", 4: (7.0, 36.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_images_are_reencoded_without_exif():
    original = jpeg_with_gps()
    assert b"Exif" in original and b"Kamerahersteller" in original
    checked = reencode_image(SimpleUploadedFile("foto.jpg", original, content_type="image/jpeg"))
    data = checked.content.read()
    assert b"Exif" not in data and b"Kamerahersteller" not in data
    assert Image.open(io.BytesIO(data)).format == "JPEG"


def test_api_schema_is_openapi_and_lists_the_project_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/projects" in schema["paths"]
    assert "/api/v1/projects/{org_slug}/{project_slug}" in schema["paths"]


def test_api_project_detail_carries_modules_and_phases(world):
    body = world.client("anonymous").get(f"/api/v1/projects/{world.organisation.slug}/{world.public.slug}").json()
    assert body["title"] == world.public.title
    assert body["modules"][0]["phases"][0]["features"] == ["view"]
    assert body["timing"] == "open"


PRODUCTION_ENV = {"MITWIRKEN_ENV": "production", "SECRET_KEY": "s" * 50, "SITE_URL": "https://portal.example"}


def run_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MITWIRKEN_", "DJANGO_", "SECRET_KEY", "DEBUG"))}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, "PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "mitwirken.settings", **env},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_production_refuses_to_start_with_debug_or_default_secret():
    no_secret = run_settings({"MITWIRKEN_ENV": "production"})
    assert no_secret.returncode != 0 and "SECRET_KEY" in no_secret.stderr
    debug = run_settings({"MITWIRKEN_ENV": "production", "DEBUG": "1", "SECRET_KEY": "x" * 50})
    assert debug.returncode != 0 and "DEBUG" in debug.stderr
    no_site = run_settings({"MITWIRKEN_ENV": "production", "SECRET_KEY": "s" * 50})
    assert no_site.returncode != 0 and "SITE_URL" in no_site.stderr
    typo = run_settings({**PRODUCTION_ENV, "STAFF_MFA_REQUIRED": "ture"})
    assert typo.returncode != 0 and "STAFF_MFA_REQUIRED" in typo.stderr
    ok = run_settings({**PRODUCTION_ENV, "ALLOWED_HOSTS": "portal.example"})
    assert ok.returncode == 0, ok.stderr


def test_secret_can_come_from_a_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("f" * 50)
    result = run_settings(
        {"MITWIRKEN_ENV": "production", "SITE_URL": "https://portal.example", "SECRET_KEY_FILE": str(secret_file)}
    )
    assert result.returncode == 0, result.stderr


def test_english_is_available(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en"' in response.content.decode()


def test_accessibility_feedback_is_stored_and_sent_to_the_organisation(world, client):
    from mitwirken.core.models import AccessibilityFeedback

    from .dialogue_helpers import solved_altcha_from

    world.organisation.contact_email = "barrieren@musterkreis.example"
    world.organisation.save()
    url = f"/{world.organisation.slug}/barrierefreiheit/"
    response = client.post(url, {"page_url": "/musterkreis/", "message": "Der Kontrast der Buttons ist zu gering.",
                                 "email": "", "altcha": solved_altcha_from(client.get(url))})  # fmt: skip
    assert response.status_code == 302
    assert AccessibilityFeedback.objects.get().organisation == world.organisation
    assert mail.outbox[-1].to == ["barrieren@musterkreis.example"]
    assert "Kontrast" in mail.outbox[-1].body


def test_accessibility_feedback_needs_a_message(client):
    from mitwirken.core.models import AccessibilityFeedback

    response = client.post("/barrierefreiheit/", {"page_url": "", "message": "", "email": "kein-mail"})
    html = response.content.decode()
    assert 'id="id_message_error"' in html and 'id="id_email_error"' in html
    assert not AccessibilityFeedback.objects.exists()
