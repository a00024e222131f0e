"""Behind nginx the portal checks permission and nginx sends the file (X-Accel-Redirect, docs/operations.md)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from storages.backends.s3 import S3Storage

from mitwirken.core.uploads import serve_upload
from tests.factories import AttachmentFactory

pytestmark = pytest.mark.django_db


def attachment_url(item: Any) -> str:
    project = item.project
    return reverse("projects:attachment", kwargs={"org_slug": project.organisation.slug,
                                                  "project_slug": project.slug, "attachment_pk": item.pk})  # fmt: skip


@pytest.mark.parametrize(("persona", "allowed"), [("anonymous", False), ("citizen", False), ("invited", True),
                                                  ("case_worker", True), ("other_org_admin", False)])  # fmt: skip
def test_a_protected_attachment_goes_to_nginx_only_after_the_permission_check(
    world: Any, settings: Any, persona: str, allowed: bool
) -> None:
    settings.MITWIRKEN_ACCEL_REDIRECT = True
    item = AttachmentFactory(project=world.protected, title="Lageplan Süd")
    response = world.client(persona).get(attachment_url(item))
    if not allowed:
        assert response.status_code in (302, 403, 404)
        assert "X-Accel-Redirect" not in response
        return
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_protected/media/" + item.file.name
    assert response.content == b""  # nginx sends the bytes
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Lageplan" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_without_nginx_the_portal_sends_the_file_itself(world: Any) -> None:
    item = AttachmentFactory(project=world.public)
    response = world.client("anonymous").get(attachment_url(item))
    assert response.status_code == 200
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%test\n"


def test_a_file_lost_from_the_storage_is_not_found_rather_than_an_empty_download(world: Any, settings: Any) -> None:
    settings.MITWIRKEN_ACCEL_REDIRECT = True
    item = AttachmentFactory(project=world.public)
    item.file.storage.delete(item.file.name)
    assert world.client("anonymous").get(attachment_url(item)).status_code == 404


def test_from_object_storage_nginx_gets_a_short_lived_signed_url_with_the_download_headers(settings: Any) -> None:
    settings.MITWIRKEN_ACCEL_REDIRECT = True
    storage = S3Storage(bucket_name="media", endpoint_url="http://127.0.0.1:19334", access_key="key",
                        secret_key="secret", region_name="us-east-1", addressing_style="path",
                        signature_version="s3v4")  # fmt: skip
    stored = SimpleNamespace(name="projects/attachments/plan.pdf", storage=storage)
    response = serve_upload(stored, "application/pdf", download_name="Plan Nord.pdf", inline=False)  # type: ignore[arg-type]
    target = urlsplit(response["X-Accel-Redirect"])
    assert target.path == "/_protected/s3/media/projects/attachments/plan.pdf"
    query = parse_qs(target.query)
    assert query["X-Amz-Expires"] == ["60"]
    assert "X-Amz-Signature" in query
    assert query["response-content-type"] == ["application/pdf"]
    assert query["response-content-disposition"][0].startswith("attachment;")
