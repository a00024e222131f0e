from django.contrib import admin

from .models import CategoryTemplate, OrganisationCategory


@admin.register(CategoryTemplate)
class CategoryTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "group"]
    search_fields = ["name", "code"]


@admin.register(OrganisationCategory)
class OrganisationCategoryAdmin(admin.ModelAdmin):
    list_display = ["organisation", "template", "forward_email"]
    list_select_related = ["organisation", "template"]
    raw_id_fields = ["organisation"]
