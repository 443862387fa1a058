from django.contrib import admin

from units.access import can_use_admin

from .models import TaskFailure


@admin.register(TaskFailure)
class TaskFailureAdmin(admin.ModelAdmin):
    """Read-only: what failed in the background, so administrators notice it."""

    list_display = ["failed_at", "task_name", "exception"]
    list_filter = ["task_name"]
    search_fields = ["task_name", "exception", "task_id"]
    readonly_fields = ["task_id", "task_name", "args", "exception", "traceback", "failed_at"]

    def has_module_permission(self, request) -> bool:
        return can_use_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return can_use_admin(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser
