from django.contrib.gis import admin

from .models import Area, AreaLayer, Department, Team


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0
    filter_horizontal = ("members",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "jurisdiction")
    list_filter = ("jurisdiction",)
    search_fields = ("code", "name")
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "department", "assignment_strategy")
    list_filter = ("department__jurisdiction", "assignment_strategy")
    search_fields = ("code", "name")
    filter_horizontal = ("members",)


@admin.register(AreaLayer)
class AreaLayerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "jurisdiction")


@admin.register(Area)
class AreaAdmin(admin.GISModelAdmin):
    list_display = ("code", "name", "layer")
    list_filter = ("layer",)
    search_fields = ("code", "name")
