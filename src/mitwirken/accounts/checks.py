"""Startup checks for the SAML login: production never runs on the public test keys, and keys are readable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def saml_keys(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    files = [settings.MITWIRKEN_SAML_KEY_FILE, settings.MITWIRKEN_SAML_CERT_FILE,
             settings.MITWIRKEN_SAML_NEXT_KEY_FILE, settings.MITWIRKEN_SAML_NEXT_CERT_FILE]  # fmt: skip
    named = [name for name in files if name]
    problems: list[Any] = []
    test_keys = Path(settings.SAML_TEST_KEYS_DIR).resolve()
    if settings.PRODUCTION and any(Path(name).resolve().parent == test_keys for name in named):
        problems.append(Error("The SAML key pair is one of the public test keys in devtools/saml-test-keys.",
                              hint="Set MITWIRKEN_SAML_KEY_FILE and MITWIRKEN_SAML_CERT_FILE to your own key pair.",
                              id="accounts.E001"))  # fmt: skip
    for name in named:
        if not Path(name).is_file():
            problems.append(Error(f"SAML key or certificate file not found: {name}", id="accounts.E002"))
    if named and not settings.MITWIRKEN_SAML_XMLSEC_BINARY:
        problems.append(Warning("xmlsec1 is not installed: the BundID and MUK login cannot verify signatures.",
                                hint="apt-get install xmlsec1", id="accounts.W001"))  # fmt: skip
    return problems
