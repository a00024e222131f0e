from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    """Comments, ratings, flags, follows, blocks and digests for every module's objects (a core app)."""

    name = "mitwirken.participation"
    label = "participation"
    verbose_name = _("Beteiligung")

    def ready(self) -> None:
        from mitwirken.core import plugins

        # Not a module: like the projects app, participation contributes to "Mein Bereich", the staff overview,
        # the GDPR export and the daily job through the same registry. Its URLs are mounted by the root urls.py.
        plugins.register(
            plugins.Plugin(
                key="participation",
                name=_("Beteiligung"),
                rules="mitwirken.participation.rules",
                gdpr_export="mitwirken.participation.gdpr.export",
                gdpr_erase="mitwirken.participation.gdpr.erase",
                account_sections="mitwirken.participation.contrib.account_sections",
                staff_work="mitwirken.participation.contrib.staff_work",
                daily="mitwirken.participation.contrib.daily",
                backoffice_nav=((_("Moderation"), "backoffice:moderation", "moderation"),),
                # Comments can be flagged, hidden and approved like any contribution.
                participation_targets=("mitwirken.participation.comments.CommentTarget",),
            )
        )
