from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "mitwirken.projects"
    label = "projects"
    verbose_name = _("Beteiligungsprojekte")

    def ready(self) -> None:
        from mitwirken.accounts import gdpr

        def export(user):  # type: ignore[no-untyped-def]
            return list(
                user.project_memberships.values("project__title", "project__organisation__name", "role", "created_at")
            )

        gdpr.register("project_memberships", exporter=export)
