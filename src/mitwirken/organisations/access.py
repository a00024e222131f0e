"""The one place that lets a request into an organisation's back office.

Everybody who may not enter gets 404, so the back office never confirms that
another tenant's objects exist.  Staff without a second factor are sent to set one up.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from mitwirken.accounts.second_factor import (  # noqa: F401  (re-exported for callers of this module)
    has_second_factor,
    is_staff_without_confirmed_session,
    second_factor_redirect,
    session_used_second_factor,
)

from .models import Organisation


def backoffice_view(permission: str = "organisations.enter_backoffice") -> Callable[..., Any]:
    """Decorate a view taking ``(request, organisation, **kwargs)``; ``org_slug`` comes from the URL."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            organisation = get_object_or_404(Organisation, slug=org_slug)
            if not request.user.has_perm(permission, organisation):
                # Staff rights wait for the second factor (accounts/second_factor.py); staff are told
                # to confirm the session, everybody else learns nothing.
                if is_staff_without_confirmed_session(request.user, organisation):
                    second_factor_missing = second_factor_redirect(request)
                    if second_factor_missing is not None:
                        return second_factor_missing
                raise Http404
            return view(request, organisation, **kwargs)

        return wrapper

    return decorator
