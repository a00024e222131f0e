"""Demo categories of the Mängelmelder and who handles them in the demo region."""

from __future__ import annotations

from typing import Any

from mitwirken.core.demo import register
from mitwirken.organisations.models import Organisation

from .models import CategoryTemplate, OrganisationCategory

TEMPLATES = [
    ("strassenschaden", "Straßenschaden", "Schlaglöcher, Risse, abgesackte Gullys", "Verkehr"),
    ("strassenbeleuchtung", "Straßenbeleuchtung", "Defekte oder dauerhaft brennende Laternen", "Verkehr"),
    ("wilder-muell", "Wilder Müll", "Illegal abgelagerter Abfall", "Sauberkeit"),
    ("gruenflaeche", "Grünfläche", "Ungepflegte Beete, umgestürzte Bäume", "Grün"),
    ("verkehrszeichen", "Verkehrszeichen", "Beschädigte oder verdeckte Schilder", "Verkehr"),
    ("spielplatz", "Spielplatz", "Defekte Spielgeräte", "Freizeit"),
    ("gewaesser", "Gewässer", "Verunreinigungen, verstopfte Durchlässe", "Umwelt"),
    ("sonstiges", "Sonstiges", "Alles andere", "Sonstiges"),
]
# Who handles what: the Landkreis its roads (Kreisstraßen) everywhere in its area, the Verbandsgemeinden
# lighting, litter and the rest, the Ortsgemeinde its playgrounds.
HANDLERS = {
    "musterkreis": ["strassenschaden", "verkehrszeichen", "gewaesser"],
    "vg-nord": ["strassenbeleuchtung", "wilder-muell", "gruenflaeche", "sonstiges"],
    "vg-sued": ["strassenbeleuchtung", "wilder-muell", "gruenflaeche", "sonstiges"],
    "beispielhausen": ["spielplatz"],
}


@register(40, "reports")
def seed(stdout: Any, scale: int) -> None:
    templates = {}
    for code, name, description, group in TEMPLATES:
        templates[code], _created = CategoryTemplate.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "group": group}
        )
    for slug, codes in HANDLERS.items():
        organisation = Organisation.objects.filter(slug=slug).first()
        for code in codes if organisation else []:
            OrganisationCategory.objects.get_or_create(organisation=organisation, template=templates[code])
    stdout.write(f"Mängelmelder: {len(templates)} Kategorien, Zuständigkeiten für {len(HANDLERS)} Organisationen.")
