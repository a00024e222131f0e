"""The user's roles in organisations, cached on the user object for the request."""

from __future__ import annotations

from typing import Any

from mitwirken.core.permissions import cached_on_user, forget_on_user

CACHE_ATTR = "_mitwirken_org_roles"


def organisation_roles(user: Any) -> dict[int, str]:
    """Map of organisation id to the user's role there (empty for anonymous users).

    Empty, too, in a session not confirmed with the second factor: memberships are staff rights.
    """
    from mitwirken.accounts.second_factor import staff_rights_allowed

    return cached_on_user(
        user,
        CACHE_ATTR,
        lambda u: (
            dict(u.organisation_memberships.values_list("organisation_id", "role")) if staff_rights_allowed(u) else {}
        ),
    )


def forget_roles(user: Any) -> None:
    forget_on_user(user, CACHE_ATTR)
