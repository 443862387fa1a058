"""The Celery app and the beat schedule.

Settings come from Django's settings (CELERY_* names) so that one environment drives
web, worker and beat alike.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govinfo.settings")

# DjangoTask adds delay_on_commit(): tasks are queued only once the transaction that
# created their data has committed, so a worker never looks for a row that is not there.
app = Celery("govinfo", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
