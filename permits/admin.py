"""Cities configure their permit types here; permits themselves are worked on the staff pages, whose views check
the department and log each look at a document (so documents are not reachable from the admin)."""

from django.contrib import admin

from .models import DocumentRequirement, PermitType


class DocumentRequirementInline(admin.TabularInline):
    model = DocumentRequirement
    extra = 0


@admin.register(PermitType)
class PermitTypeAdmin(admin.ModelAdmin):
    list_display = ["service_type", "geometry_kind", "fee_kind", "fee_amount", "fee_currency", "decision_working_days"]
    list_filter = ["service_type__jurisdiction", "geometry_kind", "fee_kind"]
    inlines = [DocumentRequirementInline]
