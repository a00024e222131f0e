"""Who may see which step of a formal procedure, and who may submit when.

Composed from the project rules: a public track is for everyone who may take part
in the project; an agency (TöB) track only for invited agency members. Staff of
the running organisation see everything, including before the start.
"""

from __future__ import annotations

from typing import Any

import rules

from mitwirken.accounts.assurance import login_meets
from mitwirken.organisations.rules import is_org_staff, is_portal_admin
from mitwirken.projects.models import project_of
from mitwirken.projects.rules import can_participate, can_view, is_agency_member, is_staff_of_project

from .law import Audience


def _project(obj: Any) -> Any:
    """Rules receive a module, a track or a statement; each leads to its project."""
    return project_of(obj)


@rules.predicate
def track_is_public(user: Any, track: Any) -> bool:
    return track.audience == Audience.PUBLIC


@rules.predicate
def track_has_started(user: Any, track: Any) -> bool:
    return track.has_started()


@rules.predicate
def track_is_open(user: Any, track: Any) -> bool:
    return track.is_open()


@rules.predicate
def staff(user: Any, obj: Any) -> bool:
    return bool(is_staff_of_project(user, _project(obj)))


@rules.predicate
def may_view_project(user: Any, obj: Any) -> bool:
    return bool(can_view(user, _project(obj)))


@rules.predicate
def may_participate(user: Any, obj: Any) -> bool:
    return bool(can_participate(user, _project(obj)))


@rules.predicate
def agency_member(user: Any, obj: Any) -> bool:
    return bool(is_agency_member(user, _project(obj)))


@rules.predicate
def is_author(user: Any, statement: Any) -> bool:
    return bool(user.is_authenticated and statement.author_id == user.pk)


@rules.predicate
def released_it(user: Any, statement: Any) -> bool:
    """An agency coordinator who released a colleague's statement keeps access to its receipt."""
    return bool(user.is_authenticated and statement.released_by_id == user.pk)


def _track_requirement(obj: Any) -> int:
    """The trust level the step asks of a login; a statement (co-signing) asks what its track asks."""
    track = getattr(obj, "track", obj)
    return int(getattr(track, "min_assurance_level", 0) or 0)


# The login's trust level (BundID, Mein Unternehmenskonto) reaches what staff set for the track.
track_login_meets = login_meets(_track_requirement)

audience_may_see = track_is_public | agency_member
view_track = staff | (may_view_project & audience_may_see)
view_documents = staff | (may_view_project & audience_may_see & track_has_started)
# Everything but the trust level: where only that is missing, the pages offer the step-up login instead of refusing.
submit_statement_any_login = (
    rules.is_authenticated & track_is_open & may_view_project & ((track_is_public & may_participate) | agency_member)
)
# Drafting, handing over, releasing and submitting all go through this permission (services._require_submit).
submit_statement = submit_statement_any_login & track_login_meets


@rules.predicate
def statement_track_open(user: Any, statement: Any) -> bool:
    return statement.track.is_open()


@rules.predicate
def may_view_statement_track(user: Any, statement: Any) -> bool:
    return bool(view_track.test(user, statement.track))


cosign_any_login = rules.is_authenticated & statement_track_open & may_view_statement_track

rules.add_perm("formal.view_track", view_track)
rules.add_perm("formal.view_documents", view_documents)
rules.add_perm("formal.submit_statement", submit_statement)
rules.add_perm("formal.submit_statement_any_login", submit_statement_any_login)
rules.add_perm("formal.cosign_statement", cosign_any_login & track_login_meets)
rules.add_perm("formal.cosign_statement_any_login", cosign_any_login)
rules.add_perm("formal.view_statement", staff | is_author | released_it)
rules.add_perm("formal.manage_procedure", staff)
# The organisation's XBeteiligung inbox and outbox (and "Erneut senden"): its staff and the portal administrators.
rules.add_perm("formal.view_exchange", is_portal_admin | is_org_staff)
