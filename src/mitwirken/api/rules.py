"""Permissions on API clients. Names follow ``api.<verb>_<model>``."""

from __future__ import annotations

import rules

from mitwirken.organisations.rules import is_org_admin, is_portal_admin

# Keys act as a case worker of the organisation: whoever may manage the members may hand them out.
rules.add_perm("api.manage_clients", is_portal_admin | is_org_admin)
