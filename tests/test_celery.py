"""A round trip through a real Celery worker process and the configured broker:
Redis in CI (CELERY_BROKER_URL), kombu's filesystem transport on a bare machine."""

import pytest
from django.conf import settings

from govinfo.celery import app
from govinfo.tasks import ping


@pytest.mark.worker
def test_ping_round_trip_through_a_real_worker(live_worker):
    print(f"broker: {settings.CELERY_BROKER_URL.split('@')[-1]}")
    result = ping.apply_async(args=["你好"], queue=live_worker)
    assert result.get(timeout=60) == "pong:你好"


def test_app_reads_its_settings_from_django():
    assert app.conf.task_acks_late is True
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert "heartbeat" in app.conf.beat_schedule and "compile-due-bulletins" in app.conf.beat_schedule
