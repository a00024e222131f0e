"""Permissions of the Mängelmelder (``reports.<verb>_<model>``).

Reports belong to the responsible organisation's staff; organisation admins also set the Mängelmelder up.
Reporting itself needs no permission (anyone may report, confirmed by account, e-mail link or API key), so it
has no rule. What a person may do with a report in a given status (support an open one, confirm or reopen a
fixed one) is checked by the services, which answer with a message rather than a bare refusal.
"""

from __future__ import annotations

from typing import Any

import rules

from mitwirken.organisations.rules import is_org_admin, is_org_staff, is_portal_admin


@rules.predicate
def is_reporter(user: Any, report: Any) -> bool:
    """The account the report was made from (anonymous reports answer through their e-mail link instead)."""
    return bool(user.is_authenticated and report is not None and report.reporter_id == user.pk)


# object: the organisation
rules.add_perm("reports.handle_reports", is_portal_admin | is_org_staff)
rules.add_perm("reports.moderate_reports", is_portal_admin | is_org_staff)
rules.add_perm("reports.manage_api_clients", is_portal_admin | is_org_admin)
rules.add_perm("reports.manage_categories", is_portal_admin | is_org_admin)
rules.add_perm("reports.manage_settings", is_portal_admin | is_org_admin)
# object: the report
rules.add_perm("reports.support_report", rules.is_authenticated)  # not one's own: the service explains why
rules.add_perm("reports.review_report", is_reporter)  # "Ist es behoben?": confirm the fix or reopen
