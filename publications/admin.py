from django.contrib import admin

from units import access
from units.admin import ScopedAdmin

from .models import CalendarOverride, CompileRun, Publication, Recipient


class RecipientInline(admin.TabularInline):
    model = Recipient
    extra = 1
    autocomplete_fields = ["unit"]


@admin.register(Publication)
class PublicationAdmin(ScopedAdmin):
    unit_field = "office"
    inlines = [RecipientInline]
    list_display = ["name", "office", "kind", "schedule", "points_full", "points_brief", "is_public", "is_active"]
    list_filter = ["kind", "schedule", "is_public", "is_active"]
    search_fields = ["name", "office__name"]
    list_select_related = ["office"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Holidays and make-up working days for years the chinese-calendar package lacks."""

    list_display = ["date", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"

    def has_module_permission(self, request) -> bool:
        return access.can_use_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return access.can_use_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser or (access.can_use_admin(request.user) and request.user.unit.parent_id is None)

    def has_add_permission(self, request) -> bool:
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request)


@admin.register(CompileRun)
class CompileRunAdmin(ScopedAdmin):
    unit_field = "publication__office"
    list_display = ["publication", "key", "status", "total", "done", "message", "started_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in CompileRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


# --- Instructions (批示) ------------------------------------------------------------------

from .models import Instruction, InstructionHandler, InstructionLevel  # noqa: E402


@admin.register(InstructionLevel)
class InstructionLevelAdmin(admin.ModelAdmin):
    """The list of instruction levels offered on the instruction form; scoring rules
    refer to them by name, so renaming one needs the schemes' rules renamed too."""

    list_display = ["name", "order"]
    list_editable = ["order"]
    ordering = ["order", "pk"]

    def has_module_permission(self, request) -> bool:
        return access.can_use_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return access.can_use_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser or (access.can_use_admin(request.user) and request.user.unit.parent_id is None)

    def has_add_permission(self, request) -> bool:
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


class InstructionHandlerInline(admin.TabularInline):
    model = InstructionHandler
    extra = 0
    can_delete = False
    fields = ["unit", "feedback_at", "feedback_by", "is_late", "penalized_at", "feedback"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Instruction)
class InstructionAdmin(ScopedAdmin):
    """Read-only: instructions are written and answered on the site, where the bonus,
    notifications and penalties go with them."""

    unit_field = "office"
    inlines = [InstructionHandlerInline]
    list_display = ["leader_name", "level", "item_title", "office", "date", "deadline"]
    list_filter = ["level", "date"]
    search_fields = ["leader_name", "text"]
    list_select_related = ["office", "item"]
    # The item by a title that keeps 敏感 items' titles to their readers, who are not the
    # administrators (DOMAIN §4).
    readonly_fields = [("item_title" if f.name == "item" else f.name) for f in Instruction._meta.fields]
    fields = readonly_fields

    @admin.display(description="信息")
    def item_title(self, obj: Instruction) -> str:
        return "（敏感信息）" if obj.item.is_sensitive else obj.item.plain_title

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
