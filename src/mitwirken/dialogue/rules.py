"""Who may do what with ideas in a dialogue module: role × project access × the running phase's features × blocks.

Comments, ratings, flags and moderation are ``participation.*`` permissions (``participation/rules.py``),
built the same way. Predicates here receive the module, or an idea resolved to its module.
"""

from __future__ import annotations

from typing import Any

import rules

from mitwirken.participation.rules import in_module, is_author, is_moderator, may_take_part
from mitwirken.projects.rules import can_view, is_staff_of_project, module_allows


@rules.predicate
def participants_create(user: Any, obj: Any) -> bool:
    from mitwirken.participation.targets import module_of

    from .services import settings_for

    module = module_of(obj)
    return module is not None and settings_for(module).participants_create


rules.add_perm("dialogue.view_module", in_module(can_view))
rules.add_perm("dialogue.add_idea", may_take_part & participants_create & in_module(module_allows("create")))
rules.add_perm("dialogue.change_idea", may_take_part & is_author & in_module(module_allows("create")))
rules.add_perm("dialogue.give_feedback", is_moderator)
rules.add_perm("dialogue.manage_module", in_module(is_staff_of_project))
rules.add_perm("dialogue.export_personal_data", in_module(is_staff_of_project))
