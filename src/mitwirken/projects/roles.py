"""The user's roles in projects, cached on the user object for the request."""

from __future__ import annotations

from typing import Any

from mitwirken.core.permissions import cached_on_user, forget_on_user

CACHE_ATTR = "_mitwirken_project_roles"


def project_roles(user: Any) -> dict[int, str]:
    return cached_on_user(user, CACHE_ATTR, lambda u: dict(u.project_memberships.values_list("project_id", "role")))


def forget_project_roles(user: Any) -> None:
    forget_on_user(user, CACHE_ATTR)
