from django.contrib import admin

from .models import Module, Phase, Project, ProjectMembership


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "status", "access", "published_at"]
    list_filter = ["status", "access"]
    search_fields = ["title", "slug"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation"]
    inlines = [ModuleInline]


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["name", "module", "start", "end"]
    raw_id_fields = ["module"]


@admin.register(ProjectMembership)
class ProjectMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role"]
    raw_id_fields = ["user", "project", "agency"]
