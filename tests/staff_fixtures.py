"""Many statements at once for the inbox tests: one submitted through the services, the rest copied from it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from mitwirken.formal.models import Statement

TEXTS = [
    "Die Ortsumgehung zerschneidet das Naherholungsgebiet am Mühlbach. Außerdem fehlt ein Lärmgutachten für die "
    "Wohngebiete an der Hauptstraße, und die Querung des Radwegs ist nicht gesichert. Bitte prüfen Sie die "
    "Trassenvariante Süd erneut, sie schont den Wald und die Äcker der Landwirte.",
    "Ich unterstütze das Vorhaben, bitte aber um eine Lärmschutzwand entlang der Siedlung.",
    "Der Flächenverbrauch ist zu hoch.",
]


def many_statements(template: Statement, count: int, *, late_every: int = 0) -> list[Statement]:
    """``count`` copies of ``template``, received one minute apart (newest first by id), with varied texts."""
    copies = []
    offset = Statement.objects.filter(procedure_id=template.procedure_id).count()
    for number in range(offset, offset + count):
        values: dict[str, Any] = {
            field.attname: getattr(template, field.attname)
            for field in Statement._meta.concrete_fields
            if not field.primary_key
        }
        values.update(
            reference=f"{template.reference}-{number:04d}",
            submission_key=uuid.uuid4(),
            cosign_token=uuid.uuid4(),
            text=TEXTS[number % len(TEXTS)],
            author_name=f"Person {number}",
            received_at=template.received_at - timedelta(minutes=number),
            late=bool(late_every) and number % late_every == 0,
        )
        copies.append(Statement(**values))
    return Statement.objects.bulk_create(copies)
