"""Permissions of the Mängelmelder. Reports belong to the responsible organisation's staff."""

from __future__ import annotations

import rules

from mitwirken.organisations.rules import is_org_admin, is_org_staff, is_portal_admin

rules.add_perm("reports.handle_reports", is_portal_admin | is_org_staff)
rules.add_perm("reports.moderate_reports", is_portal_admin | is_org_staff)
rules.add_perm("reports.manage_api_clients", is_portal_admin | is_org_admin)
rules.add_perm("reports.manage_categories", is_portal_admin | is_org_admin)
