from django.contrib import admin

from units import access
from units.admin import ScopedAdmin

from .models import Category, Commission, CommissionTarget, Topic


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "code", "deadline_rule", "deadline_days", "sort_order"]
    list_editable = ["deadline_rule", "deadline_days"]
    list_select_related = ["parent"]

    def has_module_permission(self, request) -> bool:
        return access.can_use_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return access.can_use_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        # One table for the whole installation: only a superuser changes deadlines.
        return request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Topic)
class TopicAdmin(ScopedAdmin):
    unit_field = "office"
    list_display = ["name", "office", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    list_select_related = ["office"]


class CommissionTargetInline(admin.TabularInline):
    model = CommissionTarget
    fields = ["unit", "reminded_at", "penalized_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None) -> bool:
        # Scoped by the commission it belongs to (CommissionAdmin's queryset).
        return access.can_use_admin(request.user)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Commission)
class CommissionAdmin(ScopedAdmin):
    """Read-only here: commissions are issued on their page, which checks the targets
    and notifies the units; reminders and penalties are the scheduled task's."""

    unit_field = "office"
    list_display = ["topic", "office", "deadline", "created_by", "created_at"]
    list_filter = ["deadline"]
    search_fields = ["topic"]
    list_select_related = ["office", "created_by"]
    inlines = [CommissionTargetInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
