from django.contrib import admin

from .models import ResponseTemplate, SavedView, StaffRole


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "jurisdiction", "department"]
    list_filter = ["role", "jurisdiction"]
    autocomplete_fields = ["user"]


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "service_type", "status", "jurisdiction"]
    list_filter = ["jurisdiction", "language", "status"]
    search_fields = ["name", "text"]


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "query"]
