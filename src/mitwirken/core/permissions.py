"""Small helpers shared by the permission code of all apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied


def require(actor: Any, permission: str, obj: Any = None) -> None:
    """Services check permissions again; views are not trusted to have done it."""
    if not actor.has_perm(permission, obj):
        raise PermissionDenied


def cached_on_user(user: Any, attribute: str, load: Callable[[Any], dict[int, str]]) -> dict[int, str]:
    """Load a role map once per user object (i.e. per request), so list pages check rights in one query."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, attribute, None)
    if cached is None:
        cached = load(user)
        setattr(user, attribute, cached)
    return cached


def forget_on_user(user: Any, attribute: str) -> None:
    if hasattr(user, attribute):
        delattr(user, attribute)
