"""The five dialogue blueprints, registered as module types with the phases staff can choose from.

A phase declares what it allows; e.g. an idea collection can run "collect" (ideas, comments, ratings),
then "rate" (only ratings), then "result" (read only).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from mitwirken.core.plugins import ModuleType, PhaseType

from .models import Blueprint

COLLECT = PhaseType("collect", _("Ideen sammeln"), ("create", "comment", "rate"),
                             _("Teilnehmende reichen Ideen ein, kommentieren und bewerten."))  # fmt: skip
DISCUSS = PhaseType(
    "discuss", _("Diskutieren"), ("comment", "rate"), _("Kommentieren und bewerten, keine neuen Ideen.")
)
COMMENT = PhaseType("comment", _("Kommentieren"), ("comment",), _("Nur Kommentare."))
RATE = PhaseType("rate", _("Bewerten"), ("rate",), _("Nur Bewertungen."))
RESULT = PhaseType("result", _("Ergebnis"), (), _("Lesen und Ergebnisse ansehen; keine Beiträge."))

PHASES = {
    Blueprint.BRAINSTORMING: (COLLECT, DISCUSS, RATE, RESULT),
    Blueprint.MAP_IDEAS: (COLLECT, DISCUSS, RATE, RESULT),
    Blueprint.TEXT_REVIEW: (COMMENT, RESULT),
    Blueprint.DEBATE: (DISCUSS, COMMENT, RESULT),
    Blueprint.PRIORITISATION: (RATE, DISCUSS, RESULT),
}
DESCRIPTIONS = {
    Blueprint.BRAINSTORMING: _("Ideen mit Kommentaren und Bewertungen sammeln."),
    Blueprint.MAP_IDEAS: _("Ideen mit einem Ort im Projektgebiet sammeln, auf der Karte oder per Koordinaten."),
    Blueprint.TEXT_REVIEW: _(
        "Einen Entwurf in Kapiteln und Absätzen zur Diskussion stellen; jeder Absatz kann kommentiert werden."
    ),
    Blueprint.DEBATE: _("Von der Verwaltung gesetzte Themen diskutieren."),
    Blueprint.PRIORITISATION: _("Von der Verwaltung vorgegebene Vorschläge bewerten."),
}


def module_type_key(blueprint: str) -> str:
    return f"dialogue_{blueprint}"


def blueprint_of(module: Any) -> str:
    return str(module.module_type).removeprefix("dialogue_")


CALLS_TO_ACTION = {
    Blueprint.BRAINSTORMING: _("Idee einreichen"),
    Blueprint.MAP_IDEAS: _("Idee auf der Karte einreichen"),
    Blueprint.TEXT_REVIEW: _("Entwurf kommentieren"),
    Blueprint.DEBATE: _("Mitdiskutieren"),
    Blueprint.PRIORITISATION: _("Über Vorschläge abstimmen"),
}


def module_types() -> tuple[ModuleType, ...]:
    return tuple(
        ModuleType(
            key=module_type_key(blueprint), name=blueprint.label, description=DESCRIPTIONS[blueprint],
            phase_types=PHASES[blueprint], render="mitwirken.dialogue.views.render_module", backoffice_settings="backoffice:dialogue_setup",
            call_to_action=CALLS_TO_ACTION[blueprint],
        )
        for blueprint in Blueprint
    )  # fmt: skip
