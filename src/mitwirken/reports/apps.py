from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "mitwirken.reports"
    label = "reports"
    verbose_name = _("Mängelmelder")

    def ready(self) -> None:
        from mitwirken.accounts import gdpr as accounts_gdpr

        from . import (
            gdpr,
            rules,  # noqa: F401  (registers the permissions)
        )

        accounts_gdpr.register("maengelmelder", exporter=gdpr.export, eraser=gdpr.erase)
