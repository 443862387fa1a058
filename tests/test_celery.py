"""A round trip through a real Celery worker process and the configured broker:
Redis in CI (CELERY_BROKER_URL), kombu's filesystem transport on a bare machine."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from govinfo.celery import app
from govinfo.tasks import ping

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def worker_queue():
    """Start a worker on a queue of its own, so no other worker can take the test's task."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "govinfo", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "-n", f"{queue}@%h", "--loglevel=WARNING"],
        cwd=ROOT, env=os.environ.copy(),
    )  # fmt: skip
    try:
        yield queue
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.worker
def test_ping_round_trip_through_a_real_worker(worker_queue):
    print(f"broker: {settings.CELERY_BROKER_URL.split('@')[-1]}")
    result = ping.apply_async(args=["你好"], queue=worker_queue)
    assert result.get(timeout=60) == "pong:你好"


def test_app_reads_its_settings_from_django():
    assert app.conf.task_acks_late is True
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert "heartbeat" in app.conf.beat_schedule
