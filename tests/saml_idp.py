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

__all__ = ["RunningIdP", "saml_idp", "saml_idp_muk", "saml_portal"]


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


@pytest.fixture
def saml_portal(settings: Any, live_server: Any, saml_idp: RunningIdP, saml_idp_muk: RunningIdP) -> None:
    """The portal's SP trusts both test IdPs (their metadata imported) and names itself by the live server."""
    from mitwirken.accounts.saml.metadata import import_metadata

    # The IdPs read the SP's metadata from the live server; requests of the Django test client must build the
    # same entity id and ACS address.
    settings.MITWIRKEN_SAML_BASE_URL = live_server.url
    import_metadata(actor=None, provider="bundid", xml=saml_idp.metadata())
    import_metadata(actor=None, provider="muk", xml=saml_idp_muk.metadata())
