from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "mitwirken.surveys"
    label = "surveys"
    verbose_name = _("Umfragen")

    def ready(self) -> None:
        from mitwirken.core import plugins

        from .blueprints import module_types

        plugins.register(
            plugins.Plugin(
                key="surveys",
                name=_("Umfragen"),
                module_types=module_types(),
                urls="mitwirken.surveys.urls",
                rules="mitwirken.surveys.rules",
                gdpr_export="mitwirken.surveys.contrib.gdpr_export",
                gdpr_erase="mitwirken.surveys.contrib.gdpr_erase",
                demo=plugins.DemoSeeder(60, "mitwirken.surveys.demo.seed"),
                account_sections="mitwirken.surveys.contrib.account_sections",
                contributions="mitwirken.surveys.contrib.contributions",
                staff_work="mitwirken.surveys.contrib.staff_work",
                statistics="mitwirken.surveys.contrib.statistics",
                daily="mitwirken.surveys.contrib.daily",
            )
        )
