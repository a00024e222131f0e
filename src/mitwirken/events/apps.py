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
                main_nav=((_("Veranstaltungen"), "events:calendar"),),
            )
        )
