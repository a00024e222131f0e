from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "mitwirken.reports"
    label = "reports"
    verbose_name = _("Mängelmelder")

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers the permissions)
