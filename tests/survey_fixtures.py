"""Survey modules for tests: ``make_survey(project, access=…, anonymity=…, when=…)`` builds the household survey
used across the survey tests: three pages, a condition on page 2, a matrix, a ranking and a number."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from mitwirken.projects.models import Phase
from mitwirken.surveys.blueprints import MODULE_TYPE, RESPOND
from mitwirken.surveys.models import Survey
from mitwirken.surveys.services import building

from .factories import ModuleFactory

WHEN = {
    "before": (timedelta(days=1), timedelta(days=10)),
    "during": (timedelta(days=-1), timedelta(days=10)),
    "after": (timedelta(days=-10), timedelta(days=-1)),
}


def make_survey_module(project: Any, *, when: str = "during", name: str = "Haushaltsbefragung") -> Any:
    module = ModuleFactory(project=project, module_type=MODULE_TYPE, name=name)
    start, end = WHEN[when]
    now = timezone.now()
    Phase.objects.create(module=module, phase_type=RESPOND.key, name=str(RESPOND.name), features=list(RESPOND.features),
                         start=now + start, end=now + end)  # fmt: skip
    return module


def make_survey(project: Any, *, access: str = "public", anonymity: str = "anonymous", when: str = "during",
                staff: Any = None) -> Survey:  # fmt: skip
    """The household survey. ``staff`` is the actor for the building services (a portal admin by default)."""
    from .factories import UserFactory

    actor = staff or UserFactory(is_superuser=True, is_staff=True)
    module = make_survey_module(project, when=when)
    survey = building.survey_for(module)
    Survey.objects.filter(pk=survey.pk).update(access=access, anonymity=anonymity)
    survey.refresh_from_db()
    survey.module = module
    first = building.page_add(actor=actor, survey=survey, title="Ihr Haushalt")
    building.question_add(actor=actor, page=first, type="single", code="verkehrsmittel", required=True,
                          text="Wie kommen Sie meistens zur Arbeit?",
                          options=[("auto", "Auto"), ("rad", "Fahrrad"), ("oepnv", "Bus und Bahn"), ("fuss", "Zu Fuß")],
                          config={"other": True})  # fmt: skip
    building.question_add(actor=actor, page=first, type="number", code="personen", required=True,
                          text="Wie viele Personen leben in Ihrem Haushalt?", config={"min": 1, "max": 20, "step": 1})  # fmt: skip
    bikes = building.page_add(actor=actor, survey=survey, title="Radverkehr",
                              condition={"question": "verkehrsmittel", "op": "equals", "value": "rad"})  # fmt: skip
    building.question_add(actor=actor, page=bikes, type="matrix", code="radwege", required=True,
                          text="Wie zufrieden sind Sie mit den Radwegen?",
                          options=[("1", "sehr zufrieden"), ("2", "zufrieden"), ("3", "unzufrieden")],
                          rows=[("innenstadt", "Innenstadt"), ("schulwege", "Schulwege")])  # fmt: skip
    building.question_add(actor=actor, page=bikes, type="multiple", code="wuensche", text="Was wünschen Sie sich?",
                          options=[("abstellen", "Abstellanlagen"), ("licht", "Beleuchtung"), ("breite", "Breitere Wege")],
                          config={"max": 2})  # fmt: skip
    last = building.page_add(actor=actor, survey=survey, title="Prioritäten")
    building.question_add(actor=actor, page=last, type="ranking", code="prioritaeten", required=True,
                          text="Was ist Ihnen am wichtigsten?",
                          options=[("sicherheit", "Sicherheit"), ("tempo", "Schnelligkeit"), ("kosten", "Kosten")])  # fmt: skip
    building.question_add(
        actor=actor, page=last, type="long_text", code="anmerkungen", text="Möchten Sie uns noch etwas sagen?"
    )
    building.question_add(actor=actor, page=last, type="short_text", code="rad_anmerkung", text="Und zum Radverkehr?",
                          condition={"question": "verkehrsmittel", "op": "equals", "value": "rad"})  # fmt: skip
    return survey
