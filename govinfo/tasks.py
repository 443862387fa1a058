"""Housekeeping tasks that prove the wiring between web, broker, worker and beat."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "govinfo:beat:last"


@shared_task(name="govinfo.ping")
def ping(payload: str = "ping") -> str:
    """Echo back: a round trip through the broker and a worker."""
    return f"pong:{payload}"


@shared_task(name="govinfo.heartbeat")
def heartbeat() -> str:
    """Run by beat; the time it last ran tells the health check that beat is alive.

    Safe to run twice or to lose: it only overwrites one timestamp.
    """
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now
