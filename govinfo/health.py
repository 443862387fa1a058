"""A health endpoint for load balancers and monitoring: the database answers, the broker
accepts a connection, and beat ran within the last few minutes (its heartbeat task).

Those three decide the status: "ok" with 200, or "degraded" with 503, on which a load
balancer takes the node out. Warnings are reported beside them and listed under
"warnings" but never turn the answer into a 503: every node shares them, so dropping
nodes would help nothing. The calendar is one: a year that has only the provisional
calendar, from 60 days before it until its official notice is entered. The audit
record is another: from 30 days before its oldest row reaches AUDIT_RETENTION_DAYS, it
is time to archive (audit/archive.py).
"""

import datetime as dt

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit import archive
from govinfo.celery import app
from govinfo.tasks import HEARTBEAT_KEY
from publications import calendar

BEAT_STALE_AFTER = dt.timedelta(minutes=5)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _broker() -> str:
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
    return "ok"


def _beat() -> str:
    last = cache.get(HEARTBEAT_KEY)
    if not last:
        return "never"
    age = timezone.now() - dt.datetime.fromisoformat(last)
    return "ok" if age <= BEAT_STALE_AFTER else f"stale {int(age.total_seconds())}s"


def _calendar() -> str:
    pending = calendar.warnings()
    if not pending:
        return "ok"
    return "degraded: " + "; ".join(f"{w.year} provisional, official holiday notice not entered" for w in pending)


def _audit_retention() -> str:
    warning = archive.retention_warning()
    return f"degraded: {warning}" if warning else "ok"


@login_not_required
@require_GET
def health(request):
    checks = {}
    for name, probe in (("database", _database), ("broker", _broker), ("beat", _beat)):
        try:
            checks[name] = probe()
        except Exception as exc:  # any failure is the answer, not an error page
            checks[name] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    warnings = {}
    for name, probe in (("calendar", _calendar), ("audit_retention", _audit_retention)):
        try:
            warnings[name] = probe()
        except Exception as exc:
            warnings[name] = f"error: {type(exc).__name__}"
    body = {
        "status": "ok" if healthy else "degraded",
        **checks,
        **warnings,
        "warnings": sorted(name for name, value in warnings.items() if value != "ok"),
    }
    return JsonResponse(body, status=200 if healthy else 503)
