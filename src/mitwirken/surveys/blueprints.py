"""The survey module type and its phases: answering, then (optionally) showing published results."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mitwirken.core.plugins import ModuleType, PhaseType

RESPOND = PhaseType("respond", _("Befragung läuft"), ("respond",), _("Teilnehmende beantworten die Umfrage."))
RESULTS = PhaseType("results", _("Ergebnisse"), ("results",),
                    _("Die Umfrage ist geschlossen; veröffentlichte Ergebnisse sind sichtbar."))  # fmt: skip

MODULE_TYPE = "survey"


def module_types() -> tuple[ModuleType, ...]:
    return (
        ModuleType(
            key=MODULE_TYPE, name=_("Umfrage"),
            description=_("Ein Fragebogen mit Seiten, Bedingungen und Quoten; öffentlich, mit Konto oder mit "
                          "persönlichen Zugangscodes, auf Wunsch anonym."),
            phase_types=(RESPOND, RESULTS), render="mitwirken.surveys.views.render_module",
            backoffice_settings="backoffice:survey_builder", call_to_action=_("An der Umfrage teilnehmen"),
        ),
    )  # fmt: skip
