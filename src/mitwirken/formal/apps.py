from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormalConfig(AppConfig):
    name = "mitwirken.formal"
    label = "formal"
    verbose_name = _("Förmliche Beteiligungsverfahren")

    def ready(self) -> None:
        from mitwirken.accounts import gdpr
        from mitwirken.projects import registry

        from . import views

        registry.register(
            registry.ModuleType(
                key="formal",
                name=_("Förmliches Verfahren"),
                description=_("Öffentliche Auslegung mit Fristen, Stellungnahmen, Eingangsbestätigung und Abwägung."),
                phase_types=(
                    registry.PhaseType(
                        key="public_track", name=_("Beteiligung der Öffentlichkeit"), features=("statement",)
                    ),
                    registry.PhaseType(
                        key="agency_track",
                        name=_("Beteiligung der Träger öffentlicher Belange"),
                        features=("statement",),
                    ),
                ),
                render=views.procedure_page,
                backoffice_create="backoffice:procedure_create",
                backoffice_manage="backoffice:procedure_setup",
            )
        )
        gdpr.register("statements", exporter=views.export_statements_of)
