"""The local test IdP (devtools/test_idp) as pytest fixtures: a BundID or Mein-Unternehmenskonto stand-in.

Use with ``pytest_plugins = ["tests.saml_idp"]``. ``saml_idp`` (BundID) and ``saml_idp_muk`` start the IdP as a
subprocess on a free port (so pytest-xdist workers never clash), pointed at the live server's
``/konto/saml/metadata/``, and stop it after the module. Without a browser a test drives it with
:meth:`RunningIdP.respond <tests.saml_idp_runner.RunningIdP.respond>` (the SP's AuthnRequest in, the SAML
response for the ACS out) and ``unsolicited``. Nothing here needs the internet.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .saml_idp_runner import SP_METADATA_PATH, RunningIdP, run_test_idp

__all__ = ["RunningIdP", "saml_idp", "saml_idp_muk"]


@pytest.fixture(scope="module")
def saml_idp(live_server: Any) -> Iterator[RunningIdP]:
    """The BundID stand-in, answering the live server's SP."""
    with run_test_idp("bundid", sp_metadata_url=f"{live_server.url}{SP_METADATA_PATH}") as idp:
        yield idp


@pytest.fixture(scope="module")
def saml_idp_muk(live_server: Any) -> Iterator[RunningIdP]:
    """The Mein-Unternehmenskonto stand-in, answering the live server's SP."""
    with run_test_idp("muk", sp_metadata_url=f"{live_server.url}{SP_METADATA_PATH}") as idp:
        yield idp
