"""Demo projects: public, semi-public and protected, plus ``--scale N`` projects for benchmarks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from mitwirken.core.demo import register
from mitwirken.organisations.models import Organisation

from .models import (
    AccessCode,
    AccessMode,
    Invitation,
    Module,
    ParticipantRole,
    Phase,
    Project,
    ProjectMembership,
    ProjectStatus,
)
from .services import refresh_phase_span

DEMO_PROJECTS = [
    # org, slug, title, summary, access, phase offset (days from now), length (days), topics
    ("musterkreis", "radverkehrskonzept", "Radverkehrskonzept Landkreis Musterkreis",
     "Wo fehlen Radwege, wo ist es gefährlich? Der Landkreis erarbeitet ein Radverkehrskonzept und informiert über Zeitplan und Beteiligung.",
     AccessMode.PUBLIC, -7, 40, ["mobilitaet", "umwelt"]),
    ("beispielhausen", "alte-schule", "Zukunft der alten Schule Beispielhausen",
     "Das Gebäude der alten Grundschule steht leer. Der Gemeinderat möchte mit den Vereinen und Nachbarn über die Nutzung sprechen.",
     AccessMode.SEMIPUBLIC, -3, 30, ["planung", "kultur"]),
    ("musterkreis", "kreisstrasse-k12", "Fachbeteiligung Ausbau der Kreisstraße K 12",
     "Abstimmung des Ausbaus der K 12 zwischen Beispielhausen und Nordheim mit den Trägern öffentlicher Belange und Anliegern.",
     AccessMode.PROTECTED, -1, 28, ["mobilitaet"]),
    ("ministerium", "lep-v-vorinformation", "Landesentwicklungsprogramm V – Vorinformation",
     "Das Ministerium kündigt die Fortschreibung des Landesentwicklungsprogramms an und erklärt, wann und wie Sie sich beteiligen können.",
     AccessMode.PUBLIC, 14, 60, ["planung"]),
    ("vg-nord", "spielplatz-nordheim", "Neugestaltung Spielplatz Nordheim",
     "Die Beteiligung zur Neugestaltung des Spielplatzes ist abgeschlossen. Hier finden Sie die Ergebnisse.",
     AccessMode.PUBLIC, -90, 30, ["soziales"]),
]  # fmt: skip


def _add_information_module(project: Project, start_offset: int, days: int) -> None:
    if project.modules.exists():
        return
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    module = Module.objects.create(project=project, module_type="information", name="Information und Zeitplan", weight=1,
                                   description="<p>Hier informieren wir über den Ablauf der Beteiligung.</p>")  # fmt: skip
    Phase.objects.create(module=module, phase_type="information", name="Information", features=["view"],
                         start=now + timedelta(days=start_offset), end=now + timedelta(days=start_offset + days))  # fmt: skip
    refresh_phase_span(project)


@register(20, "projects")
def seed(stdout: Any, scale: int) -> None:
    organisations = {organisation.slug: organisation for organisation in Organisation.objects.all()}
    for org_slug, slug, title, summary, access, offset, days, topics in DEMO_PROJECTS:
        project, _created = Project.objects.get_or_create(
            organisation=organisations[org_slug], slug=slug,
            defaults={"title": title, "summary": summary, "access": access, "topics": topics,
                      "description": f"<p>{summary}</p><p>Ansprechperson ist das Projektteam der Verwaltung.</p>",
                      "status": ProjectStatus.PUBLISHED, "published_at": timezone.now(),
                      "contact_name": "Projektteam", "contact_email": f"beteiligung@{org_slug}.example"},
        )  # fmt: skip
        _add_information_module(project, offset, days)
    Project.objects.get_or_create(
        organisation=organisations["musterkreis"], slug="entwurf-klimaschutz",
        defaults={"title": "Klimaschutzkonzept (Entwurf)", "summary": "Noch nicht veröffentlicht.", "status": ProjectStatus.DRAFT},
    )  # fmt: skip

    User = get_user_model()
    protected = Project.objects.get(organisation__slug="musterkreis", slug="kreisstrasse-k12")
    semipublic = Project.objects.get(organisation__slug="beispielhausen", slug="alte-schule")
    members = [
        (protected, "buerger@mitwirken.example", ParticipantRole.PARTICIPANT, None),
        (protected, "toeb@lbm.example", ParticipantRole.AGENCY, organisations["lbm"]),
        (protected, "moderation@mitwirken.example", ParticipantRole.MODERATOR, None),
        (semipublic, "buerger@mitwirken.example", ParticipantRole.PARTICIPANT, None),
    ]
    for project, email, role, agency in members:
        ProjectMembership.objects.get_or_create(project=project, user=User.objects.get(email=email),
                                                defaults={"role": role, "agency": agency})  # fmt: skip
    if not protected.invitations.exists():
        Invitation.objects.create(project=protected, email="neu@mitwirken.example", token="demo-einladung-k12",
                                  expires_at=timezone.now() + timedelta(days=365))  # fmt: skip
    if not protected.access_codes.exists():
        AccessCode.objects.create(project=protected, code="DEMO-K12A-2026")

    if scale:
        _seed_scale(organisations["musterkreis"], scale)

    stdout.write("Demo-Projekte:")
    for project in Project.objects.filter(
        slug__in=[p[1] for p in DEMO_PROJECTS] + ["entwurf-klimaschutz"]
    ).select_related("organisation"):
        stdout.write(
            f"  {project.get_absolute_url():55} {project.get_access_display()} / {project.get_status_display()}"
        )
    stdout.write(
        "Einladungslink (geschütztes Projekt, für neu@mitwirken.example): /einladung/demo-einladung-k12/  "
        "Zugangscode: DEMO-K12A-2026"
    )


def _seed_scale(organisation: Organisation, count: int) -> None:
    """Bulk-insert ``count`` published projects with one information phase each."""
    now = timezone.now()
    existing = Project.objects.filter(organisation=organisation, slug__startswith="skala-").count()
    batch = []
    for index in range(existing, existing + count):
        start = now + timedelta(days=(index % 90) - 45)
        batch.append(Project(
            organisation=organisation, slug=f"skala-{index}", title=f"Beteiligung Nr. {index}",
            summary="Automatisch erzeugtes Projekt für Lasttests.", status=ProjectStatus.PUBLISHED,
            access=AccessMode.PUBLIC if index % 10 else AccessMode.PROTECTED, published_at=now - timedelta(minutes=index),
            first_phase_start=start, last_phase_end=start + timedelta(days=30), topics=["sonstiges"],
        ))  # fmt: skip
    projects = Project.objects.bulk_create(batch, batch_size=1000)
    modules = Module.objects.bulk_create(
        [Module(project=project, module_type="information", name="Information") for project in projects],
        batch_size=1000,
    )
    Phase.objects.bulk_create(
        [Phase(module=module, phase_type="information", name="Information", features=["view"],
               start=module.project.first_phase_start or now, end=module.project.last_phase_end or now) for module in modules],
        batch_size=1000,
    )  # fmt: skip
