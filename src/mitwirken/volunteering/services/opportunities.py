"""Opportunities of an engagement organisation: create, edit, and the status steps.

Publishing needs a verified organisation: until the Börse has verified it, "publish" puts the opportunity
under review (REVIEW), and verifying the organisation publishes it (``organisations.verify_organisation``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mitwirken.core.audit import log_action

from ..models import Commitment, EngagementOrganisation, Opportunity, OpportunityStatus, VerificationStatus
from ..rules import coordinates
from .organisations import locate_address

OPPORTUNITY_FIELDS = (
    "title", "description", "field", "remote", "place_name", "street", "postal_code", "city", "commitment",
    "hours_per_week", "starts_on", "ends_on", "volunteers_wanted", "minimum_age", "skills", "languages",
    "driving_licence", "police_certificate", "accessibility", "step_free", "expenses_reimbursed", "paid",
    "application_required", "signup_cutoff_hours", "min_assurance_level",
)  # fmt: skip

# Status steps a coordinator may take: action -> (statuses it starts from, German name for messages).
PUBLISH, FILL, END, DRAFT = "publish", "fill", "end", "draft"
TRANSITIONS: dict[str, tuple[tuple[str, ...], OpportunityStatus | None]] = {
    PUBLISH: ((OpportunityStatus.DRAFT, OpportunityStatus.FILLED), None),  # target depends on verification
    FILL: ((OpportunityStatus.PUBLISHED,), OpportunityStatus.FILLED),
    END: ((OpportunityStatus.PUBLISHED, OpportunityStatus.FILLED, OpportunityStatus.REVIEW,
           OpportunityStatus.DRAFT), OpportunityStatus.ENDED),
    DRAFT: ((OpportunityStatus.REVIEW, OpportunityStatus.PUBLISHED, OpportunityStatus.FILLED,
             OpportunityStatus.ENDED), OpportunityStatus.DRAFT),
}  # fmt: skip


def check_opportunity(data: dict[str, Any]) -> None:
    """German messages at the fields for combinations a single field cannot check."""
    errors: dict[str, str] = {}
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if starts and ends and ends < starts:
        errors["ends_on"] = _("Das Ende darf nicht vor dem Beginn liegen.")
    if data.get("commitment") == Commitment.REGULAR and not data.get("hours_per_week"):
        errors["hours_per_week"] = _("Bitte geben Sie bei einem regelmäßigen Engagement die Stunden pro Woche an.")
    hours = data.get("hours_per_week")
    if hours is not None and not 0 < hours <= 60:
        errors["hours_per_week"] = _("Bitte geben Sie zwischen 0,5 und 60 Stunden pro Woche an.")
    if not data.get("remote") and not (data.get("postal_code") or data.get("city")):
        errors["city"] = _(
            "Bitte geben Sie an, wo die Tätigkeit stattfindet (Postleitzahl oder Ort), oder wählen Sie „Von zu "
            "Hause aus möglich“."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def opportunity_save(*, actor: Any, organisation: EngagementOrganisation, data: dict[str, Any],
                     opportunity: Opportunity | None = None) -> Opportunity:  # fmt: skip
    """Create (as a draft) or change an opportunity; its place is located from the postcode and place."""
    if not coordinates(actor, organisation):
        raise PermissionDenied
    if opportunity is not None and opportunity.organisation_id != organisation.pk:
        raise PermissionDenied
    unknown = set(data) - set(OPPORTUNITY_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    check_opportunity(data)
    creating = opportunity is None
    if opportunity is None:
        opportunity = Opportunity(organisation=organisation)
    before = (opportunity.postal_code, opportunity.city, opportunity.remote)
    required_before = opportunity.min_assurance_level
    for key, value in data.items():
        setattr(opportunity, key, value)
    if opportunity.commitment != Commitment.REGULAR and "hours_per_week" not in data:
        opportunity.hours_per_week = None
    if creating or before != (opportunity.postal_code, opportunity.city, opportunity.remote):
        located = locate_address(opportunity.postal_code, opportunity.city)
        opportunity.lat, opportunity.lon = located or (None, None)
    opportunity.full_clean()
    opportunity.save()
    # The trust level decides who may take part: its change is kept in the audit log with both values.
    changes = ({"min_assurance_level": [required_before, opportunity.min_assurance_level]}
               if not creating and required_before != opportunity.min_assurance_level else None)  # fmt: skip
    log_action(actor=actor, action="volunteering.opportunity_created" if creating else "volunteering.opportunity_changed",
               obj=opportunity, organisation=organisation.exchange.organisation, changes=changes)  # fmt: skip
    return opportunity


@transaction.atomic
def change_status(*, actor: Any, opportunity: Opportunity, action: str) -> Opportunity:
    """One status step. Publishing an opportunity of an organisation still being verified puts it under review."""
    if action not in TRANSITIONS:
        raise ValidationError(_("Diese Aktion gibt es nicht."))
    # The organisation first, then the opportunity: the order verification locks them in, so a publish and a
    # verification at the same moment queue up (no deadlock) and the publish sees the organisation's new status.
    organisation = (
        EngagementOrganisation.objects.select_for_update()
        .select_related("exchange__organisation")
        .get(pk=opportunity.organisation_id)
    )
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    opportunity.organisation = organisation
    if not coordinates(actor, organisation):
        raise PermissionDenied
    sources, target = TRANSITIONS[action]
    if opportunity.status not in sources:
        raise ValidationError(_("Im Status „%(status)s“ ist dieser Schritt nicht möglich.")
                              % {"status": opportunity.get_status_display()})  # fmt: skip
    if action == PUBLISH:
        if organisation.status == VerificationStatus.REJECTED:
            raise ValidationError(_(
                "Ihre Organisation wurde von der Ehrenamtsbörse nicht bestätigt. Angebote können erst veröffentlicht "
                "werden, wenn die Organisation bestätigt ist."
            ))  # fmt: skip
        target = OpportunityStatus.PUBLISHED if organisation.is_verified else OpportunityStatus.REVIEW
    if target is None:
        raise ValueError(action)
    before = opportunity.status
    opportunity.status = target
    fields = ["status"]
    if target == OpportunityStatus.PUBLISHED and opportunity.published_at is None:
        opportunity.published_at = timezone.now()
        fields.append("published_at")
    opportunity.save(update_fields=fields)
    log_action(actor=actor, action="volunteering.opportunity_status", obj=opportunity,
               organisation=organisation.exchange.organisation, changes={"status": [before, target]})  # fmt: skip
    return opportunity
