"""Writes on organisations and their memberships. Every function audits what it changed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mitwirken.accounts.second_factor import is_portal_admin
from mitwirken.core.audit import diff_fields, log_action, snapshot
from mitwirken.core.permissions import require
from mitwirken.core.text import sanitise_html
from mitwirken.core.uploads import reencode_image

from .models import RICH_TEXT_FIELDS, Organisation, OrganisationMembership, OrganisationRole
from .roles import forget_roles

# Parent and area route other tenants' defect reports (reports/routing.py): only portal administrators set them.
PORTAL_ADMIN_FIELDS = ("parent", "boundary")
EDITABLE_FIELDS = [
    "name", "kind", "ags", *PORTAL_ADMIN_FIELDS, "contact_email", "contact_phone", "address", "website",
    *RICH_TEXT_FIELDS,
]  # fmt: skip


@transaction.atomic
def organisation_create(*, actor: Any, slug: str, **data: Any) -> Organisation:
    require(actor, "organisations.add_organisation", None)
    organisation = Organisation(slug=slug, **data)
    for field in RICH_TEXT_FIELDS:
        setattr(organisation, field, sanitise_html(getattr(organisation, field)))
    organisation.full_clean()
    organisation.save()
    log_action(actor=actor, action="organisation.create", obj=organisation, organisation=organisation)
    return organisation


@transaction.atomic
def organisation_update(*, actor: Any, organisation: Organisation, logo: Any = None, **data: Any) -> Organisation:
    require(actor, "organisations.change_organisation", organisation)
    if any(field in data for field in PORTAL_ADMIN_FIELDS) and not is_portal_admin(actor):
        raise PermissionDenied
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    fields = [field for field in EDITABLE_FIELDS if field in data]
    before = snapshot(organisation, [*fields, "logo"])
    for field in fields:
        value = data[field]
        setattr(organisation, field, sanitise_html(value) if field in RICH_TEXT_FIELDS else value)
    if logo:
        checked = reencode_image(logo)
        organisation.logo.save(checked.content.name, checked.content, save=False)
    organisation.full_clean()
    organisation.save()
    changes = diff_fields(organisation, before, [*fields, "logo"])
    if changes:
        log_action(
            actor=actor, action="organisation.update", obj=organisation, organisation=organisation, changes=changes
        )
    return organisation


@transaction.atomic
def membership_add(*, actor: Any, organisation: Organisation, email: str, role: str) -> OrganisationMembership:
    require(actor, "organisations.manage_members", organisation)
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ValidationError(
            {
                "email": _(
                    "Zu dieser E-Mail-Adresse gibt es kein Konto. Bitten Sie die Person, sich zuerst zu registrieren."
                )
            }
        )
    if OrganisationMembership.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError({"email": _("Diese Person ist bereits Mitglied der Organisation.")})
    membership = OrganisationMembership.objects.create(organisation=organisation, user=user, role=role)
    forget_roles(user)
    log_action(
        actor=actor, action="membership.add", obj=membership, organisation=organisation, changes={"role": [None, role]}
    )
    return membership


def _ensure_an_admin_remains(organisation: Organisation, membership: OrganisationMembership) -> None:
    others = OrganisationMembership.objects.admins().filter(organisation=organisation).exclude(pk=membership.pk)
    if membership.role == OrganisationRole.ADMIN and not others.exists():
        raise ValidationError(_("Die Organisation braucht mindestens eine Person mit Administrationsrechten."))


@transaction.atomic
def membership_change_role(*, actor: Any, membership: OrganisationMembership, role: str) -> OrganisationMembership:
    require(actor, "organisations.manage_members", membership.organisation)
    membership = OrganisationMembership.objects.select_for_update().get(pk=membership.pk)
    if role != membership.role:
        if role != OrganisationRole.ADMIN:
            _ensure_an_admin_remains(membership.organisation, membership)
        old = membership.role
        membership.role = role
        membership.full_clean()
        membership.save()
        forget_roles(membership.user)
        log_action(
            actor=actor, action="membership.change_role", obj=membership,
            organisation=membership.organisation, changes={"role": [old, role]},
        )  # fmt: skip
    return membership


@transaction.atomic
def membership_remove(*, actor: Any, membership: OrganisationMembership) -> None:
    require(actor, "organisations.manage_members", membership.organisation)
    _ensure_an_admin_remains(membership.organisation, membership)
    log_action(actor=actor, action="membership.remove", obj=membership, organisation=membership.organisation)
    membership.delete()
    forget_roles(membership.user)
