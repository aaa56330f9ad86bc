# Contact data itself is deliberately not registered in the admin: staff reach it only through the
# consent- and permission-checked, logged selector, never through a generic list of people.
# Operators read the access log here, read-only.
from django.contrib import admin

from .models import AccessLog
from .permissions import is_operator


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "service_request", "reason", "purposes")
    list_filter = ("at",)
    search_fields = ("username", "service_request__public_id", "reason")
    list_select_related = ("service_request",)
    readonly_fields = ("service_request", "user", "username", "at", "reason", "purposes")
    date_hierarchy = "at"

    def has_module_permission(self, request):
        return is_operator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_operator(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
