"""Role lookups cached on the user object, so permission checks in a list cost one query in total."""

from __future__ import annotations

from typing import Any

CACHE_ATTR = "_mitwirken_org_roles"


def organisation_roles(user: Any) -> dict[int, str]:
    """Map of organisation id to the user's role there (empty for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, CACHE_ATTR, None)
    if cached is None:
        cached = dict(user.organisation_memberships.values_list("organisation_id", "role"))
        setattr(user, CACHE_ATTR, cached)
    return cached


def forget_roles(user: Any) -> None:
    if hasattr(user, CACHE_ATTR):
        delattr(user, CACHE_ATTR)
