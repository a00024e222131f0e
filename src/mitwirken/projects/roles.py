"""Project roles cached on the user object: one query per request, however many projects are checked."""

from __future__ import annotations

from typing import Any

CACHE_ATTR = "_mitwirken_project_roles"


def project_roles(user: Any) -> dict[int, str]:
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, CACHE_ATTR, None)
    if cached is None:
        cached = dict(user.project_memberships.values_list("project_id", "role"))
        setattr(user, CACHE_ATTR, cached)
    return cached


def forget_project_roles(user: Any) -> None:
    if hasattr(user, CACHE_ATTR):
        delattr(user, CACHE_ATTR)
