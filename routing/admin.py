from django import forms
from django.contrib import messages
from django.contrib.gis import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .evaluation import cases_from_history, evaluate
from .hours import validate_business_hours
from .models import (
    Area,
    AreaLayer,
    CityHoliday,
    Department,
    DuplicateWindow,
    EscalationLevel,
    EscalationNotice,
    PossibleDuplicate,
    RoutingDecision,
    RoutingModel,
    RoutingRule,
    RoutingSettings,
    RuleSet,
    SlaClock,
    SlaTarget,
    Team,
    TextClassifier,
)
from .rulesets import RuleSetNotDraft, activate_rule_set, copy_rule_set
from .selectors import rule_set_problems


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0
    filter_horizontal = ("members",)


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = "__all__"

    def clean_business_hours(self):
        value = self.cleaned_data["business_hours"]
        return None if value in (None, "") else _checked_business_hours(value)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    form = DepartmentForm
    list_display = ("code", "name", "jurisdiction")
    list_filter = ("jurisdiction",)
    search_fields = ("code", "name")
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "department", "assignment_strategy")
    list_filter = ("department__jurisdiction", "assignment_strategy")
    search_fields = ("code", "name")
    filter_horizontal = ("members", "leads")


@admin.register(AreaLayer)
class AreaLayerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "jurisdiction")


@admin.register(Area)
class AreaAdmin(admin.GISModelAdmin):
    list_display = ("code", "name", "layer")
    list_filter = ("layer",)
    search_fields = ("code", "name")


class RoutingRuleInline(admin.StackedInline):
    model = RoutingRule
    extra = 0
    autocomplete_fields = ("area",)
    raw_id_fields = ("service_type",)
    fieldsets = (
        (None, {"fields": ("order", "name")}),
        (
            _("When"),
            {
                "fields": (
                    "service_type",
                    "service_group",
                    "area_layer",
                    "area",
                    "answer_code",
                    "answer_value",
                    "words",
                    "hours",
                    "hour_from",
                    "hour_to",
                    "min_priority",
                )
            },
        ),
        (_("Then"), {"fields": ("department", "team", "set_priority", "sla_hours", "assignment_strategy")}),
    )

    # Only a draft is edited: live routing changes by activating a new draft (copy, edit, evaluate, activate).
    def has_add_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_delete_permission(request, obj)


def _is_draft(rule_set) -> bool:
    return rule_set is None or rule_set.state == RuleSet.State.DRAFT


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ("jurisdiction", "version", "state", "rule_count", "problem_count", "activated_at")
    list_filter = ("jurisdiction", "state")
    readonly_fields = ("state", "activated_at", "updated_at", "problems")
    inlines = [RoutingRuleInline]
    actions = ["evaluate_on_recent_requests", "activate", "copy_as_draft"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if _is_draft(obj) else (*fields, "jurisdiction", "version", "note")

    @admin.display(description=_("rules"))
    def rule_count(self, obj):
        return obj.rules.count()

    @admin.display(description=_("problems"))
    def problem_count(self, obj):
        return len(rule_set_problems(obj))

    @admin.display(description=_("problems found"))
    def problems(self, obj):
        found = rule_set_problems(obj) if obj.pk else []
        if not found:
            return _("None: every rule can match and every service type has a route.")
        return format_html_join("\n", "<p>{}</p>", ((p,) for p in found))

    @admin.action(description=_("Evaluate on the last 1,000 routed requests"))
    def evaluate_on_recent_requests(self, request, queryset):
        for rule_set in queryset:
            report = evaluate(rule_set, cases_from_history(rule_set))
            self.message_user(
                request,
                _("%(rule_set)s: %(line)s, %(triage)d to triage")
                % {"rule_set": rule_set, "line": report.last_line(), "triage": report.triage},
            )

    @admin.action(description=_("Activate (the active rule set is retired)"))
    def activate(self, request, queryset):
        for rule_set in queryset:
            try:
                activate_rule_set(rule_set)
            except RuleSetNotDraft:
                self.message_user(request, _("%(rule_set)s is not a draft.") % {"rule_set": rule_set}, messages.ERROR)
            else:
                self.message_user(request, _("%(rule_set)s is active.") % {"rule_set": rule_set})

    @admin.action(description=_("Copy as a new draft"))
    def copy_as_draft(self, request, queryset):
        for rule_set in queryset:
            draft = copy_rule_set(rule_set)
            self.message_user(request, _("Draft %(rule_set)s made.") % {"rule_set": draft})


def _checked_business_hours(value):
    if not isinstance(value, dict):
        raise forms.ValidationError(_('Give a JSON object such as {"0": ["08:00", "17:00"]}.'))
    problems = validate_business_hours(value)
    if problems:
        raise forms.ValidationError(problems)
    return value


class RoutingSettingsForm(forms.ModelForm):
    class Meta:
        model = RoutingSettings
        fields = "__all__"

    def clean_business_hours(self):
        return _checked_business_hours(self.cleaned_data["business_hours"])


@admin.register(RoutingSettings)
class RoutingSettingsAdmin(admin.ModelAdmin):
    form = RoutingSettingsForm
    list_display = ("jurisdiction", "triage_department", "triage_team", "classifier_threshold")


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = ("jurisdiction", "service_type", "priority", "acknowledge_hours", "hours")
    list_filter = ("jurisdiction",)
    raw_id_fields = ("service_type",)


@admin.register(CityHoliday)
class CityHolidayAdmin(admin.ModelAdmin):
    list_display = ("jurisdiction", "day", "name")
    list_filter = ("jurisdiction",)


@admin.register(EscalationLevel)
class EscalationLevelAdmin(admin.ModelAdmin):
    list_display = ("jurisdiction", "level", "after_hours")
    list_filter = ("jurisdiction",)


@admin.register(EscalationNotice)
class EscalationNoticeAdmin(admin.ModelAdmin):
    list_display = ("service_request", "level", "recipient", "state", "attempts", "created_at", "sent_at")
    list_filter = ("state", "level")
    readonly_fields = (
        "service_request",
        "level",
        "recipient",
        "due_at",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    )
    raw_id_fields = ("service_request",)


@admin.register(SlaClock)
class SlaClockAdmin(admin.ModelAdmin):
    list_display = ("service_request", "acknowledge_due_at", "resolve_due_at", "paused_at", "escalation_level")
    readonly_fields = (
        "service_request",
        "started_at",
        "acknowledge_hours",
        "resolve_hours",
        "acknowledge_due_at",
        "resolve_due_at",
        "paused_at",
        "escalation_level",
    )


@admin.register(DuplicateWindow)
class DuplicateWindowAdmin(admin.ModelAdmin):
    list_display = ("service_type", "metres", "days")
    raw_id_fields = ("service_type",)


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(admin.ModelAdmin):
    list_display = ("service_request", "state", "department", "team", "rule_set_version", "rule_label", "created_at")
    list_filter = ("state",)
    raw_id_fields = ("service_request",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(PossibleDuplicate)
class PossibleDuplicateAdmin(admin.ModelAdmin):
    list_display = ("service_request", "candidate", "metres", "found_at")
    raw_id_fields = ("service_request", "candidate")


@admin.register(TextClassifier)
class TextClassifierAdmin(admin.ModelAdmin):
    list_display = ("jurisdiction", "rule_set", "rows", "trained_at")
    exclude = ("model",)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RoutingModel)
class RoutingModelAdmin(admin.ModelAdmin):
    """Read-only: a model changes only by learning a new draft, and goes live with its rule set."""

    list_display = ("rule_set", "rows", "half_life_days", "decides", "trained_at")
    exclude = ("data",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
