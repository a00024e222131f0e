from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialogueConfig(AppConfig):
    name = "mitwirken.dialogue"
    label = "dialogue"
    verbose_name = _("Dialog")

    def ready(self) -> None:
        from mitwirken.core import plugins
        from mitwirken.participation import targets

        from .blueprints import module_types
        from .targets import IdeaTarget, ParagraphTarget

        # Ideas and paragraphs get comments, ratings, flags and follows from the shared participation app.
        targets.register(IdeaTarget())
        targets.register(ParagraphTarget())
        plugins.register(
            plugins.Plugin(
                key="dialogue",
                name=_("Dialog"),
                module_types=module_types(),
                urls="mitwirken.dialogue.urls",
                rules="mitwirken.dialogue.rules",
                gdpr_export="mitwirken.dialogue.gdpr.export",
                demo=plugins.DemoSeeder(50, "mitwirken.dialogue.demo.seed"),
                account_sections="mitwirken.dialogue.contrib.account_sections",
                search="mitwirken.dialogue.contrib.search",
                statistics="mitwirken.dialogue.contrib.statistics",
            )
        )
