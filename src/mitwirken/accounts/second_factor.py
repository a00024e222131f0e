"""The one place that decides whether a session may use staff rights.

Staff rights are organisation memberships (admin, case worker) and the portal administrators'
superuser powers. They exist only in a session that was confirmed with the second factor, and only
for ``MITWIRKEN_STAFF_SESSION_MAX_AGE`` after that confirmation. Everything that grants staff rights
asks :func:`staff_rights_allowed`: the organisation role lookup (``organisations.roles``), the
``is_portal_admin`` predicate, ``User.has_perm`` for superusers and the Django admin. So a page, an
API route or the admin cannot forget the check – they never see the rights in the first place.

Project roles (participant, moderator, agency) are citizens' roles and need no second factor.

Outside a request (management commands, the task worker, tests calling services) there is no
session, and the roles stored in the database apply.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse

_current_request: ContextVar[HttpRequest | None] = ContextVar("mitwirken_current_request", default=None)


class StaffSessionMiddleware:
    """Makes the request known to the permission layer for the duration of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def second_factor_confirmed_at(request: HttpRequest, user: Any) -> float | None:
    """When this session was last confirmed with the second factor (allauth's records), or None."""
    from allauth.account.authentication import get_authentication_records

    times = [
        float(record.get("at") or 0)
        for record in get_authentication_records(request, user)
        if record.get("method") == "mfa"
    ]
    return max(times) if times else None


def session_used_second_factor(request: HttpRequest) -> bool:
    """Having an authenticator is not enough: this session must have been confirmed with it, recently."""
    confirmed = second_factor_confirmed_at(request, request.user)
    return confirmed is not None and time.time() - confirmed <= settings.MITWIRKEN_STAFF_SESSION_MAX_AGE


def staff_rights_allowed(user: Any) -> bool:
    """False for the signed-in person of the current request while the session lacks the second factor."""
    if not settings.MITWIRKEN_STAFF_MFA_REQUIRED:
        return True
    request = _current_request.get()
    if request is None or not hasattr(request, "session"):
        return True
    session_user = request.session.get(SESSION_KEY)
    if session_user is None or str(session_user) != str(getattr(user, "pk", None)):
        # Another account than the session's (e.g. the recipients of a notification): stored roles apply.
        return True
    cached = getattr(request, "_mitwirken_staff_rights", None)
    if cached is not None and cached[0] == user.pk:
        return bool(cached[1])
    confirmed = second_factor_confirmed_at(request, user)
    # The authenticator must still exist: removing TOTP ends the staff rights of running sessions too.
    allowed = (
        confirmed is not None
        and time.time() - confirmed <= settings.MITWIRKEN_STAFF_SESSION_MAX_AGE
        and has_second_factor(user)
    )
    request._mitwirken_staff_rights = (user.pk, allowed)  # type: ignore[attr-defined]
    return allowed


def is_portal_admin(user: Any) -> bool:
    """A superuser whose session may use staff rights."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser and staff_rights_allowed(user)
    )


def is_staff_without_confirmed_session(user: Any, organisation: Any = None) -> bool:
    """Staff in the database (of ``organisation``, if given) whose session lacks the second factor.

    They are sent to confirm the session; everybody else gets the usual 404.
    """
    if not getattr(user, "is_authenticated", False) or staff_rights_allowed(user):
        return False
    memberships = user.organisation_memberships.all()
    if organisation is not None:
        memberships = memberships.filter(organisation=organisation)
    return bool(user.is_superuser or memberships.exists())


def has_second_factor(user: Any) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def second_factor_redirect(request: HttpRequest, next_url: str | None = None) -> HttpResponse | None:
    """Where staff must go first: to set up TOTP, or to confirm this session with it."""
    from urllib.parse import quote

    from django.contrib import messages
    from django.shortcuts import redirect
    from django.urls import reverse
    from django.utils.translation import gettext as _

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
        return redirect(f"{reverse('mfa_reauthenticate')}?next={quote(next_url or request.get_full_path())}")
    return None


def refuse_unless(request: HttpRequest, perm: str) -> HttpResponse | None:
    """For portal-level back-office pages: None if the user holds ``perm`` in this session, else the answer.

    Anonymous people are sent to the login, staff without a confirmed session to the second factor,
    everybody else gets a 404 (the page does not exist for them).
    """
    from django.contrib.auth.views import redirect_to_login
    from django.http import Http404

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm(perm, None):
        if is_staff_without_confirmed_session(request.user):
            confirm = second_factor_redirect(request)
            if confirm is not None:
                return confirm
        raise Http404
    return None
