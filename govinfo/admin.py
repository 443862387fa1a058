from django.contrib import admin

from units.access import can_use_admin

from .models import TaskFailure


def is_system_admin(user) -> bool:
    """The installation's own administrator: a superuser, or an administrator of a unit
    at the top of the reporting tree (the province office), whose subtree is everything."""
    if not can_use_admin(user):
        return False
    return user.is_superuser or (user.unit is not None and user.unit.parent_id is None)


@admin.register(TaskFailure)
class TaskFailureAdmin(admin.ModelAdmin):
    """Read-only: what failed in the background, so the installation's administrator
    notices it. Failures belong to no unit (a task's arguments and traceback may name
    any unit's items), so a unit's administrator does not see them."""

    list_display = ["failed_at", "task_name", "exception"]
    list_filter = ["task_name"]
    search_fields = ["task_name", "exception", "task_id"]
    readonly_fields = ["task_id", "task_name", "args", "exception", "traceback", "failed_at"]

    def has_module_permission(self, request) -> bool:
        return is_system_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_system_admin(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser
