from django.contrib import admin

from .models import PublicSettings


@admin.register(PublicSettings)
class PublicSettingsAdmin(admin.ModelAdmin):
    list_display = ["jurisdiction", "suppression_k"]
