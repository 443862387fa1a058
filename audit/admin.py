"""Browsing and exporting the audit record (admin → 审计记录). Read-only for everyone."""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from common.admin import DateSafeChangeList

from . import exports, queries, reveal, scope
from .display import action_label, change_lines, changes_text, model_label
from .models import AuditEntry
from .recording import record
from .registry import action_labels, model_label_choices


def record_export(request, filename: str, count: int | None) -> None:
    """The export of the record is itself a read that matters (GB/T 22239 8.1.4.3); the
    "export" label is registered by units (units/reads.py), which audit cannot import."""
    changes = {"query": request.GET.urlencode() or None, "rows": count}
    record(action="export", model="export", object_id="", object_repr=f"审计记录 {filename}", unit=request.user.unit_id,
           changes={k: v for k, v in changes.items() if v is not None})  # fmt: skip


MAX_XLSX_ROWS = 100_000


class ModelFilter(admin.SimpleListFilter):
    title = "对象类型"
    parameter_name = "model"

    def lookups(self, request, model_admin):
        return model_label_choices()

    def queryset(self, request, queryset):
        return queryset.filter(model=self.value()) if self.value() else queryset


class ActionFilter(admin.SimpleListFilter):
    title = "动作"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return list(action_labels().items())

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class UnitSubtreeFilter(admin.SimpleListFilter):
    """A unit and everything below it; the choices are the administrator's own unit and
    the units directly under it (a province lists its cities, not every department)."""

    field = "actor_unit"

    def lookups(self, request, model_admin):
        units = scope.administered_units(request.user)
        own = request.user.unit
        if own is not None and not request.user.is_superuser:
            units = units.filter(depth__lte=own.depth + 1)
        else:
            units = units.filter(depth__lte=1)
        return [(str(u.pk), u.display_name) for u in units.only("pk", "name", "short_name")[:300]]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value == "system":
            return queryset.filter(**{f"{self.field}__isnull": True})
        try:
            unit = scope.administered_units(request.user).get(pk=int(value))
        except (ObjectDoesNotExist, ValueError):
            return queryset.none()
        return queryset.filter(**{f"{self.field}__in": scope.subtree(unit).values("pk")})


class ActorUnitFilter(UnitSubtreeFilter):
    title = "操作人单位（含下级）"
    parameter_name = "actor_unit"
    field = "actor_unit"

    def lookups(self, request, model_admin):
        return [("system", "系统（后台任务）"), *super().lookups(request, model_admin)]


class ObjectUnitFilter(UnitSubtreeFilter):
    title = "对象所属单位（含下级）"
    parameter_name = "object_unit"
    field = "unit"


class RevealingChangeList(DateSafeChangeList):
    """The page of entries, each marked with whether its sealed values may be shown."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = reveal.mark(self.result_list)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The auditor reads, searches and exports the record of their scope; the system and
    security administrators read the other administrators' actions (audit/queries.py).
    Nobody can add, change or delete an entry, here or anywhere (the table refuses it)."""

    list_display = ["at", "actor_name", "actor_unit", "action_display", "model_display", "object_id",
                    "object_repr", "changes_display", "ip"]  # fmt: skip
    list_display_links = ["at"]
    list_filter = [ModelFilter, ActionFilter, ActorUnitFilter, ObjectUnitFilter]
    date_hierarchy = "at"
    search_fields = ["=object_id", "actor_name", "object_repr", "=request_id"]
    search_help_text = "按对象编号、操作人（姓名或用户名）、对象名称或请求编号搜索"
    list_select_related = ["actor_unit"]
    list_per_page = 50
    show_full_result_count = False  # one count fewer on a table that only grows
    fields = ["at", "actor_name", "actor_unit", "action_display", "model_display", "object_id", "object_repr",
              "unit", "changes_table", "ip", "path", "request_id"]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return queries.visible_entries(request.user).select_related("actor_unit", "unit")

    def get_changelist(self, request, **kwargs):
        return RevealingChangeList

    def changelist_view(self, request, extra_context=None):
        reads_all = scope.reads_all(request.user)
        extra = {
            "reads_all": reads_all,
            "verifies": reads_all and queries.sees_everything(request.user),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)

    def has_module_permission(self, request) -> bool:
        return scope.can_read(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return scope.can_read(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="动作", ordering="action")
    def action_display(self, obj: AuditEntry) -> str:
        return action_label(obj.action)

    @admin.display(description="对象类型", ordering="model")
    def model_display(self, obj: AuditEntry) -> str:
        return model_label(obj.model)

    @admin.display(description="变更内容")
    def changes_display(self, obj: AuditEntry) -> str:
        text = changes_text(obj)
        return text if len(text) <= 120 else text[:120] + "…"

    @admin.display(description="变更内容")
    def changes_table(self, obj: AuditEntry) -> str:
        (obj,) = reveal.mark([obj])
        lines = change_lines(obj.model, obj.changes, withheld=obj.withheld)
        if not lines:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line,) for line in lines)))

    # --- Exports of the filtered list ---------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("export.xlsx", view(self.export_xlsx), name="audit_auditentry_export_xlsx"),
            path("export.csv", view(self.export_csv), name="audit_auditentry_export_csv"),
            path("verify/", view(self.verify), name="audit_auditentry_verify"),
            *super().get_urls(),
        ]

    def verify(self, request):
        from .verification import verify_view

        return verify_view(self, request)

    def _filtered(self, request):
        """The entries the change list shows for the same filters, search and order."""
        # Only the auditor exports the record; the other administrators read their part.
        if not (self.has_view_permission(request) and scope.reads_all(request.user)):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return changelist.get_queryset(request).select_related("actor_unit")

    def _back(self, request) -> HttpResponseRedirect:
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(reverse("admin:audit_auditentry_changelist") + (f"?{query}" if query else ""))

    def _filename(self, ext: str) -> str:
        return f"audit-{timezone.localtime():%Y%m%d-%H%M}.{ext}"

    def export_xlsx(self, request):
        try:
            entries = self._filtered(request)
        except IncorrectLookupParameters:
            messages.error(request, "筛选条件有误，请重新选择后再导出。")
            return self._back(request)
        count = entries.count()
        if count > MAX_XLSX_ROWS:
            messages.error(
                request, f"符合条件的记录有 {count} 条，超过 Excel 导出上限 {MAX_XLSX_ROWS} 条：请缩小范围或导出 CSV。"
            )
            return self._back(request)
        content = exports.xlsx(reveal.marked(entries.iterator(chunk_size=2000)))
        record_export(request, self._filename("xlsx"), count)
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{self._filename("xlsx")}"'
        return response

    def export_csv(self, request):
        try:
            entries = self._filtered(request)
        except IncorrectLookupParameters:
            messages.error(request, "筛选条件有误，请重新选择后再导出。")
            return self._back(request)
        record_export(request, self._filename("csv"), None)
        response = StreamingHttpResponse(
            exports.csv_lines(reveal.marked(entries.iterator(chunk_size=2000))), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{self._filename("csv")}"'
        return response
