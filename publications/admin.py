import hashlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from common.admin import DateSafeChangeList
from units import access
from units.admin import ScopedAdmin, ScopedInline
from units.models import Unit

from . import calendar, calendar_notice
from .models import CalendarOverride, CalendarYear, CompileRun, Publication, Recipient


class RecipientInline(ScopedInline):
    """报/送/发 entries: a unit of the tree (its people read the issue) or, for recipients
    outside it (省委、省政府领导, 国务院办公厅), a name that is only printed."""

    model = Recipient
    extra = 1
    fields = ["kind", "unit", "name", "sort_order"]
    # A plain list, not autocomplete: the unit directory's search offers only the
    # administrator's subtree, and 报 goes to the offices above it.

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit" and not request.user.is_superuser:
            # 发 and 送 go to units the administrator manages; 报 goes up, so the offices
            # above their own unit may be listed too, and no other unit.
            user = request.user
            above = user.unit.ancestor_ids if access.can_use_admin(user) else []
            kwargs["queryset"] = Unit.objects.filter(
                Q(pk__in=access.administered_units(user).values("pk")) | Q(pk__in=above)
            ).order_by("order_key")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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

    def get_changelist(self, request, **kwargs):
        return DateSafeChangeList

    def has_module_permission(self, request) -> bool:
        return access.can_use_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return access.can_use_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return calendar.may_edit(request.user)

    def has_add_permission(self, request) -> bool:
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request)


class NoticeForm(forms.Form):
    year = forms.IntegerField(
        label="年度", error_messages={"required": "请填写年度。", "invalid": "年度应是四位数字。"}
    )
    notice = forms.CharField(
        label="放假调休安排",
        strip=False,
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 90}),
        help_text=(
            "按通知逐项填写，每行一项或直接粘贴通知中的安排，例如：“元旦：2027-01-01至2027-01-03 休”、"
            "“2027-02-20 上班”、“二、春节：2月5日（周五）至12日（周五）放假调休，共8天。2月20日（周六）上班。”"
            "未写年份的日期属于所选年度；未列出的周六、周日休息，其余日子上班。"
        ),
    )
    previewed = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        this_year = timezone.localdate().year
        if not this_year - 1 <= year <= this_year + 2:
            raise forms.ValidationError(f"年度应在{this_year - 1}年至{this_year + 2}年之间。")
        return year

    def clean(self):
        data = super().clean()
        if "year" in data:
            try:
                data["entries"] = calendar_notice.parse(data.get("notice", ""), data["year"])
            except calendar_notice.NoticeError as exc:
                self.add_error("notice", exc.messages)
        return data

    def digest(self) -> str:
        """What the preview showed; confirming saves only that."""
        notice = self.cleaned_data["notice"].replace("\r\n", "\n").strip()
        text = f"{self.cleaned_data['year']}\n{notice}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """The years whose official 放假调休 notice was entered. Entering one is a form of its
    own (preview, then confirm) rather than the model's add page, since it writes the
    year's override rows with it."""

    list_display = ["year", "source_display", "entered_by", "entered_at"]
    readonly_fields = ["year", "notice_text", "entered_by", "entered_at"]
    list_select_related = ["entered_by"]

    @admin.display(description="状态")
    def source_display(self, obj: CalendarYear) -> str:
        return "已录入正式通知"

    def has_module_permission(self, request) -> bool:
        return access.can_use_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return access.can_use_admin(request.user)

    def has_add_permission(self, request) -> bool:
        return calendar.may_edit(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("enter/", view(self.enter_notice), name="publications_calendaryear_enter"),
            path("<int:year>/calendar/", view(self.year_calendar), name="publications_calendaryear_calendar"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:publications_calendaryear_enter"))

    def changelist_view(self, request, extra_context=None):
        today = timezone.localdate()
        years = [today.year, today.year + 1]
        extra_context = {
            **(extra_context or {}),
            "calendar_years": [(y, calendar.calendar_source(y)) for y in years],
            "calendar_warnings": calendar.warnings(today),
            "may_enter": calendar.may_edit(request.user),
        }
        return super().changelist_view(request, extra_context)

    def _context(self, request, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "provisional_mark": calendar.PROVISIONAL_MARK,
            **extra,
        }

    def year_calendar(self, request, year: int):
        """A year as the system decides it now, provisional days marked."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if not 1901 <= year <= 2099:  # the range of the lunar tables that matter here
            raise Http404
        source = calendar.calendar_source(year)
        context = self._context(
            request,
            title=f"{year}年工作日历" + (calendar.PROVISIONAL_MARK if source == calendar.Source.PROVISIONAL else ""),
            year=year,
            source=source,
            months=calendar.months(calendar.year_days(year)),
            may_enter=calendar.may_edit(request.user),
        )
        return TemplateResponse(request, "admin/publications/calendaryear/year_calendar.html", context)

    def enter_notice(self, request):
        """Enter a year's notice: the typed arrangements are checked and shown as the
        year's calendar; only a second press, on the same text, saves them."""
        if not calendar.may_edit(request.user):
            raise PermissionDenied
        preview = None
        if request.method == "POST":
            form = NoticeForm(request.POST)
            if form.is_valid():
                year, entries = form.cleaned_data["year"], form.cleaned_data["entries"]
                digest = form.digest()
                if "confirm" in request.POST and request.POST.get("previewed") == digest:
                    text = form.cleaned_data["notice"]
                    record = calendar_notice.enter_notice(year=year, text=text, user=request.user)
                    messages.success(
                        request, f"{record.year}年放假调休通知已保存（{len(entries)}天），该年不再按暂定安排。"
                    )
                    return HttpResponseRedirect(reverse("admin:publications_calendaryear_changelist"))
                if "confirm" in request.POST:
                    messages.warning(request, "预览后内容有改动，请核对下面的日历后再确认保存。")
                data = request.POST.copy()
                data["previewed"] = digest
                form = NoticeForm(data)
                form.is_valid()
                preview = {
                    "year": year,
                    "months": calendar.months(calendar.year_days(year, calendar_notice.as_overrides(entries))),
                    "off": sum(1 for e in entries.values() if not e.is_working),
                    "working": sum(1 for e in entries.values() if e.is_working),
                    "missing": calendar_notice.missing_statutory_days(year, entries),
                    "replaces": CalendarYear.objects.filter(year=year).exists(),
                }
        else:
            warned = calendar.warnings()
            year = request.GET.get("year", "")
            year = int(year) if year.isdigit() else (warned[0].year if warned else timezone.localdate().year + 1)
            existing = CalendarYear.objects.filter(year=year).first()
            form = NoticeForm(initial={"year": year, "notice": existing.notice_text if existing else ""})
        context = self._context(request, title="录入年度放假调休通知", form=form, preview=preview)
        return TemplateResponse(request, "admin/publications/calendaryear/enter_notice.html", context)


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
