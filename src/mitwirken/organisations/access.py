"""The one place that lets a request into an organisation's back office.

Everybody who may not enter gets 404, so the back office never confirms that
another tenant's objects exist.  Staff without a second factor are sent to set one up.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Organisation


def has_second_factor(user: Any) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def session_used_second_factor(request: HttpRequest) -> bool:
    """Having an authenticator is not enough: this session must have been confirmed with it."""
    from allauth.account.authentication import get_authentication_records

    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


def second_factor_redirect(request: HttpRequest) -> HttpResponse | None:
    """Where staff must go first: to set up TOTP, or to confirm this session with it."""
    if not settings.MITWIRKEN_STAFF_MFA_REQUIRED:
        return None
    if not has_second_factor(request.user):
        messages.warning(
            request,
            _("Für die Verwaltung ist eine Zwei-Faktor-Anmeldung vorgeschrieben. Bitte richten Sie sie jetzt ein."),
        )
        return redirect("mfa_activate_totp")
    if not session_used_second_factor(request):
        messages.info(request, _("Bitte bestätigen Sie Ihre Anmeldung mit dem zweiten Faktor."))
        return redirect(f"{reverse('mfa_reauthenticate')}?next={quote(request.get_full_path())}")
    return None


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
            second_factor_missing = second_factor_redirect(request)
            if second_factor_missing is not None:
                return second_factor_missing
            return view(request, organisation, **kwargs)

        return wrapper

    return decorator
