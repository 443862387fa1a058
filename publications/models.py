"""Publications (刊物/载体) run by an office. Issues and adoptions come with the
publications issue; for now a publication carries its kind, schedule and the default
point values of DOMAIN.md section 6, which the scoring schemes copy into their rules."""

from django.db import models

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
    is_public = models.BooleanField("公开刊物", default=False)
    points_full = models.PositiveSmallIntegerField("每条信息分值", default=0)
    points_brief = models.PositiveSmallIntegerField("每条简讯分值", null=True, blank=True)
    bonus_note = models.CharField("加分说明", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "刊物"
        ordering = ["office", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["office", "name"], name="publication_unique_name")]

    def __str__(self) -> str:
        return self.name
