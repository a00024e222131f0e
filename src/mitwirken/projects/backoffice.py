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
    AccessCodeAddressesForm,
    AccessCodesForm,
    AgencyContactForm,
    AgencyGroupForm,
    AttachmentForm,
    BulkInvitationForm,
    GroupInvitationForm,
    InvitationForm,
    ModuleEditForm,
    ModuleForm,
    PhaseForm,
    ProjectForm,
)
from .invitations import Refusal, parse_csv, parse_lines
from .letters import access_code_letters
from .models import (
    AccessCode,
    AgencyContact,
    AgencyGroup,
    Invitation,
    Phase,
    Project,
    ProjectAttachment,
    ProjectMembership,
)


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
    group_form = GroupInvitationForm(request.POST or None, prefix="group", organisation=organisation)
    letters_form = AccessCodeAddressesForm(request.POST or None, prefix="letters")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite_group" and group_form.is_valid():
                group = group_form.cleaned_data["group"]
                result = services.invitations_for_group(actor=request.user, project=project, group=group)
                _bulk_messages(request, result)
                return redirect(request.path)
            if action == "resend":
                invitation = get_object_or_404(Invitation, project=project, pk=posted_id(request.POST, "invitation"))
                services.invitation_resend(actor=request.user, invitation=invitation)
                messages.success(
                    request, _("Die Einladung an %(email)s wurde erneut gesendet.") % {"email": invitation.email}
                )
                return redirect(request.path)
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
            if action == "letters" and letters_form.is_valid():
                addresses = services.parse_postal_addresses(letters_form.cleaned_data["addresses"])
                created = services.access_codes_for_addresses(actor=request.user, project=project, addresses=addresses)
                messages.success(
                    request, _("%(count)s Zugangscodes mit Anschrift wurden erzeugt.") % {"count": len(created)}
                )
                return redirect(request.path)
            if action == "revoke_code":
                code = get_object_or_404(AccessCode, project=project, pk=posted_id(request.POST, "code"))
                code.project = project
                services.access_code_revoke(actor=request.user, access_code=code)
                messages.success(request, _("Der Zugangscode wurde zurückgezogen."))
                return redirect(request.path)
        except ValidationError as error:
            if action == "resend":
                messages.error(request, " ".join(error.messages))
            else:
                target = {"codes": codes_form, "letters": letters_form}.get(action or "", form)
                add_service_errors(target, error)
    invitations = Paginator(project.invitations.select_related("accepted_by"), 50).get_page(
        request.GET.get("einladungen")
    )
    memberships = Paginator(project.memberships.select_related("user", "agency"), 50).get_page(
        request.GET.get("mitglieder")
    )
    codes = Paginator(project.access_codes.select_related("redeemed_by"), 50).get_page(request.GET.get("codes"))
    return _render(request, "project_participants", organisation, project=project, form=form, codes_form=codes_form,
                   group_form=group_form, letters_form=letters_form, invitations=invitations, memberships=memberships, codes=codes,
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


def _bulk_messages(request: HttpRequest, result: services.BulkInviteResult) -> None:
    if result.invited:
        messages.success(request, _("%(count)s Einladungen wurden verschickt.") % {"count": len(result.invited)})
    if result.skipped:
        messages.warning(
            request,
            _("%(count)s Zeilen wurden übersprungen: %(rows)s")
            % {"count": len(result.skipped), "rows": "; ".join(str(row) for row in result.skipped)},
        )
    if not result.invited and not result.skipped:
        messages.info(request, _("Die Gruppe hat keine Einträge; es wurde niemand eingeladen."))


@backoffice_view()
def project_invite_bulk(request: HttpRequest, organisation: Organisation, project_pk: int) -> HttpResponse:
    """Invite many people at once; the page then lists who was invited and which lines were refused, and why."""
    project = project_for_staff(organisation, project_pk)
    if not request.user.has_perm("projects.manage_invitations", project):
        return redirect("backoffice:projects", org_slug=organisation.slug)
    form = BulkInvitationForm(request.POST or None, request.FILES or None)
    result: services.BulkInviteResult | None = None
    refused: list[Refusal] = []
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]
        try:
            if form.cleaned_data["csv_file"]:
                parsed = parse_csv(form.cleaned_data["csv_file"], default_role=role)
            else:
                parsed = parse_lines(form.cleaned_data["addresses"], default_role=role)
            result = services.invitations_bulk_create(
                actor=request.user, project=project, rows=parsed.rows,
                source="csv" if form.cleaned_data["csv_file"] else "list",
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            refused = sorted([*parsed.refused, *result.skipped], key=lambda row: row.line)
            form = BulkInvitationForm(initial={"role": role})
    return _render(request, "project_invite_bulk", organisation, project=project, form=form, result=result,
                   refused=refused, section="projects", tab="participants")  # fmt: skip


@backoffice_view("projects.manage_agency_contacts")
def agency_book(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """The organisation's address book of public agencies, with its groups."""
    form = AgencyContactForm(request.POST or None, organisation=organisation)
    group_form = AgencyGroupForm(request.POST or None, prefix="group")
    action = request.POST.get("action")
    if request.method == "POST":
        try:
            if action == "add_contact" and form.is_valid():
                data = {k: v for k, v in form.cleaned_data.items() if k != "groups"}
                services.agency_contact_save(
                    actor=request.user, organisation=organisation, groups=list(form.cleaned_data["groups"]), **data
                )
                messages.success(request, _("Der Eintrag ist im Adressbuch gespeichert."))
                return redirect(request.get_full_path())
            if action == "add_group" and group_form.is_valid():
                services.agency_group_save(actor=request.user, organisation=organisation, **group_form.cleaned_data)
                messages.success(request, _("Die Gruppe ist angelegt."))
                return redirect(request.get_full_path())
        except ValidationError as error:
            add_service_errors(group_form if action == "add_group" else form, error)
    if action != "add_contact":
        form = AgencyContactForm(organisation=organisation)
    if action != "add_group":
        group_form = AgencyGroupForm(prefix="group")
    groups = list(AgencyGroup.objects.filter(organisation=organisation).with_contact_count())
    current = next((group for group in groups if str(group.pk) == request.GET.get("gruppe")), None)
    contacts = AgencyContact.objects.filter(organisation=organisation).for_list()
    if current is not None:
        contacts = contacts.filter(groups=current)
    page = Paginator(contacts, 50).get_page(request.GET.get("seite"))
    return _render(request, "agency_book", organisation, form=form, group_form=group_form, groups=groups,
                   current=current, page=page, section="agencies")  # fmt: skip


@backoffice_view("projects.manage_agency_contacts")
def agency_contact_edit(request: HttpRequest, organisation: Organisation, contact_pk: int) -> HttpResponse:
    contact = get_object_or_404(AgencyContact, organisation=organisation, pk=contact_pk)
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.agency_contact_delete(actor=request.user, contact=contact)
        messages.success(request, _("Der Eintrag wurde aus dem Adressbuch gelöscht."))
        return redirect("backoffice:agency_book", org_slug=organisation.slug)
    form = AgencyContactForm(request.POST or None, instance=contact, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "groups"}
        try:
            services.agency_contact_save(actor=request.user, organisation=organisation, contact=contact,
                                         groups=list(form.cleaned_data["groups"]), **data)  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Der Eintrag ist gespeichert."))
            return redirect("backoffice:agency_book", org_slug=organisation.slug)
    return _render(request, "agency_contact_form", organisation, form=form, contact=contact, section="agencies")


@backoffice_view("projects.manage_agency_contacts")
def agency_group_edit(request: HttpRequest, organisation: Organisation, group_pk: int) -> HttpResponse:
    group = get_object_or_404(AgencyGroup, organisation=organisation, pk=group_pk)
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.agency_group_delete(actor=request.user, group=group)
        messages.success(request, _("Die Gruppe wurde gelöscht. Ihre Einträge bleiben im Adressbuch."))
        return redirect("backoffice:agency_book", org_slug=organisation.slug)
    form = AgencyGroupForm(request.POST or None, initial={"name": group.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_group_save(actor=request.user, organisation=organisation, group=group, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Gruppe ist gespeichert."))
            return redirect("backoffice:agency_book", org_slug=organisation.slug)
    return _render(request, "agency_group_form", organisation, form=form, group=group, section="agencies")
