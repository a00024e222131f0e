"""Django's model permissions, withheld from a session without the second factor.

Django's ``ModelBackend`` grants a superuser every model permission (``projects.change_project`` …)
regardless of the rules; group and user permissions are staff rights too. Both wait for the
second factor (see ``accounts.second_factor``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class SecondFactorModelBackend(ModelBackend):
    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        from .second_factor import staff_rights_allowed

        return super().get_user_permissions(user_obj, obj) if staff_rights_allowed(user_obj) else set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        from .second_factor import staff_rights_allowed

        return super().get_group_permissions(user_obj, obj) if staff_rights_allowed(user_obj) else set()
