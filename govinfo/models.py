"""Operational records of the installation itself."""

from django.db import models
from django.utils import timezone


class TaskFailure(models.Model):
    """A Celery task that failed (after its retries): administrators see these in admin."""

    task_id = models.CharField("任务 ID", max_length=64, db_index=True)
    task_name = models.CharField("任务", max_length=200)
    args = models.TextField("参数", blank=True)
    exception = models.TextField("错误")
    traceback = models.TextField("追踪信息", blank=True)
    failed_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "后台任务失败记录"
        ordering = ["-failed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task_name} {self.failed_at:%Y-%m-%d %H:%M}"
