from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormalConfig(AppConfig):
    name = "mitwirken.formal"
    label = "formal"
    verbose_name = _("Förmliche Beteiligungsverfahren")

    def ready(self) -> None:
        from mitwirken.core import plugins

        plugins.register(
            plugins.Plugin(
                key="formal",
                name=_("Förmliche Beteiligungsverfahren"),
                module_types=(
                    plugins.ModuleType(
                        key="formal",
                        name=_("Förmliches Verfahren"),
                        description=_(
                            "Öffentliche Auslegung mit Fristen, Stellungnahmen, Eingangsbestätigung und Abwägung."
                        ),
                        phase_types=(
                            plugins.PhaseType(
                                key="public_track", name=_("Beteiligung der Öffentlichkeit"), features=("statement",)
                            ),
                            plugins.PhaseType(
                                key="agency_track",
                                name=_("Beteiligung der Träger öffentlicher Belange"),
                                features=("statement",),
                            ),
                        ),
                        render="mitwirken.formal.views.procedure_page",
                        backoffice_create="backoffice:procedure_create",
                        backoffice_manage="backoffice:procedure_setup",
                        call_to_action=_("Stellungnahme abgeben"),
                    ),
                ),
                urls="mitwirken.formal.urls",
                backoffice_nav=((_("XBeteiligung-Nachrichten"), "backoffice:exchange", "exchange"),),
                api="mitwirken.formal.api.router",
                rules="mitwirken.formal.rules",
                gdpr_export="mitwirken.formal.contrib.export_personal_data",
                demo=plugins.DemoSeeder(30, "mitwirken.formal.demo.seed"),
                account_sections="mitwirken.formal.contrib.account_sections",
                contributions="mitwirken.formal.contrib.contributions",
                receipts="mitwirken.formal.contrib.receipts",
                staff_work="mitwirken.formal.contrib.staff_work",
                statistics="mitwirken.formal.contrib.statistics",
                daily="mitwirken.formal.contrib.daily",
                audit_sentences="mitwirken.formal.contrib.audit_sentences",
                publish_checks="mitwirken.formal.contrib.publish_checks",
                system_check="mitwirken.formal.xbeteiligung.schema_check",
                api_scopes=(
                    (
                        "xbeteiligung.import",
                        _("XBeteiligung: Nachrichten an das Portal senden (z. B. Verfahren anlegen)"),
                    ),
                    (
                        "xbeteiligung.export",
                        _("XBeteiligung: Stellungnahmen (0701) und ausgehende Nachrichten abholen"),
                    ),
                ),
            )
        )
