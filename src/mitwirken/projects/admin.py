from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Module, Phase, Project, ProjectMembership


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Projects change only through the back office, whose services validate, sanitise and audit."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["title", "organisation", "status", "access", "published_at"]
    list_filter = ["status", "access"]
    search_fields = ["title", "slug"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation"]
    inlines = [ModuleInline]


@admin.register(Phase)
class PhaseAdmin(ReadOnlyAdmin):
    list_display = ["name", "module", "start", "end"]
    raw_id_fields = ["module"]


@admin.register(ProjectMembership)
class ProjectMembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "project", "role"]
    raw_id_fields = ["user", "project", "agency"]
