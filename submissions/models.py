"""Information items (政务信息), their versions, events, attachments and fingerprints.

Workflow lives in actions.py and the transition table in workflow.py; models hold
tables, constraints and small properties only.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone

from units.models import Unit

from .sealing import SealedTextMixin


class DeadlineRule(models.TextChoices):
    NONE = "none", "不限"
    EVENT_DAYS = "event_days", "事件发生后 N 天内"
    MONTHLY = "monthly", "次月 N 日前"


class Category(models.Model):
    """信息类型 (two levels: 交流工作 › 工作进展 …) with its timeliness rule."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=30)
    parent = models.ForeignKey(
        "self", verbose_name="上级类型", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    deadline_rule = models.CharField("时限规则", max_length=20, choices=DeadlineRule.choices, default=DeadlineRule.NONE)
    deadline_days = models.PositiveSmallIntegerField(
        "时限天数", default=0, help_text="事件类：发生后几天内；月报类：次月几日前"
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "信息类型"
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name


class Topic(models.Model):
    """An office's reporting priority or local feature (报送要点 / 特色): a tag for items."""

    office = models.ForeignKey(Unit, verbose_name="办公厅（室）", on_delete=models.CASCADE, related_name="topics")
    name = models.CharField("名称", max_length=20)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "主题标签"
        ordering = ["office", "name"]
        constraints = [models.UniqueConstraint(fields=["office", "name"], name="topic_unique_name")]

    def __str__(self) -> str:
        return self.name


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING_SIGNOFF = "pending_signoff", "待审签"
    SUBMITTED = "submitted", "已报送"
    IN_REVIEW = "in_review", "编辑中"
    RETURNED = "returned", "退回修改"
    REJECTED = "rejected", "退稿"
    HELD = "held", "备用"
    ADOPTED = "adopted", "已采用"
    PUBLISHED = "published", "已刊发"
    ARCHIVED = "archived", "归档"


# States in which an item has left its unit and sits with the receiving office.
AT_OFFICE = (State.SUBMITTED, State.IN_REVIEW, State.RETURNED, State.REJECTED, State.HELD, State.ADOPTED,
             State.PUBLISHED, State.ARCHIVED)  # fmt: skip
WAITING_FOR_EDITOR = (State.SUBMITTED, State.IN_REVIEW)


class Confidentiality(models.TextChoices):
    PUBLIC = "public", "公开"
    INTERNAL = "internal", "内部"
    SENSITIVE = "sensitive", "敏感"


class ItemForm(models.TextChoices):
    FULL = "full", "信息"
    BRIEF = "brief", "简讯"


class Commission(models.Model):
    """约稿: an office asks selected units for items on a topic by a deadline."""

    office = models.ForeignKey(Unit, verbose_name="约稿单位", on_delete=models.PROTECT, related_name="commissions")
    topic = models.CharField("约稿主题", max_length=200)
    requirements = models.TextField("写作要求", blank=True)
    deadline = models.DateTimeField("截止时间")
    targets = models.ManyToManyField(Unit, verbose_name="约稿对象", through="CommissionTarget", related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "约稿"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.topic


class CommissionTarget(models.Model):
    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="target_links")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="commission_links")
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    penalized_at = models.DateTimeField("扣分时间", null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commission", "unit"], name="commissiontarget_unique")]

    def __str__(self) -> str:
        return f"{self.commission_id}→{self.unit_id}"


class EmergencyGrade(models.TextChoices):
    ESPECIALLY_MAJOR = "especially_major", "特别重大"
    MAJOR = "major", "重大"
    LARGE = "large", "较大"
    GENERAL = "general", "一般"


class EmergencyRule(models.Model):
    """How soon after an emergency happens its written report is due, by grade."""

    grade = models.CharField("等级", max_length=20, choices=EmergencyGrade.choices, unique=True)
    written_minutes = models.PositiveIntegerField("书面报告时限（分钟）")

    class Meta:
        verbose_name = verbose_name_plural = "突发事件报送时限"

    def __str__(self) -> str:
        return f"{self.get_grade_display()}：{self.written_minutes}分钟"


class EmergencyCase(models.Model):
    """One emergency, reported as 首报, then 续报一、续报二 …, closed by the 终报."""

    unit = models.ForeignKey(Unit, verbose_name="报送单位", on_delete=models.PROTECT, related_name="emergency_cases")
    office = models.ForeignKey(Unit, verbose_name="接收单位", on_delete=models.PROTECT, related_name="+")
    grade = models.CharField("等级", max_length=20, choices=EmergencyGrade.choices)
    occurred_at = models.DateTimeField("发生时间")
    phoned_at = models.DateTimeField("电话报告时间", null=True, blank=True)
    written_deadline = models.DateTimeField("书面报告时限")
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    is_late = models.BooleanField("首报迟报", default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "突发事件"
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_grade_display()}突发事件 #{self.pk}"


class ReportKind(models.TextChoices):
    FIRST = "first", "首报"
    FOLLOW_UP = "follow_up", "续报"
    FINAL = "final", "终报"


class Item(SealedTextMixin, models.Model):
    """One information item. For 敏感 items `title` and `body` hold sealed (encrypted)
    text; always read them through `plain_title` / `plain_body`."""

    unit = models.ForeignKey(Unit, verbose_name="报送单位", on_delete=models.PROTECT, related_name="items")
    office = models.ForeignKey(Unit, verbose_name="接收单位", on_delete=models.PROTECT, related_name="incoming_items")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="撰写人", on_delete=models.PROTECT, related_name="authored_items"
    )
    title = models.TextField("标题")
    body = models.TextField("正文", blank=True)
    category = models.ForeignKey(Category, verbose_name="信息类型", on_delete=models.PROTECT, related_name="items")
    topics = models.ManyToManyField(Topic, verbose_name="主题标签", blank=True, related_name="items")
    form = models.CharField("体裁", max_length=10, choices=ItemForm.choices, default=ItemForm.FULL)
    event_date = models.DateField("事件/进展所属日期", null=True, blank=True)
    writers = models.CharField("撰稿人", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    signature = models.CharField("落款", max_length=100, blank=True)
    confidentiality = models.CharField(
        "密级", max_length=20, choices=Confidentiality.choices, default=Confidentiality.INTERNAL
    )
    named_readers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="可阅读的领导", blank=True, related_name="sensitive_items"
    )

    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    version = models.PositiveIntegerField("版本号", default=1, help_text="optimistic lock")
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审签人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_off_at = models.DateTimeField("审签时间", null=True, blank=True)
    first_submitted_at = models.DateTimeField("首次报送时间", null=True, blank=True)
    submitted_at = models.DateTimeField("最近报送时间", null=True, blank=True)
    deadline = models.DateField("报送时限", null=True, blank=True)
    is_late = models.BooleanField("迟报", default=False)
    commission = models.ForeignKey(
        Commission, verbose_name="所答约稿", null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    emergency_case = models.ForeignKey(
        EmergencyCase, verbose_name="突发事件", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    report_kind = models.CharField("报告类型", max_length=10, choices=ReportKind.choices, blank=True)
    report_seq = models.PositiveSmallIntegerField("续报序号", default=0)
    forwarded_from = models.ForeignKey(
        "self", verbose_name="转报自", null=True, blank=True, on_delete=models.PROTECT, related_name="forwards"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "信息"
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["office", "state", "-submitted_at"], name="item_desk_idx"),
            models.Index(fields=["unit", "-created_at"], name="item_unit_idx"),
            models.Index(fields=["office", "-submitted_at"], name="item_office_recent_idx"),
            # "My items" counts its unit's items per state on every request: with what the
            # reader's filter needs included, PostgreSQL counts from the index alone
            # (59 ms → a few at 200,000 items, bench/desk.py). Plain index elsewhere.
            models.Index(fields=["unit", "state"], include=["confidentiality", "author"], name="item_unit_state_idx"),
        ]
        constraints = [
            # One original is forwarded to the parent office once.
            models.UniqueConstraint(
                fields=["forwarded_from"], condition=models.Q(forwarded_from__isnull=False), name="item_forward_once"
            )
        ]

    def __str__(self) -> str:
        # A generic rendering (the admin's related fields, a log line) never opens 敏感 text:
        # pages that may show it read `plain_title` after an access check.
        return "（敏感信息）" if self.is_sensitive else self.plain_title

    @property
    def is_sensitive(self) -> bool:
        return self.confidentiality == Confidentiality.SENSITIVE

    @property
    def waiting_since(self):
        return self.submitted_at if self.state in WAITING_FOR_EDITOR else None


class VersionKind(models.TextChoices):
    WRITER = "writer", "撰写人稿"
    EDITOR = "editor", "编辑修改稿"


class ItemVersion(SealedTextMixin, models.Model):
    """A snapshot of the text: one per submission and one per editor's edit, so the
    writer's original is never lost and any two versions can be compared."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本")
    kind = models.CharField("类型", max_length=10, choices=VersionKind.choices)
    title = models.TextField("标题")
    body = models.TextField("正文", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "信息版本"
        ordering = ["item", "number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="itemversion_unique_number")]

    def __str__(self) -> str:
        return f"第{self.number}版"


EVENT_LABELS = {
    "create": "创建草稿", "edit": "修改", "editor_edit": "编辑修改", "attach": "上传附件", "detach": "删除附件",
    "print_picture": "设为随文刊发", "unprint_picture": "取消随文刊发",
    "send_for_signoff": "提交审签", "withdraw": "撤回", "sign_off": "审签并报送", "send_back": "退回撰写人",
    "start_review": "开始编辑", "return": "退回修改", "reject": "退稿", "hold": "备用",
    "adopt": "采用", "publish": "刊发", "unadopt": "撤销采用", "forward": "转报上级", "forward_in": "收到转报",
}  # fmt: skip


class ItemEvent(models.Model):
    """Every move of an item: who, when, from, to, comment. History pages read these."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("动作", max_length=30)
    from_state = models.CharField("原状态", max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField("新状态", max_length=20, choices=State.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_unit = models.ForeignKey(Unit, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    comment = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "信息流转记录"
        ordering = ["item", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_state}→{self.to_state}"

    @property
    def action_label(self) -> str:
        return EVENT_LABELS.get(self.action, self.action)


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Generated names only: the uploader's file name is kept in the database, never on disk.
    ext = PurePosixPath(filename).suffix.lower()[:10]
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class Attachment(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    kind = models.CharField("类型", max_length=20)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("大小")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    # 随文刊发: the office's editor chose this picture to be printed after the item's body
    # in the bulletin (only kind "image", which passed the upload checks).
    for_print = models.BooleanField("随文刊发", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "附件"
        ordering = ["item", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Fingerprint(models.Model):
    """MinHash band keys of a submitted item's text: near-duplicates share a key, so the
    duplicate check is an index lookup instead of a scan of every recent item."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="fingerprints")
    key = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "key"], name="fingerprint_unique")]

    def __str__(self) -> str:
        return str(self.key)


class DeskCount(models.Model):
    """Items at an office per state, as signed changes: +1 when an item enters a state at
    the office, -1 when it leaves. A PostgreSQL trigger on the item table writes them in
    the same transaction as the change, whoever makes it (migration 0007); the desk sums
    an office's rows instead of counting every item the office ever received.

    Rows are only inserted, so moves at one office never wait for each other on a counter
    row; `queries.desk_counts` folds an office's rows into one per state when they pile up.
    """

    office_id = models.IntegerField(db_index=True)
    state = models.CharField(max_length=20)
    n = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.office_id} {self.state} {self.n:+d}"


class ItemSearch(models.Model):
    """An item's text for the search (submissions/search.py): title, a newline, body.

    Written by a PostgreSQL trigger on the item (migrations 0008, 0011), never by the app;
    a table of its own, so that item lists do not load it and moves do not rewrite it.
    The GIN index is on the grams computed from `doc` (an expression index), made by the
    migration on PostgreSQL only. 敏感 items have no row. Other databases leave it empty
    and search by a scan."""

    item = models.OneToOneField(Item, primary_key=True, on_delete=models.CASCADE, related_name="+")
    doc = models.TextField()

    def __str__(self) -> str:
        return str(self.item_id)
