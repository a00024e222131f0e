"""Who may answer, build and evaluate a survey: project role × access mode × the running phase × blocks.

``surveys.respond`` covers what a rule can see: the project (published, running, its protected mode on top),
the phase, and the survey's access mode as far as accounts go. A personal code is request state: the service
checks it (``services.responding.refusal``). Predicates receive the module or anything inside it.
"""

from __future__ import annotations

from typing import Any

import rules

from mitwirken.accounts.assurance import login_meets
from mitwirken.participation.rules import in_module, is_blocked
from mitwirken.projects.models import module_of
from mitwirken.projects.rules import (
    can_view,
    is_invited,
    is_open_to_all,
    is_running,
    is_staff_of_project,
    module_allows,
)


def _survey(obj: Any) -> Any:
    from .models import Survey

    module = module_of(obj)
    if module is None:
        return None
    survey = getattr(module, "_survey", None)
    if survey is None:
        survey = Survey.objects.filter(module=module).only("id", "access", "min_assurance_level").first()
        module._survey = survey  # type: ignore[attr-defined]
    return survey


def _access(user: Any, obj: Any) -> str:
    survey = _survey(obj)
    return survey.access if survey is not None else ""


def _requirement(obj: Any) -> int:
    survey = _survey(obj)
    return int(survey.min_assurance_level or 0) if survey is not None else 0


@rules.predicate
def needs_account(user: Any, obj: Any) -> bool:
    return _access(user, obj) == "account"


@rules.predicate
def is_survey(user: Any, obj: Any) -> bool:
    return _access(user, obj) != ""


# The project's protected mode applies on top of the survey's access mode: in a semi-public or protected project
# only invited people answer, whatever the survey allows; in a public one a public or code survey needs no account.
project_lets_in = in_module(is_running) & (in_module(is_open_to_all) | (rules.is_authenticated & in_module(is_invited)))
account_if_needed = ~needs_account | rules.is_authenticated
# The login's trust level (BundID, Mein Unternehmenskonto) reaches what staff set for the survey.
survey_login_meets = login_meets(_requirement)
# Everything but the trust level: where only that is missing, the pages offer the step-up login instead.
respond_any_login = (
    is_survey & in_module(can_view) & project_lets_in & account_if_needed & in_module(module_allows("respond"))
    & ~is_blocked
)  # fmt: skip

rules.add_perm("surveys.view_module", in_module(can_view))
rules.add_perm("surveys.respond", respond_any_login & survey_login_meets)
rules.add_perm("surveys.respond_any_login", respond_any_login)
rules.add_perm("surveys.manage", in_module(is_staff_of_project))
rules.add_perm("surveys.view_results", in_module(is_staff_of_project))
