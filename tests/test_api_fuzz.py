"""API fuzzing (issue 10): schemathesis against the portal's OpenAPI schema, in process through the WSGI app.

Every operation gets generated parameters (valid and invalid ones); no answer may be a server error, and every
answer must conform to the schema (status code, content type, body). The run is bounded: a fixed number of
examples per operation and no deadline (CI machines are slow), so the whole file takes well under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def data(world: Any) -> Iterator[Any]:
    """Organisations and projects of every access mode, so list and detail answers carry real rows.

    The WSGI handler closes the database connection after each request (``close_old_connections``); inside a
    test that would close the test transaction, so it is disconnected here as Django's test client does.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield world
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema_and_never_fails(case: Any, data: Any) -> None:
    case.call_and_validate()
