from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "mitwirken.volunteering"
    label = "volunteering"
    verbose_name = _("Ehrenamt")

    def ready(self) -> None:
        from mitwirken.core import plugins

        plugins.register(
            plugins.Plugin(
                key="volunteering",
                name=_("Ehrenamt"),
                urls="mitwirken.volunteering.urls",
                rules="mitwirken.volunteering.rules",
                main_nav=((_("Ehrenamt"), "volunteering:search"),),
                demo=plugins.DemoSeeder(80, "mitwirken.volunteering.demo.seed"),
                account_sections="mitwirken.volunteering.account.account_sections",
                daily="mitwirken.volunteering.jobs.daily",
                gdpr_export="mitwirken.volunteering.gdpr.export",
                gdpr_erase="mitwirken.volunteering.gdpr.erase",
                staff_work="mitwirken.volunteering.contrib.staff_work",
                statistics="mitwirken.volunteering.contrib.statistics",
                backoffice_nav=((_("Ehrenamtsbörse"), "backoffice:volunteering", "volunteering"),),
            )
        )
