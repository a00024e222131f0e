from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    """Local, explainable text analysis for staff: engines over plain texts, trained states, and the log of what
    staff made of each suggestion (a core app: it knows no module; modules call it with their texts)."""

    name = "mitwirken.analysis"
    label = "analysis"
    verbose_name = _("Analyse")
