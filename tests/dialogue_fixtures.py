"""Dialogue modules of every blueprint for tests: ``make_dialogue(project, blueprint, phase)``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from mitwirken.dialogue import services
from mitwirken.dialogue.blueprints import PHASES, module_type_key
from mitwirken.dialogue.models import Blueprint, Category, Chapter, Label, Paragraph
from mitwirken.projects.models import Phase

from .factories import ModuleFactory

AREA = {"type": "Polygon", "coordinates": [[[7.5, 50.0], [7.7, 50.0], [7.7, 50.1], [7.5, 50.1], [7.5, 50.0]]]}


def make_dialogue(project: Any, blueprint: str = Blueprint.BRAINSTORMING, phase: str | None = None, *,
                  when: str = "during") -> Any:  # fmt: skip
    """A module with one phase of the given type running before, during or after now."""
    module = ModuleFactory(project=project, module_type=module_type_key(blueprint), name=f"Dialog {blueprint}")
    phase_type = next(
        p for p in PHASES[Blueprint(blueprint)] if p.key == (phase or PHASES[Blueprint(blueprint)][0].key)
    )
    now = timezone.now()
    start, end = {
        "before": (now + timedelta(days=1), now + timedelta(days=10)),
        "during": (now - timedelta(days=1), now + timedelta(days=10)),
        "after": (now - timedelta(days=10), now - timedelta(days=1)),
    }[when]
    Phase.objects.create(module=module, phase_type=phase_type.key, name=str(phase_type.name),
                         features=list(phase_type.features), start=start, end=end)  # fmt: skip
    services.settings_for(module)
    if blueprint == Blueprint.TEXT_REVIEW:
        chapter = Chapter.objects.create(module=module, title="§ 1 Geltungsbereich", position=1)
        Paragraph.objects.create(chapter=chapter, text="<p>Diese Satzung gilt für das Gemeindegebiet.</p>", position=1)
        Paragraph.objects.create(
            chapter=chapter, text="<p>Sie tritt am Tag nach der Bekanntmachung in Kraft.</p>", position=2
        )
    Category.objects.create(module=module, name="Verkehr")
    Label.objects.create(module=module, name="Kinder")
    return module
