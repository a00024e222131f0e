from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpRequest

from .models import AccessibilityFeedback, AuditEntry


def portal_admins_only(request: HttpRequest) -> bool:
    # Staff of organisations work in the back office; the Django admin is for portal administrators.
    return bool(request.user.is_active and request.user.is_superuser)


admin.site.has_permission = portal_admins_only  # type: ignore[method-assign]
# The admin's own password-only login would bypass e-mail verification, rate limits and the second factor.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
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
