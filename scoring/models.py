"""Scoring schemes, their rules, quotas, awards and the append-only points ledger."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from publications.models import Adoption, AdoptionForm, Publication
from submissions.models import Item
from units.models import AssessmentClass, Unit


class CompositeRule(models.TextChoices):
    EACH = "each", "每个来源单位得全分"
    SPLIT = "split", "来源单位平分"


class Stage(models.TextChoices):
    """Where a scheme-year stands at its end (docs/domain.md §7, the year-end assessment)."""

    RUNNING = "running", "进行中"
    PUBLICITY = "publicity", "公示中"
    FINAL = "final", "已定稿"
    REOPENED = "reopened", "已解锁（待重新定稿）"


class Scheme(models.Model):
    """One year's rules of one assessing office (考核方案)."""

    office = models.ForeignKey(Unit, verbose_name="考核单位", on_delete=models.PROTECT, related_name="schemes")
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("名称", max_length=100)
    assessed_units = models.ManyToManyField(Unit, verbose_name="被考核单位", through="SchemeUnit", related_name="+")
    add_up = models.BooleanField("一条信息多刊采用累计计分", default=True)
    composite_rule = models.CharField(
        "综合信息计分", max_length=10, choices=CompositeRule.choices, default=CompositeRule.EACH
    )
    instruction_once_per_level = models.BooleanField("同一信息同级批示只计一次", default=True)
    public_to_assessed = models.BooleanField("被考核单位可查看积分榜", default=True)
    is_active = models.BooleanField("启用", default=True)
    # While FINAL no ledger row of this scheme may be written: scoring.actions refuses it
    # and a database trigger (migration 0006) refuses whatever else tries.
    # Not editable in the admin: only the year-end acts move it, each with its event row.
    stage = models.CharField(
        "年度考核阶段", max_length=10, choices=Stage.choices, default=Stage.RUNNING, editable=False
    )
    publicity_ends_on = models.DateField("公示截止日", null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "考核方案"
        ordering = ["-year", "office__path"]
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="scheme_unique_office_year")]

    def __str__(self) -> str:
        return self.name


class SchemeUnit(models.Model):
    """An assessed unit; `quota` overrides the quota of its assessment class."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="scheme_units")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    quota = models.DecimalField("单独基数", max_digits=8, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "被考核单位"
        constraints = [models.UniqueConstraint(fields=["scheme", "unit"], name="schemeunit_unique")]

    def __str__(self) -> str:
        return str(self.unit)


class QuotaRule(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="quotas")
    assessment_class = models.ForeignKey(AssessmentClass, verbose_name="考核类别", on_delete=models.PROTECT)
    quota = models.DecimalField("基数", max_digits=8, decimal_places=1)

    class Meta:
        verbose_name = verbose_name_plural = "考核基数"
        constraints = [models.UniqueConstraint(fields=["scheme", "assessment_class"], name="quotarule_unique")]

    def __str__(self) -> str:
        return f"{self.assessment_class}：{self.quota}"


class PublicationRule(models.Model):
    """Points for an adoption in `publication` as `form`."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="publication_rules")
    publication = models.ForeignKey(Publication, verbose_name="刊物", on_delete=models.PROTECT, related_name="+")
    form = models.CharField("体裁", max_length=10, choices=AdoptionForm.choices)
    points = models.DecimalField("分值", max_digits=6, decimal_places=1)

    class Meta:
        verbose_name = verbose_name_plural = "刊物计分规则"
        constraints = [models.UniqueConstraint(fields=["scheme", "publication", "form"], name="pubrule_unique")]

    def __str__(self) -> str:
        return f"{self.publication}·{self.get_form_display()}：{self.points}"


class InstructionRule(models.Model):
    """Bonus for a leader's instruction (批示) of a level on an adopted item."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="instruction_rules")
    level = models.CharField("批示级别", max_length=30)
    points = models.DecimalField("加分", max_digits=6, decimal_places=1)

    class Meta:
        verbose_name = verbose_name_plural = "批示加分规则"
        constraints = [models.UniqueConstraint(fields=["scheme", "level"], name="instrule_unique")]

    def __str__(self) -> str:
        return f"{self.level}：+{self.points}"


class HigherAdoptionRule(models.Model):
    """Bonus when an item carried in `publication` is adopted by a higher office (国办采用 +15)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="higher_rules")
    publication = models.ForeignKey(Publication, verbose_name="报送刊物", on_delete=models.PROTECT, related_name="+")
    level = models.CharField("采用单位", max_length=30, default="国办")
    points = models.DecimalField("加分", max_digits=6, decimal_places=1)

    class Meta:
        verbose_name = verbose_name_plural = "上级采用加分规则"
        constraints = [models.UniqueConstraint(fields=["scheme", "publication", "level"], name="higherrule_unique")]

    def __str__(self) -> str:
        return f"{self.publication}被{self.level}采用：+{self.points}"


class PenaltyKind(models.TextChoices):
    LATE = "late", "迟报"
    MISSED = "missed", "漏报"
    CONCEALED = "concealed", "瞒报"
    FALSE = "false", "错报"
    COMMISSION = "commission", "约稿未报"
    COMMISSION_LATE = "commission_late", "约稿逾期报送"
    FEEDBACK = "feedback", "批示未反馈"
    EMERGENCY_LATE = "emergency_late", "突发事件迟报"


class PenaltyRule(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="penalty_rules")
    kind = models.CharField("扣分类型", max_length=20, choices=PenaltyKind.choices)
    points = models.DecimalField("扣分", max_digits=6, decimal_places=1, help_text="填正数，记账时为负分")
    vetoes_award = models.BooleanField("一票否决评奖", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "扣分规则"
        constraints = [models.UniqueConstraint(fields=["scheme", "kind"], name="penaltyrule_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：-{self.points}"


class AwardTier(models.Model):
    """特等奖 2, 一等奖 5 … in rank order; only units that reached their quota qualify."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="award_tiers")
    name = models.CharField("奖项", max_length=20)
    count = models.PositiveSmallIntegerField("名额")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "奖项设置"
        ordering = ["scheme", "order"]

    def __str__(self) -> str:
        return f"{self.name}×{self.count}"


class Source(models.TextChoices):
    ADOPTION = "adoption", "采用"
    INSTRUCTION = "instruction", "批示"
    HIGHER = "higher", "上级采用"
    PENALTY = "penalty", "扣分"
    MANUAL = "manual", "手工调整"
    REVERSAL = "reversal", "冲正"
    RECOMPUTE = "recompute", "重算差额"
    APPEAL = "appeal", "申诉更正"


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("积分台账只能追加，不能修改。")

    def delete(self):
        raise PermissionDenied("积分台账只能追加，不能删除。")


class LedgerEntry(models.Model):
    """One append-only line of the points ledger. Totals are sums of these rows;
    a correction is a new row (a reversal or a difference), never an edit."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="entries")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ledger_entries")
    date = models.DateField("日期")
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    adoption = models.ForeignKey(Adoption, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_ref = models.CharField("来源标识", max_length=60, blank=True, help_text="e.g. instruction:12, higher:3")
    rule = models.CharField("规则", max_length=60, blank=True)
    points = models.DecimalField("分值", max_digits=8, decimal_places=1)
    reason = models.CharField("说明", max_length=300)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # HMAC-SM3 over the previous row's value and this row's content (audit/chain.py).
    chain = models.CharField("校验值", max_length=64, blank=True, editable=False)
    # Set with `chain` by the linker after commit, once (audit/chain.py): the chain's order.
    chain_seq = models.BigIntegerField("链序号", null=True, blank=True, unique=True, editable=False)
    # HMAC-SM3 of the row's own content, written with it: only such rows are linked in.
    row_mac = models.CharField("行校验值", max_length=64, blank=True, editable=False, db_default="")

    objects = LedgerQuerySet.as_manager()

    # The content the chain covers; frozen (a column added later must not alter old rows').
    CHAINED_FIELDS = (
        "scheme", "unit", "date", "source", "adoption", "item", "source_ref", "rule", "points", "reason",
        "reverses", "created_by", "created_at",
    )  # fmt: skip
    CHAIN_TIME_FIELD = "created_at"

    class Meta:
        verbose_name = verbose_name_plural = "积分台账"
        ordering = ["date", "pk"]
        indexes = [
            # The linker's and audit_verify's look-up of the rows not linked yet: a few.
            models.Index(fields=["id"], condition=models.Q(chain_seq__isnull=True), name="ledger_unlinked_idx"),
            models.Index(fields=["scheme", "date"], name="ledger_scheme_date_idx"),
            models.Index(fields=["adoption"], name="ledger_adoption_idx"),
            models.Index(fields=["source_ref"], name="ledger_source_ref_idx"),
            models.Index(fields=["scheme", "unit", "date"], include=["points", "source"], name="ledger_cover_idx"),
            models.Index(fields=["scheme", "rule"], name="ledger_scheme_rule_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.points:+} {self.reason}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionDenied("积分台账只能追加，不能修改。")
        from audit import chain

        chain.insert(self, using=kwargs.get("using"))  # every row, whichever path writes it

    def delete(self, *args, **kwargs):
        raise PermissionDenied("积分台账只能追加，不能删除。")


class UpperAdoptionRule(models.Model):
    """The lower office's scheme may credit the original unit when an item this office
    forwarded is adopted by the parent office's publication (by its rules)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="upper_rules")
    upper_publication = models.ForeignKey(
        Publication, verbose_name="上级刊物", on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField("加分", max_digits=6, decimal_places=1)

    class Meta:
        verbose_name = verbose_name_plural = "转报被上级采用加分规则"
        constraints = [models.UniqueConstraint(fields=["scheme", "upper_publication"], name="upperrule_unique")]

    def __str__(self) -> str:
        return f"被《{self.upper_publication}》采用：+{self.points}"


ZERO = Decimal("0")


class StageChange(models.Model):
    """Event row of a scheme-year's end: 公示 opened, finalised, unlocked (with why)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=10, choices=Stage.choices)
    to_stage = models.CharField(max_length=10, choices=Stage.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度考核记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_stage_display()} → {self.get_to_stage_display()}"


class SnapshotKind(models.TextChoices):
    PUBLICITY = "publicity", "公示"
    FINAL = "final", "定稿"


class BoardSnapshot(models.Model):
    """The scoreboard as it stood when the 公示 opened or the results were made final.
    `rows` is kept as data so later rule changes or recomputation never alter it."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="snapshots")
    kind = models.CharField(max_length=10, choices=SnapshotKind.choices)
    rows = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "积分榜快照"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["scheme", "kind", "-created_at"], name="snapshot_scheme_kind_idx")]

    def __str__(self) -> str:
        return f"{self.scheme} {self.get_kind_display()} {self.created_at:%Y-%m-%d}"


class AppealStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    ACCEPTED = "accepted", "已采纳"
    REFUSED = "refused", "不予采纳"


class Appeal(models.Model):
    """A unit's 申诉 during the 公示: against a ledger row (`entry`), or for one that is
    missing (`adoption`: an adoption that earned nothing; or only described)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="appeals")
    unit = models.ForeignKey(Unit, verbose_name="申诉单位", on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(
        LedgerEntry, verbose_name="申诉的台账记录", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    adoption = models.ForeignKey(
        Adoption, verbose_name="未计分的采用", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("申诉理由", max_length=2000)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(default=timezone.now)
    decide_by = models.DateField("处理期限")
    status = models.CharField(max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField("处理意见", max_length=500, blank=True)
    correction = models.OneToOneField(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="appeal_corrected"
    )

    class Meta:
        verbose_name = verbose_name_plural = "考核申诉"
        ordering = ["decide_by", "pk"]
        indexes = [models.Index(fields=["scheme", "status"], name="appeal_scheme_status_idx")]

    def __str__(self) -> str:
        return f"{self.unit} 申诉 #{self.pk}"

    @property
    def subject(self) -> str:
        if self.entry_id:
            return f"台账记录：{self.entry.date:%Y-%m-%d} {self.entry.reason}（{self.entry.points:+}）"
        if self.adoption_id:
            day = timezone.localdate(self.adoption.adopted_at)
            return f"未计分的采用：《{self.adoption.publication.name}》{day:%Y-%m-%d}"
        return "未记入的分数"


class AppealAttachment(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="appeals/%Y/", max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.original_name
