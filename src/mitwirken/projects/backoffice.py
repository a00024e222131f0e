"""Back office pages for projects, modules, phases, attachments, invitations and access codes.

Every view is wrapped in ``backoffice_view``: outsiders get 404, and every
project is fetched through ``access.project_for_staff`` inside the organisation.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mitwirken.core.forms_util import add_service_errors
from mitwirken.core.ids import posted_id
from mitwirken.organisations.access import backoffice_view
from mitwirken.organisations.models import Organisation

from . import registry, services
from .access import project_for_staff
from .forms import (
    AccessCodesForm,
    AttachmentForm,
    InvitationForm,
    ModuleEditForm,
    ModuleForm,
    PhaseForm,
    ProjectForm,
)
from .letters import access_code_letters
from .models import AccessCode, Invitation, Phase, Project, ProjectAttachment, ProjectMembership


def _render(request: HttpRequest, template: str, organisation: Organisation, **context: Any) -> HttpResponse:
    return render(request, f"backoffice/{template}.html", {"organisation": organisation, **context})


@backoffice_view()
def project_list(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    projects = Project.objects.filter(organisation=organisation).for_cards().order_by("-created_at")
    page = Paginator(projects, 25).get_page(request.GET.get("seite"))
    return _render(request, "project_list", organisation, page=page, section="projects")


def _project_form_data(form: ProjectForm) -> dict[str, Any]:
    return {name: value for name, value in form.cleaned_data.items() if name != "image"}


@backoffice_view("organisations.add_project")
def project_create(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = ProjectForm(request.POST or None, request.FILES or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                actor=request.user,
                organisation=organisation,
                image=request.FILES.get("image"),
                **_project_form_data(form),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Das Projekt ist angelegt. Fügen Sie nun ein Modul mit Phasen hinzu."))
            return redirect("backoffice:project_modules", org_slug=organisation.slug, project_pk=project.pk)
    return _render(request, "project_form", organisation, form=form, section="projects")


@backoffice_view()
def project_edit(request: HttpRequest, organisation: Organisation, project_pk: int) -> HttpResponse:
    project = project_for_staff(organisation, project_pk)
    form = ProjectForm(request.POST or None, request.FILES or None, instance=project, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                actor=request.user, project=project, image=request.FILES.get("image"), **_project_form_data(form)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Änderungen sind gespeichert."))
            return redirect("backoffice:project_edit", org_slug=organisation.slug, project_pk=project.pk)
    project.refresh_from_db()
    return _render(request, "project_form", organisation, form=form, project=project, section="projects", tab="edit")


@backoffice_view()
@require_POST
def project_status(request: HttpRequest, organisation: Organisation, project_pk: int) -> HttpResponse:
    project = project_for_staff(organisation, project_pk)
    try:
        if request.POST.get("action") == "archive":
            services.project_archive(actor=request.user, project=project)
            messages.success(request, _("Das Projekt ist archiviert."))
        elif request.POST.get("confirmed") != "1":
            # Publishing is confirmed on the checklist page, after seeing what is missing.
            return redirect("backoffice:project_publish", org_slug=organisation.slug, project_pk=project.pk)
        else:
            services.project_publish(actor=request.user, project=project)
            messages.success(request, _("Das Projekt ist veröffentlicht."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        if request.POST.get("action") != "archive":
            return redirect("backoffice:project_publish", org_slug=organisation.slug, project_pk=project.pk)
    return redirect("backoffice:project_edit", org_slug=organisation.slug, project_pk=project.pk)


@backoffice_view()
def project_publish(request: HttpRequest, organisation: Organisation, project_pk: int) -> HttpResponse:
    """The checklist before publishing, and the confirmation (posted to ``project_status``)."""
    from .publishing import blocking, publish_checks

    project = project_for_staff(organisation, project_pk)
    if not request.user.has_perm("projects.publish_project", project):
        return redirect("backoffice:project_edit", org_slug=organisation.slug, project_pk=project.pk)
    checks = publish_checks(project)
    return _render(request, "project_publish", organisation, project=project, checks=checks,
                   blocked=bool(blocking(checks)), warnings=[c for c in checks if not c.essential and not c.ok],
                   section="projects", tab="edit")  # fmt: skip


@backoffice_view()
def project_modules(request: HttpRequest, organisation: Organisation, project_pk: int) -> HttpResponse:
    project = project_for_staff(organisation, project_pk)
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            module = services.module_add(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Das Modul ist angelegt. Legen Sie jetzt seine Phasen fest."))
            return redirect(
                "backoffice:phase_create", org_slug=organisation.slug, project_pk=project.pk, module_pk=module.pk
            )
    modules = project.modules.prefetch_related("phases")
    special_types = [module_type for module_type in registry.all_types() if module_type.backoffice_create]
    return _render(request, "project_modules", organisation, project=project, modules=modules, form=form,
                   special_types=special_types,
                   section="projects", tab="modules")  # fmt: skip


def _own_setup_redirect(organisation: Organisation, project: Project, module: Any) -> HttpResponse | None:
    """Module types with their own set-up (formal procedures: legal periods) keep their phases there."""
    module_type = module.type
    if module_type is None or not module_type.backoffice_manage:
        return None
    return redirect(
        module_type.backoffice_manage, org_slug=organisation.slug, project_pk=project.pk, module_pk=module.pk
    )


@backoffice_view()
def phase_create(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    project = project_for_staff(organisation, project_pk)
    module = get_object_or_404(project.modules, pk=module_pk)
    module.project = project
    own_setup = _own_setup_redirect(organisation, project, module)
    if own_setup is not None:
        return own_setup
    form = PhaseForm(request.POST or None, module=module)
    if request.method == "POST" and form.is_valid():
        try:
            services.phase_add(actor=request.user, module=module, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Phase ist gespeichert."))
            return redirect("backoffice:project_modules", org_slug=organisation.slug, project_pk=project.pk)
    return _render(request, "phase_form", organisation, project=project, module=module, form=form,
                   section="projects", tab="modules")  # fmt: skip


@backoffice_view()
def phase_edit(request: HttpRequest, organisation: Organisation, project_pk: int, phase_pk: int) -> HttpResponse:
    project = project_for_staff(organisation, project_pk)
    phase = get_object_or_404(Phase.objects.select_related("module"), module__project=project, pk=phase_pk)
    phase.module.project = project
    own_setup = _own_setup_redirect(organisation, project, phase.module)
    if own_setup is not None:
        return own_setup
    if request.method == "POST" and request.POST.get("action") == "delete":
        try:
            services.phase_remove(actor=request.user, phase=phase)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
        messages.success(request, _("Die Phase wurde gelöscht."))
        return redirect("backoffice:project_modules", org_slug=organisation.slug, project_pk=project.pk)
    form = PhaseForm(request.POST or None, instance=phase, module=phase.module)
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "phase_type"}
        try:
            services.phase_update(actor=request.user, phase=phase, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Phase ist gespeichert."))
            return redirect("backoffice:project_modules", org_slug=organisation.slug, project_pk=project.pk)
    return _render(request, "phase_form", organisation, project=project, module=phase.module, phase=phase, form=form,
                   section="projects", tab="modules")  # fmt: skip


@backoffice_view()
def module_edit(request: HttpRequest, organisation: Organisation, project_pk: int, module_pk: int) -> HttpResponse:
    """Rename or describe a module, or delete it while nobody has contributed to it."""
    project = project_for_staff(organisation, project_pk)
    module = get_object_or_404(project.modules, pk=module_pk)
    module.project = project
    if request.method == "POST" and request.POST.get("action") == "delete":
        try:
            services.module_delete(actor=request.user, module=module)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
        messages.success(request, _("Das Modul „%(name)s“ wurde gelöscht.") % {"name": module.name})
        return redirect("backoffice:project_modules", org_slug=organisation.slug, project_pk=project.pk)
    form = ModuleEditForm(request.POST or None, instance=module)
    if request.method == "POST" and form.is_valid():
        try:
            services.module_update(actor=request.user, module=module, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Das Modul ist gespeichert."))
            return redirect("backoffice:project_modules", org_slug=organisation.slug, project_pk=project.pk)
    return _render(request, "module_form", organisation, project=project, module=module, form=form,
                   contributions=services.module_contributions(module), section="projects", tab="modules")  # fmt: skip


@backoffice_view()
def project_attachments(request: HttpRequest, organisation: Organisation, project_pk: int) -> HttpResponse:
    project = project_for_staff(organisation, project_pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            item = get_object_or_404(ProjectAttachment, project=project, pk=posted_id(request.POST, "attachment"))
            item.project = project
            services.attachment_remove(actor=request.user, attachment=item)
            messages.success(request, _("Der Anhang wurde entfernt."))
            return redirect("backoffice:project_attachments", org_slug=organisation.slug, project_pk=project.pk)
        if form.is_valid():
            try:
                services.attachment_add(
                    actor=request.user,
                    project=project,
                    title=form.cleaned_data["title"],
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Der Anhang ist hochgeladen."))
                return redirect("backoffice:project_attachments", org_slug=organisation.slug, project_pk=project.pk)
    return _render(request, "project_attachments", organisation, project=project, form=form,
                   attachments=project.attachments.all(), section="projects", tab="attachments")  # fmt: skip


@backoffice_view()
def project_participants(request: HttpRequest, organisation: Organisation, project_pk: int) -> HttpResponse:
    project = project_for_staff(organisation, project_pk)
    form = InvitationForm(request.POST or None)
    codes_form = AccessCodesForm(request.POST or None, prefix="codes")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite" and form.is_valid():
                services.invitation_create(actor=request.user, project=project, **form.cleaned_data)
                messages.success(request, _("Die Einladung wurde verschickt."))
                return redirect(request.path)
            if action == "revoke":
                invitation = get_object_or_404(Invitation, project=project, pk=posted_id(request.POST, "invitation"))
                services.invitation_revoke(actor=request.user, invitation=invitation)
                messages.success(request, _("Die Einladung wurde zurückgezogen."))
                return redirect(request.path)
            if action == "remove":
                membership = get_object_or_404(
                    ProjectMembership.objects.select_related("project__organisation"), project=project,
                    pk=posted_id(request.POST, "membership"),
                )  # fmt: skip
                services.membership_remove(actor=request.user, membership=membership)
                messages.success(request, _("Die Person hat keinen Zugang mehr zum Projekt."))
                return redirect(request.path)
            if action == "codes" and codes_form.is_valid():
                created = services.access_codes_create(
                    actor=request.user, project=project, count=codes_form.cleaned_data["count"]
                )
                messages.success(request, _("%(count)s Zugangscodes wurden erzeugt.") % {"count": len(created)})
                return redirect(request.path)
            if action == "revoke_code":
                code = get_object_or_404(AccessCode, project=project, pk=posted_id(request.POST, "code"))
                code.project = project
                services.access_code_revoke(actor=request.user, access_code=code)
                messages.success(request, _("Der Zugangscode wurde zurückgezogen."))
                return redirect(request.path)
        except ValidationError as error:
            add_service_errors(codes_form if action == "codes" else form, error)
    invitations = Paginator(project.invitations.select_related("accepted_by"), 50).get_page(
        request.GET.get("einladungen")
    )
    memberships = Paginator(project.memberships.select_related("user", "agency"), 50).get_page(
        request.GET.get("mitglieder")
    )
    codes = Paginator(project.access_codes.select_related("redeemed_by"), 50).get_page(request.GET.get("codes"))
    return _render(request, "project_participants", organisation, project=project, form=form, codes_form=codes_form,
                   invitations=invitations, memberships=memberships, codes=codes,
                   section="projects", tab="participants")  # fmt: skip


@backoffice_view()
def access_code_pdf(request: HttpRequest, organisation: Organisation, project_pk: int) -> HttpResponse:
    project = project_for_staff(organisation, project_pk)
    if not request.user.has_perm("projects.manage_invitations", project):
        return redirect("backoffice:projects", org_slug=organisation.slug)
    codes = project.access_codes.filter(redeemed_at__isnull=True, revoked_at__isnull=True)
    response = HttpResponse(access_code_letters(project, codes.iterator()), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="zugangscodes-{project.slug}.pdf"'
    return response
