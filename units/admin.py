"""Django admin for administrators, scoped to the units they administer."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import PermissionDenied, ValidationError

from . import access, grants
from .lockouts import locked_accounts, unlock_account
from .models import Account, AssessmentClass, LockedAccount, PasswordPolicy, Role, RoleChange, Unit, User
from .passwords import apply_max_age
from .security import reset_to_one_time_password
from .twofactor.actions import reset_two_factor


class ScopedAdmin(admin.ModelAdmin):
    """Base for models owned by a unit: an administrator sees and edits only the rows
    of the units they administer; deleting is left to superusers (deactivate instead)."""

    unit_field = "unit"

    def scoped(self, request, qs):
        return qs.filter(**{f"{self.unit_field}__in": access.administered_units(request.user)})

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else self.scoped(request, qs)

    def has_module_permission(self, request) -> bool:
        return access.can_use_admin(request.user)

    def _in_scope(self, request, obj) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        return self.scoped(request, type(obj).objects.filter(pk=obj.pk)).exists()

    def has_view_permission(self, request, obj=None) -> bool:
        return access.can_use_admin(request.user) and self._in_scope(request, obj)

    has_change_permission = has_view_permission

    def has_add_permission(self, request) -> bool:
        return access.can_use_admin(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Unit and not request.user.is_superuser:
            kwargs["queryset"] = access.administered_units(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedInline(admin.TabularInline):
    """Rows that belong to an object a ScopedAdmin manages (a scheme's rules, a
    publication's recipients). Administrators hold roles, not Django model permissions,
    so the rows follow the parent's rule instead: whoever may manage the parent — an
    administrator of its unit or of a unit above — may view, add, change and delete its
    rows; nobody else may. Foreign keys to units are limited to the administrator's
    subtree, as in ScopedAdmin."""

    extra = 0

    def _may_manage_parent(self, request, obj) -> bool:
        parent_admin = self.admin_site._registry.get(self.parent_model)
        if not isinstance(parent_admin, ScopedAdmin):
            return request.user.is_superuser
        # `obj` is the parent; None on its add page, where ScopedAdmin scopes the unit field.
        return parent_admin.has_change_permission(request, obj)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may_manage_parent(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._may_manage_parent(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may_manage_parent(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may_manage_parent(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Unit and not request.user.is_superuser and "queryset" not in kwargs:
            kwargs["queryset"] = access.administered_units(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class UnitAdminForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "short_name", "kind", "parent", "assessment_class", "is_active", "sort_order"]

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent and self.instance.pk and parent.is_descendant_of(self.instance, include_self=True):
            raise ValidationError("上级单位不能是本单位或其下级单位。")
        return parent


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    form = UnitAdminForm
    unit_field = "pk"
    list_display = ["name", "short_name", "kind", "parent", "assessment_class", "is_active"]
    list_filter = ["kind", "is_active", "assessment_class"]
    search_fields = ["name", "short_name"]
    list_select_related = ["parent", "assessment_class"]
    list_per_page = 50
    ordering = ["order_key"]  # the official order (排序号 at each level, then the tree)

    def scoped(self, request, qs):
        return qs.filter(pk__in=access.administered_units(request.user).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        # An administrator cannot move their own unit out from under its parent office.
        if obj is not None and not request.user.is_superuser and obj.pk == request.user.unit_id:
            return ["parent"]
        return []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "parent" in form.base_fields and not request.user.is_superuser:
            form.base_fields["parent"].required = True  # only a superuser creates a root
        return form


class RolesField(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


ROLES_HELP = "角色限于所属单位；授予和撤销须经安全管理员审批后生效（三员分立）。"


def _check_roles(form, data) -> None:
    try:
        grants.check_roles(data.get("roles") or [])
    except ValidationError as error:
        form.add_error("roles", error)


class GovinfoUserChangeForm(UserChangeForm):
    roles = RolesField(label="角色", choices=Role.choices, required=False, help_text=ROLES_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["roles"].initial = sorted(self.instance.role_set)
        if "password" in self.fields:  # passwords are the security administrator's (账号安全)
            self.fields["password"].help_text = "密码不在此处修改：由安全管理员在“账号安全”中重置。"

    def clean(self):
        data = super().clean()
        if data.get("roles") and not data.get("unit"):
            self.add_error("unit", "授予角色前请先选择所属单位。")
        _check_roles(self, data)
        return data


class GovinfoUserCreationForm(UserCreationForm):
    roles = RolesField(label="角色", choices=Role.choices, required=False, help_text=ROLES_HELP)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "full_name", "unit"]

    def clean(self):
        data = super().clean()
        if not data.get("unit"):
            self.add_error("unit", "请选择所属单位。")
        _check_roles(self, data)
        return data


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    form = GovinfoUserChangeForm
    add_form = GovinfoUserCreationForm
    list_display = ["username", "full_name", "unit", "roles_display", "is_active", "last_login"]
    list_filter = ["is_active", "role_grants__role", "unit__kind"]
    search_fields = ["username", "full_name", "unit__name"]
    list_select_related = ["unit"]
    ordering = ["unit__order_key", "username"]
    # Shown, not edited: the form would also cut date_joined to the minute on every save
    # (the zh-hans time format has no seconds), a change the audit record would show.
    readonly_fields = ["last_login", "date_joined"]
    add_fieldsets = ((None, {"fields": ("username", "full_name", "unit", "roles", "password1", "password2")}),)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        fieldsets = [
            (None, {"fields": ("username", "password")}),
            ("个人信息", {"fields": ("full_name", "unit", "phone", "email")}),
            ("角色", {"fields": ("roles", "is_active")}),
            ("重要日期", {"fields": ("last_login", "date_joined")}),
        ]
        if request.user.is_superuser:
            fieldsets.append(("系统权限", {"fields": ("is_superuser", "is_staff", "groups", "user_permissions")}))
        return fieldsets

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_grants")

    @admin.display(description="角色")
    def roles_display(self, obj: User) -> str:
        labels = dict(Role.choices)
        return "、".join(labels[g.role] for g in obj.role_grants.all() if g.unit_id == obj.unit_id)

    def has_change_permission(self, request, obj=None) -> bool:
        # Only a superuser may edit a superuser.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        # Setting someone's password is the security administrator's work (账号安全).
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pending = grants.propose_roles(user=form.instance, roles=form.cleaned_data.get("roles") or [], by=request.user)
        if pending:
            names = "、".join(str(c) for c in pending)
            self.message_user(request, f"角色变更待安全管理员审批后生效：{names}。", messages.WARNING)


@admin.register(AssessmentClass)
class AssessmentClassAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]

    def has_module_permission(self, request) -> bool:
        return access.can_use_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return access.can_use_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    has_delete_permission = has_change_permission


@admin.register(PasswordPolicy)
class PasswordPolicyAdmin(admin.ModelAdmin):
    """The one policy row: the security administrators' (三员分立); set by the top unit's."""

    list_display = ["__str__", "min_length", "min_classes", "history", "max_age_days", "inactive_days"]

    def has_module_permission(self, request) -> bool:
        return access.is_security_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return access.is_security_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return access.can_set_password_policy(request.user)

    def has_add_permission(self, request) -> bool:
        return access.can_set_password_policy(request.user) and not PasswordPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        # One row: the list would be a detour. Without the row yet, the add page shows the defaults.
        from django.shortcuts import redirect

        if PasswordPolicy.objects.exists():
            return redirect("admin:units_passwordpolicy_change", 1)
        if self.has_add_permission(request):
            return redirect("admin:units_passwordpolicy_add")
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "max_age_days" in form.changed_data or not change:
            # Every password's expiry date follows the new age, counted from when it was set.
            apply_max_age(obj.max_age_days)


@admin.register(LockedAccount)
class LockedAccountAdmin(admin.ModelAdmin):
    """Accounts locked by failed sign-ins, for the security administrators of their
    units, who unlock them (each unlock is an audit row)."""

    list_display = ["username", "person", "ip_address", "failures_since_start", "attempt_time"]
    search_fields = ["username"]
    actions = ["unlock"]
    ordering = ["-attempt_time"]

    def get_queryset(self, request):
        return locked_accounts(request.user)

    @admin.display(description="人员")
    def person(self, obj) -> str:
        user = User.objects.filter(username=obj.username).select_related("unit").first()
        if user is None:
            return "（无此用户）"
        return f"{user}（{user.unit}）" if user.unit_id else str(user)

    def has_module_permission(self, request) -> bool:
        return access.is_security_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        if not access.is_security_admin(request.user):
            return False
        return obj is None or locked_accounts(request.user).filter(pk=obj.pk).exists()

    def has_unlock_permission(self, request) -> bool:
        return access.is_security_admin(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="解除锁定", permissions=["unlock"])
    def unlock(self, request, queryset):
        # The queryset is already limited to the lockouts this administrator may lift.
        attempts = list(queryset)
        for attempt in attempts:
            unlock_account(attempt=attempt, by=request.user)
        names = "、".join(a.username for a in attempts)
        self.message_user(request, f"已解除 {len(attempts)} 个账号的锁定：{names}。", messages.SUCCESS)


@admin.register(Account)
class AccountAdmin(DjangoUserAdmin):
    """账号安全: the security administrator's view of the accounts of their units — reset
    a password to a one-time one, reset the second factor, set a password (Django's form,
    the person must change it at the next sign-in). Nothing of the business record (name,
    unit, roles) can be changed here."""

    list_display = ["username", "full_name", "unit", "is_active", "last_login", "password_expires_at",
                    "must_change_password"]  # fmt: skip
    list_filter = ["is_active", "must_change_password"]
    search_fields = ["username", "full_name", "unit__name"]
    list_select_related = ["unit"]
    ordering = ["unit__order_key", "username"]
    fieldsets = (
        (None, {"fields": ("username", "full_name", "unit", "is_active")}),
        ("密码", {"fields": ("password", "must_change_password", "password_changed_at", "password_expires_at")}),
        ("登录", {"fields": ("last_login",)}),
    )
    readonly_fields = ["username", "full_name", "unit", "is_active", "password", "must_change_password",
                       "password_changed_at", "password_expires_at", "last_login"]  # fmt: skip
    actions = ["one_time_password", "reset_two_factor"]

    def get_queryset(self, request):
        return access.secured_users(request.user).select_related("unit")

    def get_urls(self):
        from django.urls import path

        # Django's UserAdmin names its password page auth_user_password_change; the people's
        # admin above has one by that name too, so this one has a name of its own.
        password = path(
            "<id>/password/",
            self.admin_site.admin_view(self.user_change_password),
            name="units_account_password_change",
        )
        return [password, *admin.ModelAdmin.get_urls(self)]

    def has_module_permission(self, request) -> bool:
        return access.is_security_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return access.secures_person(request.user, obj) if obj is not None else access.is_security_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        # "Change" here opens the password form and the actions; every field stays read-only.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="密码")
    def password(self, obj) -> str:
        return "已设置" if obj.has_usable_password() else "未设置（目录登录或已停用密码）"

    def _people(self, request, queryset) -> list[User]:
        # The queryset is already limited to the accounts this administrator looks after.
        return [u for u in queryset if self.has_change_permission(request, u)]

    @admin.action(description="重置为一次性密码（下次登录须修改）", permissions=["change"])
    def one_time_password(self, request, queryset):
        people = self._people(request, queryset)
        lines = [f"{p.username}：{reset_to_one_time_password(person=p, by=request.user)}" for p in people]
        self.message_user(
            request,
            f"已为 {len(people)} 人生成一次性密码（只显示这一次，请当面或通过可靠渠道告知本人）：" + "；".join(lines),
            messages.SUCCESS,
        )

    @admin.action(description="重置两步验证（手机丢失或更换）", permissions=["change"])
    def reset_two_factor(self, request, queryset):
        people = self._people(request, queryset)
        for person in people:
            reset_two_factor(user=person)
        names = "、".join(str(p) for p in people)
        self.message_user(
            request, f"已重置 {len(people)} 人的两步验证：{names}。其下次登录时须重新绑定身份验证器。", messages.SUCCESS
        )


@admin.register(RoleChange)
class RoleChangeAdmin(admin.ModelAdmin):
    """角色变更审批: system administrators see what they proposed; the security
    administrators of the person's unit (or above) approve or refuse it."""

    list_display = ["proposed_at", "user", "unit", "kind", "role", "state", "proposed_by", "decided_by",
                    "decided_at", "reason"]  # fmt: skip
    list_filter = ["state", "kind", "role"]
    search_fields = ["user__username", "user__full_name"]
    list_select_related = ["user", "unit", "proposed_by", "decided_by"]
    actions = ["approve", "refuse"]
    readonly_fields = list_display

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        user = request.user
        if user.is_superuser:
            return qs
        if access.is_security_admin(user):
            return qs.filter(user__in=access.secured_users(user))
        if access.can_use_admin(user):
            return qs.filter(unit__in=access.administered_units(user))
        return qs.none()

    def has_module_permission(self, request) -> bool:
        return access.is_security_admin(request.user) or access.can_use_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        if not self.has_module_permission(request):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_decide_permission(self, request) -> bool:
        return access.is_security_admin(request.user)

    def has_add_permission(self, request) -> bool:
        return False  # proposed from the person's page (系统管理员), never typed in here

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _decide(self, request, queryset, approve: bool):
        done, refused = [], []
        for change in queryset.filter(state=RoleChange.State.PENDING):
            try:
                grants.decide(change=change, by=request.user, approve=approve)
                done.append(str(change))
            except ValidationError as error:
                refused.append(f"{change}：{'；'.join(error.messages)}")
        verb = "批准" if approve else "拒绝"
        if done:
            self.message_user(request, f"已{verb} {len(done)} 项：{'、'.join(done)}。", messages.SUCCESS)
        if refused:
            self.message_user(request, f"{len(refused)} 项未能{verb}：{'；'.join(refused)}", messages.ERROR)
        if not done and not refused:
            self.message_user(request, "所选变更都已处理过。", messages.WARNING)

    @admin.action(description="批准所选角色变更", permissions=["decide"])
    def approve(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description="拒绝所选角色变更", permissions=["decide"])
    def refuse(self, request, queryset):
        self._decide(request, queryset, False)
