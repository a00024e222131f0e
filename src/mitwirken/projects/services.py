"""Writes on projects, modules, phases, invitations and access codes.

Each function checks the actor's permission again (views are not trusted to),
runs in one transaction and appends to the audit log.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Min, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core import geo
from mitwirken.core.audit import diff_fields, log_action, snapshot
from mitwirken.core.notifications import send_templated_email
from mitwirken.core.permissions import require
from mitwirken.core.text import sanitise_html
from mitwirken.core.uploads import check_attachment, reencode_image
from mitwirken.organisations.models import Organisation

from . import registry
from .models import (
    AccessCode,
    Invitation,
    Module,
    ParticipantRole,
    Phase,
    Project,
    ProjectAttachment,
    ProjectMembership,
    ProjectStatus,
    normalise_access_code,
    unique_module_slug,
    unique_project_slug,
)
from .roles import forget_project_roles

PROJECT_FIELDS = [
    "title", "slug", "summary", "description", "topics", "location", "location_label",
    "contact_name", "contact_email", "contact_phone", "image_alt", "access",
]  # fmt: skip
INVITATION_VALIDITY = timedelta(days=30)
MAX_ACCESS_CODES_PER_BATCH = 1000


def _apply_project_fields(project: Project, data: dict[str, Any]) -> list[str]:
    fields = [field for field in PROJECT_FIELDS if field in data]
    for field in fields:
        setattr(project, field, data[field])
    project.description = sanitise_html(project.description)
    if project.location:
        project.location = geo.parse_geometry(project.location, allowed_types=geo.LOCATION_TYPES)
    return fields


def _propose_slug(project: Project) -> None:
    """An empty address, or the one proposed from the title while typing, becomes unique in the organisation."""
    from mitwirken.core.text import german_slug

    proposed = german_slug(project.title, 70)
    if not project.slug or project.slug == proposed:
        project.slug = unique_project_slug(project.organisation_id, project.title)


def _save_image(project: Project, image: Any) -> None:
    if image:
        checked = reencode_image(image)
        project.image.save(checked.content.name, checked.content, save=False)


@transaction.atomic
def project_create(*, actor: Any, organisation: Organisation, image: Any = None, **data: Any) -> Project:
    require(actor, "organisations.add_project", organisation)
    project = Project(organisation=organisation)
    _apply_project_fields(project, data)
    _propose_slug(project)
    _save_image(project, image)
    project.full_clean()
    project.save()
    log_action(actor=actor, action="project.create", obj=project, organisation=organisation)
    return project


@transaction.atomic
def project_update(*, actor: Any, project: Project, image: Any = None, **data: Any) -> Project:
    require(actor, "projects.change_project", project)
    project = Project.objects.select_for_update().select_related("organisation").get(pk=project.pk)
    before = snapshot(project, [*PROJECT_FIELDS, "image"])
    if "slug" in data and not data["slug"]:
        data = {**data, "slug": project.slug}  # an emptied address keeps the one in use, links stay valid
    fields = _apply_project_fields(project, data)
    _save_image(project, image)
    project.full_clean()
    project.save()
    changes = diff_fields(project, before, [*fields, "image"])
    if changes:
        log_action(
            actor=actor, action="project.update", obj=project, organisation=project.organisation, changes=changes
        )
    return project


@transaction.atomic
def project_publish(*, actor: Any, project: Project) -> Project:
    """Publish after the checklist (``publishing.publish_checks``): unmet essentials refuse, recommendations don't."""
    from .publishing import blocking, describe_blocking, publish_checks

    require(actor, "projects.publish_project", project)
    project = Project.objects.select_for_update().select_related("organisation").get(pk=project.pk)
    missing = blocking(publish_checks(project))
    if missing:
        raise ValidationError(describe_blocking(missing))
    if project.status == ProjectStatus.PUBLISHED:
        return project
    old = project.status
    project.status = ProjectStatus.PUBLISHED
    project.published_at = project.published_at or timezone.now()
    project.save(update_fields=["status", "published_at"])
    log_action(
        actor=actor, action="project.publish", obj=project, organisation=project.organisation,
        changes={"status": [old, project.status]},
    )  # fmt: skip
    return project


@transaction.atomic
def project_archive(*, actor: Any, project: Project) -> Project:
    require(actor, "projects.publish_project", project)
    project = Project.objects.select_for_update().select_related("organisation").get(pk=project.pk)
    if project.status != ProjectStatus.PUBLISHED:
        # Archived projects are public; a draft must pass the publishing checks first.
        raise ValidationError(_("Nur veröffentlichte Projekte können archiviert werden."))
    old = project.status
    project.status = ProjectStatus.ARCHIVED
    project.save(update_fields=["status"])
    log_action(
        actor=actor, action="project.archive", obj=project, organisation=project.organisation,
        changes={"status": [old, project.status]},
    )  # fmt: skip
    return project


@transaction.atomic
def attachment_add(*, actor: Any, project: Project, title: str, upload: Any) -> ProjectAttachment:
    require(actor, "projects.change_project", project)
    checked = check_attachment(upload)
    attachment = ProjectAttachment(
        project=project, title=title, content_type=checked.content_type, size=checked.content.size
    )
    attachment.file.save(checked.content.name, checked.content, save=False)
    attachment.full_clean()
    attachment.save()
    log_action(actor=actor, action="attachment.add", obj=attachment, organisation=project.organisation)
    return attachment


@transaction.atomic
def attachment_remove(*, actor: Any, attachment: ProjectAttachment) -> None:
    require(actor, "projects.change_project", attachment.project)
    log_action(actor=actor, action="attachment.remove", obj=attachment, organisation=attachment.project.organisation)
    attachment.file.delete(save=False)
    attachment.delete()


# Modules and phases


def refresh_phase_span(project: Project) -> None:
    """Keep the denormalised first start / last end that lists filter on."""
    span = Phase.objects.filter(module__project=project).aggregate(first=Min("start"), last=Max("end"))
    Project.objects.filter(pk=project.pk).update(first_phase_start=span["first"], last_phase_end=span["last"])


@transaction.atomic
def module_add(*, actor: Any, project: Project, module_type: str, name: str, description: str = "") -> Module:
    require(actor, "projects.change_project", project)
    if registry.get(module_type) is None:
        raise ValidationError({"module_type": _("Diesen Modultyp gibt es nicht.")})
    weight = (project.modules.aggregate(Max("weight"))["weight__max"] or 0) + 1
    module = Module(
        project=project, module_type=module_type, name=name, description=sanitise_html(description), weight=weight,
        slug=unique_module_slug(project.pk, name),
    )  # fmt: skip
    module.full_clean()
    module.save()
    log_action(actor=actor, action="module.add", obj=module, organisation=project.organisation)
    return module


def _validate_phase(phase: Phase) -> None:
    module_type = phase.module.type
    if module_type is None or module_type.phase_type(phase.phase_type) is None:
        raise ValidationError({"phase_type": _("Diesen Phasentyp gibt es für das Modul nicht.")})
    if phase.start and phase.end and phase.end <= phase.start:
        raise ValidationError({"end": _("Das Ende der Phase muss nach ihrem Beginn liegen.")})
    phase.full_clean()


@transaction.atomic
def phase_add(
    *, actor: Any, module: Module, phase_type: str, name: str, start: Any, end: Any, description: str = ""
) -> Phase:
    require(actor, "projects.change_project", module.project)
    phase = Phase(module=module, phase_type=phase_type, name=name, start=start, end=end, description=description)
    declared = module.type.phase_type(phase_type) if module.type else None
    phase.features = list(declared.features) if declared else []
    _validate_phase(phase)
    phase.save()
    refresh_phase_span(module.project)
    log_action(
        actor=actor, action="phase.add", obj=phase, organisation=module.project.organisation,
        changes={"start": [None, start.isoformat()], "end": [None, end.isoformat()]},
    )  # fmt: skip
    return phase


@transaction.atomic
def phase_update(*, actor: Any, phase: Phase, **data: Any) -> Phase:
    project = phase.module.project
    require(actor, "projects.change_project", project)
    fields: list[str] = [field for field in ("name", "description", "start", "end") if field in data]
    before = snapshot(phase, fields)
    for field in fields:
        setattr(phase, field, data[field])
    _validate_phase(phase)
    phase.save()
    refresh_phase_span(project)
    log_action(
        actor=actor, action="phase.update", obj=phase, organisation=project.organisation,
        changes=diff_fields(phase, before, fields),
    )  # fmt: skip
    return phase


def module_contributions(module: Module) -> list[str]:
    """What people contributed to the module, as its plugin counts it ("12 Ideen"); empty when nothing."""
    from mitwirken.core import plugins

    plugin = plugins.plugin_of(module.module_type)
    counter = plugin.load("contributions") if plugin is not None else None
    return list(counter(module)) if counter is not None else []


@transaction.atomic
def module_update(*, actor: Any, module: Module, name: str, description: str = "") -> Module:
    project = module.project
    require(actor, "projects.change_project", project)
    module = Module.objects.select_for_update().get(pk=module.pk)  # the stored values, not a bound form's
    module.project = project
    fields = ["name", "description"]
    before = snapshot(module, fields)
    module.name, module.description = name, sanitise_html(description)
    module.full_clean()
    module.save(update_fields=fields)
    changes = diff_fields(module, before, fields)
    if changes:
        log_action(actor=actor, action="module.update", obj=module, organisation=project.organisation, changes=changes)
    return module


@transaction.atomic
def module_delete(*, actor: Any, module: Module) -> None:
    """Delete a module with its phases and set-up, refused once people have contributed to it."""
    project = module.project
    require(actor, "projects.change_project", project)
    found = module_contributions(module)
    if found:
        raise ValidationError(
            _(
                "Das Modul „%(name)s“ kann nicht gelöscht werden, weil es bereits Beiträge gibt: %(found)s. "
                "Beiträge sind Akten der Beteiligung und bleiben erhalten; Sie können das Modul umbenennen oder "
                "seine Phasen beenden."
            )
            % {"name": module.name, "found": ", ".join(found)}
        )
    log_action(actor=actor, action="module.delete", obj=module, organisation=project.organisation,
               changes={"module_type": module.module_type})  # fmt: skip
    try:
        with transaction.atomic():
            module.delete()
    except ProtectedError as error:
        raise ValidationError(
            _("Das Modul „%(name)s“ kann nicht gelöscht werden, weil noch Daten daran hängen.") % {"name": module.name}
        ) from error
    refresh_phase_span(project)


@transaction.atomic
def phase_remove(*, actor: Any, phase: Phase) -> None:
    project = phase.module.project
    require(actor, "projects.change_project", project)
    found = module_contributions(phase.module)
    if found:
        raise ValidationError(
            _(
                "Die Phase „%(name)s“ kann nicht gelöscht werden, weil es im Modul bereits Beiträge gibt: %(found)s. "
                "Sie können Beginn und Ende der Phase ändern."
            )
            % {"name": phase.name, "found": ", ".join(found)}
        )
    log_action(actor=actor, action="phase.remove", obj=phase, organisation=project.organisation,
               changes={"start": str(phase.start), "end": str(phase.end)})  # fmt: skip
    phase.delete()
    refresh_phase_span(project)


# Invitations and access codes


@transaction.atomic
def invitation_create(
    *,
    actor: Any,
    project: Project,
    email: str,
    role: str = ParticipantRole.PARTICIPANT,
    agency: Organisation | None = None,
) -> Invitation:
    require(actor, "projects.manage_invitations", project)
    email = email.strip().lower()
    if project.invitations.pending().filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An diese Adresse ist bereits eine offene Einladung unterwegs.")})
    invitation = Invitation(
        project=project, email=email, role=role, agency=agency, created_by=actor,
        expires_at=timezone.now() + INVITATION_VALIDITY,
    )  # fmt: skip
    invitation.full_clean()
    invitation.save()
    send_templated_email(to=[email], template="invitation", context={"invitation": invitation, "project": project})
    log_action(
        actor=actor, action="invitation.create", obj=invitation, organisation=project.organisation,
        changes={"email": [None, email], "role": [None, role]},
    )  # fmt: skip
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Any, invitation: Invitation) -> Invitation:
    require(actor, "projects.manage_invitations", invitation.project)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        log_action(
            actor=actor, action="invitation.revoke", obj=invitation, organisation=invitation.project.organisation
        )
    return invitation


def _join(*, user: Any, project: Project, role: str, agency: Organisation | None = None) -> ProjectMembership:
    membership, _created = ProjectMembership.objects.get_or_create(
        project=project, user=user, defaults={"role": role, "agency": agency}
    )
    forget_project_roles(user)
    return membership


@transaction.atomic
def invitation_accept(*, user: Any, token: str) -> ProjectMembership:
    """Redeem an invitation link. Raises ValidationError with the reason it cannot be used."""
    invitation = Invitation.objects.select_for_update().select_related("project").filter(token=token).first()
    if invitation is None:
        raise ValidationError(_("Diese Einladung gibt es nicht. Bitte prüfen Sie den Link aus der E-Mail."))
    reason = invitation.unusable_reason(user)
    if reason:
        raise ValidationError(reason)
    if invitation.accepted_at:  # accepted earlier by this very user: nothing to do
        return ProjectMembership.objects.get(project=invitation.project, user=user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return _join(user=user, project=invitation.project, role=invitation.role, agency=invitation.agency)


@transaction.atomic
def access_codes_create(*, actor: Any, project: Project, count: int) -> list[AccessCode]:
    require(actor, "projects.manage_invitations", project)
    if not 1 <= count <= MAX_ACCESS_CODES_PER_BATCH:
        raise ValidationError(
            {
                "count": _("Bitte zwischen 1 und %(max)s Codes auf einmal erzeugen.")
                % {"max": MAX_ACCESS_CODES_PER_BATCH}
            }
        )
    codes = []
    for _index in range(count):
        for _attempt in range(5):  # a collision in 31^12 codes is rare, but must not fail the batch
            try:
                with transaction.atomic():
                    codes.append(AccessCode.objects.create(project=project, created_by=actor))
                break
            except IntegrityError:
                continue
    log_action(
        actor=actor, action="access_codes.create", obj=project, organisation=project.organisation,
        changes={"count": count},
    )  # fmt: skip
    return codes


@transaction.atomic
def access_code_revoke(*, actor: Any, access_code: AccessCode) -> AccessCode:
    require(actor, "projects.manage_invitations", access_code.project)
    if access_code.revoked_at is None:
        access_code.revoked_at = timezone.now()
        access_code.save(update_fields=["revoked_at"])
        log_action(
            actor=actor, action="access_code.revoke", obj=access_code, organisation=access_code.project.organisation
        )
    return access_code


@transaction.atomic
def access_code_redeem(*, user: Any, code: str) -> ProjectMembership:
    access_code = (
        AccessCode.objects.select_for_update()
        .select_related("project")
        .filter(code=normalise_access_code(code))
        .first()
    )
    if access_code is None:
        raise ValidationError({"code": _("Dieser Zugangscode ist nicht gültig. Bitte prüfen Sie die Schreibweise.")})
    if access_code.revoked_at:
        raise ValidationError({"code": _("Dieser Zugangscode wurde zurückgezogen.")})
    if access_code.redeemed_at and access_code.redeemed_by_id != user.pk:
        raise ValidationError({"code": _("Dieser Zugangscode wurde bereits verwendet.")})
    if not access_code.redeemed_at:
        access_code.redeemed_at = timezone.now()
        access_code.redeemed_by = user
        access_code.save(update_fields=["redeemed_at", "redeemed_by"])
    return _join(user=user, project=access_code.project, role=ParticipantRole.PARTICIPANT)


@transaction.atomic
def membership_remove(*, actor: Any, membership: ProjectMembership) -> None:
    require(actor, "projects.manage_invitations", membership.project)
    log_action(
        actor=actor, action="project_membership.remove", obj=membership, organisation=membership.project.organisation
    )
    membership.delete()
    forget_project_roles(membership.user)
