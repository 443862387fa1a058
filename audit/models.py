"""The audit record: one append-only row per change to an audited object."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

SYSTEM_ACTOR = "系统"
REFUSAL = "审计记录只能追加，不能修改或删除。"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied(REFUSAL)

    def delete(self):
        raise PermissionDenied(REFUSAL)

    def bulk_create(self, objs, *args, **kwargs):
        from . import chain

        return chain.insert_many(self.model, list(objs), using=self.db, batch_size=kwargs.get("batch_size"))

    def visible_to(self, units):
        """Entries by people of `units`, or about objects of `units` (a queryset of units)."""
        ids = units.values("pk")
        return self.filter(models.Q(actor_unit__in=ids) | models.Q(unit__in=ids))


class AuditEntry(models.Model):
    """Who changed what, when, from where: the cross-model view of every change.

    The references to people and units are kept without database constraints, so that
    removing a person or a unit never has to touch (and can never rewrite) this record;
    `actor_name` keeps the name as it was.
    """

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=150, default=SYSTEM_ACTOR)
    actor_unit = models.ForeignKey(
        "units.Unit",
        verbose_name="操作人单位",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField("动作", max_length=40)
    model = models.CharField("对象类型", max_length=60)
    object_id = models.CharField("对象编号", max_length=64)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="对象所属单位",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    changes = models.JSONField("变更内容", default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    path = models.CharField("请求路径", max_length=300, blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    # HMAC-SM3 over the previous row's value and this row's content (audit/chain.py).
    chain = models.CharField("校验值", max_length=64, blank=True, editable=False)
    # Set with `chain` by the linker after commit, once (audit/chain.py): the chain's order.
    chain_seq = models.BigIntegerField("链序号", null=True, blank=True, unique=True, editable=False)
    # HMAC-SM3 of the row's own content, written with it: only such rows are linked in.
    row_mac = models.CharField("行校验值", max_length=64, blank=True, editable=False, db_default="")

    objects = AuditQuerySet.as_manager()

    # The content the chain covers; frozen (a column added later must not alter old rows').
    CHAINED_FIELDS = (
        "at", "actor", "actor_name", "actor_unit", "action", "model", "object_id",
        "object_repr", "unit", "changes", "ip", "path", "request_id",
    )  # fmt: skip
    CHAIN_TIME_FIELD = "at"

    class Meta:
        verbose_name = verbose_name_plural = "审计记录"
        ordering = ["-at", "-pk"]
        indexes = [
            # The linker's and audit_verify's look-up of the rows not linked yet: a few.
            models.Index(fields=["id"], condition=models.Q(chain_seq__isnull=True), name="audit_unlinked_idx"),
            models.Index(fields=["model", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor_unit", "at"], name="audit_actor_unit_idx"),
            models.Index(fields=["unit", "at"], name="audit_unit_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.model}#{self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionDenied(REFUSAL)
        from . import chain

        chain.insert(self, using=kwargs.get("using"))

    def delete(self, *args, **kwargs):
        raise PermissionDenied(REFUSAL)


class ChainAnchor(models.Model):
    """Where a chain starts again after its oldest rows were archived and pruned: the id
    and chain value of the last pruned row, and the archive file that holds them."""

    chain = models.CharField("链", max_length=60)
    through_id = models.BigIntegerField("截至编号")
    value = models.CharField("截至校验值", max_length=64)
    before = models.DateTimeField("归档截止时间")
    rows = models.PositiveIntegerField("归档行数")
    archive_name = models.CharField("归档文件", max_length=200)
    archive_sm3 = models.CharField("归档文件 SM3", max_length=64)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "审计归档记录"
        constraints = [models.UniqueConstraint(fields=["chain", "through_id"], name="chain_anchor_unique")]

    def __str__(self) -> str:
        return f"{self.chain} ≤ #{self.through_id}"
