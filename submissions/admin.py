from django.contrib import admin

from units import access
from units.admin import ScopedAdmin

from .models import Category, Topic


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
