from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialogueConfig(AppConfig):
    name = "mitwirken.dialogue"
    label = "dialogue"
    verbose_name = _("Dialog")

    def ready(self) -> None:
        from mitwirken.core import plugins

        from .blueprints import module_types

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
                contributions="mitwirken.dialogue.contrib.contributions",
                search="mitwirken.dialogue.contrib.search",
                statistics="mitwirken.dialogue.contrib.statistics",
                # Ideas and paragraphs get comments, ratings, flags and follows from the shared participation app.
                participation_targets=(
                    "mitwirken.dialogue.targets.IdeaTarget",
                    "mitwirken.dialogue.targets.ParagraphTarget",
                ),
            )
        )
