"""Units (the reporting tree), people and their roles."""

from axes.models import AccessAttempt
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class UnitKind(models.TextChoices):
    PROVINCE_OFFICE = "province_office", "省政府办公厅"
    CITY_OFFICE = "city_office", "市（州）政府办公室"
    COUNTY_OFFICE = "county_office", "县（区）政府办公室"
    DEPARTMENT = "department", "部门"
    OTHER = "other", "其他单位"


OFFICE_KINDS = frozenset({UnitKind.PROVINCE_OFFICE, UnitKind.CITY_OFFICE, UnitKind.COUNTY_OFFICE})


class AssessmentClass(models.Model):
    """考核类别: sets a unit's quota in a scoring scheme (city, county, department A/B …)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)

    class Meta:
        verbose_name = verbose_name_plural = "考核类别"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class UnitQuerySet(models.QuerySet):
    def descendants_of(self, unit: "Unit", *, include_self: bool = False) -> "UnitQuerySet":
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def ancestors_of(self, unit: "Unit", *, include_self: bool = False) -> "UnitQuerySet":
        ids = unit.ancestor_ids + ([unit.pk] if include_self else [])
        return self.filter(pk__in=ids).order_by("depth")

    def active(self) -> "UnitQuerySet":
        return self.filter(is_active=True)

    def in_official_order(self) -> "UnitQuerySet":
        """The units in the official order (排序号 at each level of the tree, then the tree)."""
        return self.order_by("order_key")


def order_segment(sort_order: int, pk: int) -> str:
    """One level of `Unit.order_key`: fixed width, so that text order is numeric order
    (a PositiveIntegerField and a BigAutoField both fit in ten digits)."""
    return f"{sort_order:010d}{pk:010d}/"


class Unit(models.Model):
    """A node of the reporting tree. Every unit reports to its parent.

    The tree is kept as a materialised path ("/1/5/23/") so that ancestors, children
    and descendants are each one indexed query, however deep the tree grows.
    """

    # The directory's own key (统一社会信用代码 or the province's unit code): the Excel
    # import matches rows to units by it. Blank for units created by hand.
    code = models.CharField("单位代码", max_length=40, blank=True, default="")
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField("类型", max_length=20, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    assessment_class = models.ForeignKey(
        AssessmentClass, verbose_name="考核类别", null=True, blank=True, on_delete=models.SET_NULL, related_name="units"
    )
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    # The official order as one sortable text: each level's `order_segment` (排序号, then
    # the id) appended to the parent's. `path` cannot serve: its text order puts "/1/10/"
    # before "/1/2/" and ignores 排序号. Kept wherever `path` is (save, the directory import).
    order_key = models.CharField(max_length=500, editable=False, db_index=True, default="")

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "单位"
        ordering = ["order_key"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_unique_name_under_parent"),
            models.UniqueConstraint(fields=["name"], condition=Q(parent__isnull=True), name="unit_unique_root_name"),
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="unit_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # Read the stored keys, ours and the parent's, rather than trust this instance: an
        # ancestor's 排序号 may have changed since it was loaded.
        stored = dict((pk, (path, key)) for pk, path, key in Unit.objects.filter(
            pk__in=[self.pk, self.parent_id]).values_list("pk", "path", "order_key"))  # fmt: skip
        old_path, old_key = stored[self.pk]
        parent_path, parent_key = stored[self.parent_id] if self.parent_id else ("/", "")
        new_path = parent_path + f"{self.pk}/"
        new_key = parent_key + order_segment(self.sort_order, self.pk)
        depth = new_path.count("/") - 2
        if (new_path, new_key) != (old_path, old_key):
            Unit.objects.filter(pk=self.pk).update(path=new_path, depth=depth, order_key=new_key)
            if old_path:
                self._move_subtree(old_path, new_path, old_key, new_key)
        self.path, self.depth, self.order_key = new_path, depth, new_key

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/")[:-1] if p]

    @property
    def is_office(self) -> bool:
        return self.kind in OFFICE_KINDS

    def is_descendant_of(self, other: "Unit", *, include_self: bool = False) -> bool:
        if self.pk == other.pk:
            return include_self
        return other.pk in self.ancestor_ids

    def _move_subtree(self, old_path: str, new_path: str, old_key: str, new_key: str) -> None:
        # Moving a unit (or changing its 排序号) re-roots its whole subtree; done row by row
        # because it is rare (a reorganisation) and must work the same on SQLite and PostgreSQL.
        shift = new_path.count("/") - old_path.count("/")
        for unit in Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
            Unit.objects.filter(pk=unit.pk).update(
                path=new_path + unit.path[len(old_path) :],
                depth=unit.depth + shift,
                order_key=new_key + unit.order_key[len(old_key) :],
            )


class Role(models.TextChoices):
    STAFF = "staff", "信息员"
    UNIT_APPROVER = "unit_approver", "单位审签人"
    EDITOR = "editor", "编辑"
    ISSUE_APPROVER = "issue_approver", "签发人"
    LEADER = "leader", "领导"
    # 三员分立 (GB/T 22239 8.1.4.2, 8.1.5): the installation's administration is split
    # between three people who watch each other; nobody holds two of them.
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDITOR = "auditor", "安全审计员"


# The three administrator roles of 三员分立: at most one of them per person (a constraint
# on RoleGrant below, and the grant actions in units/grants.py say it in words first).
ADMIN_DUTIES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR)
ONE_ADMIN_DUTY = "同一人员不能同时担任系统管理员、安全管理员、安全审计员中的两个角色（三员分立）。"


class User(AbstractUser):
    """A person: belongs to exactly one unit and holds roles scoped to it."""

    unit = models.ForeignKey(
        Unit, verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)
    # Set for a one-time password (directory import): every page but the password change
    # waits until the person has chosen their own (units/directory/middleware.py).
    must_change_password = models.BooleanField("须修改密码", default=False)
    # When the password was last set, and when it stops being accepted (the policy's age
    # counted from then): stored, so that the check on every request needs no query.
    # Null: never expires (an account without a local password, or from before the policy).
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True, editable=False)
    password_expires_at = models.DateTimeField("密码到期时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    @property
    def role_set(self) -> frozenset[str]:
        """The user's roles in their own unit, read once per request."""
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = frozenset(self.role_grants.filter(unit_id=self.unit_id).values_list("role", flat=True))
            self._role_cache = cached
        return cached

    def has_role(self, role: str) -> bool:
        return role in self.role_set


class RoleGrant(models.Model):
    """One role held by one person in their unit."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="role_grants")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "角色"
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="rolegrant_unique"),
            # 三员分立 in the database too: a second of the three roles for one person fails
            # whatever path writes it (admin, import, API, a shell).
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(role__in=["system_admin", "security_admin", "auditor"]),
                name="rolegrant_one_admin_duty",
                violation_error_message=ONE_ADMIN_DUTY,
            ),
        ]
        indexes = [models.Index(fields=["unit", "role"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


class RoleChange(models.Model):
    """A role grant or revocation that a system administrator proposed; it takes effect
    only when a security administrator of the person's unit (or above) approves it — two
    people for every change of rights (GB/T 22239 8.1.4.2)."""

    class Kind(models.TextChoices):
        GRANT = "grant", "授予"
        REVOKE = "revoke", "撤销"

    class State(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "已拒绝"
        WITHDRAWN = "withdrawn", "已失效"

    user = models.ForeignKey(User, verbose_name="人员", on_delete=models.CASCADE, related_name="role_changes")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    kind = models.CharField("变更", max_length=10, choices=Kind.choices)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    proposed_by = models.ForeignKey(User, verbose_name="提出人", null=True, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField("提出时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        User, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    reason = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "角色变更审批"
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            # One open proposal per person, unit, role and kind: proposing again is a no-op.
            models.UniqueConstraint(
                fields=["user", "unit", "role", "kind"],
                condition=models.Q(state="pending"),
                name="rolechange_one_pending",
            )
        ]
        indexes = [models.Index(fields=["state", "unit"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}{self.get_role_display()} · {self.user}"


class Notification(models.Model):
    """An in-app message to one person; e-mailed too when they have an address."""

    recipient = models.ForeignKey(User, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications")
    verb = models.CharField("类型", max_length=40)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title


class Reminder(models.Model):
    """A reminder already sent, by key (e.g. "commission:12:unit:5"): scheduled tasks
    may run twice or catch up, and a reminder goes out once."""

    key = models.CharField(max_length=120, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class PasswordPolicy(models.Model):
    """The password rules of the installation (GB/T 22239 8.1.4.1): one row, edited by an
    administrator of the top unit in the admin, so that an office changes them without a
    new deployment and every change is in the audit record. Without the row, the
    defaults below apply."""

    min_length = models.PositiveSmallIntegerField("最短长度", default=10, validators=[MinValueValidator(8)])
    min_classes = models.PositiveSmallIntegerField(
        "至少包含的字符类别数",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text="大写字母、小写字母、数字、符号四类中至少几类。",
    )
    history = models.PositiveSmallIntegerField(
        "不得与最近几次密码相同",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="含当前密码。",
    )
    max_age_days = models.PositiveSmallIntegerField(
        "密码有效期（天）", default=90, help_text="到期后须先修改密码才能继续使用；0 表示不限。"
    )
    inactive_days = models.PositiveSmallIntegerField(
        "停用闲置账号（天）", default=90, help_text="连续这么多天未登录的账号每日自动停用（不删除）；0 表示不停用。"
    )

    class Meta:
        verbose_name = verbose_name_plural = "密码策略"

    def __str__(self) -> str:
        return "密码策略"

    def save(self, *args, **kwargs) -> None:
        self.pk = 1  # one row
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "PasswordPolicy":
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class PasswordHistory(models.Model):
    """A password a person has had, as its hash only: a new one may not repeat the last few."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码（哈希）", max_length=128)
    set_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "历史密码"
        ordering = ["-set_at", "-pk"]
        indexes = [models.Index(fields=["user", "-set_at"], name="passwordhistory_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.set_at:%Y-%m-%d}"


class LockedAccount(AccessAttempt):
    """django-axes' failed-login counts, as the administrator's list of locked accounts
    (admin → 单位与人员 → 被锁定的账号), where they unlock them (units/lockouts.py)."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "被锁定的账号"


class Account(User):
    """A person's account as the security administrator sees it (admin → 账号安全): sign-in
    state, password age, second factor and lockout — not the business data that the
    system administrator keeps on the same row (三员分立)."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "账号安全"
