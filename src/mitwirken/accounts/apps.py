from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "mitwirken.accounts"
    label = "accounts"
    verbose_name = _("Konten")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the startup checks)
