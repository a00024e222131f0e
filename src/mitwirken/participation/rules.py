"""Who may comment, rate, flag and moderate: project role × the running phase's features × blocks × authorship.

Predicates receive a module or any participation target (an idea, a paragraph, a comment …), resolved to its
module through ``targets.module_of``. A blocked user (with a block that has not expired) is treated like a
reader everywhere, in the project or in every project of the organisation. Nobody rates or flags their own
contribution.
"""

from __future__ import annotations

from typing import Any

import rules

from mitwirken.core.permissions import cached_on_user
from mitwirken.projects.rules import can_participate, can_view, module_allows

from .targets import module_of

BLOCKS_ATTR = "_mitwirken_participation_blocks"


def blocks(user: Any) -> dict[int, str]:
    """{project id, or organisation id negated: reason} of the user's active blocks, loaded once per request."""
    from .models import Block

    def load(u: Any) -> dict[int, str]:
        result: dict[int, str] = {}
        for project_id, organisation_id, reason in (
            Block.objects.filter(user=u).active().values_list("project_id", "organisation_id", "reason")
        ):
            result[project_id if project_id else -organisation_id] = reason
        return result

    return cached_on_user(user, BLOCKS_ATTR, load)


@rules.predicate
def is_blocked(user: Any, obj: Any) -> bool:
    module = module_of(obj)
    if module is None or not getattr(user, "is_authenticated", False):
        return False
    found = blocks(user)
    return module.project_id in found or -module.project.organisation_id in found


@rules.predicate
def is_author(user: Any, obj: Any) -> bool:
    return getattr(user, "is_authenticated", False) and getattr(obj, "author_id", None) == user.pk


@rules.predicate
def is_moderator(user: Any, obj: Any) -> bool:
    module = module_of(obj)
    return module is not None and user.has_perm("projects.moderate_project", module.project)


def in_module(predicate: Any) -> Any:
    """Apply a project- or module-level predicate to the module a target belongs to."""

    @rules.predicate(name=f"participation_in_module:{predicate.name}")
    def wrapped(user: Any, obj: Any) -> bool:
        return bool(predicate.test(user, module_of(obj)))

    return wrapped


may_take_part = in_module(can_participate) & ~is_blocked

rules.add_perm("participation.comment", may_take_part & in_module(module_allows("comment")))
rules.add_perm("participation.change_comment", may_take_part & is_author & in_module(module_allows("comment")))
rules.add_perm("participation.rate", may_take_part & ~is_author & in_module(module_allows("rate")))
rules.add_perm("participation.flag", rules.is_authenticated & ~is_author & in_module(can_view))
rules.add_perm("participation.moderate", is_moderator)
