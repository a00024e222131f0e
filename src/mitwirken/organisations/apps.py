from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "mitwirken.organisations"
    label = "organisations"
    verbose_name = _("Organisationen")

    def ready(self) -> None:
        from mitwirken.accounts import gdpr

        def export(user):  # type: ignore[no-untyped-def]
            return list(user.organisation_memberships.values("organisation__name", "role", "created_at"))

        gdpr.register("organisation_memberships", exporter=export)
