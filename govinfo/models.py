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


class TokenGrant(models.Model):
    """What an API token was issued under: DRF's Token knows only its key and owner.

    A token stands for a login, so it ends like one: at `expires_at` (API_TOKEN_TTL
    after it was obtained), and it is refused while its owner's roles require a second
    factor that was not given when it was obtained (`verified`). Revocation deletes the
    Token, and this row with it.
    """

    token = models.OneToOneField(
        "authtoken.Token", verbose_name="令牌", primary_key=True, on_delete=models.CASCADE, related_name="grant"
    )
    verified = models.BooleanField("已通过两步验证", default=False)
    issued_at = models.DateTimeField("获取时间", default=timezone.now)
    expires_at = models.DateTimeField("过期时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌授权"

    def __str__(self) -> str:
        return f"{self.token_id[:8]}… {self.expires_at:%Y-%m-%d %H:%M}"
