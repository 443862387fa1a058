"""Publications (刊物/载体), adoptions, issues (期), distribution and compile runs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from submissions.models import Item
from submissions.sealing import SealedTextMixin, is_sealed
from units.models import Unit


class PublicationKind(models.TextChoices):
    REPORT_UP = "report_up", "上报件"
    DAILY = "daily", "每日要情"
    WEEKLY = "weekly", "一周要情"
    SPECIAL_REPORT = "special_report", "专报"
    DYNAMIC_REPORT = "dynamic_report", "动态专报"
    GENERAL = "general", "政务信息"
    DECISION = "decision", "决策通报"
    STATISTICS = "statistics", "采用情况通报"
    INTERNAL = "internal", "内部简报"


class Schedule(models.TextChoices):
    WORKING_DAY = "working_day", "每个工作日"
    WEEKLY = "weekly", "每周"
    REGULAR = "regular", "定期"
    AD_HOC = "ad_hoc", "不定期"


class Confidentiality(models.TextChoices):
    PUBLIC = "public", "公开"
    INTERNAL = "internal", "内部"
    SENSITIVE = "sensitive", "敏感"


class Publication(models.Model):
    office = models.ForeignKey(Unit, verbose_name="主办单位", on_delete=models.PROTECT, related_name="publications")
    name = models.CharField("刊物名称", max_length=60)
    kind = models.CharField("类型", max_length=20, choices=PublicationKind.choices)
    schedule = models.CharField("出刊周期", max_length=20, choices=Schedule.choices, default=Schedule.AD_HOC)
    confidentiality = models.CharField(
        "密级标识", max_length=20, choices=Confidentiality.choices, default=Confidentiality.INTERNAL
    )
    allows_briefs = models.BooleanField("可采用简讯", default=False)
    is_public = models.BooleanField("公开刊物", default=False, help_text="已签发各期的公开信息在免登录页面和订阅源发布")
    points_full = models.PositiveSmallIntegerField("每条信息分值", default=0)
    points_brief = models.PositiveSmallIntegerField("每条简讯分值", null=True, blank=True)
    bonus_note = models.CharField("加分说明", max_length=200, blank=True)
    total_start = models.PositiveIntegerField("总期数起点", default=0, help_text="本系统启用前已出的总期数")
    default_copies = models.PositiveIntegerField("默认印数", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "刊物"
        ordering = ["office", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["office", "name"], name="publication_unique_name")]

    def __str__(self) -> str:
        return self.name


class RecipientKind(models.TextChoices):
    BAO = "bao", "报"
    SONG = "song", "送"
    FA = "fa", "发"


class Recipient(models.Model):
    """One entry of a publication's distribution list: 报 (superiors), 送 (peers), 发
    (subordinates). Either a unit of the tree, whose people then read the issue, or a
    recipient outside it named in words (省委、省政府领导, 国务院办公厅), printed only.
    A line lists its entries by `sort_order`, then names, then units by their official order."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey(
        Unit, verbose_name="单位", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(
        "单位外的接收方",
        max_length=60,
        blank=True,
        help_text="不在单位树中的接收方，如“省委、省政府领导”，只印在版记中",
    )
    kind = models.CharField("类别", max_length=10, choices=RecipientKind.choices)
    sort_order = models.PositiveIntegerField("排序", default=0, help_text="同一行内按此排序，相同时按单位的排序")

    class Meta:
        verbose_name = verbose_name_plural = "分发范围"
        ordering = ["publication", "kind", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "unit"], name="recipient_unique"),
            models.UniqueConstraint(
                fields=["publication", "kind", "name"], condition=~Q(name=""), name="recipient_unique_name"
            ),
            # A unit or a name, never both or neither.
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(name="")) | (Q(unit__isnull=True) & ~Q(name="")),
                name="recipient_unit_or_name",
                violation_error_message="请选择单位，或填写单位外的接收方，二者选一。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.unit if self.unit_id else self.name}"

    @property
    def label(self) -> str:
        """What the 版记 prints."""
        return self.unit.display_name if self.unit_id else self.name


class IssueState(models.TextChoices):
    DRAFT = "draft", "编排中"
    SIGNED = "signed", "已签发"


class Issue(models.Model):
    """One issue (期). Numbers are given at sign-off under a lock on the publication, so
    they never repeat, and a draft that is never signed never uses one up."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="issues")
    special = models.BooleanField("增刊", default=False)
    state = models.CharField("状态", max_length=10, choices=IssueState.choices, default=IssueState.DRAFT)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    number = models.PositiveIntegerField("期号", null=True, blank=True)
    total = models.PositiveIntegerField("总期号", null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    # 送签: an editor hands the composed draft to the signer. While it waits, composing
    # is refused, so the signer signs what was sent; taking it back clears both.
    sent_at = models.DateTimeField("送签时间", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="送签人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_date = models.DateField("出刊日期", null=True, blank=True)
    extra_recipients = models.CharField("本期增送", max_length=300, blank=True)
    copies = models.PositiveIntegerField("印数", null=True, blank=True)
    note_title = models.CharField(
        "本期正文标题", max_length=200, blank=True, help_text="统计通报等不来自采用信息的正文"
    )
    note_body = models.TextField("本期正文", blank=True)
    compile_key = models.CharField("自动编辑键", max_length=40, blank=True, help_text="e.g. daily:2026-11-27")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    docx = models.FileField(upload_to="issues/%Y/", max_length=200, blank=True)
    # Made from the signed .docx by LibreOffice in a task after sign-off (tasks.make_issue_pdf).
    pdf = models.FileField(upload_to="issues/%Y/", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "期刊"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "year", "special", "number"],
                condition=Q(number__isnull=False),
                name="issue_unique_number",
            ),
            models.UniqueConstraint(
                fields=["publication", "total"], condition=Q(total__isnull=False), name="issue_unique_total"
            ),
            models.UniqueConstraint(
                fields=["publication", "compile_key"], condition=~Q(compile_key=""), name="issue_unique_compile_key"
            ),
        ]
        indexes = [models.Index(fields=["publication", "state", "-signed_at"], name="issue_pub_state_idx")]

    def __str__(self) -> str:
        return f"{self.publication.name}{self.label}"

    @property
    def label(self) -> str:
        if self.number is None:
            return "（待签发）"
        prefix = "增刊" if self.special else ""
        total = f"（总第{self.total}期）" if self.total else ""
        return f"{self.year}年{prefix}第{self.number}期{total}"

    @property
    def is_signed(self) -> bool:
        return self.state == IssueState.SIGNED

    @property
    def is_sent(self) -> bool:
        """A draft handed to the signer (送签) and not taken back."""
        return self.state == IssueState.DRAFT and self.sent_at is not None


class AdoptionForm(models.TextChoices):
    FULL = "full", "信息"
    BRIEF = "brief", "简讯"
    EXCERPT = "excerpt", "摘编"
    COMPOSITE = "composite", "综合"


class Adoption(SealedTextMixin, models.Model):
    """One adoption of an item (or, for a composite, several items) into a publication.

    The adopted text is kept here, so shortening it for a brief never touches the item.
    `sources` are every item the adopted text draws on; for a single item, just it.
    """

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="adoptions")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="adoptions")
    sources = models.ManyToManyField(Item, related_name="contributed_adoptions", through="AdoptionSource")
    form = models.CharField("体裁", max_length=10, choices=AdoptionForm.choices, default=AdoptionForm.FULL)
    title = models.TextField("采用标题")
    body = models.TextField("采用正文", blank=True)
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    adopted_at = models.DateTimeField("采用时间", default=timezone.now)
    issue = models.ForeignKey(Issue, null=True, blank=True, on_delete=models.SET_NULL, related_name="adoptions")
    position = models.PositiveIntegerField("排序", default=0)
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "采用记录"
        ordering = ["issue", "position", "pk"]
        constraints = [
            # An item is adopted into one publication once (a composite may reuse it).
            models.UniqueConstraint(
                fields=["item", "publication"],
                condition=Q(withdrawn_at__isnull=True) & ~Q(form="composite"),
                name="adoption_once_per_publication",
            )
        ]
        indexes = [models.Index(fields=["publication", "issue", "adopted_at"], name="adoption_pool_idx")]

    def __str__(self) -> str:
        title = "（敏感信息）" if is_sealed(self.title) else self.plain_title  # see Item.__str__
        return f"{self.publication}·{self.get_form_display()}·{title}"


class AdoptionSource(models.Model):
    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="source_links")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["adoption", "item"], name="adoptionsource_unique")]

    def __str__(self) -> str:
        return f"{self.adoption_id}←{self.item_id}"


class IssueRead(models.Model):
    """A reader opened a signed issue (read receipts: 领导坚持阅批信息)."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="reads")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issue", "reader"], name="issueread_unique")]

    def __str__(self) -> str:
        return f"{self.reader_id}@{self.issue_id}"


class CalendarOverride(models.Model):
    """A holiday or make-up working day (调休) for years the chinese-calendar package does
    not know yet, or a local correction. Wins over the package."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=50, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_working_day else '休息'}"


class CalendarYear(models.Model):
    """The year's official 放假调休 notice has been entered (its days are CalendarOverride
    rows). Until then a year the package does not know has only the provisional calendar,
    and everyone is warned (publications.calendar)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    notice_text = models.TextField("通知安排原文")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="录入人",
    )  # fmt: skip
    entered_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "年度放假调休通知"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年放假调休通知"


class CompileStatus(models.TextChoices):
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    EMPTY = "empty", "无可编信息"
    SKIPPED = "skipped", "已存在"
    FAILED = "failed", "失败"


class CompileRun(models.Model):
    """One attempt to compile a publication's issue, by beat or by hand; the editors'
    page lists them, so empty days and failures are seen."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="compile_runs")
    key = models.CharField("编辑键", max_length=40)
    status = models.CharField("状态", max_length=10, choices=CompileStatus.choices, default=CompileStatus.RUNNING)
    total = models.PositiveIntegerField("待编条数", default=0)
    done = models.PositiveIntegerField("已编条数", default=0)
    message = models.CharField("说明", max_length=300, blank=True)
    issue = models.ForeignKey(Issue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "自动编辑记录"
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.publication_id}:{self.key}:{self.status}"


class ExternalAdoption(models.Model):
    """An office above the system (e.g. 国办) adopted what this office reported; entered by
    hand with evidence, since that office reports outside the system."""

    adoption = models.ForeignKey(Adoption, on_delete=models.PROTECT, related_name="external_adoptions")
    level = models.CharField("采用单位", max_length=30, default="国办")
    date = models.DateField("采用日期")
    evidence = models.CharField("依据", max_length=300, help_text="如：国办《每日要情》2026年第88期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "上级采用记录"
        ordering = ["-date", "-pk"]
        constraints = [models.UniqueConstraint(fields=["adoption", "level"], name="external_once_per_level")]

    def __str__(self) -> str:
        return f"{self.level}采用：{self.adoption}"


class InstructionLevel(models.Model):
    """The configurable list of instruction levels (国务院领导, 国办, 省政府领导 …)."""

    name = models.CharField("级别", max_length=30, unique=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    # A leader's own level, which the instruction form preselects. Kept here rather than
    # on units.User because levels are a publications list (units imports nothing above).
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="本级别领导",
        blank=True,
        related_name="instruction_levels",
        limit_choices_to={"role_grants__role": "leader"},
        help_text="这些领导写批示时，批示级别默认为本级别。",
    )

    class Meta:
        verbose_name = verbose_name_plural = "批示级别"
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Instruction(models.Model):
    """批示: a leader's written instruction on a published item; the units named must
    report back (反馈) by the deadline."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="instructions")
    issue = models.ForeignKey(Issue, null=True, blank=True, on_delete=models.SET_NULL, related_name="instructions")
    office = models.ForeignKey(Unit, verbose_name="批示所在单位", on_delete=models.PROTECT, related_name="+")
    leader_name = models.CharField("批示领导", max_length=50)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField("批示级别", max_length=30)
    text = models.TextField("批示内容")
    date = models.DateField("批示日期")
    deadline = models.DateField("反馈期限")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    handlers = models.ManyToManyField(Unit, verbose_name="承办单位", through="InstructionHandler", related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "批示"
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.leader_name}（{self.level}）批示"


class InstructionHandler(models.Model):
    """A unit that must handle an instruction, and its report back."""

    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="handler_links")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="instruction_links")
    feedback = models.TextField("反馈内容", blank=True)
    feedback_at = models.DateTimeField("反馈时间", null=True, blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_late = models.BooleanField("逾期反馈", default=False)
    penalized_at = models.DateTimeField("扣分时间", null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["instruction", "unit"], name="instructionhandler_unique")]

    def __str__(self) -> str:
        return f"{self.instruction_id}→{self.unit_id}"


class FeedbackAttachment(models.Model):
    handler = models.ForeignKey(InstructionHandler, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="feedback/%Y/%m/", max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.original_name
