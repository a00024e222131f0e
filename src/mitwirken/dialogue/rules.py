"""Who may do what in a dialogue module: role × project access × the running phase's features × blocks.

Predicates receive the module (or an idea/comment, resolved to its module). A blocked user is treated
like a reader everywhere, in the project or in every project of the organisation.
"""

from __future__ import annotations

from typing import Any

import rules

from mitwirken.core.permissions import cached_on_user
from mitwirken.projects.rules import can_participate, can_view, is_staff_of_project, module_allows

BLOCKS_ATTR = "_mitwirken_dialogue_blocks"


def _module(obj: Any) -> Any:
    if obj is None:
        return None
    if hasattr(obj, "chapter"):  # paragraph
        obj = obj.chapter
    if hasattr(obj, "idea_id") and hasattr(obj, "paragraph_id"):  # comment
        obj = obj.idea if obj.idea_id else obj.paragraph.chapter
    return getattr(obj, "module", obj)


def blocks(user: Any) -> dict[int, str]:
    """{project or organisation id (negated for organisations): reason}, loaded once per request."""
    from .models import Block

    def load(u: Any) -> dict[int, str]:
        result: dict[int, str] = {}
        for project_id, organisation_id, reason in Block.objects.filter(user=u).values_list(
            "project_id", "organisation_id", "reason"
        ):
            result[project_id if project_id else -organisation_id] = reason
        return result

    return cached_on_user(user, BLOCKS_ATTR, load)


@rules.predicate
def is_blocked(user: Any, obj: Any) -> bool:
    module = _module(obj)
    if module is None or not getattr(user, "is_authenticated", False):
        return False
    found = blocks(user)
    return module.project_id in found or -module.project.organisation_id in found


@rules.predicate
def is_author(user: Any, obj: Any) -> bool:
    return getattr(user, "is_authenticated", False) and getattr(obj, "author_id", None) == user.pk


@rules.predicate
def participants_create(user: Any, obj: Any) -> bool:
    module = _module(obj)
    settings = getattr(module, "dialogue", None)
    return settings is not None and settings.participants_create


@rules.predicate
def is_moderator(user: Any, obj: Any) -> bool:
    module = _module(obj)
    return module is not None and user.has_perm("projects.moderate_project", module.project)


def in_module(predicate: Any) -> Any:
    """Apply a project-level predicate to the module an idea or comment belongs to."""

    @rules.predicate(name=f"in_module:{predicate.name}")
    def wrapped(user: Any, obj: Any) -> bool:
        return bool(predicate.test(user, _module(obj)))

    return wrapped


may_take_part = in_module(can_participate) & ~is_blocked

rules.add_perm("dialogue.view_module", in_module(can_view))
rules.add_perm("dialogue.add_idea", may_take_part & participants_create & in_module(module_allows("create")))
rules.add_perm("dialogue.change_idea", may_take_part & is_author & in_module(module_allows("create")))
rules.add_perm("dialogue.comment", may_take_part & in_module(module_allows("comment")))
rules.add_perm("dialogue.change_comment", may_take_part & is_author & in_module(module_allows("comment")))
rules.add_perm("dialogue.rate", may_take_part & in_module(module_allows("rate")))
rules.add_perm("dialogue.flag", rules.is_authenticated & in_module(can_view))
rules.add_perm("dialogue.moderate", is_moderator)
rules.add_perm("dialogue.give_feedback", is_moderator)
rules.add_perm("dialogue.manage_module", in_module(is_staff_of_project))
rules.add_perm("dialogue.export_personal_data", in_module(is_staff_of_project))
