"""Operators configure destinations, webhooks and intake addresses here, and watch the outbox: a message that
keeps failing shows as stuck, with its last error, and can be retried or stopped."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from contacts.permissions import is_operator

from . import delivery
from .models import IntakeAddress, OnwardDestination, OnwardLink, OutboxMessage, WebhookSubscription


class OperatorsOnly:
    def has_module_permission(self, request):
        return is_operator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_operator(request.user)

    def has_add_permission(self, request):
        return is_operator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_operator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_operator(request.user)


@admin.register(OnwardDestination)
class OnwardDestinationAdmin(OperatorsOnly, admin.ModelAdmin):
    list_display = ("name", "jurisdiction", "kind", "department", "service_type", "active", "last_polled_at")
    list_filter = ("jurisdiction", "kind", "active")
    readonly_fields = ("last_polled_at",)


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(OperatorsOnly, admin.ModelAdmin):
    list_display = ("__str__", "jurisdiction", "events", "department", "service_type", "active")
    list_filter = ("jurisdiction", "active")


@admin.register(IntakeAddress)
class IntakeAddressAdmin(OperatorsOnly, admin.ModelAdmin):
    list_display = ("address", "jurisdiction", "service_type", "active")


@admin.register(OnwardLink)
class OnwardLinkAdmin(OperatorsOnly, admin.ModelAdmin):
    list_display = ("service_request", "destination", "external_id", "remote_status", "created_at")
    search_fields = ("service_request__public_id", "external_id")
    list_select_related = ("service_request", "destination")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(OperatorsOnly, admin.ModelAdmin):
    list_display = (
        "id",
        "event",
        "service_request",
        "receiver",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
    )
    list_filter = ("state", "event", "destination", "subscription")
    search_fields = ("service_request__public_id", "message_id")
    list_select_related = ("service_request", "destination", "subscription")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry", "stop"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("receiver"))
    def receiver(self, message):
        return message.receiver

    @admin.action(description=_("Send again now"), permissions=["view"])
    def retry(self, request, queryset):
        count = delivery.retry_messages(queryset.values_list("id", flat=True))
        self.message_user(
            request,
            ngettext("%(n)d message will be sent again.", "%(n)d messages will be sent again.", count) % {"n": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Stop sending"), permissions=["view"])
    def stop(self, request, queryset):
        count = delivery.stop_messages(queryset.values_list("id", flat=True))
        self.message_user(
            request,
            ngettext("%(n)d message stopped.", "%(n)d messages stopped.", count) % {"n": count},
            messages.SUCCESS,
        )
