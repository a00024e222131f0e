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

        from mitwirken.core import plugins

        # Not a module: the projects app contributes to "Mein Bereich" and the staff overview the same way.
        plugins.register(
            plugins.Plugin(
                key="projects",
                name=_("Beteiligungsprojekte"),
                account_sections="mitwirken.projects.contrib.account_sections",
                staff_work="mitwirken.projects.contrib.staff_work",
                statistics="mitwirken.projects.contrib.statistics",
            )
        )
