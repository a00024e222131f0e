"""The ``saml_idp`` fixture runs the test IdP against the live server's SP metadata.

Until the portal's SP answers at ``/konto/saml/metadata/``, this module's URL configuration stands in for it with
the test SP's metadata.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import path
from saml2.metadata import entity_descriptor

from .saml_test_sp import SP, class_ref, sp_config

if TYPE_CHECKING:
    from .saml_idp_runner import RunningIdP

pytest_plugins = ["tests.saml_idp"]

pytestmark = pytest.mark.xmlsec


def _test_sp_metadata(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(entity_descriptor(sp_config())), content_type="application/samlmetadata+xml")


urlpatterns = [path("konto/saml/metadata/", _test_sp_metadata)]


@pytest.mark.urls(__name__)
def test_fixture_runs_the_idp_against_the_live_servers_sp_metadata(saml_idp: RunningIdP) -> None:
    sp = SP(saml_idp)
    assert saml_idp.profile == "bundid"
    assert saml_idp.metadata_url == f"{saml_idp.base_url}/metadata"

    response = sp.login(persona="erika", level=4)

    assert class_ref(response) == "STORK-QAA-Level-4"
