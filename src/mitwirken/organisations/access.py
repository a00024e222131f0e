"""The one place that lets a request into an organisation's back office.

Everybody who may not enter gets 404, so the back office never confirms that
another tenant's objects exist.  Staff without a second factor are sent to set one up.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from .models import Organisation


def has_second_factor(user: Any) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def backoffice_view(permission: str = "organisations.enter_backoffice") -> Callable[..., Any]:
    """Decorate a view taking ``(request, organisation, **kwargs)``; ``org_slug`` comes from the URL."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            organisation = get_object_or_404(Organisation, slug=org_slug)
            if not request.user.has_perm(permission, organisation):
                raise Http404
            if settings.MITWIRKEN_STAFF_MFA_REQUIRED and not has_second_factor(request.user):
                messages.warning(
                    request,
                    _(
                        "Für die Verwaltung ist eine Zwei-Faktor-Anmeldung vorgeschrieben. Bitte richten Sie sie jetzt ein."
                    ),
                )
                return redirect("mfa_activate_totp")
            return view(request, organisation, **kwargs)

        return wrapper

    return decorator
