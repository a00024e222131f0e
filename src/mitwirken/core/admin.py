from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from mitwirken.accounts.second_factor import is_portal_admin, second_factor_redirect

from .models import AccessibilityFeedback, AuditEntry


def portal_admins_only(request: HttpRequest) -> bool:
    # Staff of organisations work in the back office; the Django admin is for portal administrators,
    # in a session confirmed with the second factor like every staff right (accounts/second_factor.py).
    return is_portal_admin(request.user)


def admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The admin's own password-only login would bypass e-mail verification, rate limits and the second
    factor, so it is never shown: people sign in through the portal, superusers then confirm the session
    with TOTP, everybody else is refused."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    next_url = next_url or reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    if is_portal_admin(request.user):
        return redirect(next_url)
    if request.user.is_active and request.user.is_superuser:
        confirm = second_factor_redirect(request, next_url=next_url)
        if confirm is not None:
            return confirm
    raise PermissionDenied


admin.site.has_permission = portal_admins_only  # type: ignore[method-assign]
admin.site.login = admin_login  # type: ignore[assignment]
admin.site.site_header = "mitwirken – Portaladministration"


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "organisation", "action", "object_repr"]
    list_filter = ["action"]
    search_fields = ["object_repr", "action"]
    list_select_related = ["actor", "organisation"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "organisation", "page_url", "email"]
    list_select_related = ["organisation"]
