from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialogueConfig(AppConfig):
    name = "mitwirken.dialogue"
    label = "dialogue"
    verbose_name = _("Dialog")

    def ready(self) -> None:
        from mitwirken.accounts import gdpr as accounts_gdpr

        from . import (
            gdpr,
            rules,  # noqa: F401  (registers the permissions)
        )
        from .blueprints import register_all

        register_all()
        accounts_gdpr.register("dialogue", exporter=gdpr.export, eraser=gdpr.erase)
