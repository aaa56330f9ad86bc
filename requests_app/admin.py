from django.contrib.gis import admin

from .models import Jurisdiction, Photo, Question, ResidentComment, ServiceRequest, ServiceType, StatusChange


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "timezone", "contact_retention_days")
    search_fields = ("slug", "name")


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "group", "kind", "jurisdiction", "active", "sensitive")
    list_filter = ("jurisdiction", "kind", "active", "sensitive")
    search_fields = ("code", "name", "group")
    inlines = [QuestionInline]


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ("at", "actor", "old_status", "new_status", "public_note", "internal_note")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # History is written by the status services only, so it can't disagree with the request.
        return False


class PhotoInline(admin.TabularInline):
    # Read only: originals have no URL (staff open them from the request page, which checks who asks), and
    # moderation goes through requests_app.photos so it is recorded.
    model = Photo
    extra = 0
    fields = ("created_at", "state", "failure", "public_image", "external_url")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ResidentCommentInline(admin.TabularInline):
    model = ResidentComment
    extra = 0
    readonly_fields = ("text", "created_at")

    def has_add_permission(self, request, obj=None):
        return False  # only the requester adds, from the tracking page


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.GISModelAdmin):
    list_display = ("public_id", "service_type", "status", "department", "team", "submitted_at", "channel")
    list_filter = ("jurisdiction", "status", "channel", "routing_state")
    search_fields = ("public_id", "address", "description")
    readonly_fields = ("public_id", "status", "submitted_at", "updated_at", "acknowledged_at", "closed_at")
    exclude = ("tracking_token_digest",)
    raw_id_fields = ("assignee",)
    list_select_related = ("service_type", "department", "team")
    inlines = [StatusChangeInline, PhotoInline, ResidentCommentInline]
