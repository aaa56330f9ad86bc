from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from staffing.models import StaffRole

from .models import ResponseTemplate, SavedView
from .two_factor import reset_two_factor


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


# django-otp's own TOTP admin shows each device's secret key and a QR code of it: replaced by a list that shows
# who has an authenticator and lets an operator reset a lost one, never the secret.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TwoFactorDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields
    actions = ["reset"]

    def has_add_permission(self, request):
        return False  # each person sets up their own at /staff/two-factor/, where the secret is shown once

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a reset goes through reset_two_factor, which logs it
        return actions

    @admin.action(description=_("Reset two-factor for the selected people (lost device)"), permissions=["delete"])
    def reset(self, request, queryset):
        users = {device.user for device in queryset.select_related("user")}
        for user in users:
            reset_two_factor(user, by=request.user)
        self.message_user(
            request,
            ngettext("Two-factor reset for %(n)d person.", "Two-factor reset for %(n)d people.", len(users))
            % {"n": len(users)},
        )
