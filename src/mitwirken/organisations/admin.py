from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mitwirken.core.audit import log_action

from .models import Organisation, OrganisationMembership


class MembershipInline(admin.TabularInline):
    model = OrganisationMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "ags", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "ags"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["parent"]
    inlines = [MembershipInline]
    list_select_related = ["parent"]

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Portal administrators' changes belong in the audit log like every other staff action.
        log_action(
            actor=request.user,
            action="organisation.update" if change else "organisation.create",
            obj=obj,
            organisation=obj,
            changes=dict.fromkeys(form.changed_data, "geändert"),
        )
