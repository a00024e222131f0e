from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "mitwirken.events"
    label = "events"
    verbose_name = _("Veranstaltungen")

    def ready(self) -> None:
        from mitwirken.core import plugins

        plugins.register(
            plugins.Plugin(
                key="events",
                name=_("Veranstaltungen"),
                urls="mitwirken.events.urls",
                rules="mitwirken.events.rules",
                gdpr_export="mitwirken.events.gdpr.export",
                gdpr_erase="mitwirken.events.gdpr.erase",
                demo=plugins.DemoSeeder(70, "mitwirken.events.demo.seed"),
                account_sections="mitwirken.events.account.account_sections",
                project_sections="mitwirken.events.account.project_sections",
                staff_work="mitwirken.events.contrib.staff_work",
                statistics="mitwirken.events.contrib.statistics",
                daily="mitwirken.events.contrib.daily",
                main_nav=((_("Veranstaltungen"), "events:calendar"),),
                backoffice_nav=((_("Veranstaltungen"), "backoffice:events", "events"),),
            )
        )
