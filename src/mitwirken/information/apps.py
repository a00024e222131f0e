from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InformationConfig(AppConfig):
    name = "mitwirken.information"
    label = "information"
    verbose_name = _("Informationsseite")

    def ready(self) -> None:
        from mitwirken.core import plugins

        plugins.register(
            plugins.Plugin(
                key="information",
                name=_("Informationsseite"),
                module_types=(
                    plugins.ModuleType(
                        key="information",
                        name=_("Information"),
                        description=_("Eine Informationsseite mit Zeitplan, ohne Beiträge."),
                        phase_types=(plugins.PhaseType(key="information", name=_("Information"), features=("view",)),),
                        render="mitwirken.information.views.render_module",
                    ),
                ),
            )
        )
