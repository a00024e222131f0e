from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialogueConfig(AppConfig):
    name = "mitwirken.dialogue"
    label = "dialogue"
    verbose_name = _("Dialog")

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers the permissions)
        from .blueprints import register_all

        register_all()
