from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InformationConfig(AppConfig):
    name = "mitwirken.information"
    label = "information"
    verbose_name = _("Informationsseite")

    def ready(self) -> None:
        from mitwirken.projects import registry

        from .views import render_module

        registry.register(
            registry.ModuleType(
                key="information",
                name=_("Information"),
                description=_("Eine Informationsseite mit Zeitplan, ohne Beiträge."),
                phase_types=(registry.PhaseType(key="information", name=_("Information"), features=("view",)),),
                render=render_module,
            )
        )
