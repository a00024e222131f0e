"""Who may see and manage events and registrations.

Events of a draft or protected project are visible only to those who may see the project; drafts only to the
organisation's staff. Registrations are the registered person's (by account or by the secret link) and staff's. Registering needs an
open registration and a login with the event's trust level (``min_assurance_level``).
"""

from __future__ import annotations

from typing import Any

import rules

from mitwirken.accounts.assurance import login_meets
from mitwirken.organisations.rules import is_org_staff, is_portal_admin


@rules.predicate
def is_event_staff(user: Any, event: Any) -> bool:
    return event is not None and (is_portal_admin(user) or is_org_staff(user, event.organisation))


@rules.predicate
def is_visible(user: Any, event: Any) -> bool:
    from .models import PUBLIC_STATUSES

    if event is None or event.status not in PUBLIC_STATUSES:
        return False
    if event.project_id is None:
        return True
    return bool(user.has_perm("projects.view_project", event.project))


@rules.predicate
def registration_is_open(user: Any, event: Any) -> bool:
    return event is not None and event.registration_open()


# The trust level of the login: for everyone who registers (staff registering themselves too), for a place and
# for the waiting list alike. Checked by the view and again by ``services.registration.register``.
meets_requirement = login_meets(lambda event: event.min_assurance_level)

rules.add_perm("events.view_event", is_event_staff | is_visible)
rules.add_perm("events.register_event", (is_event_staff | is_visible) & registration_is_open & meets_requirement)
rules.add_perm("events.manage_event", is_event_staff)
