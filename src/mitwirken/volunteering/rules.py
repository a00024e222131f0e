"""Who may see and do what in volunteering.

Three circles: *coordinators* act for their engagement organisation (for a tenant's own body also the tenant's
staff); the *Ehrenamtsbörse's staff* (the tenant's back office) verify organisations, see everything of their
area except volunteers' private data, and confirm Ehrenamtskarte applications; *volunteers* see their own.

Private data (a volunteer's profile, police-certificate records, hours) is never the Börse's: a coordinator sees
a volunteer's profile only once that volunteer applied or signed up at the coordinator's organisation, and a
police-certificate record only the volunteer and the coordinators of the organisation that inspected it.

Portal administrators are not coordinators either: every check of a coordinator's right asks
``rules.has_perm(…)`` rather than ``user.has_perm(…)``, because Django lets a superuser pass the latter
without asking any rule.
"""

from __future__ import annotations

from typing import Any

import rules

from mitwirken.accounts.assurance import login_meets
from mitwirken.organisations.rules import is_org_staff, is_portal_admin


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def coordinates(user: Any, organisation: Any) -> bool:
    """``user`` coordinates the engagement organisation (a tenant's own body: also its staff)."""
    if organisation is None or not _authenticated(user):
        return False
    if organisation.tenant_id is not None and is_org_staff(user, organisation.tenant):
        return True
    return organisation.coordinators.filter(user=user).exists()


def staffs_exchange(user: Any, organisation: Any) -> bool:
    """``user`` is staff of the Ehrenamtsbörse the engagement organisation belongs to (or a portal admin)."""
    return organisation is not None and (
        is_portal_admin(user) or is_org_staff(user, organisation.exchange.organisation)
    )


@rules.predicate
def is_coordinator(user: Any, organisation: Any) -> bool:
    return coordinates(user, organisation)


@rules.predicate
def is_exchange_staff(user: Any, organisation: Any) -> bool:
    return staffs_exchange(user, organisation)


@rules.predicate
def is_opportunity_coordinator(user: Any, opportunity: Any) -> bool:
    return opportunity is not None and coordinates(user, opportunity.organisation)


@rules.predicate
def is_opportunity_exchange_staff(user: Any, opportunity: Any) -> bool:
    return opportunity is not None and staffs_exchange(user, opportunity.organisation)


@rules.predicate
def is_public_opportunity(user: Any, opportunity: Any) -> bool:
    from .models import PUBLIC_OPPORTUNITY_STATUSES

    return (
        opportunity is not None
        and opportunity.status in PUBLIC_OPPORTUNITY_STATUSES
        and opportunity.organisation.is_verified
    )


@rules.predicate
def is_open_opportunity(user: Any, opportunity: Any) -> bool:
    return is_public_opportunity(user, opportunity) and opportunity.is_open


@rules.predicate
def is_signed_in(user: Any) -> bool:
    return _authenticated(user)


@rules.predicate
def is_own(user: Any, obj: Any) -> bool:
    """An application, sign-up, hours entry, certificate or record of ``user`` as the volunteer."""
    return obj is not None and _authenticated(user) and obj.volunteer_id == user.pk


@rules.predicate
def coordinates_its_organisation(user: Any, obj: Any) -> bool:
    """An application, hours entry, certificate or record of an organisation that ``user`` coordinates."""
    return obj is not None and coordinates(user, obj.engagement_organisation)


@rules.predicate
def coordinates_where_volunteer_takes_part(user: Any, profile: Any) -> bool:
    """A volunteer's profile: visible to coordinators of an organisation the volunteer applied or signed up at."""
    from .queries import organisations_of_volunteer

    if profile is None or not _authenticated(user):
        return False
    return any(coordinates(user, organisation) for organisation in organisations_of_volunteer(profile.user))


@rules.predicate
def is_exchange_staff_of(user: Any, exchange: Any) -> bool:
    return exchange is not None and (is_portal_admin(user) or is_org_staff(user, exchange.organisation))


# Engagement organisations
rules.add_perm("volunteering.manage_organisation", is_coordinator)
rules.add_perm("volunteering.verify_organisation", is_exchange_staff)
rules.add_perm("volunteering.view_organisation_internals", is_coordinator | is_exchange_staff)

# Opportunities: public once published by a verified organisation; drafts and those under review only for
# the organisation's coordinators and the Börse's staff (who review).
rules.add_perm("volunteering.view_opportunity",
               is_public_opportunity | is_opportunity_coordinator | is_opportunity_exchange_staff)  # fmt: skip
rules.add_perm("volunteering.manage_opportunity", is_opportunity_coordinator)
# The opportunity's trust level (``min_assurance_level``) is asked of everyone taking part: when applying, and
# where no application is needed when signing up for a shift (with an application, the identity was checked when
# applying and the coordinators accepted the person).
meets_requirement = login_meets(lambda opportunity: opportunity.min_assurance_level)


@rules.predicate
def needs_application(user: Any, opportunity: Any) -> bool:
    return opportunity is not None and opportunity.application_required


rules.add_perm("volunteering.apply", is_signed_in & is_open_opportunity & meets_requirement)
# Preparing an application for a recognition (the Ehrenamtskarte) at a Börse: the Börse's trust level.
rules.add_perm("volunteering.prepare_card",
               is_signed_in & login_meets(lambda exchange: exchange.card_min_assurance_level))  # fmt: skip
rules.add_perm("volunteering.sign_up", is_signed_in & is_open_opportunity & (needs_application | meets_requirement))

# Applications, sign-ups, hours, certificates: the volunteer's and the organisation's coordinators'.
rules.add_perm("volunteering.view_application", is_own | coordinates_its_organisation)
rules.add_perm("volunteering.decide_application", coordinates_its_organisation)
rules.add_perm("volunteering.view_hours", is_own | coordinates_its_organisation)
rules.add_perm("volunteering.decide_hours", coordinates_its_organisation)

# Private data: never the Börse's staff.
rules.add_perm("volunteering.view_profile", coordinates_where_volunteer_takes_part)
rules.add_perm("volunteering.view_police_record", is_own | coordinates_its_organisation)

# The Ehrenamtsbörse (a tenant's back office).
rules.add_perm("volunteering.manage_exchange", is_exchange_staff_of)
