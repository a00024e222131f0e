"""Engagement organisations: registration, verification by the Ehrenamtsbörse, a tenant's own bodies, the
Börse's settings, and coordinators (invitations, leaving).

Every write runs in one transaction and writes an audit entry; e-mails go out after commit, so a rolled back
write tells nobody. The last coordinator cannot leave: leaving locks the organisation's row first, so two
coordinators leaving at the same moment queue behind each other and the second one is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from shapely.geometry import Point

from mitwirken.core import geo
from mitwirken.core.audit import log_action
from mitwirken.core.uploads import reencode_image
from mitwirken.organisations.models import Organisation

from ..models import (
    Coordinator,
    CoordinatorInvitation,
    EngagementOrganisation,
    Exchange,
    Opportunity,
    OpportunityStatus,
    VerificationStatus,
)
from ..rules import coordinates

# What a registration or an edit may set (the form's fields besides the logo and the Börse).
ORGANISATION_FIELDS = (
    "name", "legal_form", "street", "postal_code", "city", "contact_name", "contact_email", "contact_phone",
    "website", "fields", "description",
)  # fmt: skip
EXCHANGE_FIELDS = ("active", "introduction", "contact_email", "issues_card", "card_min_assurance_level")


# --- e-mail ------------------------------------------------------------------------------------------------------


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send_now(template: str, recipients: Iterable[str], context: dict[str, Any]) -> None:
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    with translation.override("de"):
        raw_subject = get_template(f"emails/volunteering/{template}_subject.txt").template  # type: ignore[attr-defined]
        subject = " ".join(raw_subject.render(Context(context, autoescape=False)).split())
        body = render_to_string(f"emails/volunteering/{template}_body.txt", context)
    for address in recipients:  # one message each: nobody sees the others' addresses
        EmailMessage(subject=subject, body=body, to=[address], headers={"Auto-Submitted": "auto-generated"}).send()


def send_after_commit(template: str, recipients: Iterable[str], context: dict[str, Any]) -> None:
    recipients = list(recipients)
    transaction.on_commit(lambda: _send_now(template, recipients, context))


def exchange_staff_emails(exchange: Exchange) -> list[str]:
    """The Börse's contact address and its tenant's staff."""
    staff = exchange.organisation.memberships.values_list("user__email", flat=True)
    return [exchange.contact_email, *staff]


def coordinator_emails(organisation: EngagementOrganisation) -> list[str]:
    emails = list(organisation.coordinators.values_list("user__email", flat=True))
    return emails or [organisation.contact_email]


# --- where an organisation belongs -------------------------------------------------------------------------------


def locate_address(postal_code: str, city: str) -> tuple[float, float] | None:
    """(lat, lon) of a postcode or place through ``core.geo.locate``; None where nobody knows it."""
    for text in (postal_code, f"{postal_code} {city}".strip(), city):
        if not text.strip():
            continue
        try:
            return geo.locate(text)
        except ValidationError:
            continue
    return None


def exchange_at(lat: float, lon: float) -> Exchange | None:
    """The active Ehrenamtsbörse whose tenant's area contains the point; the smallest area wins (the
    Verbandsgemeinde before its Kreis)."""
    point = Point(lon, lat)
    found = [
        tenant
        for tenant in Organisation.objects.containing_bbox(lon, lat)
        .filter(volunteer_exchange__active=True)
        .only("id", "boundary")
        if tenant.boundary and geo.to_shape(tenant.boundary).covers(point)
    ]
    if not found:
        return None
    smallest = min(found, key=lambda tenant: geo.to_shape(tenant.boundary or {}).area)
    return Exchange.objects.select_related("organisation").get(organisation=smallest)


def unique_slug(name: str) -> str:
    base = (slugify(name) or "organisation")[:70].strip("-") or "organisation"
    slug, number = base, 1
    while EngagementOrganisation.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _check_fields(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    return data


def _store_logo(organisation: EngagementOrganisation, logo: Any) -> None:
    if logo:
        try:
            checked = reencode_image(logo)
        except ValidationError as error:
            raise ValidationError({"logo": error.messages}) from None
        organisation.logo.save(checked.content.name, checked.content, save=False)


# --- registration and editing ------------------------------------------------------------------------------------


@transaction.atomic
def register_organisation(*, actor: Any, exchange: Exchange | None, data: dict[str, Any], logo: Any = None
                          ) -> EngagementOrganisation:  # fmt: skip
    """A Verein registers: PENDING until the Börse's staff verify it; ``actor`` becomes its first coordinator.

    Without a chosen Börse the one whose area contains the address is taken."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    data = _check_fields(dict(data))
    located = locate_address(data.get("postal_code", ""), data.get("city", ""))
    if exchange is None and located is not None:
        exchange = exchange_at(*located)
    if exchange is None:
        raise ValidationError({"exchange": _(
            "Zu dieser Adresse haben wir keine Ehrenamtsbörse gefunden. Bitte wählen Sie die Ehrenamtsbörse Ihrer "
            "Gemeinde oder Ihres Kreises aus der Liste."
        )})  # fmt: skip
    if not exchange.active:
        raise ValidationError({"exchange": _("Diese Ehrenamtsbörse nimmt zurzeit keine Organisationen auf.")})
    organisation = EngagementOrganisation(exchange=exchange, slug=unique_slug(data["name"]), **data)
    organisation.lat, organisation.lon = located or (None, None)
    _store_logo(organisation, logo)
    organisation.full_clean(exclude=["logo"])
    organisation.save()
    Coordinator.objects.create(organisation=organisation, user=actor)
    log_action(actor=actor, action="volunteering.organisation_registered", obj=organisation,
               organisation=exchange.organisation)  # fmt: skip
    queue = reverse("backoffice:volunteering_review",
                    kwargs={"org_slug": exchange.organisation.slug, "engagement_pk": organisation.pk})  # fmt: skip
    send_after_commit("organisation_registered", exchange_staff_emails(exchange),
                      {"organisation": organisation, "exchange": exchange, "review_url": absolute(queue)})  # fmt: skip
    return organisation


@transaction.atomic
def organisation_update(*, actor: Any, organisation: EngagementOrganisation, data: dict[str, Any], logo: Any = None
                        ) -> EngagementOrganisation:  # fmt: skip
    if not coordinates(actor, organisation):
        raise PermissionDenied
    data = _check_fields(dict(data))
    address_changed = any(data.get(key) != getattr(organisation, key) for key in ("postal_code", "city"))
    for key, value in data.items():
        setattr(organisation, key, value)
    if address_changed:
        organisation.lat, organisation.lon = locate_address(organisation.postal_code, organisation.city) or (None, None)
    _store_logo(organisation, logo)
    organisation.full_clean(exclude=["logo"])
    organisation.save()
    log_action(actor=actor, action="volunteering.organisation_changed", obj=organisation,
               organisation=organisation.exchange.organisation, changes={"fields": sorted(data)})  # fmt: skip
    return organisation


# --- verification ------------------------------------------------------------------------------------------------


def _lock_for_decision(actor: Any, organisation: EngagementOrganisation) -> EngagementOrganisation:
    if not actor.has_perm("volunteering.verify_organisation", organisation):
        raise PermissionDenied
    if coordinates(actor, organisation):
        raise ValidationError(_(
            "Sie koordinieren diese Organisation selbst. Bitte lassen Sie die Prüfung von einer anderen Person "
            "der Verwaltung vornehmen."
        ))  # fmt: skip
    locked = (
        EngagementOrganisation.objects.select_for_update()
        .select_related("exchange__organisation")
        .get(pk=organisation.pk)
    )
    if locked.status != VerificationStatus.PENDING:
        raise ValidationError(_("Diese Organisation wurde bereits geprüft."))
    return locked


@transaction.atomic
def verify_organisation(*, actor: Any, organisation: EngagementOrganisation) -> int:
    """Approve: the organisation is verified, and its opportunities waiting for review are published.
    Returns how many were published."""
    organisation = _lock_for_decision(actor, organisation)
    now = timezone.now()
    organisation.status = VerificationStatus.VERIFIED
    organisation.status_note = ""
    organisation.verified_at, organisation.verified_by = now, actor
    organisation.save(update_fields=["status", "status_note", "verified_at", "verified_by"])
    published = 0
    for opportunity in Opportunity.objects.select_for_update().filter(organisation=organisation,
                                                                      status=OpportunityStatus.REVIEW):  # fmt: skip
        opportunity.status, opportunity.published_at = OpportunityStatus.PUBLISHED, now
        opportunity.save(update_fields=["status", "published_at"])
        published += 1
    log_action(actor=actor, action="volunteering.organisation_verified", obj=organisation,
               organisation=organisation.exchange.organisation, changes={"published": published})  # fmt: skip
    area = reverse("volunteering:coordinator_overview", kwargs={"org_slug": organisation.slug})
    send_after_commit("organisation_verified", coordinator_emails(organisation),
                      {"organisation": organisation, "published": published, "area_url": absolute(area)})  # fmt: skip
    return published


@transaction.atomic
def reject_organisation(*, actor: Any, organisation: EngagementOrganisation, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Bitte begründen Sie die Ablehnung; die Organisation erhält die "
                                           "Begründung per E-Mail.")})  # fmt: skip
    organisation = _lock_for_decision(actor, organisation)
    organisation.status, organisation.status_note = VerificationStatus.REJECTED, reason
    organisation.save(update_fields=["status", "status_note"])
    log_action(actor=actor, action="volunteering.organisation_rejected", obj=organisation,
               organisation=organisation.exchange.organisation, changes={"reason": reason})  # fmt: skip
    area = reverse("volunteering:coordinator_overview", kwargs={"org_slug": organisation.slug})
    send_after_commit("organisation_rejected", coordinator_emails(organisation),
                      {"organisation": organisation, "reason": reason, "area_url": absolute(area)})  # fmt: skip


@transaction.atomic
def create_own_body(*, actor: Any, exchange: Exchange, data: dict[str, Any]) -> EngagementOrganisation:
    """A tenant's own body (the Seniorenbeirat): verified at once; the tenant's staff coordinate it."""
    if not actor.has_perm("volunteering.manage_exchange", exchange):
        raise PermissionDenied
    data = _check_fields(dict(data))
    organisation = EngagementOrganisation(exchange=exchange, tenant=exchange.organisation,
                                          slug=unique_slug(data["name"]), **data)  # fmt: skip
    organisation.lat, organisation.lon = locate_address(organisation.postal_code, organisation.city) or (None, None)
    organisation.status = VerificationStatus.VERIFIED
    organisation.verified_at, organisation.verified_by = timezone.now(), actor
    organisation.full_clean(exclude=["logo"])
    organisation.save()
    log_action(actor=actor, action="volunteering.own_body_created", obj=organisation,
               organisation=exchange.organisation)  # fmt: skip
    return organisation


@transaction.atomic
def exchange_save(*, actor: Any, tenant: Organisation, data: dict[str, Any]) -> Exchange:
    """Set up or change the tenant's Ehrenamtsbörse (on/off, introduction, contact)."""
    exchange = Exchange.objects.select_for_update().filter(organisation=tenant).first() or Exchange(organisation=tenant)
    if not actor.has_perm("volunteering.manage_exchange", exchange):
        raise PermissionDenied
    for key in EXCHANGE_FIELDS:
        if key in data:
            setattr(exchange, key, data[key])
    exchange.full_clean()
    exchange.save()
    log_action(actor=actor, action="volunteering.exchange_changed", obj=exchange, organisation=tenant,
               changes={key: data[key] for key in EXCHANGE_FIELDS if key in data})  # fmt: skip
    return exchange


# --- coordinators ------------------------------------------------------------------------------------------------


@transaction.atomic
def invite_coordinator(*, actor: Any, organisation: EngagementOrganisation, email: str) -> CoordinatorInvitation:
    if not coordinates(actor, organisation):
        raise PermissionDenied
    email = email.strip()
    if organisation.coordinators.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("Diese Person koordiniert die Organisation bereits.")})
    if organisation.invitations.filter(email__iexact=email, accepted_at__isnull=True).exists():
        raise ValidationError({"email": _("An diese Adresse ging bereits eine Einladung, die noch offen ist.")})
    invitation = CoordinatorInvitation.objects.create(organisation=organisation, email=email, invited_by=actor)
    log_action(actor=actor, action="volunteering.coordinator_invited", obj=organisation,
               organisation=organisation.exchange.organisation, changes={"email": email})  # fmt: skip
    url = absolute(reverse("volunteering:accept_invitation", kwargs={"token": invitation.token}))
    send_after_commit("coordinator_invitation", [email],
                      {"organisation": organisation, "inviter": actor, "accept_url": url})  # fmt: skip
    return invitation


def invitation_problem(invitation: CoordinatorInvitation, user: Any) -> str | None:
    """Why ``user`` cannot accept the invitation, in German; None if they can."""
    if invitation.accepted_at is not None:
        return _("Diese Einladung wurde bereits angenommen. Jede Einladung gilt nur einmal.")
    if user.email.casefold() != invitation.email.casefold():
        return _(
            "Diese Einladung ging an %(email)s. Bitte melden Sie sich mit dieser E-Mail-Adresse an, um sie anzunehmen."
        ) % {"email": invitation.email}
    return None


@transaction.atomic
def accept_invitation(*, user: Any, token: str) -> Coordinator:
    invitation = (
        CoordinatorInvitation.objects.select_for_update().select_related("organisation__exchange").get(token=token)
    )
    problem = invitation_problem(invitation, user)
    if problem:
        raise ValidationError(problem)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    coordinator, _created = Coordinator.objects.get_or_create(organisation=invitation.organisation, user=user)
    log_action(actor=user, action="volunteering.coordinator_joined", obj=invitation.organisation,
               organisation=invitation.organisation.exchange.organisation)  # fmt: skip
    return coordinator


@transaction.atomic
def remove_coordinator(*, actor: Any, organisation: EngagementOrganisation, user: Any) -> None:
    """``user`` leaves (or another coordinator removes them). The last coordinator of a Verein cannot leave."""
    if not coordinates(actor, organisation):
        raise PermissionDenied
    # The lock makes two people leaving at once take turns; the second one sees the first one gone.
    locked = EngagementOrganisation.objects.select_for_update().get(pk=organisation.pk)
    membership = Coordinator.objects.filter(organisation=locked, user=user).first()
    if membership is None:
        raise ValidationError(_("Diese Person koordiniert die Organisation nicht."))
    if locked.tenant_id is None and Coordinator.objects.filter(organisation=locked).count() <= 1:
        raise ValidationError(_(
            "Die letzte Person in der Koordination kann die Organisation nicht verlassen. Laden Sie zuerst "
            "jemanden ein, der die Koordination übernimmt."
        ))  # fmt: skip
    membership.delete()
    log_action(actor=actor, action="volunteering.coordinator_left", obj=locked,
               organisation=organisation.exchange.organisation, changes={"user": user.pk})  # fmt: skip
