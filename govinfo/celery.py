"""The Celery app and the beat schedule.

Settings come from Django's settings (CELERY_* names) so that one environment drives
web, worker and beat alike.
"""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govinfo.settings")

# DjangoTask adds delay_on_commit(): tasks are queued only once the transaction that
# created their data has committed, so a worker never looks for a row that is not there.
app = Celery("govinfo", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_failure.connect
def record_failure(sender=None, task_id=None, exception=None, args=None, kwargs=None, einfo=None, **extra) -> None:
    """Keep every failed task where administrators look (admin → 后台任务失败记录).
    Retries raise Retry, not a failure, so this sees only final failures."""
    from govinfo.models import TaskFailure

    try:
        TaskFailure.objects.create(
            task_id=task_id or "",
            task_name=getattr(sender, "name", str(sender)),
            args=repr((args, kwargs))[:2000],
            exception=repr(exception)[:2000],
            traceback=str(einfo or "")[:20000],
        )
    except Exception:  # the database may be what failed; the worker log still has it
        import logging

        logging.getLogger(__name__).exception("could not record task failure %s", task_id)
