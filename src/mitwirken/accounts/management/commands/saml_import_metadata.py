"""Import (or refresh) an identity provider's SAML metadata: ``manage.py saml_import_metadata bundid --url …``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mitwirken.accounts.models import ExternalIdentity
from mitwirken.accounts.saml.metadata import import_metadata


class Command(BaseCommand):
    help = "Imports an identity provider's SAML metadata from a file or a URL (docs/identity.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", choices=ExternalIdentity.Provider.values)
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--file", type=Path)
        source.add_argument("--url")
        parser.add_argument("--disabled", action="store_true", help="import, but do not offer the login yet")

    def handle(self, *args: Any, **options: Any) -> None:
        xml = options["file"].read_text(encoding="utf-8") if options["file"] else ""
        try:
            idp = import_metadata(actor=None, provider=options["provider"], xml=xml, url=options["url"] or "",
                                  enabled=not options["disabled"])  # fmt: skip
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{idp.get_provider_display()}: {idp.entity_id}")
