"""Writes on organisations and their memberships. Every function audits what it changed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.accounts.second_factor import is_portal_admin
from mitwirken.core.audit import diff_fields, log_action, snapshot
from mitwirken.core.notifications import send_templated_email
from mitwirken.core.permissions import require
from mitwirken.core.text import sanitise_html
from mitwirken.core.uploads import check_captions, check_video, reencode_image

from .models import (
    RICH_TEXT_FIELDS,
    Organisation,
    OrganisationInvitation,
    OrganisationMembership,
    OrganisationRole,
    SignLanguageVideo,
)
from .roles import forget_roles

# Parent and area route other tenants' defect reports (reports/routing.py): only portal administrators set them.
PORTAL_ADMIN_FIELDS = ("parent", "boundary")
MEMBER_INVITATION_VALIDITY = timedelta(days=14)
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
def member_invite(*, actor: Any, organisation: Organisation, email: str, role: str) -> OrganisationInvitation:
    """Send an invitation into the organisation to ``email``.

    The same happens whether or not the address has an account (and whether it is already a member): the
    back office must not tell which addresses have accounts. The mail goes to the address, not to an account.
    """
    require(actor, "organisations.manage_members", organisation)
    email = email.strip().lower()
    if organisation.member_invitations.pending().filter(email__iexact=email).exists():
        raise ValidationError(
            {
                "email": _(
                    "An diese Adresse ist bereits eine offene Einladung unterwegs. Widerrufen Sie sie, "
                    "wenn Sie eine neue schicken möchten."
                )
            }
        )
    invitation = OrganisationInvitation(
        organisation=organisation, email=email, role=role, created_by=actor,
        expires_at=timezone.now() + MEMBER_INVITATION_VALIDITY,
    )  # fmt: skip
    invitation.full_clean()
    invitation.save()
    send_templated_email(
        to=[email], template="member_invitation", context={"invitation": invitation, "organisation": organisation}
    )
    log_action(
        actor=actor, action="membership.invite", obj=invitation, organisation=organisation,
        changes={"email": [None, email], "role": [None, role]},
    )  # fmt: skip
    return invitation


@transaction.atomic
def member_invitation_revoke(*, actor: Any, invitation: OrganisationInvitation) -> OrganisationInvitation:
    require(actor, "organisations.manage_members", invitation.organisation)
    invitation = OrganisationInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        log_action(
            actor=actor, action="membership.invitation_revoke", obj=invitation, organisation=invitation.organisation
        )
    return invitation


@transaction.atomic
def member_invitation_accept(*, user: Any, token: str) -> OrganisationMembership:
    """Redeem an invitation link as ``user``: creates the membership or sets the invited role.

    Raises ValidationError with the reason when the invitation cannot be used by this account.
    """
    invitation = (
        OrganisationInvitation.objects.select_for_update().select_related("organisation").filter(token=token).first()
    )
    if invitation is None:
        raise ValidationError(_("Diese Einladung gibt es nicht. Bitte prüfen Sie den Link aus der E-Mail."))
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied
    reason = invitation.unusable_reason(user)
    if reason:
        raise ValidationError(reason)
    organisation = invitation.organisation
    if invitation.accepted_at:  # accepted earlier by this very account: nothing to do
        return OrganisationMembership.objects.get(organisation=organisation, user=user)
    membership = OrganisationMembership.objects.select_for_update().filter(organisation=organisation, user=user).first()
    if membership is None:
        membership = OrganisationMembership.objects.create(organisation=organisation, user=user, role=invitation.role)
        log_action(
            actor=user, action="membership.add", obj=membership, organisation=organisation,
            changes={"role": [None, invitation.role], "invitation": invitation.pk},
        )  # fmt: skip
    elif membership.role != invitation.role:
        if invitation.role != OrganisationRole.ADMIN:
            _ensure_an_admin_remains(organisation, membership)
        old = membership.role
        membership.role = invitation.role
        membership.save(update_fields=["role"])
        log_action(
            actor=user, action="membership.change_role", obj=membership, organisation=organisation,
            changes={"role": [old, invitation.role], "invitation": invitation.pk},
        )  # fmt: skip
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    log_action(actor=user, action="membership.invitation_accept", obj=invitation, organisation=organisation)
    forget_roles(user)
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


# Sign-language (DGS) videos of the portal (organisation None) and of organisations


@transaction.atomic
def sign_language_video_add(
    *, actor: Any, organisation: Organisation | None, title: str, text_version: str,
    video: Any = None, captions: Any = None, external_url: str = "",
) -> SignLanguageVideo:  # fmt: skip
    """An uploaded MP4/WebM file with its WebVTT captions, or a link to the state's video service."""
    require(actor, "organisations.manage_sign_language_videos", organisation)
    if bool(video) == bool(external_url):
        raise ValidationError(
            {"video": _("Bitte laden Sie entweder eine Videodatei hoch oder geben Sie einen Link an.")}
        )
    if external_url and not external_url.lower().startswith("https://"):
        raise ValidationError({"external_url": _("Der Link muss mit https:// beginnen.")})
    if video and not captions:
        raise ValidationError({"captions": _("Bitte laden Sie zum Video die Untertitel als WebVTT-Datei hoch.")})
    item = SignLanguageVideo(organisation=organisation, title=title, text_version=text_version,
                             external_url=external_url)  # fmt: skip
    if video:
        checked = check_video(video)
        item.video_type = checked.content_type
        item.video.save(checked.content.name, checked.content, save=False)
    if captions:
        checked_captions = check_captions(captions)
        item.captions.save(checked_captions.content.name, checked_captions.content, save=False)
    item.full_clean()
    item.save()
    log_action(actor=actor, action="sign_language_video.add", obj=item, organisation=organisation)
    return item


@transaction.atomic
def sign_language_video_update(*, actor: Any, item: SignLanguageVideo, **data: Any) -> SignLanguageVideo:
    """Change the title and the text version; a new file means a new video."""
    require(actor, "organisations.manage_sign_language_videos", item.organisation)
    fields: list[str] = [name for name in ("title", "text_version", "weight") if name in data]
    before = snapshot(item, fields)
    for name in fields:
        setattr(item, name, data[name])
    item.full_clean()
    item.save(update_fields=fields)
    log_action(actor=actor, action="sign_language_video.update", obj=item, organisation=item.organisation,
               changes=diff_fields(item, before, fields))  # fmt: skip
    return item


@transaction.atomic
def sign_language_video_delete(*, actor: Any, item: SignLanguageVideo) -> None:
    require(actor, "organisations.manage_sign_language_videos", item.organisation)
    log_action(actor=actor, action="sign_language_video.delete", obj=item, organisation=item.organisation)
    files = [(field_file.storage, field_file.name) for field_file in (item.video, item.captions) if field_file]
    item.delete()
    # The files go only once the row is gone for good; a rolled-back delete keeps a playable video.
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
