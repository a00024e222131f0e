"""Demo projects: public, semi-public and protected, plus ``--scale N`` projects for benchmarks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from mitwirken.core.demo import load_data, register, single_paragraph
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

# The content is in demo/projects.toml (see core.demo.load_data); this module turns it into records.
_DATA = load_data("mitwirken.projects", "projects.toml")

DEMO_PROJECTS = [
    # org, slug, title, summary, access, phase offset (days from now), length (days), topics
    (item["organisation"], item["slug"], item["title"], single_paragraph(item["summary"]), AccessMode(item["access"]),
     item["phase_start"], item["phase_days"], item["topics"])
    for item in _DATA["projects"]
]  # fmt: skip


def _add_information_module(project: Project, start_offset: int, days: int) -> None:
    if project.modules.exists():
        return
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    content = _DATA["information_module"]
    module = Module.objects.create(project=project, module_type="information", name=content["name"], weight=1,
                                   description=content["description"])  # fmt: skip
    Phase.objects.create(module=module, phase_type="information", name=content["phase_name"], features=["view"],
                         start=now + timedelta(days=start_offset), end=now + timedelta(days=start_offset + days))  # fmt: skip
    refresh_phase_span(project)


@register(20, "projects")
def seed(stdout: Any, scale: int) -> None:
    organisations = {organisation.slug: organisation for organisation in Organisation.objects.all()}
    for org_slug, slug, title, summary, access, offset, days, topics in DEMO_PROJECTS:
        project, _created = Project.objects.get_or_create(
            organisation=organisations[org_slug], slug=slug,
            defaults={"title": title, "summary": summary, "access": access, "topics": topics,
                      "description": _DATA["description"].format(summary=summary),
                      "status": ProjectStatus.PUBLISHED, "published_at": timezone.now(),
                      "contact_name": _DATA["contact_name"],
                      "contact_email": _DATA["contact_email"].format(organisation=org_slug)},
        )  # fmt: skip
        _add_information_module(project, offset, days)
    draft = _DATA["draft"]
    Project.objects.get_or_create(
        organisation=organisations[draft["organisation"]], slug=draft["slug"],
        defaults={"title": draft["title"], "summary": draft["summary"], "status": ProjectStatus.DRAFT},
    )  # fmt: skip

    User = get_user_model()
    for member in _DATA["memberships"]:
        project = Project.objects.get(organisation__slug=member["organisation"], slug=member["project"])
        agency = organisations[member["agency"]] if "agency" in member else None
        ProjectMembership.objects.get_or_create(
            project=project,
            user=User.objects.get(email=member["email"]),
            defaults={"role": ParticipantRole(member["role"]), "agency": agency},
        )
    entry = _DATA["protected"]
    protected = Project.objects.get(organisation__slug=entry["organisation"], slug=entry["project"])
    if not protected.invitations.exists():
        Invitation.objects.create(project=protected, email=entry["invitation_email"], token=entry["invitation_token"],
                                  expires_at=timezone.now() + timedelta(days=entry["invitation_days"]))  # fmt: skip
    if not protected.access_codes.exists():
        AccessCode.objects.create(project=protected, code=entry["access_code"])

    if scale:
        _seed_scale(organisations["musterkreis"], scale)

    stdout.write("Demo-Projekte:")
    listed = Project.objects.filter(slug__in=[p[1] for p in DEMO_PROJECTS] + [draft["slug"]])
    for project in listed.select_related("organisation"):
        stdout.write(
            f"  {project.get_absolute_url():55} {project.get_access_display()} / {project.get_status_display()}"
        )
    stdout.write(
        f"Einladungslink (geschütztes Projekt, für {entry['invitation_email']}): /einladung/{entry['invitation_token']}/  "
        f"Zugangscode: {entry['access_code']}"
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
