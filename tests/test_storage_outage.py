"""The object storage does not answer: an upload fails with a page that says so, and nothing is half-saved."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import EndpointConnectionError
from django.core.files.storage import FileSystemStorage

from mitwirken.formal.models import StatementAttachment, StatementDraft

from .formal_fixtures import make_procedure, pdf_upload
from .test_formal import ADDRESS, urls

pytestmark = pytest.mark.django_db


def storage_down() -> Any:
    refused = EndpointConnectionError(endpoint_url="http://objektspeicher.internal:8333/mitwirken-media")
    return mock.patch.object(FileSystemStorage, "_save", side_effect=refused)


def test_an_attachment_while_the_storage_is_down_gets_a_clear_page_and_leaves_nothing_behind(world: Any) -> None:
    procedure = make_procedure(world.personas["case_worker"], world.public)
    track = procedure.rounds.get().tracks.get()
    client = world.client("citizen")
    with storage_down():
        response = client.post(urls(procedure, track)["form"], {
            "text": "Die Trasse zerschneidet den Wald.", **ADDRESS, "attachments": pdf_upload("gutachten.pdf"),
            "action": "review",
        })  # fmt: skip
    assert response.status_code == 503 and response["Retry-After"] == "60"
    page = response.content.decode()
    assert "Dateiablage des Portals ist für einen Moment nicht erreichbar" in page
    assert "Es wurde nichts gespeichert" in page and "objektspeicher" not in page
    assert not StatementAttachment.objects.exists()
    assert not StatementDraft.objects.filter(data__text="Die Trasse zerschneidet den Wald.").exists()
    # Back again: the same form goes through.
    response = client.post(urls(procedure, track)["form"], {
        "text": "Die Trasse zerschneidet den Wald.", **ADDRESS, "attachments": pdf_upload("gutachten.pdf"),
        "action": "review",
    })  # fmt: skip
    assert response.status_code == 302
    assert StatementAttachment.objects.get().name == "gutachten.pdf"


def test_only_storage_errors_become_the_storage_page(rf: Any) -> None:
    from botocore.exceptions import ClientError

    from mitwirken.core.middleware import StorageUnavailableMiddleware

    middleware = StorageUnavailableMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    request = rf.get("/")
    assert middleware.process_exception(request, RuntimeError("anything else")) is None  # the ordinary 500
    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "PutObject")
    assert middleware.process_exception(request, denied).status_code == 503  # type: ignore[union-attr]
