from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "mitwirken.reports"
    label = "reports"
    verbose_name = _("Mängelmelder")

    def ready(self) -> None:
        from mitwirken.core import plugins

        # A service of the organisations, not a project module: no module types, but the same contract.
        plugins.register(
            plugins.Plugin(
                key="maengelmelder",
                name=_("Mängelmelder"),
                urls="mitwirken.reports.urls",
                geocoder="mitwirken.reports.places.locate",
                map_places="mitwirken.reports.places.in_box",
                main_nav=((_("Mängelmelder"), "reports:index"),),
                backoffice_nav=((_("Mängelmelder"), "backoffice:report_inbox", "reports"),),
                rules="mitwirken.reports.rules",
                gdpr_export="mitwirken.reports.gdpr.export",
                gdpr_erase="mitwirken.reports.gdpr.erase",
                demo=plugins.DemoSeeder(40, "mitwirken.reports.demo.seed"),
                account_sections="mitwirken.reports.contrib.account_sections",
                staff_work="mitwirken.reports.contrib.staff_work",
                search="mitwirken.reports.contrib.search",
                statistics="mitwirken.reports.contrib.statistics",
                daily="mitwirken.reports.contrib.daily",
                audit_sentences="mitwirken.reports.contrib.audit_sentences",
            )
        )
